//! A fresh PostgreSQL database per test, dropped when the test ends.
//!
//! The server is named by `DIGONCE_TEST_POSTGRES` (an admin URL; default
//! `postgres://root@127.0.0.1:5432/postgres`, the server CI and the developers' machines
//! run). Each [`TestDatabase`] creates `digonce_test_<random>` and drops it (forcing
//! connections closed) on drop. When the server cannot be reached the test fails, unless
//! `DIGONCE_SKIP_POSTGRES=1` is set, in which case [`TestDatabase::create`] prints why and
//! returns `None`.

use postgres::{Client, NoTls};

use crate::storage::ids::random_id;

/// The admin URL tests create their databases through.
pub(crate) fn admin_url() -> String {
    std::env::var("DIGONCE_TEST_POSTGRES")
        .unwrap_or_else(|_| "postgres://root@127.0.0.1:5432/postgres".to_owned())
}

/// A database that exists for the life of this value.
pub(crate) struct TestDatabase {
    name: String,
    url: String,
}

impl TestDatabase {
    /// Creates a fresh, empty database; `None` only when PostgreSQL is unreachable and
    /// `DIGONCE_SKIP_POSTGRES=1` allows skipping.
    ///
    /// # Panics
    /// When the server cannot be reached (without the skip variable) or refuses to
    /// create the database.
    pub(crate) fn create() -> Option<Self> {
        let admin = admin_url();
        let mut client = match Client::connect(&admin, NoTls) {
            Ok(client) => client,
            Err(error) => {
                if std::env::var("DIGONCE_SKIP_POSTGRES").is_ok_and(|v| v == "1") {
                    eprintln!("skipped: PostgreSQL at {admin} is unreachable ({error})");
                    return None;
                }
                panic!(
                    "PostgreSQL at {admin} is unreachable ({error}); start it, point \
                     DIGONCE_TEST_POSTGRES at one, or set DIGONCE_SKIP_POSTGRES=1"
                );
            }
        };
        let name = random_id("digonce_test_");
        client
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .expect("create the test database");
        let config: postgres::Config = admin.parse().expect("admin URL");
        let mut url = String::from("postgres://");
        if let Some(user) = config.get_user() {
            url.push_str(user);
            url.push('@');
        }
        let host = config.get_hosts().first().map_or_else(
            || "127.0.0.1".to_owned(),
            |h| match h {
                postgres::config::Host::Tcp(host) => host.clone(),
                postgres::config::Host::Unix(path) => path.display().to_string(),
            },
        );
        let port = config.get_ports().first().copied().unwrap_or(5432);
        let url = format!("{url}{host}:{port}/{name}");
        Some(Self { name, url })
    }

    /// The database's URL.
    pub(crate) fn url(&self) -> &str {
        &self.url
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        match Client::connect(&admin_url(), NoTls) {
            Ok(mut client) => {
                if let Err(error) = client.batch_execute(&format!(
                    "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                    self.name
                )) {
                    eprintln!("could not drop test database {}: {error}", self.name);
                }
            }
            Err(error) => eprintln!("could not drop test database {}: {error}", self.name),
        }
    }
}
