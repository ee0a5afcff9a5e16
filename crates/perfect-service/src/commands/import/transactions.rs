//! `import transactions`: each row becomes the API's `TransactionIn` and is validated by the
//! API's own `parse`, so a CSV row and a JSON body are held to the same rules; touchpoints,
//! teams and staff are resolved before anything is written.

use super::csv_file::{Header, Row};
use super::{Failure, Importer, RowError, WriteFailure, Written};
use anyhow::Context;
use domain::{Currency, Key, Money};
use server::api::customers::{CustomerIn, MoneyBody};
use server::api::transactions::TransactionIn;
use std::collections::{HashMap, HashSet};
use store::{
    Actor, ListParams, SqlStore, StoreError, TeamStore, TouchpointStore, TransactionInput,
    TransactionStore, UserFilter, UserStore,
};

const REQUIRED: [&str; 4] = [
    "external_id",
    "occurred_at",
    "touchpoint",
    "customer_external_id",
];
const OPTIONAL: [&str; 9] = [
    "customer_name",
    "customer_email",
    "customer_phone",
    "customer_locale",
    "customer_segment",
    "staff",
    "team",
    "amount",
    "currency",
];
const ATTRIBUTE_PREFIX: &str = "attr.";

/// Where each column is.
struct Columns {
    external_id: usize,
    occurred_at: usize,
    touchpoint: usize,
    customer_external_id: usize,
    customer: [Option<usize>; 5],
    staff: Option<usize>,
    team: Option<usize>,
    amount: Option<usize>,
    currency: Option<usize>,
    attributes: Vec<(String, usize)>,
}

impl Columns {
    fn new(names: Vec<String>) -> anyhow::Result<Self> {
        let known = |name: &str| {
            REQUIRED.contains(&name)
                || OPTIONAL.contains(&name)
                || name
                    .strip_prefix(ATTRIBUTE_PREFIX)
                    .is_some_and(|n| !n.is_empty())
        };
        let expected = format!(
            "the columns are {}, {} and attr.NAME for attributes",
            REQUIRED.join(", "),
            OPTIONAL.join(", ")
        );
        let header = Header::check(names, known, &expected, &REQUIRED)?;
        let at = |name: &str| header.position(name);
        let required = |name: &str| at(name).with_context(|| format!("missing column {name}"));
        if at("amount").is_some() && at("currency").is_none() {
            anyhow::bail!("missing required columns: currency (the amount column needs it)");
        }
        let attributes = header
            .names()
            .iter()
            .enumerate()
            .filter_map(|(i, name)| Some((name.strip_prefix(ATTRIBUTE_PREFIX)?.to_owned(), i)))
            .collect();
        Ok(Self {
            external_id: required("external_id")?,
            occurred_at: required("occurred_at")?,
            touchpoint: required("touchpoint")?,
            customer_external_id: required("customer_external_id")?,
            customer: [
                at("customer_name"),
                at("customer_email"),
                at("customer_phone"),
                at("customer_locale"),
                at("customer_segment"),
            ],
            staff: at("staff"),
            team: at("team"),
            amount: at("amount"),
            currency: at("currency"),
            attributes,
        })
    }
}

/// Touchpoints, teams and staff already looked up: files repeat the same few.
#[derive(Default)]
struct Known {
    touchpoints: HashMap<String, bool>,
    teams: HashMap<String, bool>,
    staff: Option<HashSet<String>>,
}

pub struct Transactions<'a> {
    store: &'a SqlStore,
    actor: Actor,
    columns: Columns,
    known: Known,
}

impl<'a> Transactions<'a> {
    pub fn new(store: &'a SqlStore, actor: Actor, names: Vec<String>) -> anyhow::Result<Self> {
        Ok(Self {
            store,
            actor,
            columns: Columns::new(names)?,
            known: Known::default(),
        })
    }

    fn transaction_in(&self, row: &Row<'_>) -> Result<TransactionIn, RowError> {
        let c = &self.columns;
        let text = |column: Option<usize>| row.value(column).map(str::to_owned);
        let [name, email, phone, locale, segment] = c.customer.map(text);
        Ok(TransactionIn {
            external_id: row.cell(c.external_id).to_owned(),
            customer: CustomerIn {
                external_id: row.cell(c.customer_external_id).to_owned(),
                name,
                email,
                phone,
                locale,
                segment,
                annual_value: None,
                team: None,
                status: None,
            },
            touchpoint: row.cell(c.touchpoint).to_owned(),
            staff: text(c.staff),
            team: text(c.team),
            occurred_at: row.cell(c.occurred_at).to_owned(),
            amount: self.amount(row)?,
            attributes: c
                .attributes
                .iter()
                .filter_map(|(name, column)| {
                    let value = row.value(Some(*column))?;
                    Some((name.clone(), serde_json::Value::String(value.to_owned())))
                })
                .collect(),
        })
    }

