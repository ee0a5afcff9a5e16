//! Paging and filter helpers shared by the console's list pages.

use domain::cursor::{Cursor, page_limit};
use serde::Deserialize;
use store::{ListParams, Page};

/// Paging and search parameters of a list page's query string.
#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    pub q: Option<String>,
    pub cursor: Option<String>,
    pub limit: Option<String>,
}

impl ListQuery {
    /// Bad paging input falls back to the first page rather than failing the page.
    pub fn params(&self) -> ListParams {
        ListParams {
            after_id: self
                .cursor
                .as_deref()
                .and_then(|c| Cursor::decode(c).ok())
                .map(|c| c.after_id),
            limit: page_limit(self.limit.as_deref().and_then(|l| l.trim().parse().ok()))
                .unwrap_or(50),
            search: self.q.clone().filter(|q| !q.trim().is_empty()),
            newest_first: false,
        }
    }

    /// The same, newest first: for lists of events such as transactions and the audit log.
    pub fn newest_first(&self) -> ListParams {
        ListParams {
            newest_first: true,
            ..self.params()
        }
    }

    pub fn search(&self) -> String {
        self.q.clone().unwrap_or_default()
    }
}

/// Links to the first and next page, keeping the filters.
pub struct Pager {
    pub first: Option<String>,
    pub next: Option<String>,
}

impl Pager {
    /// `filters` are the query pairs to keep (empty values are dropped).
    pub fn new<T>(
        path: &str,
        filters: &[(&str, String)],
        query: &ListQuery,
        page: &Page<T>,
    ) -> Self {
        let link = |cursor: Option<String>| {
            let mut pairs: Vec<(&str, String)> = filters
                .iter()
                .filter(|(_, v)| !v.is_empty())
                .map(|(k, v)| (*k, v.clone()))
                .collect();
            if let Some(cursor) = cursor {
                pairs.push(("cursor", cursor));
            }
            let encoded = serde_urlencoded::to_string(&pairs).unwrap_or_default();
            if encoded.is_empty() {
                path.to_owned()
            } else {
                format!("{path}?{encoded}")
            }
        };
        Self {
            first: query.cursor.as_ref().map(|_| link(None)),
            next: page
                .next_after_id
                .map(|after_id| link(Some(Cursor { after_id }.encode()))),
        }
    }
}

/// An option of a `<select>`.
pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

impl Choice {
    pub fn list<'a>(
        options: impl IntoIterator<Item = (&'a str, &'a str)>,
        current: &str,
    ) -> Vec<Choice> {
        options
            .into_iter()
            .map(|(value, label)| Choice {
                value: value.into(),
                label: label.into(),
                selected: value == current,
            })
            .collect()
    }
}

/// Where the day typed as `YYYY-MM-DD` starts in `zone`; with `next`, where the day after it
/// starts, so that a "to" day is included whole. Midnight skipped by a DST change resolves to the
/// first instant of the day. `Ok(None)` for an empty field.
/// The text typed as a date is not one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InvalidDate;

pub fn local_day_start(
    raw: &str,
    zone: &jiff::tz::TimeZone,
    next: bool,
) -> Result<Option<jiff::Timestamp>, InvalidDate> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    let date: jiff::civil::Date = raw.parse().map_err(|_| InvalidDate)?;
    let date = if next {
        date.tomorrow().map_err(|_| InvalidDate)?
    } else {
        date
    };
    date.to_zoned(zone.clone())
        .map(|z| Some(z.timestamp()))
        .map_err(|_| InvalidDate)
}
