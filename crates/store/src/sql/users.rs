//! Staff users, their roles and team memberships.

use super::query::{
    Bind, Conditions, audit, fetch_page, get, get_opt_time, get_time, now_micros, parse_stored,
    snapshot,
};
use super::{SqlStore, conflict_as, map_err};
use crate::error::StoreError;
use crate::model::*;
use crate::traits::{StoreResult, UserStore};
use async_trait::async_trait;
use domain::{Email, Role, TeamId, UserId};
use sqlx::AnyConnection;
use sqlx::any::AnyRow;
use std::collections::HashMap;

const SELECT: &str = "SELECT u.id, u.email, u.name, u.role, u.external_id, u.disabled_at, \
    u.created_at, u.updated_at FROM users u";

fn decode(row: &AnyRow) -> Result<User, StoreError> {
    Ok(User {
        id: UserId(get(row, "id")?),
        email: parse_stored(&get::<String>(row, "email")?, |e| Email::parse("email", e))?,
        name: get(row, "name")?,
        role: parse_stored(&get::<String>(row, "role")?, Role::parse)?,
        external_id: get(row, "external_id")?,
        teams: Vec::new(),
        active: get_opt_time(row, "disabled_at")?.is_none(),
        created_at: get_time(row, "created_at")?,
        updated_at: get_time(row, "updated_at")?,
    })
}

/// Fills in the teams of each user with one query.
async fn attach_teams(conn: &mut AnyConnection, users: &mut [User]) -> StoreResult<()> {
    if users.is_empty() {
        return Ok(());
    }
    let placeholders: Vec<String> = (1..=users.len()).map(|i| format!("${i}")).collect();
    let sql = format!(
        "SELECT m.user_id, t.id, t.key, t.name FROM team_members m JOIN teams t ON t.id = m.team_id \
         WHERE m.user_id IN ({}) ORDER BY t.name",
        placeholders.join(", ")
    );
    let mut query = sqlx::query(&sql);
    for user in users.iter() {
        query = query.bind(user.id.0);
    }
    let rows = query.fetch_all(conn).await.map_err(map_err)?;
    let mut by_user: HashMap<i64, Vec<TeamRef>> = HashMap::new();
    for row in &rows {
        let team = TeamRef {
            id: TeamId(get(row, "id")?),
            key: get(row, "key")?,
            name: get(row, "name")?,
        };
        by_user.entry(get(row, "user_id")?).or_default().push(team);
    }
    for user in users.iter_mut() {
        user.teams = by_user.remove(&user.id.0).unwrap_or_default();
    }
    Ok(())
}

pub(crate) async fn read_user(conn: &mut AnyConnection, id: UserId) -> StoreResult<User> {
    let sql = format!("{SELECT} WHERE u.id = $1");
    let row = sqlx::query(&sql)
        .bind(id.0)
        .fetch_optional(&mut *conn)
        .await
        .map_err(map_err)?
        .ok_or(StoreError::NotFound)?;
    let mut users = [decode(&row)?];
    attach_teams(conn, &mut users).await?;
    let [user] = users;
    Ok(user)
}

async fn replace_teams(
    conn: &mut AnyConnection,
    user: UserId,
    teams: &[TeamId],
) -> StoreResult<()> {
    sqlx::query("DELETE FROM team_members WHERE user_id = $1")
        .bind(user.0)
        .execute(&mut *conn)
        .await
        .map_err(map_err)?;
    for team in teams {
        sqlx::query(
            "INSERT INTO team_members (team_id, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
        )
        .bind(team.0)
        .bind(user.0)
        .execute(&mut *conn)
        .await
        .map_err(|e| match map_err(e) {
            StoreError::InUse(_) => StoreError::unknown("teams", "team", team.to_string()),
            other => other,
        })?;
    }
    Ok(())
}

/// Resolves a staff external id to the user's id inside a transaction.
pub(crate) async fn user_id_for_external_id(
    conn: &mut AnyConnection,
    field: &str,
    external_id: &str,
) -> StoreResult<UserId> {
    let row = sqlx::query("SELECT id FROM users WHERE external_id = $1")
        .bind(external_id.to_owned())
        .fetch_optional(conn)
        .await
        .map_err(map_err)?
        .ok_or_else(|| StoreError::unknown(field, "staff member", external_id))?;
    Ok(UserId(get(&row, "id")?))
}

#[async_trait]
impl UserStore for SqlStore {
    async fn create_user(&self, actor: &Actor, user: NewUser) -> StoreResult<User> {
        let mut w = self.begin_write().await?;
        let now = now_micros();
        let row = sqlx::query(
            "INSERT INTO users (email, name, role, external_id, password_hash, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id",
        )
        .bind(user.email.as_str().to_owned())
        .bind(user.name.as_str().to_owned())
        .bind(user.role.as_str())
        .bind(user.external_id.as_ref().map(|e| e.as_str().to_owned()))
        .bind(user.password_hash.clone())
        .bind(now)
        .fetch_one(&mut *w.tx)
        .await
        .map_err(conflict_as("a user with this e-mail address or staff id already exists"))?;
        let id = UserId(get(&row, "id")?);
        replace_teams(&mut w.tx, id, &user.teams).await?;
        let created = read_user(&mut w.tx, id).await?;
        audit(
            &mut w.tx,
            actor,
            "user.create",
            "user",
            Some(id.to_string()),
            None,
            snapshot(&created),
        )
        .await?;
        w.tx.commit().await.map_err(map_err)?;
        Ok(created)
    }

