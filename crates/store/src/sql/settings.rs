//! Installation settings kept in the database (so that every app instance shares them).

use super::query::{audit, get, now_micros};
use super::{SqlStore, map_err};
use crate::error::StoreError;
use crate::knowledge::SettingsStore;
use crate::model::Actor;
use crate::traits::StoreResult;
use async_trait::async_trait;
use rand::RngCore;

const LINK_SECRET: &str = "link_secret";

#[async_trait]
impl SettingsStore for SqlStore {
    async fn setting(&self, key: &str) -> StoreResult<Option<String>> {
        let row = sqlx::query("SELECT value FROM settings WHERE key = $1")
            .bind(key.to_owned())
            .fetch_optional(self.pool())
            .await
            .map_err(map_err)?;
        row.map(|r| get(&r, "value")).transpose()
    }

    async fn set_setting(&self, actor: &Actor, key: &str, value: &str) -> StoreResult<()> {
        let mut w = self.begin_write().await?;
        let before = sqlx::query("SELECT value FROM settings WHERE key = $1")
            .bind(key.to_owned())
            .fetch_optional(&mut *w.tx)
            .await
            .map_err(map_err)?
            .map(|r| get::<String>(&r, "value"))
            .transpose()?;
        sqlx::query(
            "INSERT INTO settings (key, value, updated_at) VALUES ($1, $2, $3) \
             ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
        )
        .bind(key.to_owned())
        .bind(value.to_owned())
        .bind(now_micros())
        .execute(&mut *w.tx)
        .await
        .map_err(map_err)?;
        let as_json = |v: Option<String>| {
            v.map(|t| serde_json::from_str(&t).unwrap_or(serde_json::Value::String(t)))
        };
        audit(
            &mut w.tx,
            actor,
            "setting.update",
            "setting",
            Some(key.to_owned()),
            as_json(before),
            as_json(Some(value.to_owned())),
        )
        .await?;
        w.tx.commit().await.map_err(map_err)
    }

    async fn link_secret(&self) -> StoreResult<Vec<u8>> {
        if let Some(hex) = self.setting(LINK_SECRET).await? {
            return decode_hex(&hex);
        }
        let mut secret = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut secret);
        let hex: String = secret.iter().map(|b| format!("{b:02x}")).collect();
        let w = self.begin_write().await?;
        let mut tx = w.tx;
        // Another instance may have created it meanwhile: keep whichever was first.
        sqlx::query("INSERT INTO settings (key, value, updated_at) VALUES ($1, $2, $3) ON CONFLICT (key) DO NOTHING")
            .bind(LINK_SECRET)
            .bind(hex)
            .bind(now_micros())
            .execute(&mut *tx)
            .await
            .map_err(map_err)?;
        tx.commit().await.map_err(map_err)?;
        let stored = self
            .setting(LINK_SECRET)
            .await?
            .ok_or(StoreError::NotFound)?;
        decode_hex(&stored)
    }
}

fn decode_hex(hex: &str) -> StoreResult<Vec<u8>> {
    (0..hex.len())
        .step_by(2)
        .map(|i| {
            hex.get(i..i + 2)
                .and_then(|pair| u8::from_str_radix(pair, 16).ok())
        })
        .collect::<Option<Vec<u8>>>()
        .filter(|bytes| bytes.len() == 32)
        .ok_or_else(|| StoreError::Internal("the stored link secret is corrupt".into()))
}
