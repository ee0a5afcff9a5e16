//! `/cases/export.csv`: every case of the filtered queue (all pages, read 500 at a time) as
//! RFC 4180 CSV, safe to open in a spreadsheet.

use super::{CasesQuery, resolve};
use crate::state::AppState;
use crate::web::responses::export::{line, text_cell};
use crate::web::{PageResult, Staff};
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::IntoResponse;
use jiff::Timestamp;
use jiff::tz::TimeZone;
use store::{Case, ListParams};

const HEADER: [&str; 21] = [
    "id",
    "title",
    "status",
    "priority",
    "customer_external_id",
    "customer_name",
    "transaction",
    "touchpoint",
    "owner_team",
    "operations_team",
    "owner",
    "opened_at",
    "first_contact_due_at",
    "first_contacted_at",
    "resolution_due_at",
    "resolved_at",
    "closed_at",
    "escalation_level",
    "breached",
    "root_cause",
    "recovered",
];

fn row(c: &Case, zone: &TimeZone) -> String {
    let text = |v: Option<&str>| text_cell(v.unwrap_or_default());
    let time = |t: Option<Timestamp>| {
        t.map(|t| {
            t.to_zoned(zone.clone())
                .strftime("%Y-%m-%dT%H:%M:%S%:z")
                .to_string()
        })
        .unwrap_or_default()
    };
    let breached = match (c.first_contact_breached, c.resolution_breached) {
        (true, true) => "first_contact; resolution",
        (true, false) => "first_contact",
        (false, true) => "resolution",
        (false, false) => "",
    };
    let recovered = match c.recovered {
        Some(true) => "yes",
        Some(false) => "no",
        None => "",
    };
    line(&[
        c.id.to_string(),
        text(Some(&c.title)),
        c.status.as_str().to_owned(),
        c.priority.as_str().to_owned(),
        text(Some(&c.customer.external_id)),
        text(c.customer.name.as_deref()),
        text(c.transaction_external_id.as_deref()),
        text(c.touchpoint.as_ref().map(|t| t.key.as_str())),
        text(c.owner_team.as_ref().map(|t| t.key.as_str())),
        text(c.operations_team.as_ref().map(|t| t.key.as_str())),
        text(c.owner_user.as_ref().map(|u| u.name.as_str())),
        time(Some(c.opened_at)),
        time(Some(c.first_contact_due_at)),
        time(c.first_contacted_at),
        time(Some(c.resolution_due_at)),
        time(c.resolved_at),
        time(c.closed_at),
        c.escalation_level.to_string(),
        breached.to_owned(),
        text(c.root_cause.as_deref()),
        recovered.to_owned(),
    ])
}

pub(super) async fn csv(
    State(state): State<AppState>,
    staff: Staff,
    Query(query): Query<CasesQuery>,
) -> PageResult {
    let zone = staff.zone();
    let resolved = resolve(&state, &staff, &query).await?;
    let mut body = line(&HEADER.map(String::from));
    if let Some(filter) = &resolved.filter {
        let mut params = ListParams {
            limit: 500,
            after_id: None,
            ..query.list.params()
        };
        loop {
            let page = state.store.list_cases(&params, filter).await?;
            for c in &page.items {
                body.push_str(&row(c, &zone));
            }
            match page.next_after_id {
                Some(after) => params.after_id = Some(after),
                None => break,
            }
        }
    }
    let today = state.clock.now().to_zoned(zone).date();
    let file = format!("attachment; filename=\"cases-{today}.csv\"");
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (header::CONTENT_DISPOSITION, file),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        body,
    )
        .into_response())
}
