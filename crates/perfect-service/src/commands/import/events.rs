//! `import events`: operational events (an order received, a call answered) from a CSV file.
//! Each row becomes the API's `EventInput` and is validated by the same
//! `OperationalEvent::parse` as `POST /api/v1/events`; extra columns are numeric attributes.
//! Events are idempotent (by the given key, or one derived from type, subject and time), so
//! importing the same file again stores nothing new.

use super::csv_file::{Header, Row};
use super::{Failure, Importer, RowError, WriteFailure, Written};
use anyhow::Context;
use domain::standards::OperationalEvent;
use domain::standards::events::{EventInput, MAX_ATTRIBUTES, check_attribute_name};
use jiff::Timestamp;
use std::collections::BTreeMap;
use store::{Actor, SqlStore, StandardStore};

const REQUIRED: [&str; 3] = ["event_type", "subject", "occurred_at"];
const OPTIONAL: [&str; 3] = ["customer", "transaction", "idempotency_key"];

/// Where each column is.
struct Columns {
    event_type: usize,
    subject: usize,
    occurred_at: usize,
    customer: Option<usize>,
    transaction: Option<usize>,
    idempotency_key: Option<usize>,
    attributes: Vec<(String, usize)>,
}

impl Columns {
    fn new(names: Vec<String>) -> anyhow::Result<Self> {
        let known = |name: &str| {
            REQUIRED.contains(&name)
                || OPTIONAL.contains(&name)
                || check_attribute_name(name).is_ok()
        };
        let expected = format!(
            "the columns are {}, {}, and numeric attributes named with lowercase letters, \
             digits and underscores, e.g. hold_seconds",
            REQUIRED.join(", "),
            OPTIONAL.join(", ")
        );
        let header = Header::check(names, known, &expected, &REQUIRED)?;
        let at = |name: &str| header.position(name);
        let required = |name: &str| at(name).with_context(|| format!("missing column {name}"));
        let attributes: Vec<(String, usize)> = header
            .names()
            .iter()
            .enumerate()
            .filter(|(_, name)| {
                !REQUIRED.contains(&name.as_str()) && !OPTIONAL.contains(&name.as_str())
            })
            .map(|(i, name)| (name.clone(), i))
            .collect();
        if attributes.len() > MAX_ATTRIBUTES {
            anyhow::bail!("at most {MAX_ATTRIBUTES} attribute columns");
        }
        Ok(Self {
            event_type: required("event_type")?,
            subject: required("subject")?,
            occurred_at: required("occurred_at")?,
            customer: at("customer"),
            transaction: at("transaction"),
            idempotency_key: at("idempotency_key"),
            attributes,
        })
    }
}

pub struct Events<'a> {
    store: &'a SqlStore,
    actor: Actor,
    columns: Columns,
    /// The time events are validated against ("not in the future"), fixed for both passes.
    now: Timestamp,
}

impl<'a> Events<'a> {
    pub fn new(store: &'a SqlStore, actor: Actor, names: Vec<String>) -> anyhow::Result<Self> {
        Ok(Self {
            store,
            actor,
            columns: Columns::new(names)?,
            now: Timestamp::now(),
        })
    }

    fn input(&self, row: &Row<'_>) -> Result<EventInput, RowError> {
        let c = &self.columns;
        let mut attributes = BTreeMap::new();
        for (name, column) in &c.attributes {
            let Some(raw) = row.value(Some(*column)) else {
                continue;
            };
            let value = raw
                .parse::<f64>()
                .ok()
                .filter(|v| v.is_finite())
                .ok_or_else(|| RowError::new(name.clone(), format!("{raw:?} is not a number")))?;
            attributes.insert(name.clone(), value);
        }
        Ok(EventInput {
            event_type: row.cell(c.event_type).to_owned(),
            subject: row.cell(c.subject).to_owned(),
            customer: row.value(c.customer).map(str::to_owned),
            transaction: row.value(c.transaction).map(str::to_owned),
            occurred_at: row.cell(c.occurred_at).to_owned(),
            idempotency_key: row.value(c.idempotency_key).map(str::to_owned),
            attributes,
        })
    }
}

impl Importer for Events<'_> {
    type Item = OperationalEvent;

    async fn prepare(&mut self, row: &Row<'_>) -> Result<OperationalEvent, Failure> {
        let input = self.input(row)?;
        let event = OperationalEvent::parse(&input, self.now).map_err(|error| {
            // Attribute errors name the attribute first ("hold_seconds must be…").
            if error.field == "attributes" {
                RowError::new("attributes", error.message)
            } else {
                RowError::from(error)
            }
        })?;
        Ok(event)
    }

    async fn write(&mut self, batch: Vec<OperationalEvent>) -> Result<Written, WriteFailure> {
        match self
            .store
            .record_events(&self.actor, &batch, self.now)
            .await
        {
            Ok(recorded) => Ok(Written {
                created: recorded.stored,
                updated: recorded.duplicates,
            }),
            Err(error) => Err(WriteFailure {
                row: None,
                error: error.to_string(),
            }),
        }
    }

    fn outcome(&self, written: Written) -> String {
        format!(
            "{} stored, {} duplicates (already stored, unchanged)",
            written.created, written.updated
        )
    }

    fn after_failure(&self, _committed: u64, _next_line: u64) -> String {
        "Events are idempotent, so running the whole file again once the problem is fixed is \
         safe: committed rows are counted as duplicates, not stored twice."
            .to_owned()
    }
}
