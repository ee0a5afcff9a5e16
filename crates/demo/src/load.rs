//! Writes a [`DemoWorld`] through the `Store` trait. Every value is validated into its domain
//! type before the first write, so a bad plan fails without leaving half an organization.
//!
//! The order matters: the surveys are created and attached to their touchpoints only after
//! the transactions are written, so that the six months of history create no invitations and
//! queue no invitation e-mails. The responses then go through `insert_responses`, as every
//! response does, each with its `response.received` outbox event.
//!
//! Responses are prepared as the server's ingest does (answers validated against the survey,
//! derived scores, comment text, consent, comment analysis with the default taxonomy and the
//! staff names), but their context (transaction, customer, touchpoint, team, staff, survey
//! version) comes from the records `upsert_transactions` returned and the versions the
//! surveys were created with, instead of one `response_context` look-up per response: the
//! same ids, without 60,000 round trips.

use crate::world::{DemoWorld, StaffPlan};
use anyhow::Context;
use domain::access::CustomerStatus;
use domain::analysis::{CompiledStaff, StaffName, Taxonomy, analyze_compiled};
use domain::survey::{
    Questions, Ratings, Scores, comment_text, consents_to_contact, ratings, scores,
    validate_answers,
};
use domain::{
    Currency, CustomerId, Email, ExternalId, Key, Money, Name, TeamId, TouchpointId, TransactionId,
    UserId,
};
use jiff::Timestamp;
use store::{
    Actor, CustomerInput, NewResponse, NewSurvey, NewTeam, NewTouchpoint, NewUser,
    OrganizationUpdate, ResponseContext, Store, StoredAnalysis, SurveyVersion, TransactionInput,
};

/// Transactions per `upsert_transactions` call and responses per `insert_responses` call:
/// one database transaction each.
pub const BATCH: usize = 1_000;

/// What was written besides the counts the store keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Loaded {
    pub surveys: usize,
    pub responses: usize,
}

/// Everything to write, already validated.
struct Inputs {
    teams: Vec<NewTeam>,
    /// A user without teams, and the indices of their teams.
    staff: Vec<(NewUser, Vec<usize>)>,
    organization: (Name, String),
    touchpoints: Vec<NewTouchpoint>,
    customers: Vec<CustomerInput>,
    transactions: Vec<TransactionInput>,
    surveys: Vec<NewSurvey>,
    responses: Vec<PreparedResponse>,
}

/// A response validated and analysed, waiting for the ids of what it refers to.
struct PreparedResponse {
    /// Index into the world's transactions.
    transaction: usize,
    /// Index into the world's surveys.
    survey: usize,
    source: String,
    responded_at: Timestamp,
    answers: serde_json::Value,
    scores: Scores,
    ratings: Ratings,
    comment: Option<String>,
    /// With staff mentions as indices into the world's staff.
    analysis: StoredAnalysis,
    contact_consent: bool,
}

/// The stored ids of a written transaction.
#[derive(Debug, Clone, Copy)]
struct StoredTransaction {
    id: TransactionId,
    customer: CustomerId,
    touchpoint: TouchpointId,
    team: Option<TeamId>,
    staff: Option<UserId>,
}

/// Writes the world into an empty store as `actor`; staff may log in with `password_hash`.
pub async fn load(
    store: &dyn Store,
    actor: &Actor,
    world: &DemoWorld,
    password_hash: &str,
) -> anyhow::Result<Loaded> {
    let inputs = Inputs::from_world(world, password_hash)?;
    let team_ids = create_teams(store, actor, inputs.teams).await?;
    let user_ids = create_staff(store, actor, inputs.staff, &team_ids).await?;
    let president = world
        .staff
        .iter()
        .position(|s| s.role == domain::Role::President)
        .and_then(|i| user_ids.get(i).copied());
    update_organization(store, actor, inputs.organization, president).await?;
    for touchpoint in inputs.touchpoints {
        let key = touchpoint.key.clone();
        let created = store.create_touchpoint(actor, touchpoint).await;
        created.with_context(|| format!("creating touchpoint {key}"))?;
    }
    for customer in inputs.customers {
        let id = customer.external_id.clone();
        let upserted = store.upsert_customer(actor, customer).await;
        upserted.with_context(|| format!("creating customer {id}"))?;
    }
    let transactions = ingest(store, actor, inputs.transactions).await?;
    let versions = create_surveys(store, actor, inputs.surveys).await?;
    let responses = respond(
        store,
        actor,
        inputs.responses,
        &transactions,
        &versions,
        &user_ids,
    )
    .await?;
    Ok(Loaded {
        surveys: versions.len(),
        responses,
    })
}

