//! Console pages for responses, the source of truth everyone may read: the filtered list
//! (newest first), one response in full (`detail`) and the CSV export of a filtered list
//! (`export`). Filters reuse the API's parsing; days are read in the organization's zone.

mod detail;
pub(crate) mod export;

use super::customers::{all_teams, team_choices};
use super::list::{Choice, ListQuery, Pager};
use super::transactions::{all_touchpoints, day_start};
use super::{Chrome, PageError, PageResult, Staff, render};
use crate::api::responses::{ResponseListQuery, response_filter};
use crate::state::AppState;
use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::routing::get;
use domain::Key;
use domain::analysis::Taxonomy;
use domain::survey::ScoreBand;
use domain::time::display_in;
use jiff::tz::TimeZone;
use serde::Deserialize;
use store::{Response, ResponseFilter};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/responses", get(list))
        .route("/responses.csv", get(export::csv))
        .route("/responses/{id}", get(detail::show))
}

const SENTIMENTS: [&str; 3] = ["negative", "neutral", "positive"];

/// Staff members with a staff id, by name, for the staff filter.
async fn staff_choices(
    state: &AppState,
    current: &str,
) -> Result<Vec<Choice>, crate::web::PageError> {
    let params = store::ListParams {
        limit: 500,
        ..store::ListParams::default()
    };
    let page = state
        .store
        .list_users(&params, &store::UserFilter::default())
        .await?;
    let mut staff: Vec<(String, String)> = page
        .items
        .into_iter()
        .filter_map(|u| u.external_id.map(|id| (id, u.name)))
        .collect();
    staff.sort_by(|a, b| a.1.cmp(&b.1));
    Ok(Choice::list(
        staff.iter().map(|(id, name)| (id.as_str(), name.as_str())),
        current,
    ))
}

/// The filters of the query string, as typed.
#[derive(Debug, Default, Deserialize)]
struct ResponsesQuery {
    #[serde(flatten)]
    list: ListQuery,
    from: Option<String>,
    to: Option<String>,
    team: Option<String>,
    touchpoint: Option<String>,
    customer: Option<String>,
    staff: Option<String>,
    band: Option<String>,
    theme: Option<String>,
    sentiment: Option<String>,
    source: Option<String>,
}

impl ResponsesQuery {
    /// The non-empty filters as query pairs, for paging links and the export link.
    fn pairs(&self) -> Vec<(&'static str, String)> {
        let value = |v: &Option<String>| v.as_deref().unwrap_or_default().trim().to_owned();
        vec![
            ("q", self.list.search()),
            ("from", value(&self.from)),
            ("to", value(&self.to)),
            ("team", value(&self.team)),
            ("touchpoint", value(&self.touchpoint)),
            ("customer", value(&self.customer)),
            ("staff", value(&self.staff)),
            ("band", value(&self.band)),
            ("theme", value(&self.theme)),
            ("sentiment", value(&self.sentiment)),
            ("source", value(&self.source)),
        ]
    }

    fn get(&self, name: &str) -> String {
        self.pairs()
            .into_iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v)
            .unwrap_or_default()
    }
}

/// The store filter of a query (`None`: an unknown team, touchpoint or customer, which
/// matches nothing) and a notice for each malformed filter, which is ignored.
async fn resolve(
    state: &AppState,
    query: &ResponsesQuery,
    zone: &TimeZone,
) -> Result<(Option<ResponseFilter>, Vec<String>), PageError> {
    let mut notices = Vec::new();
    let mut keep = |label: &str, raw: String, valid: bool| match (raw.is_empty(), valid) {
        (true, _) => None,
        (false, true) => Some(raw),
        (false, false) => {
            notices.push(format!(
                "{label}: {raw:?} is not a valid choice; it was ignored."
            ));
            None
        }
    };
    let band = query.get("band");
    let band_ok = ScoreBand::parse(&band).is_ok();
    let sentiment = query.get("sentiment");
    let sentiment_ok = SENTIMENTS.contains(&sentiment.as_str());
    let (team, touchpoint) = (query.get("team"), query.get("touchpoint"));
    let (team_ok, touchpoint_ok) = (
        Key::parse("team", &team).is_ok(),
        Key::parse("touchpoint", &touchpoint).is_ok(),
    );
    let api_query = ResponseListQuery {
        from: None,
        to: None,
        team: keep("Team", team, team_ok),
        touchpoint: keep("Touchpoint", touchpoint, touchpoint_ok),
        customer: Some(query.get("customer")).filter(|c| !c.is_empty()),
        staff: Some(query.get("staff")).filter(|c| !c.is_empty()),
        band: keep("Band", band, band_ok),
        theme: Some(query.get("theme")).filter(|t| !t.is_empty()),
        sentiment: keep("Sentiment", sentiment, sentiment_ok),
        source: Some(query.get("source")).filter(|s| !s.is_empty()),
    };
    let mut day = |field: &str, raw: &str, next: bool| {
        day_start(field, raw, zone, next).unwrap_or_else(|message| {
            notices.push(message);
            None
        })
    };
    let (from, to) = (
        day("From", &query.get("from"), false),
        day("To", &query.get("to"), true),
    );
    let filter = response_filter(state, &api_query)
        .await
        .map_err(|e| PageError::Internal(e.internal.unwrap_or(e.detail)))?;
    Ok((filter.map(|f| ResponseFilter { from, to, ..f }), notices))
}

