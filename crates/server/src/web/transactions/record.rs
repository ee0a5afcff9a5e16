//! "Record a transaction": managers, presidents and admins record a contact with a customer
//! by hand, validated like the API's (`TransactionIn::parse`) and stored the same way, so the
//! survey invitation is created as for any other source. The result page shows the customer's
//! survey link to hand over; it never travels in a redirect.

use super::{Row, all_touchpoints};
use crate::api::customers::{CustomerIn, MoneyBody};
use crate::api::transactions::TransactionIn;
use crate::links::Links;
use crate::state::AppState;
use crate::web::list::Choice;
use crate::web::{Chrome, PageError, PageResult, Staff, render};
use askama::Template;
use axum::Router;
use axum::extract::{Form, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use domain::money::{Currency, Money};
use domain::{OptionalText, Role, ValidationError};
use jiff::Timestamp;
use jiff::civil::DateTime;
use jiff::tz::TimeZone;
use serde::Deserialize;
use store::{ListParams, StoreError, Transaction, User, UserFilter, invitation_state};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/transactions", post(create))
        .route("/transactions/new", get(new_form))
}

const NOTE_MAX_CHARS: usize = 2000;
const DATETIME_LOCAL: &str = "%Y-%m-%dT%H:%M";

/// The fields of the form, as typed.
#[derive(Deserialize, Default)]
struct RecordForm {
    #[serde(default)]
    external_id: String,
    #[serde(default)]
    customer: String,
    #[serde(default)]
    customer_name: String,
    #[serde(default)]
    customer_email: String,
    #[serde(default)]
    touchpoint: String,
    #[serde(default)]
    staff: String,
    #[serde(default)]
    occurred_at: String,
    #[serde(default)]
    amount: String,
    #[serde(default)]
    currency: String,
    #[serde(default)]
    note: String,
}

/// The form's label for a field named by the API's validation.
fn label(field: &str) -> &'static str {
    match field {
        "external_id" => "External id",
        "customer.external_id" => "Customer external id",
        "customer.name" => "Customer name",
        "customer.email" => "Customer e-mail",
        "touchpoint" => "Touchpoint",
        "staff" => "Staff member",
        "occurred_at" => "Occurred at",
        "amount" => "Amount",
        "currency" => "Currency",
        "attributes" => "Note",
        _ => "The form",
    }
}

fn relabel(error: ValidationError) -> String {
    format!("{}: {}", label(error.field), error.message)
}

/// A `datetime-local` value (`2026-11-20T10:00`, seconds optional) as an instant in `zone`;
/// a time skipped by a DST change moves forward, a repeated one takes the first occurrence.
fn local_instant(raw: &str, zone: &TimeZone) -> Result<Timestamp, ValidationError> {
    let raw = raw.trim();
    let invalid = || {
        ValidationError::new(
            "occurred_at",
            format!("{raw:?} is not a date and time such as 2026-11-20T10:00"),
        )
    };
    // A bare date would silently mean midnight.
    if !raw.contains(['T', 't', ' ']) {
        return Err(invalid());
    }
    let civil: DateTime = raw.parse().map_err(|_| invalid())?;
    civil
        .to_zoned(zone.clone())
        .map(|z| z.timestamp())
        .map_err(|_| invalid())
}

