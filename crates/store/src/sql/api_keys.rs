//! API keys: stored as a public prefix and a hash of the secret, scoped and revocable.

use super::query::{
    Conditions, audit, fetch_page, get, get_opt_time, get_time, now_micros, parse_stored, snapshot,
};
use super::{SqlStore, conflict_as, map_err};
use crate::error::StoreError;
use crate::model::*;
use crate::traits::{ApiKeyStore, StoreResult};
use async_trait::async_trait;
use domain::time::to_micros;
use domain::{ApiKeyId, ApiScopes};
use jiff::Timestamp;
use sqlx::any::AnyRow;

const SELECT: &str = "SELECT k.id, k.name, k.prefix, k.secret_hash, k.scopes, k.created_by, \
    k.created_at, k.last_used_at, k.revoked_at FROM api_keys k";

fn decode(row: &AnyRow) -> Result<ApiKey, StoreError> {
    Ok(ApiKey {
        id: ApiKeyId(get(row, "id")?),
        name: get(row, "name")?,
        prefix: get(row, "prefix")?,
        scopes: parse_stored(&get::<String>(row, "scopes")?, ApiScopes::parse)?,
        created_by: get(row, "created_by")?,
        created_at: get_time(row, "created_at")?,
        last_used_at: get_opt_time(row, "last_used_at")?,
        revoked_at: get_opt_time(row, "revoked_at")?,
    })
}

async fn read_key(conn: &mut sqlx::AnyConnection, id: ApiKeyId) -> StoreResult<ApiKey> {
    let sql = format!("{SELECT} WHERE k.id = $1");
    let row = sqlx::query(&sql)
        .bind(id.0)
        .fetch_optional(conn)
        .await
        .map_err(map_err)?
        .ok_or(StoreError::NotFound)?;
    decode(&row)
}

#[async_trait]
impl ApiKeyStore for SqlStore {
    async fn create_api_key(&self, actor: &Actor, key: NewApiKey) -> StoreResult<ApiKey> {
        let mut w = self.begin_write().await?;
        let row = sqlx::query(
            "INSERT INTO api_keys (name, prefix, secret_hash, scopes, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(key.name.as_str().to_owned())
        .bind(key.prefix.clone())
        .bind(key.secret_hash.clone())
        .bind(key.scopes.to_string())
        .bind(actor.label().to_owned())
        .bind(now_micros())
        .fetch_one(&mut *w.tx)
        .await
        .map_err(conflict_as("key prefix collision; try again"))?;
        let created = read_key(&mut w.tx, ApiKeyId(get(&row, "id")?)).await?;
        let id = Some(created.id.to_string());
        audit(
            &mut w.tx,
            actor,
            "api_key.create",
            "api_key",
            id,
            None,
            snapshot(&created),
        )
        .await?;
        w.tx.commit().await.map_err(map_err)?;
        self.lookups.api_keys.clear();
        Ok(created)
    }

    async fn list_api_keys(&self, params: &ListParams) -> StoreResult<Page<ApiKey>> {
        let mut conditions = Conditions::default();
        conditions.paging(params, "k.id", &["k.name", "k.prefix"]);
        fetch_page(
            self.pool(),
            SELECT,
            "k.id",
            &conditions,
            params,
            decode,
            |k| k.id.0,
        )
        .await
    }

    async fn api_key_by_prefix(&self, prefix: &str) -> StoreResult<Option<ApiKeyCredentials>> {
        if let Some(found) = self.lookups.api_keys.get(&prefix.to_owned()) {
            return Ok(found);
        }
        let sql = format!("{SELECT} WHERE k.prefix = $1");
        let row = sqlx::query(&sql)
            .bind(prefix.to_owned())
            .fetch_optional(self.pool())
            .await
            .map_err(map_err)?;
        let found = row
            .map(|row| {
                Ok::<_, StoreError>(ApiKeyCredentials {
                    key: decode(&row)?,
                    secret_hash: get(&row, "secret_hash")?,
                })
            })
            .transpose()?;
        self.lookups
            .api_keys
            .insert(prefix.to_owned(), found.clone());
        Ok(found)
    }

    async fn touch_api_key(&self, id: ApiKeyId, at: Timestamp) -> StoreResult<()> {
        let w = self.begin_write().await?;
        let mut tx = w.tx;
        sqlx::query("UPDATE api_keys SET last_used_at = $1 WHERE id = $2")
            .bind(to_micros(at))
            .bind(id.0)
            .execute(&mut *tx)
            .await
            .map_err(map_err)?;
        tx.commit().await.map_err(map_err)
    }

    async fn revoke_api_key(&self, actor: &Actor, id: ApiKeyId) -> StoreResult<ApiKey> {
        let mut w = self.begin_write().await?;
        let before = read_key(&mut w.tx, id).await?;
        if before.revoked_at.is_none() {
            sqlx::query("UPDATE api_keys SET revoked_at = $1 WHERE id = $2")
                .bind(now_micros())
                .bind(id.0)
                .execute(&mut *w.tx)
                .await
                .map_err(map_err)?;
        }
        let after = read_key(&mut w.tx, id).await?;
        audit(
            &mut w.tx,
            actor,
            "api_key.revoke",
            "api_key",
            Some(id.to_string()),
            snapshot(&before),
            snapshot(&after),
        )
        .await?;
        w.tx.commit().await.map_err(map_err)?;
        self.lookups.api_keys.clear();
        Ok(after)
    }
}
