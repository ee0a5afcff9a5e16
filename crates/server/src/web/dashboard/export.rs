//! `/dashboard/export.csv?table=…`: any table of the dashboard, with the view's filters, as
//! CSV (text cells neutralised against spreadsheet formulas).

use super::overview;
use crate::dashboard::DashboardQuery;
use crate::state::AppState;
use crate::web::responses::export::{line, text_cell};
use crate::web::{PageError, PageResult, Staff};
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::IntoResponse;
use domain::dashboard::stats::Estimate;
use serde::Deserialize;

#[derive(Debug, Default, Deserialize)]
pub(super) struct ExportQuery {
    table: Option<String>,
    #[serde(flatten)]
    view: DashboardQuery,
}

fn cells(e: &Option<Estimate>) -> [String; 3] {
    let number = |v: Option<f64>| v.map_or(String::new(), |v| format!("{v:.3}"));
    [
        number(e.map(|e| e.value)),
        number(e.and_then(|e| e.interval.map(|i| i.low))),
        number(e.and_then(|e| e.interval.map(|i| i.high))),
    ]
}

const SCORE_HEADER: [&str; 9] = [
    "nps",
    "nps_low",
    "nps_high",
    "csat",
    "csat_low",
    "csat_high",
    "ces",
    "ces_low",
    "ces_high",
];

pub(super) async fn csv(
    State(state): State<AppState>,
    staff: Staff,
    Query(query): Query<ExportQuery>,
) -> PageResult {
    let table = query.table.as_deref().unwrap_or("team").to_owned();
    let (_, o, _) = overview(&state, &staff, &query.view).await?;
    let scores = |nps: &Option<Estimate>, csat: &Option<Estimate>, ces: &Option<Estimate>| {
        let mut all = Vec::with_capacity(9);
        for e in [nps, csat, ces] {
            all.extend(cells(e));
        }
        all
    };
    let mut out = String::new();
    match table.as_str() {
        "trend" => {
            let mut header = vec!["step", "from", "to", "responses"];
            header.extend(SCORE_HEADER);
            out.push_str(&line(
                &header.iter().map(|h| (*h).to_owned()).collect::<Vec<_>>(),
            ));
            for p in &o.trend {
                let mut row = vec![
                    text_cell(&p.label),
                    p.from.to_string(),
                    p.to.to_string(),
                    p.responses.to_string(),
                ];
                row.extend(scores(&p.nps, &p.csat, &p.ces));
                out.push_str(&line(&row));
            }
        }
        "themes" => {
            out.push_str(&line(&[
                "theme".into(),
                "mentions".into(),
                "previous_period_mentions".into(),
                "sentiment".into(),
            ]));
            for t in &o.themes {
                out.push_str(&line(&[
                    text_cell(&t.theme),
                    t.mentions.to_string(),
                    t.previous_mentions.to_string(),
                    t.sentiment.map_or(String::new(), |s| format!("{s:.3}")),
                ]));
            }
        }
        "team" | "touchpoint" | "segment" | "source" | "staff" => {
            let rows = match table.as_str() {
                "team" => &o.by_team,
                "touchpoint" => &o.by_touchpoint,
                "segment" => &o.by_segment,
                "source" => &o.by_source,
                _ => &o.by_staff,
            };
            let mut header = vec![table.as_str(), "key", "responses"];
            header.extend(SCORE_HEADER);
            out.push_str(&line(
                &header.iter().map(|h| (*h).to_owned()).collect::<Vec<_>>(),
            ));
            for r in rows {
                let mut row = vec![
                    text_cell(&r.label),
                    text_cell(&r.key),
                    r.responses.to_string(),
                ];
                row.extend(scores(&r.nps, &r.csat, &r.ces));
                out.push_str(&line(&row));
            }
        }
        _ => {
            return Err(PageError::BadForm(
                "table must be trend, themes, team, touchpoint, segment, source or staff".into(),
            ));
        }
    }
    let disposition = format!("attachment; filename=\"dashboard-{table}.csv\"");
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        out,
    )
        .into_response())
}
