//! `import responses`: each row is resolved to its transaction, or its customer and touchpoint,
//! and its cells are turned into the JSON answers that the survey's questions accept; then it
//! goes through the same preparation (validation, scores, comment analysis) as the API's.

use super::csv_file::{Header, Row};
use super::{Failure, Importer, RowError, WriteFailure, Written};
use anyhow::Context;
use domain::survey::{QuestionKind, Questions};
use domain::time::parse_instant;
use domain::{CustomerId, ExternalId, Key, TeamId, TouchpointId, TransactionId, UserId};
use jiff::Timestamp;
use serde_json::{Map, Value};
use server::knowledge::analyzer::Analyzer;
use server::knowledge::ingest::{parse_source, prepare};
use std::collections::{BTreeSet, HashMap};
use store::{
    Actor, ListParams, NewResponse, ResponseContext, ResponseReferences, ResponseStore, SqlStore,
    StoreError, SurveyStore, SurveyVersion,
};

const RESERVED: [&str; 5] = [
    "transaction",
    "customer_external_id",
    "touchpoint",
    "source",
    "responded_at",
];

/// Where each column is.
struct Columns {
    transaction: Option<usize>,
    customer: Option<usize>,
    touchpoint: Option<usize>,
    source: usize,
    responded_at: Option<usize>,
    questions: Vec<(String, usize)>,
}

impl Columns {
    /// Columns other than the reserved ones must be question keys of some survey.
    fn new(names: Vec<String>, question_keys: &BTreeSet<String>) -> anyhow::Result<Self> {
        let known = |name: &str| RESERVED.contains(&name) || question_keys.contains(name);
        let keys: Vec<&str> = question_keys.iter().map(String::as_str).collect();
        let expected = format!(
            "the columns are {} and question keys of the surveys: {}",
            RESERVED.join(", "),
            keys.join(", ")
        );
        let header = Header::check(names, known, &expected, &["source"])?;
        let at = |name: &str| header.position(name);
        let by_transaction = at("transaction").is_some();
        let by_customer = at("customer_external_id").is_some() && at("touchpoint").is_some();
        if !by_transaction && !by_customer {
            anyhow::bail!(
                "missing required columns: transaction, or customer_external_id and touchpoint"
            );
        }
        let questions = header
            .names()
            .iter()
            .enumerate()
            .filter(|(_, name)| !RESERVED.contains(&name.as_str()))
            .map(|(i, name)| (name.clone(), i))
            .collect();
        Ok(Self {
            transaction: at("transaction"),
            customer: at("customer_external_id"),
            touchpoint: at("touchpoint"),
            source: at("source").context("missing column source")?,
            responded_at: at("responded_at"),
            questions,
        })
    }
}

/// Contexts resolved by the first pass, remembered for the second so that it does not ask the
/// database again; each survey version is kept once.
#[derive(Default)]
struct Contexts {
    resolved: HashMap<String, Resolved>,
    surveys: HashMap<i64, SurveyVersion>,
}

/// A resolved context without its survey.
#[derive(Clone, Copy)]
struct Resolved {
    transaction: Option<TransactionId>,
    customer: CustomerId,
    touchpoint: TouchpointId,
    team: Option<TeamId>,
    staff: Option<UserId>,
    survey: i64,
}

/// At most this many contexts are remembered (some 25 MB); later rows of a longer file are
/// resolved again by the second pass.
const REMEMBERED: usize = 200_000;

impl Contexts {
    fn key(refs: &ResponseReferences) -> String {
        match &refs.transaction {
            Some(transaction) => format!("t\u{0}{}", transaction.as_str()),
            None => format!(
                "c\u{0}{}\u{0}{}",
                refs.customer.as_ref().map_or("", ExternalId::as_str),
                refs.touchpoint.as_ref().map_or("", Key::as_str)
            ),
        }
    }

    fn get(&self, key: &str) -> Option<ResponseContext> {
        let r = self.resolved.get(key)?;
        Some(ResponseContext {
            transaction: r.transaction,
            customer: r.customer,
            touchpoint: r.touchpoint,
            team: r.team,
            staff: r.staff,
            survey: self.surveys.get(&r.survey)?.clone(),
        })
    }

    fn remember(&mut self, key: String, context: &ResponseContext) {
        if self.resolved.len() >= REMEMBERED {
            return;
        }
        let resolved = Resolved {
            transaction: context.transaction,
            customer: context.customer,
            touchpoint: context.touchpoint,
            team: context.team,
            staff: context.staff,
            survey: context.survey.id,
        };
        self.resolved.insert(key, resolved);
        self.surveys
            .entry(context.survey.id)
            .or_insert_with(|| context.survey.clone());
    }
}

pub struct Responses<'a> {
    store: &'a SqlStore,
    actor: Actor,
    columns: Columns,
    analyzer: Analyzer,
    contexts: Contexts,
    /// When responses without `responded_at` were given.
    now: Timestamp,
}

impl<'a> Responses<'a> {
    pub async fn new(
        store: &'a SqlStore,
        actor: Actor,
        names: Vec<String>,
    ) -> anyhow::Result<Self> {
        let columns = Columns::new(names, &question_keys(store).await?)?;
        let analyzer = Analyzer::default();
        analyzer
            .refresh(store)
            .await
            .context("cannot load the comment taxonomy and staff names")?;
        Ok(Self {
            store,
            actor,
            columns,
            analyzer,
            contexts: Contexts::default(),
            now: Timestamp::now(),
        })
    }

