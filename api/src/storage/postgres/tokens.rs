//! Access tokens (`tokens`): only the hash of each secret is stored.

use postgres::GenericClient;

use super::db;
use crate::storage::{StoreError, TokenRecord};

/// Stores a token record (call inside a transaction).
pub(super) fn insert(
    client: &mut impl GenericClient,
    token: &TokenRecord,
) -> Result<(), StoreError> {
    client
        .execute(
            "INSERT INTO tokens (id, secret_hash, role, created_at) VALUES ($1, $2, $3, $4)",
            &[
                &token.id,
                &token.secret_hash.as_slice(),
                &token.role,
                &token.created_at,
            ],
        )
        .map_err(db("storing a token"))?;
    Ok(())
}

/// A token record by its public id.
pub(super) fn read(
    client: &mut impl GenericClient,
    id: &str,
) -> Result<Option<TokenRecord>, StoreError> {
    let row = client
        .query_opt(
            "SELECT id, secret_hash, role, created_at FROM tokens WHERE id = $1",
            &[&id],
        )
        .map_err(db("reading a token"))?;
    let Some(row) = row else {
        return Ok(None);
    };
    let hash: Vec<u8> = row.get(1);
    let secret_hash: [u8; 32] =
        hash.try_into()
            .map_err(|bytes: Vec<u8>| StoreError::UnknownValue {
                what: "token hash length",
                value: bytes.len().to_string(),
            })?;
    Ok(Some(TokenRecord {
        id: row.get(0),
        secret_hash,
        role: row.get(2),
        created_at: row.get(3),
    }))
}

/// How many tokens exist.
pub(super) fn count(client: &mut impl GenericClient) -> Result<u64, StoreError> {
    let count: i64 = client
        .query_one("SELECT COUNT(*) FROM tokens", &[])
        .map_err(db("counting tokens"))?
        .get(0);
    Ok(u64::try_from(count).unwrap_or(0))
}
