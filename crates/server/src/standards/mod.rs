//! Performance standards on the server side: the organization's working calendar (the
//! recovery SLA's business hours in its time zone) and a standard's compliance over a period,
//! folded from the stored operational events.

use domain::ValidationError;
use domain::standards::compliance::{self, ComplianceReport, Period, TrendBucket};
use domain::standards::events::fold_events;
use domain::standards::{CalendarDefinition, PerformanceStandard, SubjectSummary, WorkingCalendar};
use jiff::{SignedDuration, Timestamp};
use serde::Serialize;
use store::{Store, StoreError, StoredStandard};

/// How far before a period's start events are read, so that a subject started before it and
/// ended inside it is still seen whole.
pub const LOOKBACK_DAYS: i64 = 30;

#[derive(Debug)]
pub enum Refused {
    Invalid(ValidationError),
    Store(StoreError),
}

impl From<StoreError> for Refused {
    fn from(error: StoreError) -> Self {
        Refused::Store(error)
    }
}

impl From<ValidationError> for Refused {
    fn from(error: ValidationError) -> Self {
        Refused::Invalid(error)
    }
}

/// The organization's working calendar: the recovery settings' business hours (Monday to
/// Friday, 09:00–17:00 when none are set) in its time zone.
pub async fn working_calendar(store: &dyn Store) -> Result<WorkingCalendar, Refused> {
    let organization = store.organization().await?;
    let settings = crate::recovery::load_settings(store).await?;
    let definition = match &settings.sla.business_hours {
        Some(hours) => CalendarDefinition::from_business_hours(hours, &organization.time_zone),
        None => CalendarDefinition::office_hours(&organization.time_zone),
    };
    Ok(definition.compile()?)
}

/// A standard's compliance over a period, with its breaches and the subjects open past their
/// threshold right now.
#[derive(Debug, Clone, Serialize)]
pub struct ComplianceView {
    pub key: String,
    pub name: String,
    /// The standard in one sentence, e.g. "Orders processed within 3 hours (95% of the time)".
    pub sentence: String,
    pub report: ComplianceReport,
    /// Breached subjects of the period, worst overrun first (at most 200).
    pub breaches: Vec<SubjectSummary>,
    /// Subjects still open past their deadline now.
    pub breaching_now: Vec<SubjectSummary>,
}

pub async fn compliance(
    store: &dyn Store,
    stored: &StoredStandard,
    from: Timestamp,
    to: Timestamp,
    bucket: TrendBucket,
    now: Timestamp,
) -> Result<ComplianceView, Refused> {
    let standard = PerformanceStandard::parse(&stored.definition)?;
    let calendar = working_calendar(store).await?;
    let clock = standard.threshold.clock(Some(&calendar))?;
    let period = Period::new(from, to)?;
    let read_from = from
        .checked_sub(SignedDuration::from_hours(24 * LOOKBACK_DAYS))
        .unwrap_or(from);
    let types = vec![
        standard.start_event.as_str().to_owned(),
        standard.end_event.as_str().to_owned(),
    ];
    let read_to = now.max(to);
    let events = store.events_of_types(&types, read_from, read_to).await?;
    let summaries = fold_events(&standard, clock, &events, now);
    let report = compliance::report(
        summaries.iter().map(|s| &s.state),
        &standard,
        period,
        bucket,
        calendar.zone(),
    );
    let threshold = standard.threshold.duration();
    let breaches = compliance::breaches(&summaries, period, threshold)
        .into_iter()
        .take(200)
        .cloned()
        .collect();
    let breaching_now = summaries
        .iter()
        .filter(|s| domain::standards::events::breaching_now(&s.state, now))
        .cloned()
        .collect();
    Ok(ComplianceView {
        key: standard.key.to_string(),
        name: standard.name.to_string(),
        sentence: standard.sentence(),
        report,
        breaches,
        breaching_now,
    })
}

/// Responses on each side below which a standard's effect on satisfaction is not estimated.
pub const MIN_RESPONSES_PER_SIDE: i64 = 10;

/// What customers feel: per standard, CSAT on the transactions whose subject met it versus
/// breached it (linked by the events' transaction reference), and the standards ranked by
/// the satisfaction their breaches cost.
#[derive(Debug, Clone, Serialize)]
pub struct FeelingReport {
    pub from: Timestamp,
    pub to: Timestamp,
    pub standards: Vec<StandardFeelingRow>,
    pub ranking: Vec<domain::standards::feeling::SatisfactionCost>,
}

#[derive(Debug, Clone, Serialize)]
pub struct StandardFeelingRow {
    pub key: String,
    pub sentence: String,
    /// Decided subjects of the period with a transaction reference.
    pub linked: u64,
    pub feeling: domain::standards::Feeling,
}

pub async fn feeling(
    store: &dyn Store,
    from: Timestamp,
    to: Timestamp,
    now: Timestamp,
) -> Result<FeelingReport, Refused> {
    use domain::standards::feeling::{StandardFeeling, StandardOutcome, feeling, rank_by_cost};
    let calendar = working_calendar(store).await?;
    let period = Period::new(from, to)?;
    let mut rows = Vec::new();
    let mut costs = Vec::new();
    for stored in store.list_standards().await? {
        let standard = PerformanceStandard::parse(&stored.definition)?;
        let clock = standard.threshold.clock(Some(&calendar))?;
        let read_from = from
            .checked_sub(SignedDuration::from_hours(24 * LOOKBACK_DAYS))
            .unwrap_or(from);
        let types = vec![
            standard.start_event.as_str().to_owned(),
            standard.end_event.as_str().to_owned(),
        ];
        let events = store
            .events_of_types(&types, read_from, now.max(to))
            .await?;
        let summaries = fold_events(&standard, clock, &events, now);
        let decided: Vec<(&SubjectSummary, StandardOutcome)> = summaries
            .iter()
            .filter(|s| s.state.started().is_some_and(|t| period.contains(t)))
            .filter_map(|s| StandardOutcome::of(&s.state).map(|o| (s, o)))
            .collect();
        let breaches = decided
            .iter()
            .filter(|(_, o)| *o == StandardOutcome::Breached)
            .count() as u64;
        let references: Vec<String> = decided
            .iter()
            .filter_map(|(s, _)| s.transaction.as_ref().map(|t| t.as_str().to_owned()))
            .collect();
        let csat = store.csat_by_transaction(&references).await?;
        let pairs: Vec<domain::standards::FeelingPair> = decided
            .iter()
            .filter_map(|(s, outcome)| {
                let transaction = s.transaction.as_ref()?;
                let score = csat.get(transaction.as_str())?;
                Some(domain::standards::FeelingPair {
                    outcome: *outcome,
                    csat: *score as f64,
                })
            })
            .collect();
        let result = feeling(&pairs, MIN_RESPONSES_PER_SIDE);
        costs.push(StandardFeeling {
            standard: standard.key.clone(),
            breaches,
            feeling: result.clone(),
        });
        rows.push(StandardFeelingRow {
            key: standard.key.to_string(),
            sentence: standard.sentence(),
            linked: references.len() as u64,
            feeling: result,
        });
    }
    Ok(FeelingReport {
        from,
        to,
        standards: rows,
        ranking: rank_by_cost(&costs),
    })
}