async fn create_teams(
    store: &dyn Store,
    actor: &Actor,
    teams: Vec<NewTeam>,
) -> anyhow::Result<Vec<TeamId>> {
    let mut ids = Vec::with_capacity(teams.len());
    for team in teams {
        let key = team.key.clone();
        let created = store.create_team(actor, team).await;
        ids.push(created.with_context(|| format!("creating team {key}"))?.id);
    }
    Ok(ids)
}

async fn create_staff(
    store: &dyn Store,
    actor: &Actor,
    staff: Vec<(NewUser, Vec<usize>)>,
    team_ids: &[TeamId],
) -> anyhow::Result<Vec<UserId>> {
    let mut ids = Vec::with_capacity(staff.len());
    for (mut user, teams) in staff {
        user.teams = teams
            .iter()
            .filter_map(|t| team_ids.get(*t).copied())
            .collect();
        let email = user.email.clone();
        let created = store.create_user(actor, user).await;
        ids.push(
            created
                .with_context(|| format!("creating user {email}"))?
                .id,
        );
    }
    Ok(ids)
}

/// One batch after another (not concurrently, even on PostgreSQL), so that stored ids follow
/// time as they would in production. Returns the stored ids, in the order of the world's
/// transactions.
async fn ingest(
    store: &dyn Store,
    actor: &Actor,
    mut transactions: Vec<TransactionInput>,
) -> anyhow::Result<Vec<StoredTransaction>> {
    let mut stored = Vec::with_capacity(transactions.len());
    while !transactions.is_empty() {
        let rest = transactions.split_off(transactions.len().min(BATCH));
        let first = transactions.first().map(|t| t.external_id.to_string());
        let expected: Vec<String> = transactions
            .iter()
            .map(|t| t.external_id.to_string())
            .collect();
        let upserted = store.upsert_transactions(actor, transactions).await;
        let upserted =
            upserted.with_context(|| format!("ingesting transactions from {first:?}"))?;
        if upserted.len() != expected.len() {
            anyhow::bail!("ingesting transactions from {first:?}: not every one was stored");
        }
        for (outcome, external_id) in upserted.into_iter().zip(expected) {
            let record = outcome.record;
            if record.external_id != external_id {
                anyhow::bail!(
                    "transaction {external_id} came back as {}",
                    record.external_id
                );
            }
            stored.push(StoredTransaction {
                id: record.id,
                customer: record.customer.id,
                touchpoint: record.touchpoint.id,
                team: record.team.map(|t| t.id),
                staff: record.staff.map(|s| s.id),
            });
        }
        transactions = rest;
    }
    Ok(stored)
}

/// Creates the surveys (attaching them to their touchpoints) and returns the version each was
/// created with.
async fn create_surveys(
    store: &dyn Store,
    actor: &Actor,
    surveys: Vec<NewSurvey>,
) -> anyhow::Result<Vec<SurveyVersion>> {
    let mut versions = Vec::with_capacity(surveys.len());
    for survey in surveys {
        let key = survey.key.clone();
        let created = store.create_survey(actor, survey).await;
        let created = created.with_context(|| format!("creating survey {key}"))?;
        let version = store.survey_version(created.version_id).await;
        versions.push(version.with_context(|| format!("reading survey {key}"))?);
    }
    Ok(versions)
}

/// Stores the responses in batches, in the order they were given. Returns how many.
async fn respond(
    store: &dyn Store,
    actor: &Actor,
    responses: Vec<PreparedResponse>,
    transactions: &[StoredTransaction],
    versions: &[SurveyVersion],
    user_ids: &[UserId],
) -> anyhow::Result<usize> {
    let mut written = 0;
    let mut batch = Vec::with_capacity(BATCH);
    let total = responses.len();
    for (index, prepared) in responses.into_iter().enumerate() {
        let transaction = transactions
            .get(prepared.transaction)
            .context("a response to an unknown transaction")?;
        let survey = versions
            .get(prepared.survey)
            .context("a response to an unknown survey")?;
        let mut analysis = prepared.analysis;
        analysis.staff_mentions = analysis
            .staff_mentions
            .iter()
            .filter_map(|i| usize::try_from(*i).ok().and_then(|i| user_ids.get(i)))
            .map(|id| id.0)
            .collect();
        batch.push(NewResponse {
            context: ResponseContext {
                transaction: Some(transaction.id),
                customer: transaction.customer,
                touchpoint: transaction.touchpoint,
                team: transaction.team,
                staff: transaction.staff,
                survey: survey.clone(),
            },
            invitation: None,
            source: prepared.source,
            responded_at: prepared.responded_at,
            answers: prepared.answers,
            scores: prepared.scores,
            ratings: prepared.ratings,
            comment: prepared.comment,
            analysis,
            contact_consent: prepared.contact_consent,
        });
        if batch.len() == BATCH || index + 1 == total {
            let count = batch.len();
            let stored = store
                .insert_responses(actor, std::mem::take(&mut batch))
                .await;
            let ids = stored.with_context(|| format!("storing responses {written}…"))?;
            if ids.len() != count {
                anyhow::bail!("storing responses {written}…: not every one was stored");
            }
            written += count;
        }
    }
    Ok(written)
}

