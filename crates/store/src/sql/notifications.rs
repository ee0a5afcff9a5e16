//! The in-app inbox of each staff member.

use super::query::{Bind, Conditions, fetch_page, get, get_opt_time, get_time};
use super::{SqlStore, map_err};
use crate::error::StoreError;
use crate::model::{ListParams, Page};
use crate::recovery::{Notification, NotificationEmail};
use crate::traits::StoreResult;
use domain::UserId;
use domain::time::to_micros;
use jiff::Timestamp;
use sqlx::any::AnyRow;

const SELECT: &str = "SELECT n.id, n.user_id, n.kind, n.title, n.body, n.link, n.created_at, n.read_at \
    FROM notifications n";

fn decode(row: &AnyRow) -> StoreResult<Notification> {
    Ok(Notification {
        id: get(row, "id")?,
        user_id: UserId(get(row, "user_id")?),
        kind: get(row, "kind")?,
        title: get(row, "title")?,
        body: get(row, "body")?,
        link: get(row, "link")?,
        created_at: get_time(row, "created_at")?,
        read_at: get_opt_time(row, "read_at")?,
    })
}

impl SqlStore {
    pub(crate) async fn notifications_page(
        &self,
        user: UserId,
        params: &ListParams,
        unread_only: bool,
    ) -> StoreResult<Page<Notification>> {
        let mut c = Conditions::default();
        c.push("n.user_id = ?", [Bind::Int(user.0)]);
        if unread_only {
            c.push("n.read_at IS NULL", []);
        }
        c.paging(params, "n.id", &["n.title", "n.body"]);
        fetch_page(self.pool(), SELECT, "n.id", &c, params, decode, |n| n.id).await
    }

    pub(crate) async fn count_unread(&self, user: UserId) -> StoreResult<i64> {
        let row = sqlx::query(
            "SELECT COUNT(*) AS n FROM notifications WHERE user_id = $1 AND read_at IS NULL",
        )
        .bind(user.0)
        .fetch_one(self.pool())
        .await
        .map_err(map_err)?;
        get(&row, "n")
    }

    pub(crate) async fn mark_read(
        &self,
        user: UserId,
        id: Option<i64>,
        at: Timestamp,
    ) -> StoreResult<()> {
        let write = self.begin_write().await?;
        let mut tx = write.tx;
        sqlx::query(
            "UPDATE notifications SET read_at = $1 WHERE user_id = $2 AND read_at IS NULL \
             AND ($3 = 0 OR id = $3)",
        )
        .bind(to_micros(at))
        .bind(user.0)
        .bind(id.unwrap_or(0))
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        tx.commit().await.map_err(map_err)
    }

    pub(crate) async fn read_notification_email(&self, id: i64) -> StoreResult<NotificationEmail> {
        let row = sqlx::query(
            "SELECT n.id, n.user_id, n.kind, n.title, n.body, n.link, n.created_at, n.read_at, \
             u.email AS to_email, u.name AS to_name FROM notifications n \
             JOIN users u ON u.id = n.user_id WHERE n.id = $1 AND u.disabled_at IS NULL",
        )
        .bind(id)
        .fetch_optional(self.pool())
        .await
        .map_err(map_err)?
        .ok_or(StoreError::NotFound)?;
        Ok(NotificationEmail {
            notification: decode(&row)?,
            to_email: get(&row, "to_email")?,
            to_name: get(&row, "to_name")?,
        })
    }
}
