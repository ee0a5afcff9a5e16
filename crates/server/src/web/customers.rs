//! Console pages for customers: list with filters, detail with their transactions, and the
//! create and edit forms for managers, presidents and administrators.

use super::list::{Choice, ListQuery, Pager};
use super::teams::form_error;
use super::transactions::Row;
use super::{Chrome, PageError, PageResult, Staff, render, see_other};
use crate::state::AppState;
use askama::Template;
use axum::Router;
use axum::extract::{Form, Path, Query, State};
use axum::http::StatusCode;
use axum::routing::get;
use domain::access::CustomerStatus;
use domain::time::display_in;
use domain::{
    Currency, CustomerId, Email, ExternalId, Key, Money, Name, OptionalText, Role, ValidationError,
};
use serde::Deserialize;
use store::{
    Customer, CustomerFilter, CustomerInput, ListParams, Team, TeamFilter, TransactionFilter,
};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/customers", get(list).post(create))
        .route("/customers/new", get(new_form))
        .route("/customers/{id}", get(detail))
        .route("/customers/{id}/edit", get(edit_form).post(update))
}

/// Every team, for a `<select>`: organizations have tens of teams, so a few pages at most.
pub(super) async fn all_teams(state: &AppState) -> Result<Vec<Team>, PageError> {
    let mut params = ListParams {
        limit: 500,
        ..ListParams::default()
    };
    let mut teams = Vec::new();
    for _ in 0..20 {
        let page = state
            .store
            .list_teams(&params, &TeamFilter::default())
            .await?;
        teams.extend(page.items);
        match page.next_after_id {
            Some(after) => params.after_id = Some(after),
            None => break,
        }
    }
    Ok(teams)
}

pub(super) fn team_choices(teams: &[Team], current: &str) -> Vec<Choice> {
    Choice::list(
        teams.iter().map(|t| (t.key.as_str(), t.name.as_str())),
        current,
    )
}

fn status_choices(current: &str) -> Vec<Choice> {
    Choice::list([("active", "Active"), ("lost", "Lost")], current)
}

/// The internal id of a customer page's address; anything else is simply not found.
fn parse_id(raw: &str) -> Result<CustomerId, PageError> {
    raw.trim()
        .parse::<i64>()
        .map(CustomerId)
        .map_err(|_| PageError::NotFound)
}

#[derive(Template)]
#[template(path = "customers/list.html")]
struct ListPage {
    chrome: Chrome,
    customers: Vec<Customer>,
    search: String,
    teams: Vec<Choice>,
    segment: String,
    statuses: Vec<Choice>,
    pager: Pager,
    can_edit: bool,
}

#[derive(Deserialize)]
struct CustomerListQuery {
    #[serde(flatten)]
    list: ListQuery,
    team: Option<String>,
    segment: Option<String>,
    status: Option<String>,
}

async fn list(
    State(state): State<AppState>,
    staff: Staff,
    Query(query): Query<CustomerListQuery>,
) -> PageResult {
    let team = query.team.clone().unwrap_or_default();
    let segment = query.segment.clone().unwrap_or_default().trim().to_owned();
    let status = query.status.clone().unwrap_or_default();
    let teams = all_teams(&state).await?;
    // An unknown team or status (a stale link, a hand-edited address) means no filter.
    let filter = CustomerFilter {
        team: teams.iter().find(|t| t.key.as_str() == team).map(|t| t.id),
        segment: Some(segment.clone()).filter(|s| !s.is_empty()),
        status: CustomerStatus::parse(&status).ok(),
    };
    let page = state
        .store
        .list_customers(&query.list.params(), &filter)
        .await?;
    let filters = [
        ("q", query.list.search()),
        ("team", team.clone()),
        ("segment", segment.clone()),
        ("status", status.clone()),
    ];
    let view = ListPage {
        chrome: Chrome::for_staff(&staff, "/customers", &staff.time_zone),
        pager: Pager::new("/customers", &filters, &query.list, &page),
        customers: page.items,
        search: query.list.search(),
        teams: team_choices(&teams, &team),
        segment,
        statuses: status_choices(&status),
        can_edit: staff.user.role.can_edit_customers(),
    };
    Ok(render(StatusCode::OK, &view))
}

#[derive(Template)]
#[template(path = "customers/detail.html")]
struct DetailPage {
    chrome: Chrome,
    customer: Customer,
    created_at: String,
    transactions: Vec<Row>,
    pager: Pager,
    can_edit: bool,
    /// The promises made to the customer, newest due first.
    promises: Vec<PromiseRow>,
    broken_promises: usize,
}

