//! Access tokens (`tokens`): only the hash of each secret is stored.

use rusqlite::{Connection, OptionalExtension, params};

use super::db;
use crate::storage::{StoreError, TokenRecord};

/// Stores a token record (call inside a transaction).
pub(super) fn insert(connection: &Connection, token: &TokenRecord) -> Result<(), StoreError> {
    connection
        .execute(
            "INSERT INTO tokens (id, secret_hash, role, created_at) VALUES (?1, ?2, ?3, ?4)",
            params![
                token.id,
                token.secret_hash.as_slice(),
                token.role,
                token.created_at
            ],
        )
        .map_err(db("storing a token"))?;
    Ok(())
}

/// A token record by its public id.
pub(super) fn read(connection: &Connection, id: &str) -> Result<Option<TokenRecord>, StoreError> {
    let row: Option<(String, Vec<u8>, String, String)> = connection
        .query_row(
            "SELECT id, secret_hash, role, created_at FROM tokens WHERE id = ?1",
            params![id],
            |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?)),
        )
        .optional()
        .map_err(db("reading a token"))?;
    let Some((id, hash, role, created_at)) = row else {
        return Ok(None);
    };
    let secret_hash: [u8; 32] =
        hash.try_into()
            .map_err(|bytes: Vec<u8>| StoreError::UnknownValue {
                what: "token hash length",
                value: bytes.len().to_string(),
            })?;
    Ok(Some(TokenRecord {
        id,
        secret_hash,
        role,
        created_at,
    }))
}

/// How many tokens exist.
pub(super) fn count(connection: &Connection) -> Result<u64, StoreError> {
    let count: i64 = connection
        .query_row("SELECT COUNT(*) FROM tokens", [], |row| row.get(0))
        .map_err(db("counting tokens"))?;
    Ok(u64::try_from(count).unwrap_or(0))
}

#[cfg(test)]
mod tests {
    use crate::storage::sqlite::SqliteStore;
    use crate::storage::{Store, TokenRecord};

    #[test]
    fn tokens_round_trip_by_id() {
        let store = SqliteStore::in_memory().expect("open");
        assert_eq!(store.token_count().expect("count"), 0);
        let token = TokenRecord {
            id: "tk_1".into(),
            secret_hash: [7; 32],
            role: "planner".into(),
            created_at: super::super::now(),
        };
        store.add_token(&token).expect("add");
        assert_eq!(store.token("tk_1").expect("read"), Some(token));
        assert_eq!(store.token_count().expect("count"), 1);
    }

    #[test]
    fn an_unknown_token_is_absent() {
        let store = SqliteStore::in_memory().expect("open");
        assert_eq!(store.token("tk_missing").expect("read"), None);
    }
}
