//! Load benchmark: requests/s and latency percentiles of
//! `GET /v1/schedules/{id}/utilities/{owner}` (JSON, CSV, iCalendar; open and token mode)
//! beside a bare actix-web hello-world, on loopback, with an in-repo load generator.
//!
//! Run: `cargo run --release -p api --example export_load -- [CONCURRENCY] [REQUESTS]`
//! (defaults 8 and 4000 requests per target). Every server and the generator share the
//! machine, so figures compare targets with each other, not with other machines.
//!
//! The schedule is generated here: 2,000 activities of 20 companies (100 each, a third
//! of them excavations in shared trenches), stored in a temporary SQLite file.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::Arc;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use actix_web::{App, HttpServer, web};
use api::auth::{AuthMode, Role, create_token};
use api::intake::GeodataValidator;
use api::jobs::JobSystem;
use api::server::AppState;
use api::storage::sqlite::SqliteStore;
use api::storage::{NewPlanVersion, PlanSummary, Store, WorkLocation};
use geodata::plan::{Discipline, Utility};
use optimizer::city::document::{
    ActivityKind, PlanRef, ScheduleDocument, ScheduledActivity, Subject, Summary,
};

const OWNERS: usize = 20;
const ACTIVITIES: usize = 2000;

fn owner(i: usize) -> String {
    format!("Utility {i:02}")
}

/// A schedule document with `ACTIVITIES` activities.
fn schedule_document() -> ScheduleDocument {
    let start = chrono::NaiveDate::from_ymd_opt(2027, 3, 1).unwrap_or_default();
    let activities = (0..ACTIVITIES)
        .map(|i| {
            let first = i % OWNERS;
            let shared = i % 3 == 0;
            let owners = if shared {
                vec![owner(first), owner((first + 1) % OWNERS)]
            } else {
                vec![owner(first)]
            };
            let day = start + chrono::Days::new(u64::try_from(i % 300).unwrap_or(0));
            let (kind, subject) = if shared {
                (ActivityKind::Excavate, Subject::Trench(format!("t{i}")))
            } else {
                (ActivityKind::Lay, Subject::Work(format!("w{i}")))
            };
            ScheduledActivity {
                id: format!("a{i}/{}", kind.as_str()),
                kind,
                subject,
                works: vec![format!("w{i}")],
                owners,
                discipline: Discipline::Utility(Utility::Water),
                trench: shared.then(|| format!("t{i}")),
                compound: None,
                district: Some("Dongcheng".into()),
                start: day,
                end: day + chrono::Days::new(3),
                crew: Some("water#1".into()),
            }
        })
        .collect();
    ScheduleDocument {
        plan: PlanRef {
            name: "Load city".into(),
            start,
        },
        activities,
        trenches: Vec::new(),
        deadlines: Vec::new(),
        beyond_horizon: Vec::new(),
        advice: optimizer::city::document::Advice::default(),
        summary: Summary::default(),
        replan: None,
    }
}

/// Starts an actix server for an app factory in its own thread; yields its address.
macro_rules! start {
    ($factory:expr) => {{
        let (tx, rx) = mpsc::channel();
        let factory = $factory;
        std::thread::spawn(move || {
            actix_web::rt::System::new().block_on(async move {
                let server = HttpServer::new(factory)
                    .workers(2)
                    .bind("127.0.0.1:0")
                    .expect("bind loopback");
                tx.send(server.addrs()[0]).expect("send address");
                server.run().await.expect("serve");
            });
        });
        let address: SocketAddr = rx.recv().expect("server address");
        address
    }};
}

/// One keep-alive connection sending `count` requests; returns each latency.
fn client(address: SocketAddr, path: &str, headers: &str, count: usize) -> Vec<Duration> {
    let mut stream = TcpStream::connect(address).expect("connect");
    stream.set_nodelay(true).expect("nodelay");
    let mut reader = BufReader::new(stream.try_clone().expect("clone"));
    let request = format!("GET {path} HTTP/1.1\r\nHost: {address}\r\n{headers}\r\n");
    let mut latencies = Vec::with_capacity(count);
    let mut line = String::new();
    let mut body = Vec::new();
    for _ in 0..count {
        let started = Instant::now();
        stream.write_all(request.as_bytes()).expect("send");
        let mut length = 0;
        line.clear();
        reader.read_line(&mut line).expect("status");
        assert!(
            line.starts_with("HTTP/1.1 200"),
            "unexpected answer: {line}"
        );
        loop {
            line.clear();
            reader.read_line(&mut line).expect("header");
            if line == "\r\n" {
                break;
            }
            if let Some((name, value)) = line.split_once(':')
                && name.eq_ignore_ascii_case("content-length")
            {
                length = value.trim().parse().expect("length");
            }
        }
        body.resize(length, 0);
        reader.read_exact(&mut body).expect("body");
        latencies.push(started.elapsed());
    }
    latencies
}