/// A promise as the customer page shows it.
struct PromiseRow {
    what: String,
    due: String,
    status: &'static str,
    /// `broken`, `kept` or `open`, for styling.
    class: &'static str,
}

fn promise_rows(
    promises: Vec<store::StoredCommitment>,
    now: jiff::Timestamp,
    zone: &jiff::tz::TimeZone,
) -> Vec<PromiseRow> {
    use domain::standards::CommitmentStatus;
    promises
        .into_iter()
        .map(|p| {
            let status = p.commitment.status(now);
            let class = match status {
                s if s.is_broken() => "broken",
                CommitmentStatus::Kept => "kept",
                _ => "open",
            };
            PromiseRow {
                what: p.commitment.what.clone(),
                due: display_in(p.commitment.due, zone),
                status: status.label(),
                class,
            }
        })
        .collect()
}

async fn detail(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    Query(query): Query<ListQuery>,
) -> PageResult {
    let customer = state.store.customer(parse_id(&id)?).await?;
    let filter = TransactionFilter {
        customer: Some(customer.id),
        ..TransactionFilter::default()
    };
    let params = ListParams {
        search: None,
        ..query.newest_first()
    };
    let page = state.store.list_transactions(&params, &filter).await?;
    let path = format!("/customers/{}", customer.id);
    let zone = staff.zone();
    let promises = state
        .store
        .list_commitments(&store::CommitmentFilter {
            customer: Some(customer.id),
            ..store::CommitmentFilter::default()
        })
        .await?;
    let promises = promise_rows(promises, state.clock.now(), &zone);
    let view = DetailPage {
        broken_promises: promises.iter().filter(|p| p.class == "broken").count(),
        promises,
        chrome: Chrome::for_staff(&staff, "/customers", &staff.time_zone),
        pager: Pager::new(&path, &[], &query, &page),
        transactions: page.items.into_iter().map(|t| Row::new(t, &zone)).collect(),
        created_at: display_in(customer.created_at, &zone),
        customer,
        can_edit: staff.user.role.can_edit_customers(),
    };
    Ok(render(StatusCode::OK, &view))
}

/// The fields of the customer form, as typed.
#[derive(Deserialize, Default)]
struct CustomerForm {
    #[serde(default)]
    external_id: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    locale: String,
    #[serde(default)]
    segment: String,
    #[serde(default)]
    annual_value: String,
    #[serde(default)]
    currency: String,
    #[serde(default)]
    team: String,
    #[serde(default)]
    status: String,
}

impl CustomerForm {
    fn from_customer(c: Customer) -> Self {
        Self {
            external_id: c.external_id,
            name: c.name.unwrap_or_default(),
            email: c.email.unwrap_or_default(),
            phone: c.phone.unwrap_or_default(),
            locale: c.locale.unwrap_or_default(),
            segment: c.segment.unwrap_or_default(),
            annual_value: c
                .annual_value
                .map(|m| domain::money::format_minor(m.minor, m.currency.exponent()))
                .unwrap_or_default(),
            currency: c
                .annual_value
                .map(|m| m.currency.as_str().to_owned())
                .unwrap_or_else(|| "EUR".into()),
            team: c.team.map(|t| t.key).unwrap_or_default(),
            status: c.status.as_str().into(),
        }
    }

    /// Validates every field; blank optional fields become `None`.
    fn parse(&self, external_id: &str) -> Result<CustomerInput, ValidationError> {
        let given = |raw: &str| Some(raw.trim().to_owned()).filter(|v| !v.is_empty());
        let annual_value = match given(&self.annual_value) {
            None => None,
            Some(amount) => {
                let currency = Currency::parse(&self.currency)
                    .map_err(|e| ValidationError::new("Currency", e.message))?;
                Some(Money::parse_decimal("Annual value", &amount, currency)?)
            }
        };
        Ok(CustomerInput {
            external_id: ExternalId::parse("External id", external_id)?,
            name: given(&self.name)
                .map(|n| Name::parse("Name", &n))
                .transpose()?,
            email: given(&self.email)
                .map(|e| Email::parse("E-mail", &e))
                .transpose()?,
            phone: OptionalText::parse("Phone", Some(&self.phone), 40)?,
            locale: OptionalText::parse("Locale", Some(&self.locale), 35)?,
            segment: OptionalText::parse("Segment", Some(&self.segment), 100)?,
            annual_value,
            team: given(&self.team)
                .map(|t| Key::parse("Team", &t))
                .transpose()?,
            status: Some(CustomerStatus::parse(&self.status)?),
        })
    }
}