    async fn update_user(
        &self,
        actor: &Actor,
        id: UserId,
        update: UserUpdate,
    ) -> StoreResult<User> {
        let mut w = self.begin_write().await?;
        let before = read_user(&mut w.tx, id).await?;
        let external_id = match update.external_id {
            Some(e) => e.map(String::from),
            None => before.external_id.clone(),
        };
        let disabled_at = match update.active {
            Some(true) => None,
            Some(false) if before.active => Some(now_micros()),
            _ => sqlx::query("SELECT disabled_at FROM users WHERE id = $1")
                .bind(id.0)
                .fetch_one(&mut *w.tx)
                .await
                .map_err(map_err)
                .and_then(|row| get::<Option<i64>>(&row, "disabled_at"))?,
        };
        sqlx::query(
            "UPDATE users SET name = $1, role = $2, external_id = $3, disabled_at = $4, \
             updated_at = $5 WHERE id = $6",
        )
        .bind(
            update
                .name
                .map_or_else(|| before.name.clone(), String::from),
        )
        .bind(update.role.unwrap_or(before.role).as_str())
        .bind(external_id)
        .bind(disabled_at)
        .bind(now_micros())
        .bind(id.0)
        .execute(&mut *w.tx)
        .await
        .map_err(conflict_as("another user already has this staff id"))?;
        if let Some(teams) = &update.teams {
            replace_teams(&mut w.tx, id, teams).await?;
        }
        if disabled_at.is_some() {
            sqlx::query("DELETE FROM sessions WHERE user_id = $1")
                .bind(id.0)
                .execute(&mut *w.tx)
                .await
                .map_err(map_err)?;
        }
        let after = read_user(&mut w.tx, id).await?;
        audit(
            &mut w.tx,
            actor,
            "user.update",
            "user",
            Some(id.to_string()),
            snapshot(&before),
            snapshot(&after),
        )
        .await?;
        w.tx.commit().await.map_err(map_err)?;
        Ok(after)
    }

    async fn set_password(
        &self,
        actor: &Actor,
        id: UserId,
        password_hash: &str,
    ) -> StoreResult<()> {
        let mut w = self.begin_write().await?;
        let updated =
            sqlx::query("UPDATE users SET password_hash = $1, updated_at = $2 WHERE id = $3")
                .bind(password_hash.to_owned())
                .bind(now_micros())
                .bind(id.0)
                .execute(&mut *w.tx)
                .await
                .map_err(map_err)?;
        if updated.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        sqlx::query("DELETE FROM sessions WHERE user_id = $1")
            .bind(id.0)
            .execute(&mut *w.tx)
            .await
            .map_err(map_err)?;
        let no_state: Option<serde_json::Value> = None;
        audit(
            &mut w.tx,
            actor,
            "user.set_password",
            "user",
            Some(id.to_string()),
            None,
            no_state,
        )
        .await?;
        w.tx.commit().await.map_err(map_err)
    }

    async fn user(&self, id: UserId) -> StoreResult<User> {
        let mut conn = self.pool().acquire().await.map_err(map_err)?;
        read_user(&mut conn, id).await
    }

    async fn list_users(
        &self,
        params: &ListParams,
        filter: &UserFilter,
    ) -> StoreResult<Page<User>> {
        let mut conditions = Conditions::default();
        conditions.paging(params, "u.id", &["u.name", "u.email", "u.external_id"]);
        if let Some(role) = filter.role {
            conditions.push("u.role = ?", [Bind::Text(role.as_str().into())]);
        }
        if let Some(team) = filter.team {
            conditions.push(
                "u.id IN (SELECT user_id FROM team_members WHERE team_id = ?)",
                [Bind::Int(team.0)],
            );
        }
        let mut page = fetch_page(
            self.pool(),
            SELECT,
            "u.id",
            &conditions,
            params,
            decode,
            |u| u.id.0,
        )
        .await?;
        let mut conn = self.pool().acquire().await.map_err(map_err)?;
        attach_teams(&mut conn, &mut page.items).await?;
        Ok(page)
    }

    async fn credentials(&self, email: &Email) -> StoreResult<Option<Credentials>> {
        let row = sqlx::query("SELECT id, password_hash, disabled_at FROM users WHERE email = $1")
            .bind(email.as_str().to_owned())
            .fetch_optional(self.pool())
            .await
            .map_err(map_err)?;
        row.map(|row| {
            Ok(Credentials {
                user_id: UserId(get(&row, "id")?),
                password_hash: get(&row, "password_hash")?,
                active: get_opt_time(&row, "disabled_at")?.is_none(),
            })
        })
        .transpose()
    }
}
