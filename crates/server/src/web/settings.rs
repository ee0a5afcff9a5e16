//! The settings page (admins only): the organization's name, time zone and president.

use super::list::Choice;
use super::teams::form_error;
use super::{Chrome, PageError, PageResult, Staff, render, see_other};
use crate::state::AppState;
use askama::Template;
use axum::Router;
use axum::extract::{Form, Query, State};
use axum::http::StatusCode;
use axum::routing::get;
use domain::time::parse_time_zone;
use domain::{Name, Role, UserId};
use serde::Deserialize;
use store::{ListParams, Organization, OrganizationUpdate, UserFilter, UserRef};

pub fn router() -> Router<AppState> {
    Router::new().route("/settings", get(show).post(save))
}

/// Suggestions for the time zone field; any IANA name is accepted.
const COMMON_ZONES: &[&str] = &[
    "UTC",
    "Europe/London",
    "Europe/Dublin",
    "Europe/Lisbon",
    "Europe/Paris",
    "Europe/Berlin",
    "Europe/Madrid",
    "Europe/Rome",
    "Europe/Amsterdam",
    "Europe/Brussels",
    "Europe/Zurich",
    "Europe/Stockholm",
    "Europe/Warsaw",
    "Europe/Athens",
    "Europe/Helsinki",
    "Europe/Istanbul",
    "Africa/Johannesburg",
    "Africa/Lagos",
    "Africa/Nairobi",
    "Asia/Dubai",
    "Asia/Kolkata",
    "Asia/Singapore",
    "Asia/Shanghai",
    "Asia/Tokyo",
    "Australia/Sydney",
    "Pacific/Auckland",
    "America/Sao_Paulo",
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Los_Angeles",
    "America/Toronto",
    "America/Mexico_City",
];

/// The fields of the settings form, as typed.
#[derive(Deserialize, Default)]
struct SettingsForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    time_zone: String,
    #[serde(default)]
    president: String,
}

#[derive(Template)]
#[template(path = "settings/form.html")]
struct SettingsPage {
    chrome: Chrome,
    form: SettingsForm,
    presidents: Vec<Choice>,
    zones: &'static [&'static str],
    notice: Option<&'static str>,
    error: Option<String>,
}

/// Who may be president: active presidents and administrators, and whoever holds the post now
/// (so that saving other settings never changes it silently).
async fn candidates(state: &AppState, current: Option<UserRef>) -> Result<Vec<UserRef>, PageError> {
    let mut people: Vec<UserRef> = Vec::new();
    for role in [Role::President, Role::Admin] {
        let filter = UserFilter {
            role: Some(role),
            team: None,
        };
        let mut after_id = None;
        loop {
            let params = ListParams {
                after_id,
                limit: 500,
                ..ListParams::default()
            };
            let page = state.store.list_users(&params, &filter).await?;
            people.extend(
                page.items
                    .into_iter()
                    .filter(|u| u.active)
                    .map(|u| UserRef {
                        id: u.id,
                        name: format!("{} ({})", u.name, u.role),
                        external_id: u.external_id,
                    }),
            );
            match page.next_after_id {
                Some(next) => after_id = Some(next),
                None => break,
            }
        }
    }
    if let Some(current) = current.filter(|c| people.iter().all(|p| p.id != c.id)) {
        people.push(current);
    }
    Ok(people)
}

fn page(
    staff: &Staff,
    form: SettingsForm,
    people: &[UserRef],
    notice: Option<&'static str>,
    error: Option<String>,
) -> SettingsPage {
    let ids: Vec<String> = people.iter().map(|p| p.id.to_string()).collect();
    SettingsPage {
        chrome: Chrome::for_staff(staff, "/settings", &staff.time_zone),
        presidents: Choice::list(
            ids.iter()
                .map(String::as_str)
                .zip(people.iter().map(|p| p.name.as_str())),
            &form.president,
        ),
        form,
        zones: COMMON_ZONES,
        notice,
        error,
    }
}

#[derive(Deserialize)]
struct SavedQuery {
    saved: Option<String>,
}

async fn show(
    State(state): State<AppState>,
    staff: Staff,
    Query(query): Query<SavedQuery>,
) -> PageResult {
    staff.require(Role::can_administer)?;
    let Organization {
        name,
        time_zone,
        president,
        ..
    } = state.store.organization().await?;
    let form = SettingsForm {
        name,
        time_zone,
        president: president
            .as_ref()
            .map(|p| p.id.to_string())
            .unwrap_or_default(),
    };
    let people = candidates(&state, president).await?;
    let notice = query.saved.is_some().then_some("The settings were saved.");
    Ok(render(
        StatusCode::OK,
        &page(&staff, form, &people, notice, None),
    ))
}

fn parse(form: &SettingsForm, people: &[UserRef]) -> Result<OrganizationUpdate, String> {
    let name = Name::parse("Name", &form.name).map_err(|e| e.to_string())?;
    let time_zone = form.time_zone.trim();
    parse_time_zone(time_zone).map_err(|_| {
        format!("Time zone: “{time_zone}” is not a known time zone; use an IANA name such as Europe/Paris.")
    })?;
    let president = match form.president.trim() {
        "" => None,
        raw => Some(
            raw.parse::<i64>()
                .ok()
                .map(UserId)
                .filter(|id| people.iter().any(|p| p.id == *id))
                .ok_or("President: choose an active president or administrator from the list.")?,
        ),
    };
    Ok(OrganizationUpdate {
        name,
        time_zone: time_zone.to_owned(),
        president,
    })
}

async fn save(
    State(state): State<AppState>,
    staff: Staff,
    Form(form): Form<SettingsForm>,
) -> PageResult {
    staff.require(Role::can_administer)?;
    let current = state.store.organization().await?.president;
    let people = candidates(&state, current).await?;
    let saved = match parse(&form, &people) {
        Ok(update) => state
            .store
            .update_organization(&super::actor(&staff), update)
            .await
            .map_err(form_error),
        Err(message) => Err(Ok(message)),
    };
    match saved {
        Ok(_) => Ok(see_other("/settings?saved=1")),
        Err(Ok(message)) => Ok(render(
            StatusCode::UNPROCESSABLE_ENTITY,
            &page(&staff, form, &people, None, Some(message)),
        )),
        Err(Err(error)) => Err(error),
    }
}
