//! The guarantee ledger as CSV for billing: one row per entry, amounts as exact decimals in the
//! invoice's currency, text cells neutralised against spreadsheet formulas.

use crate::web::responses::export::{line, text_cell};
use domain::guarantee::claim::format_amount;
use jiff::tz::TimeZone;
use store::Claim;

pub const HEADER: &[&str] = &[
    "entry_id",
    "kind",
    "invocation_id",
    "corrects",
    "current",
    "invoked_at",
    "recorded_at",
    "transaction",
    "transaction_date",
    "customer_external_id",
    "customer_name",
    "team",
    "staff",
    "touchpoint",
    "currency",
    "invoiced",
    "paid",
    "credit",
    "reason",
    "source",
    "case_id",
];

/// The CSV as a download named `guarantees.csv`.
pub fn attachment(csv: String) -> axum::response::Response {
    use axum::http::header;
    use axum::response::IntoResponse;
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"guarantees.csv\"",
            ),
        ],
        csv,
    )
        .into_response()
}

pub fn header() -> String {
    line(&HEADER.iter().map(|h| (*h).to_owned()).collect::<Vec<_>>())
}

pub fn row(claim: &Claim, zone: &TimeZone) -> String {
    let at = |t: jiff::Timestamp| {
        t.to_zoned(zone.clone())
            .strftime("%Y-%m-%dT%H:%M:%S%:z")
            .to_string()
    };
    let amount = |m: &domain::Money| format_amount(m.minor, m.currency);
    let optional = |v: Option<i64>| v.map_or(String::new(), |v| v.to_string());
    line(&[
        claim.id.to_string(),
        claim.kind.clone(),
        claim.invocation_id.to_string(),
        optional(claim.corrects),
        if claim.superseded_by.is_none() {
            "yes"
        } else {
            "no"
        }
        .to_owned(),
        at(claim.invoked_at),
        at(claim.recorded_at),
        text_cell(&claim.transaction_external_id),
        at(claim.occurred_at),
        text_cell(&claim.customer.external_id),
        text_cell(claim.customer.name.as_deref().unwrap_or_default()),
        text_cell(claim.team.as_ref().map_or("", |t| t.key.as_str())),
        text_cell(claim.staff.as_ref().map_or("", |s| s.name.as_str())),
        text_cell(&claim.touchpoint.key),
        claim.invoiced.currency.as_str().to_owned(),
        amount(&claim.invoiced),
        amount(&claim.paid),
        amount(&claim.credit),
        text_cell(claim.reason.as_deref().unwrap_or_default()),
        claim.source.clone(),
        optional(claim.case_id),
    ])
}
