//! Touchpoints: the points of connection between the organization and its customers.

use super::customers::decode_team_ref;
use super::query::{
    Conditions, audit, fetch_page, get, get_time, now_micros, parse_stored, snapshot,
};
use super::teams::team_id_for_key;
use super::{SqlStore, conflict_as, in_use_as, map_err};
use crate::error::StoreError;
use crate::model::*;
use crate::traits::{StoreResult, TouchpointStore};
use async_trait::async_trait;
use domain::{Key, TouchpointId};
use sqlx::AnyConnection;
use sqlx::any::AnyRow;

const SELECT: &str = "SELECT p.id, p.key, p.name, p.description, p.invitation_min_days, p.created_at, p.updated_at, \
    t.id AS team_id, t.key AS team_key, t.name AS team_name \
    FROM touchpoints p LEFT JOIN teams t ON t.id = p.team_id";

fn decode(row: &AnyRow) -> Result<Touchpoint, StoreError> {
    Ok(Touchpoint {
        id: TouchpointId(get(row, "id")?),
        key: parse_stored(&get::<String>(row, "key")?, |k| Key::parse("key", k))?,
        name: get(row, "name")?,
        invitation_min_days: get(row, "invitation_min_days")?,
        description: get(row, "description")?,
        team: decode_team_ref(row, "team")?,
        created_at: get_time(row, "created_at")?,
        updated_at: get_time(row, "updated_at")?,
    })
}

async fn read_touchpoint(conn: &mut AnyConnection, key: &Key) -> StoreResult<Touchpoint> {
    let sql = format!("{SELECT} WHERE p.key = $1");
    let row = sqlx::query(&sql)
        .bind(key.as_str().to_owned())
        .fetch_optional(conn)
        .await
        .map_err(map_err)?
        .ok_or(StoreError::NotFound)?;
    decode(&row)
}

async fn optional_team(conn: &mut AnyConnection, key: Option<&Key>) -> StoreResult<Option<i64>> {
    match key {
        Some(key) => Ok(Some(team_id_for_key(conn, "team", key).await?.0)),
        None => Ok(None),
    }
}

#[async_trait]
impl TouchpointStore for SqlStore {
    async fn create_touchpoint(
        &self,
        actor: &Actor,
        touchpoint: NewTouchpoint,
    ) -> StoreResult<Touchpoint> {
        let mut w = self.begin_write().await?;
        let team_id = optional_team(&mut w.tx, touchpoint.team.as_ref()).await?;
        sqlx::query(
            "INSERT INTO touchpoints (key, name, description, team_id, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $5)",
        )
        .bind(touchpoint.key.as_str().to_owned())
        .bind(touchpoint.name.as_str().to_owned())
        .bind(touchpoint.description.clone())
        .bind(team_id)
        .bind(now_micros())
        .execute(&mut *w.tx)
        .await
        .map_err(conflict_as("a touchpoint with this key already exists"))?;
        let created = read_touchpoint(&mut w.tx, &touchpoint.key).await?;
        let id = Some(created.key.to_string());
        audit(
            &mut w.tx,
            actor,
            "touchpoint.create",
            "touchpoint",
            id,
            None,
            snapshot(&created),
        )
        .await?;
        w.tx.commit().await.map_err(map_err)?;
        Ok(created)
    }

    async fn update_touchpoint(
        &self,
        actor: &Actor,
        key: &Key,
        update: TouchpointUpdate,
    ) -> StoreResult<Touchpoint> {
        let mut w = self.begin_write().await?;
        let before = read_touchpoint(&mut w.tx, key).await?;
        let team_id = match &update.team {
            Some(team) => optional_team(&mut w.tx, team.as_ref()).await?,
            None => before.team.as_ref().map(|t| t.id.0),
        };
        let description = match update.description {
            Some(d) => d,
            None => before.description.clone(),
        };
        sqlx::query(
            "UPDATE touchpoints SET name = $1, description = $2, team_id = $3, updated_at = $4, \
             invitation_min_days = $6 WHERE id = $5",
        )
        .bind(
            update
                .name
                .map_or_else(|| before.name.clone(), String::from),
        )
        .bind(description)
        .bind(team_id)
        .bind(now_micros())
        .bind(before.id.0)
        .bind(
            update
                .invitation_min_days
                .unwrap_or(before.invitation_min_days),
        )
        .execute(&mut *w.tx)
        .await
        .map_err(map_err)?;
        let after = read_touchpoint(&mut w.tx, key).await?;
        let id = Some(key.to_string());
        audit(
            &mut w.tx,
            actor,
            "touchpoint.update",
            "touchpoint",
            id,
            snapshot(&before),
            snapshot(&after),
        )
        .await?;
        w.tx.commit().await.map_err(map_err)?;
        self.lookups.touchpoints.clear();
        Ok(after)
    }

    async fn delete_touchpoint(&self, actor: &Actor, key: &Key) -> StoreResult<()> {
        let mut w = self.begin_write().await?;
        let before = read_touchpoint(&mut w.tx, key).await?;
        sqlx::query("DELETE FROM touchpoints WHERE id = $1")
            .bind(before.id.0)
            .execute(&mut *w.tx)
            .await
            .map_err(in_use_as(
                "the touchpoint has transactions and cannot be deleted",
            ))?;
        let id = Some(key.to_string());
        audit(
            &mut w.tx,
            actor,
            "touchpoint.delete",
            "touchpoint",
            id,
            snapshot(&before),
            None,
        )
        .await?;
        w.tx.commit().await.map_err(map_err)?;
        self.lookups.touchpoints.clear();
        Ok(())
    }

    async fn touchpoint_by_key(&self, key: &Key) -> StoreResult<Touchpoint> {
        let mut conn = self.pool().acquire().await.map_err(map_err)?;
        read_touchpoint(&mut conn, key).await
    }

    async fn list_touchpoints(&self, params: &ListParams) -> StoreResult<Page<Touchpoint>> {
        let mut conditions = Conditions::default();
        conditions.paging(params, "p.id", &["p.key", "p.name"]);
        fetch_page(
            self.pool(),
            SELECT,
            "p.id",
            &conditions,
            params,
            decode,
            |p| p.id.0,
        )
        .await
    }
}
