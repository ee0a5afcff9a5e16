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