impl RecordForm {
    /// Turns the typed values into the API's input and validates them with its rules.
    fn parse(&self, zone: &TimeZone, now: Timestamp) -> Result<store::TransactionInput, String> {
        let given = |raw: &str| Some(raw.trim().to_owned()).filter(|v| !v.is_empty());
        let occurred_at = match given(&self.occurred_at) {
            Some(raw) => local_instant(&raw, zone).map_err(relabel)?,
            None => now,
        };
        let amount = match given(&self.amount) {
            None => None,
            Some(raw) => {
                let currency = given(&self.currency).unwrap_or_else(|| "EUR".into());
                let currency = Currency::parse(&currency.to_ascii_uppercase())
                    .map_err(|e| ValidationError::new("currency", e.message))
                    .map_err(relabel)?;
                let money = Money::parse_decimal("amount", &raw, currency).map_err(relabel)?;
                Some(MoneyBody::from(money))
            }
        };
        let mut attributes = serde_json::Map::new();
        if let Some(note) =
            OptionalText::parse("attributes", Some(&self.note), NOTE_MAX_CHARS).map_err(relabel)?
        {
            attributes.insert("note".into(), serde_json::Value::String(note));
        }
        let input = TransactionIn {
            external_id: self.external_id.clone(),
            customer: CustomerIn {
                external_id: self.customer.clone(),
                name: given(&self.customer_name),
                email: given(&self.customer_email),
                phone: None,
                locale: None,
                segment: None,
                annual_value: None,
                team: None,
                status: None,
            },
            touchpoint: self.touchpoint.clone(),
            staff: given(&self.staff),
            team: None,
            occurred_at: occurred_at.to_string(),
            amount,
            attributes,
        };
        input.parse().map_err(relabel)
    }
}

#[derive(Template)]
#[template(path = "transactions/record.html")]
struct FormPage {
    chrome: Chrome,
    form: RecordForm,
    touchpoints: Vec<Choice>,
    staff: Vec<Choice>,
    error: Option<String>,
}

/// Active users with a staff id: those a transaction can name.
async fn active_staff(state: &AppState) -> Result<Vec<User>, PageError> {
    let mut params = ListParams {
        limit: 500,
        ..ListParams::default()
    };
    let mut users = Vec::new();
    for _ in 0..40 {
        let page = state
            .store
            .list_users(&params, &UserFilter::default())
            .await?;
        users.extend(
            page.items
                .into_iter()
                .filter(|u| u.active && u.external_id.is_some()),
        );
        match page.next_after_id {
            Some(after) => params.after_id = Some(after),
            None => break,
        }
    }
    Ok(users)
}

async fn form_page(
    state: &AppState,
    staff: &Staff,
    form: RecordForm,
    users: &[User],
    error: Option<String>,
) -> Result<FormPage, PageError> {
    let touchpoints = all_touchpoints(state).await?;
    let staff_labels: Vec<(&str, String)> = users
        .iter()
        .filter_map(|u| {
            let id = u.external_id.as_deref()?;
            Some((id, format!("{} ({id})", u.name)))
        })
        .collect();
    Ok(FormPage {
        chrome: Chrome::for_staff(staff, "/transactions", &staff.time_zone),
        touchpoints: Choice::list(
            touchpoints
                .iter()
                .map(|t| (t.key.as_str(), t.name.as_str())),
            &form.touchpoint,
        ),
        staff: Choice::list(
            staff_labels.iter().map(|(id, l)| (*id, l.as_str())),
            &form.staff,
        ),
        form,
        error,
    })
}

async fn new_form(State(state): State<AppState>, staff: Staff) -> PageResult {
    staff.require(Role::can_edit_customers)?;
    let form = RecordForm {
        occurred_at: state
            .clock
            .now()
            .to_zoned(staff.zone())
            .strftime(DATETIME_LOCAL)
            .to_string(),
        currency: "EUR".into(),
        ..RecordForm::default()
    };
    let users = active_staff(&state).await?;
    let page = form_page(&state, &staff, form, &users, None).await?;
    Ok(render(StatusCode::OK, &page))
}

#[derive(Template)]
#[template(path = "transactions/recorded.html")]
struct RecordedPage {
    chrome: Chrome,
    row: Row,
    created: bool,
    note: Option<String>,
    survey_url: Option<String>,
}

/// A message for the form, or a failure of the page.
fn store_message(error: StoreError) -> Result<String, PageError> {
    match error {
        StoreError::UnknownReference { what, value, .. } => Ok(format!(
            "There is no {what} {value:?}; choose one from the list."
        )),
        other => crate::web::teams::form_error(other),
    }
}