/// `negative`, `neutral` or `positive`, with the thresholds of the sentiment filter.
pub(super) fn sentiment_label(sentiment: f64) -> &'static str {
    if sentiment < -0.05 {
        "negative"
    } else if sentiment >= 0.05 {
        "positive"
    } else {
        "neutral"
    }
}

/// The label of a theme key in the current taxonomy (the key itself if it was removed).
pub(super) fn theme_label(taxonomy: &Taxonomy, key: &str) -> String {
    taxonomy
        .themes
        .iter()
        .find(|t| t.key == key)
        .map_or_else(|| key.to_owned(), |t| t.label.clone())
}

/// A response as a row of the list.
pub(super) struct Row {
    pub r: Response,
    pub when: String,
    pub band: Option<&'static str>,
    pub sentiment: Option<&'static str>,
    pub themes: Vec<String>,
}

impl Row {
    pub fn new(r: Response, zone: &TimeZone, taxonomy: &Taxonomy) -> Self {
        Self {
            when: display_in(r.responded_at, zone),
            band: ScoreBand::of(&r.scores).map(ScoreBand::as_str),
            sentiment: r.analysis.sentiment.map(sentiment_label),
            themes: r
                .analysis
                .themes
                .iter()
                .map(|k| theme_label(taxonomy, k))
                .collect(),
            r,
        }
    }
}

#[derive(Template)]
#[template(path = "responses/list.html")]
struct ListPage {
    chrome: Chrome,
    rows: Vec<Row>,
    search: String,
    from: String,
    to: String,
    source: String,
    customer: String,
    teams: Vec<Choice>,
    staff: Vec<Choice>,
    touchpoints: Vec<Choice>,
    bands: Vec<Choice>,
    themes: Vec<Choice>,
    sentiments: Vec<Choice>,
    notices: Vec<String>,
    export: String,
    pager: Pager,
}

async fn list(
    State(state): State<AppState>,
    staff: Staff,
    Query(query): Query<ResponsesQuery>,
) -> PageResult {
    let zone = staff.zone();
    let (filter, notices) = resolve(&state, &query, &zone).await?;
    let page = match &filter {
        Some(filter) => {
            state
                .store
                .list_responses(&query.list.newest_first(), filter)
                .await?
        }
        None => store::Page {
            items: Vec::new(),
            next_after_id: None,
        },
    };
    let taxonomy = state.analyzer.taxonomy();
    let pairs = query.pairs();
    let kept: Vec<&(&str, String)> = pairs.iter().filter(|(_, v)| !v.is_empty()).collect();
    let encoded = serde_urlencoded::to_string(&kept).unwrap_or_default();
    let theme = query.get("theme");
    let view = ListPage {
        chrome: Chrome::for_staff(&staff, "/responses", &staff.time_zone),
        pager: Pager::new("/responses", &pairs, &query.list, &page),
        rows: page
            .items
            .into_iter()
            .map(|r| Row::new(r, &zone, &taxonomy))
            .collect(),
        search: query.list.search(),
        from: query.get("from"),
        to: query.get("to"),
        source: query.get("source"),
        customer: query.get("customer"),
        teams: team_choices(&all_teams(&state).await?, &query.get("team")),
        staff: staff_choices(&state, &query.get("staff")).await?,
        touchpoints: Choice::list(
            all_touchpoints(&state)
                .await?
                .iter()
                .map(|t| (t.key.as_str(), t.name.as_str())),
            &query.get("touchpoint"),
        ),
        bands: Choice::list(
            ScoreBand::ALL.iter().map(|b| (b.as_str(), b.as_str())),
            &query.get("band"),
        ),
        themes: Choice::list(
            taxonomy
                .themes
                .iter()
                .map(|t| (t.key.as_str(), t.label.as_str())),
            &theme,
        ),
        sentiments: Choice::list(SENTIMENTS.iter().map(|s| (*s, *s)), &query.get("sentiment")),
        notices,
        export: if encoded.is_empty() {
            "/responses.csv".into()
        } else {
            format!("/responses.csv?{encoded}")
        },
    };
    Ok(render(StatusCode::OK, &view))
}
