//! The organization's settings: its name, time zone and president.

use super::query::{audit, get, get_time, now_micros, snapshot};
use super::{SqlStore, map_err};
use crate::error::StoreError;
use crate::model::*;
use crate::traits::{OrganizationStore, StoreResult};
use async_trait::async_trait;
use domain::UserId;

impl SqlStore {
    async fn read_organization(&self, conn: &mut sqlx::AnyConnection) -> StoreResult<Organization> {
        let row = sqlx::query(
            "SELECT o.name, o.time_zone, o.updated_at, u.id AS president_id, \
             u.name AS president_name, u.external_id AS president_external_id \
             FROM organization o LEFT JOIN users u ON u.id = o.president_user_id WHERE o.id = 1",
        )
        .fetch_one(conn)
        .await
        .map_err(map_err)?;
        let president = match get::<Option<i64>>(&row, "president_id")? {
            Some(id) => Some(UserRef {
                id: UserId(id),
                name: get(&row, "president_name")?,
                external_id: get(&row, "president_external_id")?,
            }),
            None => None,
        };
        Ok(Organization {
            name: get(&row, "name")?,
            time_zone: get(&row, "time_zone")?,
            president,
            updated_at: get_time(&row, "updated_at")?,
        })
    }
}

#[async_trait]
impl OrganizationStore for SqlStore {
    async fn organization(&self) -> StoreResult<Organization> {
        let mut conn = self.pool().acquire().await.map_err(map_err)?;
        self.read_organization(&mut conn).await
    }

    async fn update_organization(
        &self,
        actor: &Actor,
        update: OrganizationUpdate,
    ) -> StoreResult<Organization> {
        let mut w = self.begin_write().await?;
        let before = self.read_organization(&mut w.tx).await?;
        if let Some(president) = update.president {
            let exists = sqlx::query("SELECT id FROM users WHERE id = $1 AND disabled_at IS NULL")
                .bind(president.0)
                .fetch_optional(&mut *w.tx)
                .await
                .map_err(map_err)?;
            if exists.is_none() {
                return Err(StoreError::unknown(
                    "president",
                    "active user",
                    president.to_string(),
                ));
            }
        }
        sqlx::query(
            "UPDATE organization SET name = $1, time_zone = $2, president_user_id = $3, \
             updated_at = $4 WHERE id = 1",
        )
        .bind(update.name.as_str().to_owned())
        .bind(update.time_zone)
        .bind(update.president.map(|p| p.0))
        .bind(now_micros())
        .execute(&mut *w.tx)
        .await
        .map_err(map_err)?;
        let after = self.read_organization(&mut w.tx).await?;
        audit(
            &mut w.tx,
            actor,
            "organization.update",
            "organization",
            None,
            snapshot(&before),
            snapshot(&after),
        )
        .await?;
        w.tx.commit().await.map_err(map_err)?;
        Ok(after)
    }
}