async fn create(
    State(state): State<AppState>,
    staff: Staff,
    links: Links,
    Form(form): Form<RecordForm>,
) -> PageResult {
    staff.require(Role::can_edit_customers)?;
    let zone = staff.zone();
    let users = active_staff(&state).await?;
    let parsed = form
        .parse(&zone, state.clock.now())
        .and_then(|input| match &input.staff {
            Some(id)
                if !users
                    .iter()
                    .any(|u| u.external_id.as_deref() == Some(id.as_str())) =>
            {
                Err(format!(
                    "Staff member: {:?} is not an active staff member; choose one from the list.",
                    id.as_str()
                ))
            }
            _ => Ok(input),
        });
    let result = match parsed {
        Ok(input) => state
            .store
            .upsert_transactions(&crate::web::actor(&staff), vec![input])
            .await
            .map_err(store_message),
        Err(message) => Err(Ok(message)),
    };
    match result {
        Ok(mut stored) => match stored.pop() {
            Some(upserted) => Ok(recorded(&staff, &links, upserted.record, upserted.created)),
            None => Err(PageError::Internal("no transaction was stored".into())),
        },
        Err(Ok(message)) => {
            let page = form_page(&state, &staff, form, &users, Some(message)).await?;
            Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(Err(error)) => Err(error),
    }
}

fn recorded(
    staff: &Staff,
    links: &Links,
    tx: Transaction,
    created: bool,
) -> axum::response::Response {
    // The link is worth handing over only while the survey can still be answered.
    let survey_url = tx
        .invitation
        .as_ref()
        .filter(|i| {
            ![invitation_state::ANSWERED, invitation_state::EXPIRED].contains(&i.state.as_str())
        })
        .and_then(|i| links.survey(&i.lookup_id));
    let note = tx
        .attributes
        .get("note")
        .and_then(|n| n.as_str())
        .map(str::to_owned);
    let page = RecordedPage {
        chrome: Chrome::for_staff(staff, "/transactions", &staff.time_zone),
        row: Row::new(tx, &staff.zone()),
        created,
        note,
        survey_url,
    };
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    render(status, &page)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paris() -> TimeZone {
        TimeZone::get("Europe/Paris").unwrap_or(TimeZone::UTC)
    }

    #[test]
    fn local_times_are_read_in_the_organizations_zone() {
        let at = |raw: &str| local_instant(raw, &paris()).map(|t| t.to_string());
        assert_eq!(at("2026-11-20T10:00"), Ok("2026-11-20T09:00:00Z".into()));
        assert_eq!(at("2026-07-01T10:00:30"), Ok("2026-07-01T08:00:30Z".into()));
        assert_eq!(
            at("2026-03-29T02:30"),
            Ok("2026-03-29T01:30:00Z".into()),
            "a skipped time moves forward"
        );
        for bad in [
            "2026-13-01T10:00",
            "yesterday",
            "2026-11-20",
            "2026-11-20T10:00Z",
        ] {
            assert!(at(bad).is_err_and(|e| e.field == "occurred_at"), "{bad:?}");
        }
    }

    #[test]
    fn errors_name_the_form_fields() {
        let form = RecordForm {
            external_id: "T-1".into(),
            customer: "C-1".into(),
            touchpoint: "phone-support".into(),
            amount: "12,50".into(),
            ..RecordForm::default()
        };
        let now = Timestamp::UNIX_EPOCH;
        let message = form.parse(&paris(), now).err().unwrap_or_default();
        assert!(message.starts_with("Amount: "), "{message}");
        let blank = RecordForm {
            external_id: " ".into(),
            amount: String::new(),
            ..form
        };
        let message = blank.parse(&paris(), now).err().unwrap_or_default();
        assert!(message.starts_with("External id: "), "{message}");
        let fine = RecordForm {
            external_id: "T-1".into(),
            amount: "12.5".into(),
            currency: "eur".into(),
            note: " Paid in cash ".into(),
            ..blank
        };
        let input = fine.parse(&paris(), now);
        assert!(input.as_ref().is_ok_and(|i| i.occurred_at == now
            && i.amount.is_some_and(|m| m.minor == 1250)
            && i.attributes.get("note") == Some(&serde_json::json!("Paid in cash"))));
    }
}
