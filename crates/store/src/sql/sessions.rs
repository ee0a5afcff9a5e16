//! Server-side login sessions, looked up by the hash of the cookie's secret.

use super::query::get;
use super::users::read_user as user_by_id;
use super::{SqlStore, map_err};
use crate::model::Session;
use crate::traits::{SessionStore, StoreResult};
use async_trait::async_trait;
use domain::UserId;
use domain::time::{from_micros, to_micros};
use jiff::Timestamp;

#[async_trait]
impl SessionStore for SqlStore {
    async fn create_session(
        &self,
        id_hash: &str,
        user: UserId,
        csrf_token: &str,
        expires_at: Timestamp,
    ) -> StoreResult<()> {
        let w = self.begin_write().await?;
        let mut tx = w.tx;
        sqlx::query(
            "INSERT INTO sessions (id_hash, user_id, csrf_token, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(id_hash.to_owned())
        .bind(user.0)
        .bind(csrf_token.to_owned())
        .bind(to_micros(Timestamp::now()))
        .bind(to_micros(expires_at))
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        tx.commit().await.map_err(map_err)
    }

    async fn session(&self, id_hash: &str, now: Timestamp) -> StoreResult<Option<Session>> {
        let mut conn = self.pool().acquire().await.map_err(map_err)?;
        let row = sqlx::query(
            "SELECT s.user_id, s.csrf_token, s.expires_at FROM sessions s JOIN users u ON u.id = s.user_id \
             WHERE s.id_hash = $1 AND s.expires_at > $2 AND u.disabled_at IS NULL",
        )
        .bind(id_hash.to_owned())
        .bind(to_micros(now))
        .fetch_optional(&mut *conn)
        .await
        .map_err(map_err)?;
        let Some(row) = row else { return Ok(None) };
        let user = user_by_id(&mut conn, UserId(get(&row, "user_id")?)).await?;
        Ok(Some(Session {
            user,
            csrf_token: get(&row, "csrf_token")?,
            expires_at: from_micros(get(&row, "expires_at")?),
        }))
    }

    async fn delete_session(&self, id_hash: &str) -> StoreResult<()> {
        let w = self.begin_write().await?;
        let mut tx = w.tx;
        sqlx::query("DELETE FROM sessions WHERE id_hash = $1")
            .bind(id_hash.to_owned())
            .execute(&mut *tx)
            .await
            .map_err(map_err)?;
        tx.commit().await.map_err(map_err)
    }

    async fn delete_expired_sessions(&self, now: Timestamp) -> StoreResult<u64> {
        let w = self.begin_write().await?;
        let mut tx = w.tx;
        let done = sqlx::query("DELETE FROM sessions WHERE expires_at <= $1")
            .bind(to_micros(now))
            .execute(&mut *tx)
            .await
            .map_err(map_err)?;
        tx.commit().await.map_err(map_err)?;
        Ok(done.rows_affected())
    }
}