async fn update_organization(
    store: &dyn Store,
    actor: &Actor,
    (name, time_zone): (Name, String),
    president: Option<UserId>,
) -> anyhow::Result<()> {
    let update = OrganizationUpdate {
        name,
        time_zone,
        president,
    };
    store
        .update_organization(actor, update)
        .await
        .context("updating the organization")?;
    Ok(())
}

impl Inputs {
    fn from_world(world: &DemoWorld, password_hash: &str) -> anyhow::Result<Self> {
        let team_keys = world
            .teams
            .iter()
            .map(|t| key(&t.key))
            .collect::<anyhow::Result<Vec<_>>>()?;
        let mut teams = Vec::with_capacity(world.teams.len());
        for (team, key) in world.teams.iter().zip(&team_keys) {
            teams.push(NewTeam {
                key: key.clone(),
                name: name(&team.name)?,
                kind: team.kind,
                description: Some(team.description.clone()),
            });
        }
        let staff = world
            .staff
            .iter()
            .map(|s| Ok((new_user(s, password_hash)?, s.teams.clone())))
            .collect::<anyhow::Result<Vec<_>>>()?;
        let mut touchpoints = Vec::with_capacity(world.touchpoints.len());
        for touchpoint in &world.touchpoints {
            touchpoints.push(NewTouchpoint {
                key: key(&touchpoint.key)?,
                name: name(&touchpoint.name)?,
                description: Some(touchpoint.description.clone()),
                team: team_keys.get(touchpoint.team).cloned(),
            });
        }
        let customers = world
            .customers
            .iter()
            .map(|c| customer(c, &team_keys))
            .collect::<anyhow::Result<Vec<_>>>()?;
        Ok(Self {
            teams,
            staff,
            organization: (
                name(&world.organization.name)?,
                world.organization.time_zone.clone(),
            ),
            touchpoints,
            customers,
            transactions: transactions(world, &team_keys)?,
            surveys: surveys(world)?,
            responses: responses(world)?,
        })
    }
}