/// The store's upsert keeps a stored value when the input leaves it out, so blanking a field
/// would be silently ignored; say so instead.
fn refuse_clearing(stored: &Customer, input: &CustomerInput) -> Result<(), ValidationError> {
    let cleared = [
        ("Name", stored.name.is_some() && input.name.is_none()),
        ("E-mail", stored.email.is_some() && input.email.is_none()),
        ("Phone", stored.phone.is_some() && input.phone.is_none()),
        ("Locale", stored.locale.is_some() && input.locale.is_none()),
        (
            "Segment",
            stored.segment.is_some() && input.segment.is_none(),
        ),
        (
            "Annual value",
            stored.annual_value.is_some() && input.annual_value.is_none(),
        ),
        ("Team", stored.team.is_some() && input.team.is_none()),
    ];
    match cleared.iter().find(|(_, blanked)| *blanked) {
        Some((field, _)) => Err(ValidationError::new(
            field,
            "a stored value can be changed here but not removed",
        )),
        None => Ok(()),
    }
}

#[derive(Template)]
#[template(path = "customers/form.html")]
struct FormPage {
    chrome: Chrome,
    editing: Option<CustomerId>,
    form: CustomerForm,
    teams: Vec<Choice>,
    statuses: Vec<Choice>,
    error: Option<String>,
}

async fn form_page(
    state: &AppState,
    staff: &Staff,
    editing: Option<CustomerId>,
    form: CustomerForm,
    error: Option<String>,
) -> Result<FormPage, PageError> {
    let teams = all_teams(state).await?;
    Ok(FormPage {
        chrome: Chrome::for_staff(staff, "/customers", &staff.time_zone),
        editing,
        teams: team_choices(&teams, &form.team),
        statuses: status_choices(&form.status),
        form,
        error,
    })
}

async fn new_form(State(state): State<AppState>, staff: Staff) -> PageResult {
    staff.require(Role::can_edit_customers)?;
    let form = CustomerForm {
        currency: "EUR".into(),
        status: CustomerStatus::Active.as_str().into(),
        ..CustomerForm::default()
    };
    let page = form_page(&state, &staff, None, form, None).await?;
    Ok(render(StatusCode::OK, &page))
}

async fn create(
    State(state): State<AppState>,
    staff: Staff,
    Form(form): Form<CustomerForm>,
) -> PageResult {
    staff.require(Role::can_edit_customers)?;
    let result = match form.parse(&form.external_id) {
        // An upsert would quietly update an existing customer: a new one needs a new id.
        Ok(input) => match state
            .store
            .customer_by_external_id(input.external_id.as_str())
            .await
        {
            Ok(_) => Err(Ok(format!(
                "External id: a customer with {:?} already exists",
                input.external_id.as_str()
            ))),
            Err(store::StoreError::NotFound) => state
                .store
                .upsert_customer(&super::actor(&staff), input)
                .await
                .map_err(form_error),
            Err(other) => Err(Err(other.into())),
        },
        Err(invalid) => Err(Ok(invalid.to_string())),
    };
    match result {
        Ok(saved) => Ok(see_other(&format!("/customers/{}", saved.record.id))),
        Err(Ok(message)) => {
            let page = form_page(&state, &staff, None, form, Some(message)).await?;
            Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(Err(error)) => Err(error),
    }
}

async fn edit_form(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
) -> PageResult {
    staff.require(Role::can_edit_customers)?;
    let customer = state.store.customer(parse_id(&id)?).await?;
    let id = customer.id;
    let form = CustomerForm::from_customer(customer);
    let page = form_page(&state, &staff, Some(id), form, None).await?;
    Ok(render(StatusCode::OK, &page))
}

async fn update(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    Form(form): Form<CustomerForm>,
) -> PageResult {
    staff.require(Role::can_edit_customers)?;
    let stored = state.store.customer(parse_id(&id)?).await?;
    // The external id is the upsert's key and cannot change: take it from the record.
    let parsed = form
        .parse(&stored.external_id)
        .and_then(|input| refuse_clearing(&stored, &input).map(|()| input));
    let result = match parsed {
        Ok(input) => state
            .store
            .upsert_customer(&super::actor(&staff), input)
            .await
            .map_err(form_error),
        Err(invalid) => Err(Ok(invalid.to_string())),
    };
    match result {
        Ok(saved) => Ok(see_other(&format!("/customers/{}", saved.record.id))),
        Err(Ok(message)) => {
            let form = CustomerForm {
                external_id: stored.external_id,
                ..form
            };
            let page = form_page(&state, &staff, Some(stored.id), form, Some(message)).await?;
            Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(Err(error)) => Err(error),
    }
}
