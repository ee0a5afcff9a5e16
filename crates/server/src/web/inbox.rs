//! `/inbox`: the logged-in staff member's notifications (alerts, assignments, escalations),
//! newest first, each linking to what it is about, with "mark read" for one or all.

use super::list::{ListQuery, Pager};
use super::{Chrome, PageResult, Staff, render, see_other};
use crate::state::AppState;
use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use domain::time::display_in;
use serde::Deserialize;
use store::Notification;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/inbox", get(list))
        .route("/inbox/read", post(mark_all_read))
        .route("/inbox/{id}/read", post(mark_read))
        .route("/inbox/{id}/open", get(open))
}

#[derive(Debug, Deserialize)]
struct OpenQuery {
    to: Option<String>,
}

/// Following a notification marks it read, then goes where it points (console paths only).
async fn open(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    Query(query): Query<OpenQuery>,
) -> PageResult {
    let id: i64 = id.trim().parse().map_err(|_| super::PageError::NotFound)?;
    state
        .store
        .mark_notifications_read(staff.user.id, Some(id), state.clock.now())
        .await?;
    let to = query
        .to
        .filter(|to| to.starts_with('/') && !to.starts_with("//") && !to.contains('\\'))
        .unwrap_or_else(|| "/inbox".into());
    Ok(see_other(&to))
}

/// A notification as shown.
struct Item {
    n: Notification,
    when: String,
    /// Only links within the console are followed.
    href: Option<String>,
}

impl Item {
    fn new(n: Notification, zone: &jiff::tz::TimeZone) -> Self {
        let href = (n.link.starts_with('/') && !n.link.starts_with("//")).then(|| {
            let to: String =
                serde_urlencoded::to_string([("to", n.link.as_str())]).unwrap_or_default();
            format!("/inbox/{}/open?{to}", n.id)
        });
        Self {
            when: display_in(n.created_at, zone),
            href,
            n,
        }
    }
}

#[derive(Template)]
#[template(path = "inbox/list.html")]
struct InboxPage {
    chrome: Chrome,
    items: Vec<Item>,
    unread_only: bool,
    pager: Pager,
}

#[derive(Debug, Default, Deserialize)]
struct InboxQuery {
    #[serde(flatten)]
    list: ListQuery,
    unread: Option<String>,
}

async fn list(
    State(state): State<AppState>,
    staff: Staff,
    Query(query): Query<InboxQuery>,
) -> PageResult {
    let unread_only = query.unread.as_deref() == Some("1");
    let page = state
        .store
        .notifications(staff.user.id, &query.list.newest_first(), unread_only)
        .await?;
    let filters = [("unread", if unread_only { "1" } else { "" }.to_owned())];
    let zone = staff.zone();
    let view = InboxPage {
        chrome: Chrome::for_staff(&staff, "/inbox", &staff.time_zone),
        pager: Pager::new("/inbox", &filters, &query.list, &page),
        items: page
            .items
            .into_iter()
            .map(|n| Item::new(n, &zone))
            .collect(),
        unread_only,
    };
    Ok(render(StatusCode::OK, &view))
}

async fn mark_all_read(State(state): State<AppState>, staff: Staff) -> PageResult {
    state
        .store
        .mark_notifications_read(staff.user.id, None, state.clock.now())
        .await?;
    Ok(see_other("/inbox"))
}

/// Marks one of the user's own notifications read; another user's id changes nothing.
async fn mark_read(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
) -> PageResult {
    let id: i64 = id.trim().parse().map_err(|_| super::PageError::NotFound)?;
    state
        .store
        .mark_notifications_read(staff.user.id, Some(id), state.clock.now())
        .await?;
    Ok(see_other("/inbox"))
}