fn surveys(world: &DemoWorld) -> anyhow::Result<Vec<NewSurvey>> {
    let mut surveys = Vec::with_capacity(world.surveys.len());
    for survey in &world.surveys {
        let questions = Questions::parse(survey.questions.clone())
            .with_context(|| format!("questions of survey {}", survey.key))?;
        let touchpoints = survey
            .touchpoints
            .iter()
            .map(|t| {
                let touchpoint = world.touchpoints.get(*t).context("unknown touchpoint")?;
                key(&touchpoint.key)
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
        surveys.push(NewSurvey {
            key: key(&survey.key)?,
            name: survey.name.clone(),
            description: Some(survey.description.clone()),
            questions,
            touchpoints,
        });
    }
    Ok(surveys)
}

/// Validates every response's answers against its survey and analyses its comment, as the
/// server's ingest does. Staff mentions are staff indices until the users exist.
fn responses(world: &DemoWorld) -> anyhow::Result<Vec<PreparedResponse>> {
    let questions = world
        .surveys
        .iter()
        .map(|s| Questions::parse(s.questions.clone()).with_context(|| s.key.clone()))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let taxonomy = Taxonomy::default_taxonomy().compile();
    let names: Vec<StaffName> = (0_i64..)
        .zip(&world.staff)
        .map(|(id, s)| StaffName {
            id,
            full_name: s.name.clone(),
        })
        .collect();
    let staff = CompiledStaff::new(&names);
    let mut prepared = Vec::with_capacity(world.responses.len());
    for response in &world.responses {
        let transaction = world
            .transactions
            .get(response.transaction)
            .context("a response to an unknown transaction")?;
        let questions = questions
            .get(response.survey)
            .context("a response to an unknown survey")?;
        let answers = validate_answers(questions, &response.answers(), true)
            .map_err(|e| anyhow::anyhow!("response to {}: {e}", transaction.external_id))?;
        let comment = comment_text(questions, &answers);
        let analysis = comment
            .as_deref()
            .map(|text| {
                let found = analyze_compiled(text, &taxonomy, &staff);
                StoredAnalysis {
                    sentiment: Some(found.sentiment),
                    language: found.language,
                    themes: found.themes,
                    staff_mentions: found.staff_mentions,
                }
            })
            .unwrap_or_default();
        prepared.push(PreparedResponse {
            transaction: response.transaction,
            survey: response.survey,
            source: response.source.as_str().to_owned(),
            responded_at: response.responded_at,
            answers: serde_json::to_value(&answers)?,
            scores: scores(questions, &answers),
            ratings: ratings(questions, &answers),
            comment,
            analysis,
            contact_consent: consents_to_contact(questions, &answers),
        });
    }
    Ok(prepared)
}

fn new_user(staff: &StaffPlan, password_hash: &str) -> anyhow::Result<NewUser> {
    Ok(NewUser {
        email: Email::parse("email", &staff.email).with_context(|| staff.email.clone())?,
        name: name(&staff.name)?,
        role: staff.role,
        external_id: Some(external_id(&staff.external_id)?),
        password_hash: Some(password_hash.to_owned()),
        teams: Vec::<TeamId>::new(),
    })
}

fn customer(c: &crate::world::CustomerPlan, team_keys: &[Key]) -> anyhow::Result<CustomerInput> {
    let status = if c.is_lost() {
        CustomerStatus::Lost
    } else {
        CustomerStatus::Active
    };
    Ok(CustomerInput {
        external_id: external_id(&c.external_id)?,
        name: Some(name(&c.name)?),
        email: Some(Email::parse("email", &c.email).with_context(|| c.email.clone())?),
        phone: Some(c.phone.clone()),
        locale: Some(c.locale.clone()),
        segment: Some(c.segment.as_str().to_owned()),
        annual_value: Some(euros(c.annual_value_minor)?),
        team: team_keys.get(c.team).cloned(),
        status: Some(status),
    })
}

/// The customer is created beforehand, so each transaction names it by external id only and
/// leaves its stored fields as they are.
fn transactions(world: &DemoWorld, team_keys: &[Key]) -> anyhow::Result<Vec<TransactionInput>> {
    let touchpoint_keys = world
        .touchpoints
        .iter()
        .map(|t| key(&t.key))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let staff_ids = world
        .staff
        .iter()
        .map(|s| external_id(&s.external_id))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let customer_ids = world
        .customers
        .iter()
        .map(|c| external_id(&c.external_id))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let mut inputs = Vec::with_capacity(world.transactions.len());
    for t in &world.transactions {
        let customer = customer_ids.get(t.customer).context("unknown customer")?;
        let touchpoint = touchpoint_keys
            .get(t.touchpoint)
            .context("unknown touchpoint")?;
        let team = world.touchpoints.get(t.touchpoint).map(|p| p.team);
        inputs.push(TransactionInput {
            external_id: external_id(&t.external_id)?,
            customer: reference(customer.clone()),
            touchpoint: touchpoint.clone(),
            staff: t.staff.and_then(|s| staff_ids.get(s).cloned()),
            team: team.and_then(|i| team_keys.get(i).cloned()),
            occurred_at: t.occurred_at,
            amount: t.amount_minor.map(euros).transpose()?,
            attributes: t.attributes.clone(),
        });
    }
    Ok(inputs)
}

/// A customer named only by its external id.
fn reference(external_id: ExternalId) -> CustomerInput {
    CustomerInput {
        external_id,
        name: None,
        email: None,
        phone: None,
        locale: None,
        segment: None,
        annual_value: None,
        team: None,
        status: None,
    }
}

fn key(raw: &str) -> anyhow::Result<Key> {
    Key::parse("key", raw).with_context(|| format!("key {raw:?}"))
}

fn name(raw: &str) -> anyhow::Result<Name> {
    Name::parse("name", raw).with_context(|| format!("name {raw:?}"))
}

fn external_id(raw: &str) -> anyhow::Result<ExternalId> {
    ExternalId::parse("external_id", raw).with_context(|| format!("external id {raw:?}"))
}

fn euros(minor: i64) -> anyhow::Result<Money> {
    Ok(Money::new(minor, Currency::parse("EUR")?)?)
}
