//! Writes a [`DemoWorld`] through the `Store` trait. Every value is validated into its domain
//! type before the first write, so a bad plan fails without leaving half an organization.

use crate::world::{DemoWorld, StaffPlan};
use anyhow::Context;
use domain::access::CustomerStatus;
use domain::{Currency, Email, ExternalId, Key, Money, Name, TeamId, UserId};
use store::{
    Actor, CustomerInput, NewTeam, NewTouchpoint, NewUser, OrganizationUpdate, Store,
    TransactionInput,
};

/// Transactions per `upsert_transactions` call: one database transaction each.
pub const BATCH: usize = 1_000;

/// Everything to write, already validated.
struct Inputs {
    teams: Vec<NewTeam>,
    /// A user without teams, and the indices of their teams.
    staff: Vec<(NewUser, Vec<usize>)>,
    organization: (Name, String),
    touchpoints: Vec<NewTouchpoint>,
    customers: Vec<CustomerInput>,
    transactions: Vec<TransactionInput>,
}

/// Writes the world into an empty store as `actor`; staff may log in with `password_hash`.
pub async fn load(
    store: &dyn Store,
    actor: &Actor,
    world: &DemoWorld,
    password_hash: &str,
) -> anyhow::Result<()> {
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
    ingest(store, actor, inputs.transactions).await
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
/// time as they would in production.
async fn ingest(
    store: &dyn Store,
    actor: &Actor,
    mut transactions: Vec<TransactionInput>,
) -> anyhow::Result<()> {
    while !transactions.is_empty() {
        let rest = transactions.split_off(transactions.len().min(BATCH));
        let first = transactions.first().map(|t| t.external_id.to_string());
        let upserted = store.upsert_transactions(actor, transactions).await;
        upserted.with_context(|| format!("ingesting transactions from {first:?}"))?;
        transactions = rest;
    }
    Ok(())
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
        })
    }
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
