//! `/responses.csv`: every response of the filtered list (all pages, read 500 at a time) as
//! RFC 4180 CSV, safe to open in a spreadsheet.

use super::{ResponsesQuery, resolve, theme_label};
use crate::state::AppState;
use crate::web::{PageResult, Staff};
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::IntoResponse;
use domain::survey::ScoreBand;
use store::{ListParams, Response};

const HEADER: [&str; 22] = [
    "id",
    "responded_at",
    "source",
    "survey",
    "survey_version",
    "transaction",
    "customer_external_id",
    "customer_name",
    "touchpoint",
    "team",
    "staff_external_id",
    "staff_name",
    "csat",
    "nps",
    "ces",
    "band",
    "sentiment",
    "language",
    "themes",
    "comment",
    "contact_consent",
    "answers",
];

/// A text field: quoted when it holds a comma, quote, CR or LF (quotes doubled); text a
/// spreadsheet would run as a formula (starting with `=`, `+`, `-`, `@`, tab or CR) gets a
/// leading apostrophe.
pub(crate) fn text_cell(value: &str) -> String {
    let value = if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{value}")
    } else {
        value.to_owned()
    };
    if value.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value
    }
}

/// A number written by us (never a formula), empty when absent.
fn number_cell(value: Option<impl ToString>) -> String {
    value.map(|v| v.to_string()).unwrap_or_default()
}

/// One CSV record, CRLF-terminated.
pub(crate) fn line(cells: &[String]) -> String {
    let mut line = cells.join(",");
    line.push_str("\r\n");
    line
}

fn row(r: &Response, zone: &jiff::tz::TimeZone, taxonomy: &domain::analysis::Taxonomy) -> String {
    let text = |v: Option<&str>| text_cell(v.unwrap_or_default());
    let themes: Vec<String> = r
        .analysis
        .themes
        .iter()
        .map(|k| theme_label(taxonomy, k))
        .collect();
    let responded_at = r
        .responded_at
        .to_zoned(zone.clone())
        .strftime("%Y-%m-%dT%H:%M:%S%:z");
    line(&[
        r.id.to_string(),
        responded_at.to_string(),
        text(Some(&r.source)),
        text(r.survey_key.as_deref()),
        number_cell(r.survey_version),
        text(r.transaction_external_id.as_deref()),
        text(Some(&r.customer.external_id)),
        text(r.customer.name.as_deref()),
        text(Some(&r.touchpoint.key)),
        text(r.team.as_ref().map(|t| t.key.as_str())),
        text(r.staff.as_ref().and_then(|s| s.external_id.as_deref())),
        text(r.staff.as_ref().map(|s| s.name.as_str())),
        number_cell(r.scores.csat),
        number_cell(r.scores.nps),
        number_cell(r.scores.ces),
        text(ScoreBand::of(&r.scores).map(ScoreBand::as_str)),
        number_cell(r.analysis.sentiment.map(|s| format!("{s:.3}"))),
        text(r.analysis.language.as_deref()),
        text(Some(&themes.join("; "))),
        text(r.comment.as_deref()),
        (if r.contact_consent { "yes" } else { "no" }).to_owned(),
        text_cell(&r.answers.to_string()),
    ])
}

pub(super) async fn csv(
    State(state): State<AppState>,
    staff: Staff,
    Query(query): Query<ResponsesQuery>,
) -> PageResult {
    let zone = staff.zone();
    let (filter, _) = resolve(&state, &query, &zone).await?;
    let taxonomy = state.analyzer.taxonomy();
    let mut body = line(&HEADER.map(String::from));
    if let Some(filter) = filter {
        let mut params = ListParams {
            limit: 500,
            ..query.list.newest_first()
        };
        params.after_id = None;
        loop {
            let page = state.store.list_responses(&params, &filter).await?;
            for r in &page.items {
                body.push_str(&row(r, &zone, &taxonomy));
            }
            match page.next_after_id {
                Some(after) => params.after_id = Some(after),
                None => break,
            }
        }
    }
    let today = state.clock.now().to_zoned(zone).date();
    let file = format!("attachment; filename=\"responses-{today}.csv\"");
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

#[cfg(test)]
mod tests {
    use super::text_cell;

    #[test]
    fn plain_text_is_left_alone() {
        assert_eq!(text_cell("Quick and friendly"), "Quick and friendly");
        assert_eq!(text_cell(""), "");
        assert_eq!(text_cell("naïve café"), "naïve café");
    }

    #[test]
    fn separators_quotes_and_line_breaks_are_quoted() {
        assert_eq!(text_cell("slow, rude"), "\"slow, rude\"");
        assert_eq!(text_cell("he said \"no\""), "\"he said \"\"no\"\"\"");
        assert_eq!(text_cell("line one\nline two"), "\"line one\nline two\"");
        assert_eq!(text_cell("a\r\nb"), "\"a\r\nb\"");
    }

    #[test]
    fn formulas_are_neutralised() {
        assert_eq!(text_cell("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(text_cell("+1"), "'+1");
        assert_eq!(text_cell("-2"), "'-2");
        assert_eq!(text_cell("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(text_cell("\tcmd"), "'\tcmd");
        assert_eq!(text_cell("1+1"), "1+1", "only a leading sign matters");
    }
}
