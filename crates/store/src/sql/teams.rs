//! Teams and their members.

use super::query::{
    Bind, Conditions, audit, fetch_page, get, get_time, now_micros, parse_stored, snapshot,
};
use super::{SqlStore, conflict_as, in_use_as, map_err};
use crate::error::StoreError;
use crate::model::*;
use crate::traits::{StoreResult, TeamStore};
use async_trait::async_trait;
use domain::access::TeamKind;
use domain::{Key, TeamId, UserId};
use sqlx::any::AnyRow;

const SELECT: &str = "SELECT t.id, t.key, t.name, t.kind, t.description, t.created_at, \
    t.updated_at, (SELECT COUNT(*) FROM team_members m WHERE m.team_id = t.id) AS member_count \
    FROM teams t";

fn decode(row: &AnyRow) -> Result<Team, StoreError> {
    Ok(Team {
        id: TeamId(get(row, "id")?),
        key: parse_stored(&get::<String>(row, "key")?, |k| Key::parse("key", k))?,
        name: get(row, "name")?,
        kind: parse_stored(&get::<String>(row, "kind")?, TeamKind::parse)?,
        description: get(row, "description")?,
        member_count: get(row, "member_count")?,
        created_at: get_time(row, "created_at")?,
        updated_at: get_time(row, "updated_at")?,
    })
}

impl SqlStore {
    async fn team_where(&self, conn: &mut sqlx::AnyConnection, key: &Key) -> StoreResult<Team> {
        let sql = format!("{SELECT} WHERE t.key = $1");
        let row = sqlx::query(&sql)
            .bind(key.as_str().to_owned())
            .fetch_optional(conn)
            .await
            .map_err(map_err)?
            .ok_or(StoreError::NotFound)?;
        decode(&row)
    }
}

/// Resolves a team key to its id inside a transaction, or reports the unknown key.
pub(crate) async fn team_id_for_key(
    conn: &mut sqlx::AnyConnection,
    field: &str,
    key: &Key,
) -> StoreResult<TeamId> {
    let row = sqlx::query("SELECT id FROM teams WHERE key = $1")
        .bind(key.as_str().to_owned())
        .fetch_optional(conn)
        .await
        .map_err(map_err)?
        .ok_or_else(|| StoreError::unknown(field, "team", key.as_str()))?;
    Ok(TeamId(get(&row, "id")?))
}

#[async_trait]
impl TeamStore for SqlStore {
    async fn create_team(&self, actor: &Actor, team: NewTeam) -> StoreResult<Team> {
        let mut w = self.begin_write().await?;
        let now = now_micros();
        sqlx::query(
            "INSERT INTO teams (key, name, kind, description, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $5)",
        )
        .bind(team.key.as_str().to_owned())
        .bind(team.name.as_str().to_owned())
        .bind(team.kind.as_str())
        .bind(team.description.clone())
        .bind(now)
        .execute(&mut *w.tx)
        .await
        .map_err(conflict_as("a team with this key already exists"))?;
        let created = self.team_where(&mut w.tx, &team.key).await?;
        let id = Some(created.key.to_string());
        audit(
            &mut w.tx,
            actor,
            "team.create",
            "team",
            id,
            None,
            snapshot(&created),
        )
        .await?;
        w.tx.commit().await.map_err(map_err)?;
        Ok(created)
    }

    async fn update_team(&self, actor: &Actor, key: &Key, update: TeamUpdate) -> StoreResult<Team> {
        let mut w = self.begin_write().await?;
        let before = self.team_where(&mut w.tx, key).await?;
        let description = match update.description {
            Some(d) => d,
            None => before.description.clone(),
        };
        sqlx::query(
            "UPDATE teams SET name = $1, kind = $2, description = $3, updated_at = $4 WHERE id = $5",
        )
        .bind(update.name.map_or_else(|| before.name.clone(), String::from))
        .bind(update.kind.unwrap_or(before.kind).as_str())
        .bind(description)
        .bind(now_micros())
        .bind(before.id.0)
        .execute(&mut *w.tx)
        .await
        .map_err(map_err)?;
        let after = self.team_where(&mut w.tx, key).await?;
        let id = Some(key.to_string());
        audit(
            &mut w.tx,
            actor,
            "team.update",
            "team",
            id,
            snapshot(&before),
            snapshot(&after),
        )
        .await?;
        w.tx.commit().await.map_err(map_err)?;
        Ok(after)
    }

    async fn delete_team(&self, actor: &Actor, key: &Key) -> StoreResult<()> {
        let mut w = self.begin_write().await?;
        let before = self.team_where(&mut w.tx, key).await?;
        sqlx::query("DELETE FROM teams WHERE id = $1")
            .bind(before.id.0)
            .execute(&mut *w.tx)
            .await
            .map_err(in_use_as(
                "the team still owns customers, touchpoints or transactions; reassign them first",
            ))?;
        let id = Some(key.to_string());
        audit(
            &mut w.tx,
            actor,
            "team.delete",
            "team",
            id,
            snapshot(&before),
            None,
        )
        .await?;
        w.tx.commit().await.map_err(map_err)?;
        Ok(())
    }

    async fn team_by_key(&self, key: &Key) -> StoreResult<Team> {
        let mut conn = self.pool().acquire().await.map_err(map_err)?;
        self.team_where(&mut conn, key).await
    }

    async fn list_teams(
        &self,
        params: &ListParams,
        filter: &TeamFilter,
    ) -> StoreResult<Page<Team>> {
        let mut conditions = Conditions::default();
        conditions.paging(params, "t.id", &["t.key", "t.name"]);
        if let Some(kind) = filter.kind {
            conditions.push("t.kind = ?", [Bind::Text(kind.as_str().into())]);
        }
        fetch_page(
            self.pool(),
            SELECT,
            "t.id",
            &conditions,
            params,
            decode,
            |t| t.id.0,
        )
        .await
    }

    async fn team_members(&self, team: TeamId) -> StoreResult<Vec<UserRef>> {
        let rows = sqlx::query(
            "SELECT u.id, u.name, u.external_id FROM team_members m JOIN users u ON u.id = m.user_id \
             WHERE m.team_id = $1 ORDER BY u.name",
        )
        .bind(team.0)
        .fetch_all(self.pool())
        .await
        .map_err(map_err)?;
        rows.iter()
            .map(|row| {
                Ok(UserRef {
                    id: UserId(get(row, "id")?),
                    name: get(row, "name")?,
                    external_id: get(row, "external_id")?,
                })
            })
            .collect()
    }
}