    /// The amount, typed as a decimal in the currency's units, exactly in minor units.
    fn amount(&self, row: &Row<'_>) -> Result<Option<MoneyBody>, RowError> {
        let Some(raw) = row.value(self.columns.amount) else {
            return Ok(None);
        };
        let code = row
            .value(self.columns.currency)
            .ok_or_else(|| RowError::new("currency", "is required with an amount"))?;
        let currency = Currency::parse(code)?;
        Ok(Some(Money::parse_decimal("amount", raw, currency)?.into()))
    }

    async fn resolve(&mut self, input: &TransactionInput) -> Result<(), Failure> {
        let key = &input.touchpoint;
        if !self.touchpoint_exists(key).await? {
            return Err(StoreError::unknown("touchpoint", "touchpoint", key.as_str()).into());
        }
        if let Some(team) = &input.team
            && !self.team_exists(team).await?
        {
            return Err(StoreError::unknown("team", "team", team.as_str()).into());
        }
        if let Some(staff) = &input.staff
            && !self.staff_ids().await?.contains(staff.as_str())
        {
            return Err(StoreError::unknown("staff", "staff member", staff.as_str()).into());
        }
        Ok(())
    }

    async fn touchpoint_exists(&mut self, key: &Key) -> Result<bool, StoreError> {
        if let Some(exists) = self.known.touchpoints.get(key.as_str()) {
            return Ok(*exists);
        }
        let exists = match self.store.touchpoint_by_key(key).await {
            Ok(_) => true,
            Err(StoreError::NotFound) => false,
            Err(other) => return Err(other),
        };
        self.known
            .touchpoints
            .insert(key.as_str().to_owned(), exists);
        Ok(exists)
    }

    async fn team_exists(&mut self, key: &Key) -> Result<bool, StoreError> {
        if let Some(exists) = self.known.teams.get(key.as_str()) {
            return Ok(*exists);
        }
        let exists = match self.store.team_by_key(key).await {
            Ok(_) => true,
            Err(StoreError::NotFound) => false,
            Err(other) => return Err(other),
        };
        self.known.teams.insert(key.as_str().to_owned(), exists);
        Ok(exists)
    }

    /// The external ids of every staff member, read once.
    async fn staff_ids(&mut self) -> Result<&HashSet<String>, StoreError> {
        if self.known.staff.is_none() {
            let mut ids = HashSet::new();
            let mut params = ListParams {
                limit: 500,
                ..ListParams::default()
            };
            loop {
                let page = self
                    .store
                    .list_users(&params, &UserFilter::default())
                    .await?;
                ids.extend(page.items.into_iter().filter_map(|u| u.external_id));
                match page.next_after_id {
                    Some(after) => params.after_id = Some(after),
                    None => break,
                }
            }
            self.known.staff = Some(ids);
        }
        Ok(self.known.staff.get_or_insert_default())
    }
}

impl Importer for Transactions<'_> {
    type Item = TransactionInput;

    async fn prepare(&mut self, row: &Row<'_>) -> Result<TransactionInput, Failure> {
        let input = self.transaction_in(row)?.parse()?;
        self.resolve(&input).await?;
        Ok(input)
    }

    async fn write(&mut self, batch: Vec<TransactionInput>) -> Result<Written, WriteFailure> {
        match self.store.upsert_transactions(&self.actor, batch).await {
            Ok(upserted) => {
                let created = upserted.iter().filter(|u| u.created).count() as u64;
                Ok(Written {
                    created,
                    updated: upserted.len() as u64 - created,
                })
            }
            Err(StoreError::UnknownReference { field, what, value }) => {
                // The store names the item as `transactions[i].field`.
                let (row, field) = field
                    .strip_prefix("transactions[")
                    .and_then(|rest| rest.split_once("]."))
                    .and_then(|(i, f)| Some((i.parse().ok()?, f)))
                    .map_or((None, field.as_str()), |(i, f)| (Some(i), f));
                let error = RowError::at_field(field, format!("no {what} with {value:?}"));
                Err(WriteFailure {
                    row,
                    error: error.to_string(),
                })
            }
            Err(other) => Err(WriteFailure {
                row: None,
                error: other.to_string(),
            }),
        }
    }

    fn outcome(&self, written: Written) -> String {
        format!("{} created, {} updated", written.created, written.updated)
    }

    fn after_failure(&self, _committed: u64, _next_line: u64) -> String {
        "Transactions are upserted by external id, so running the whole file again once the \
         problem is fixed is safe: committed rows are updated, not duplicated."
            .to_owned()
    }
}