    fn references(&self, row: &Row<'_>) -> Result<ResponseReferences, RowError> {
        let c = &self.columns;
        let external_id = |column, field| {
            row.value(column)
                .map(|v| ExternalId::parse(field, v))
                .transpose()
        };
        let refs = ResponseReferences {
            transaction: external_id(c.transaction, "transaction")?,
            customer: external_id(c.customer, "customer_external_id")?,
            touchpoint: row
                .value(c.touchpoint)
                .map(|v| Key::parse("touchpoint", v))
                .transpose()?,
        };
        if refs.transaction.is_none() && (refs.customer.is_none() || refs.touchpoint.is_none()) {
            return Err(RowError::new(
                "transaction",
                "give a transaction, or a customer_external_id and a touchpoint",
            ));
        }
        Ok(refs)
    }

    async fn context(&mut self, refs: &ResponseReferences) -> Result<ResponseContext, Failure> {
        let key = Contexts::key(refs);
        if let Some(context) = self.contexts.get(&key) {
            return Ok(context);
        }
        match self.store.response_context(refs, "").await {
            Ok(context) => {
                self.contexts.remember(key, &context);
                Ok(context)
            }
            Err(StoreError::UnknownReference {
                what: "survey attached to the touchpoint",
                ..
            }) => {
                let message = "has no survey: attach one to the touchpoint first";
                Err(RowError::new("touchpoint", message).into())
            }
            Err(other) => Err(other.into()),
        }
    }

    /// The row's answers in the JSON shapes the survey's questions accept.
    fn answers(
        &self,
        row: &Row<'_>,
        questions: &Questions,
    ) -> Result<Map<String, Value>, RowError> {
        let mut answers = Map::new();
        for (key, column) in &self.columns.questions {
            let Some(raw) = row.value(Some(*column)) else {
                continue;
            };
            let value = match questions.get(key).map(|q| &q.kind) {
                Some(QuestionKind::MultipleChoice { .. }) => Value::Array(
                    raw.split('|')
                        .map(str::trim)
                        .filter(|choice| !choice.is_empty())
                        .map(|choice| Value::String(choice.to_owned()))
                        .collect(),
                ),
                Some(QuestionKind::Consent) => Value::Bool(
                    consent(raw).ok_or_else(|| RowError::new(key.clone(), "must be yes or no"))?,
                ),
                // Numbers are given as text, which the scales accept; a key that is not a
                // question of this row's survey is refused by the validation.
                _ => Value::String(raw.to_owned()),
            };
            answers.insert(key.clone(), value);
        }
        Ok(answers)
    }
}

fn consent(raw: &str) -> Option<bool> {
    match raw.to_lowercase().as_str() {
        "yes" | "y" | "true" => Some(true),
        "no" | "n" | "false" => Some(false),
        _ => None,
    }
}

/// The question keys of every survey, in their current versions.
async fn question_keys(store: &SqlStore) -> anyhow::Result<BTreeSet<String>> {
    let mut keys = BTreeSet::new();
    let mut params = ListParams {
        limit: 100,
        ..ListParams::default()
    };
    loop {
        let page = store.list_surveys(&params).await?;
        for survey in &page.items {
            keys.extend(survey.questions.as_slice().iter().map(|q| q.key.clone()));
        }
        match page.next_after_id {
            Some(after) => params.after_id = Some(after),
            None => break,
        }
    }
    Ok(keys)
}

impl Importer for Responses<'_> {
    type Item = NewResponse;

    async fn prepare(&mut self, row: &Row<'_>) -> Result<NewResponse, Failure> {
        let c = &self.columns;
        let source = parse_source(row.cell(c.source))?;
        let responded_at = row
            .value(c.responded_at)
            .map(|raw| parse_instant("responded_at", raw))
            .transpose()?
            .unwrap_or(self.now);
        let refs = self.references(row)?;
        let context = self.context(&refs).await?;
        let answers = self.answers(row, &context.survey.questions)?;
        prepare(
            context,
            &answers,
            source,
            responded_at,
            None,
            &self.analyzer,
        )
        .map_err(|e| RowError::new(e.key, e.message).into())
    }

    async fn write(&mut self, batch: Vec<NewResponse>) -> Result<Written, WriteFailure> {
        match self.store.insert_responses(&self.actor, batch).await {
            Ok(ids) => Ok(Written {
                created: ids.len() as u64,
                updated: 0,
            }),
            Err(error) => Err(WriteFailure {
                row: None,
                error: error.to_string(),
            }),
        }
    }

    fn outcome(&self, written: Written) -> String {
        format!("{} responses stored", written.created)
    }

    fn after_failure(&self, committed: u64, next_line: u64) -> String {
        if committed == 0 {
            return "Nothing was stored: the whole file can be imported again once the problem is fixed."
                .to_owned();
        }
        format!(
            "Running the whole file again would store the {committed} committed responses twice: \
             import only the rows from line {next_line} on (keep the header row)."
        )
    }
}