/// Runs `total` requests over `concurrency` connections and prints the figures.
fn measure(
    label: &str,
    address: SocketAddr,
    path: &str,
    headers: &str,
    concurrency: usize,
    total: usize,
) {
    // Warm-up.
    let _ = client(address, path, headers, 50);
    let per_client = total / concurrency;
    let started = Instant::now();
    let handles: Vec<_> = (0..concurrency)
        .map(|_| {
            let path = path.to_owned();
            let headers = headers.to_owned();
            std::thread::spawn(move || client(address, &path, &headers, per_client))
        })
        .collect();
    let mut latencies: Vec<Duration> = handles
        .into_iter()
        .flat_map(|h| h.join().expect("client thread"))
        .collect();
    let elapsed = started.elapsed();
    latencies.sort_unstable();
    // Nearest-rank percentile: the smallest latency with at least `per_mille`/1000 of the
    // requests at or below it.
    let pick = |per_mille: usize| {
        let rank = (latencies.len() * per_mille).div_ceil(1000).max(1);
        latencies[rank - 1].as_secs_f64() * 1e3
    };
    let count = u32::try_from(latencies.len()).unwrap_or(u32::MAX);
    println!(
        "{label:<34} {:>6} req  {:>9.0} req/s  p50 {:>7.3} ms  p99 {:>7.3} ms",
        latencies.len(),
        f64::from(count) / elapsed.as_secs_f64(),
        pick(500),
        pick(990)
    );
}

fn main() {
    let mut args = std::env::args().skip(1);
    let concurrency: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(8);
    let total: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(4000);

    let dir = std::env::temp_dir().join(format!("digonce-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let store: Arc<dyn Store> =
        Arc::new(SqliteStore::open(&dir.join("bench.sqlite3")).expect("store"));
    let mut locations = BTreeMap::new();
    for i in 0..ACTIVITIES {
        locations.insert(
            format!("w{i}"),
            WorkLocation {
                lon: 116.4,
                lat: 39.9,
            },
        );
    }
    let plan = store
        .create_plan(&NewPlanVersion {
            name: "Load city".into(),
            crs: "wgs84".into(),
            body: b"{}".to_vec(),
            summary: PlanSummary::default(),
            locations,
            source: None,
        })
        .expect("plan");
    let document = serde_json::to_vec(&schedule_document()).expect("json");
    let schedule = store
        .insert_schedule(&plan.id, 1, &document)
        .expect("schedule")
        .expect("plan exists");
    let token = create_token(store.as_ref(), &Role::Official).expect("token");

    let mut addresses = Vec::new();
    for mode in [AuthMode::Open, AuthMode::Tokens] {
        let state = web::Data::new(AppState {
            store: Arc::clone(&store),
            jobs: JobSystem::start(Arc::clone(&store), None, 1).expect("jobs"),
            validator: Arc::new(GeodataValidator),
            auth_mode: mode,
            max_upload_bytes: 1 << 20,
            request_timeout: Duration::from_secs(30),
            export_cache: api::export::cache::ExportCache::default(),
            overlay_cache: api::overlay::cache::OverlayCache::default(),
        });
        addresses.push(start!(move || {
            App::new()
                .app_data(state.clone())
                .configure(api::routes::configure)
        }));
    }
    let hello = start!(|| App::new().route("/", web::get().to(|| async { "hello world" })));

    println!(
        "schedule: {ACTIVITIES} activities, {} bytes; {} per company; concurrency {concurrency}",
        document.len(),
        ACTIVITIES / OWNERS
    );
    measure("actix hello world", hello, "/", "", concurrency, total);
    let path = format!("/v1/schedules/{schedule}/utilities/Utility%2007");
    measure(
        "export JSON (open mode)",
        addresses[0],
        &path,
        "",
        concurrency,
        total,
    );
    measure(
        "export CSV (open mode)",
        addresses[0],
        &path,
        "Accept: text/csv\r\n",
        concurrency,
        total,
    );
    measure(
        "export iCalendar (open mode)",
        addresses[0],
        &path,
        "Accept: text/calendar\r\n",
        concurrency,
        total,
    );
    let auth = format!("Authorization: Bearer {token}\r\n");
    measure(
        "export JSON (token mode)",
        addresses[1],
        &path,
        &auth,
        concurrency,
        total,
    );
    let _ = std::fs::remove_dir_all(&dir);
}
