//! The guarantee report: invocations per 1,000 transactions, credits, the average share of the
//! price paid, by team, touchpoint, staff member or month; repeat invokers; and how long the
//! president took to act. Money is summed per currency in minor units; only rates and shares,
//! which are statistics and not money, are computed with floats.

use super::claim::share_permille;
use crate::Currency;
use crate::access::string_enum;
use jiff::Timestamp;
use jiff::tz::TimeZone;
use std::collections::BTreeMap;

string_enum!(
    /// What the report's rows are.
    Dimension, "by" {
        Team => "team",
        Touchpoint => "touchpoint",
        Staff => "staff",
        Month => "month",
    }
);

/// One honoured invocation, with its corrections applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LedgerEntry {
    pub claim_id: i64,
    pub customer: i64,
    pub team: Option<i64>,
    pub touchpoint: i64,
    pub staff: Option<i64>,
    pub currency: Currency,
    pub invoiced_minor: i64,
    pub paid_minor: i64,
    pub invoked_at: Timestamp,
    pub president_acted_at: Option<Timestamp>,
}

/// The group a transaction or an entry falls in: an id (team, touchpoint, staff member), a
/// month (`2026-11`), or none (no team, no staff member).
pub type GroupKey = Option<String>;

/// The month of an instant in the organization's time zone, as `YYYY-MM`.
pub fn month_of(at: Timestamp, zone: &TimeZone) -> String {
    let date = at.to_zoned(zone.clone()).date();
    format!("{:04}-{:02}", date.year(), date.month())
}

impl LedgerEntry {
    pub fn key(&self, by: Dimension, zone: &TimeZone) -> GroupKey {
        match by {
            Dimension::Team => self.team.map(|t| t.to_string()),
            Dimension::Touchpoint => Some(self.touchpoint.to_string()),
            Dimension::Staff => self.staff.map(|s| s.to_string()),
            Dimension::Month => Some(month_of(self.invoked_at, zone)),
        }
    }
}

/// The figures of one group (or of everything).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Figures {
    pub transactions: i64,
    pub invocations: i64,
    /// Per currency: invoiced, paid and credited, in minor units.
    pub money: BTreeMap<String, Totals>,
    /// Sum of each invocation's share paid, in thousandths, to average.
    share_sum_permille: i64,
    shares: i64,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Totals {
    pub invoiced_minor: i64,
    pub paid_minor: i64,
    pub credit_minor: i64,
}

impl Figures {
    fn add(&mut self, entry: &LedgerEntry) {
        self.invocations += 1;
        let totals = self
            .money
            .entry(entry.currency.as_str().to_owned())
            .or_default();
        totals.invoiced_minor = totals.invoiced_minor.saturating_add(entry.invoiced_minor);
        totals.paid_minor = totals.paid_minor.saturating_add(entry.paid_minor);
        totals.credit_minor = totals
            .credit_minor
            .saturating_add(entry.invoiced_minor - entry.paid_minor);
        if let Some(share) = share_permille(entry.paid_minor, entry.invoiced_minor) {
            self.share_sum_permille += share;
            self.shares += 1;
        }
    }

    /// Invocations per 1,000 transactions.
    pub fn rate_per_thousand(&self) -> Option<f64> {
        (self.transactions > 0).then(|| self.invocations as f64 * 1000.0 / self.transactions as f64)
    }

    /// The average share of the price that invoking customers chose to pay (0 to 1).
    pub fn average_share_paid(&self) -> Option<f64> {
        (self.shares > 0).then(|| self.share_sum_permille as f64 / self.shares as f64 / 1000.0)
    }
}

/// A customer who invoked the guarantee more than once in the period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RepeatInvoker {
    pub customer: i64,
    pub invocations: i64,
    pub last_invoked_at: Timestamp,
}

/// How quickly the president acted on invocations.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PresidentResponse {
    pub acted: usize,
    pub waiting: usize,
    pub median_seconds: Option<i64>,
    pub slowest_seconds: Option<i64>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Report {
    pub total: Figures,
    /// Rows by group key, in key order (`None`, the "no team" row, first).
    pub rows: BTreeMap<GroupKey, Figures>,
    pub repeat_invokers: Vec<RepeatInvoker>,
    pub president: PresidentResponse,
}

/// The report over `entries`, with `transactions` counted per group by the same dimension.
pub fn summarize(
    entries: &[LedgerEntry],
    transactions: &[(GroupKey, i64)],
    by: Dimension,
    zone: &TimeZone,
) -> Report {
    let mut report = Report::default();
    for (key, count) in transactions {
        report.rows.entry(key.clone()).or_default().transactions += count;
        report.total.transactions += count;
    }
    let mut per_customer: BTreeMap<i64, RepeatInvoker> = BTreeMap::new();
    let mut waits = Vec::new();
    for entry in entries {
        report.total.add(entry);
        report
            .rows
            .entry(entry.key(by, zone))
            .or_default()
            .add(entry);
        let invoker = per_customer.entry(entry.customer).or_insert(RepeatInvoker {
            customer: entry.customer,
            invocations: 0,
            last_invoked_at: entry.invoked_at,
        });
        invoker.invocations += 1;
        invoker.last_invoked_at = invoker.last_invoked_at.max(entry.invoked_at);
        match entry.president_acted_at {
            Some(at) => waits.push((at - entry.invoked_at).get_seconds().max(0)),
            None => report.president.waiting += 1,
        }
    }
    report.repeat_invokers = per_customer
        .into_values()
        .filter(|i| i.invocations > 1)
        .collect();
    report.repeat_invokers.sort_by(|a, b| {
        b.invocations
            .cmp(&a.invocations)
            .then(b.last_invoked_at.cmp(&a.last_invoked_at))
    });
    waits.sort_unstable();
    report.president.acted = waits.len();
    report.president.median_seconds = median(&waits);
    report.president.slowest_seconds = waits.last().copied();
    report
}

fn median(sorted: &[i64]) -> Option<i64> {
    match sorted.len() {
        0 => None,
        n if n % 2 == 1 => Some(sorted[n / 2]),
        n => Some((sorted[n / 2 - 1] + sorted[n / 2]) / 2),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> Timestamp {
        text.parse().unwrap_or_else(|_| unreachable!())
    }

    fn entry(id: i64, customer: i64, team: Option<i64>, paid: i64, invoked: &str) -> LedgerEntry {
        LedgerEntry {
            claim_id: id,
            customer,
            team,
            touchpoint: 1,
            staff: None,
            currency: Currency::parse("EUR").unwrap_or_else(|_| unreachable!()),
            invoiced_minor: 10_000,
            paid_minor: paid,
            invoked_at: at(invoked),
            president_acted_at: None,
        }
    }

    #[test]
    fn rates_credits_and_shares_are_computed_per_group() {
        let mut first = entry(1, 7, Some(3), 2_500, "2026-11-02T10:00:00Z");
        first.president_acted_at = Some(at("2026-11-02T10:20:00Z"));
        let mut second = entry(2, 7, Some(3), 0, "2026-11-20T10:00:00Z");
        second.president_acted_at = Some(at("2026-11-20T11:00:00Z"));
        let third = entry(3, 8, None, 10_000, "2026-12-01T09:00:00Z");
        let transactions = [(Some("3".to_owned()), 400), (None, 600)];
        let report = summarize(
            &[first, second, third],
            &transactions,
            Dimension::Team,
            &TimeZone::UTC,
        );
        assert_eq!(report.total.invocations, 3);
        assert_eq!(report.total.rate_per_thousand(), Some(3.0));
        let team = &report.rows[&Some("3".to_owned())];
        assert_eq!(team.rate_per_thousand(), Some(5.0));
        assert_eq!(team.money["EUR"].credit_minor, 17_500);
        assert_eq!(team.average_share_paid(), Some(0.125));
        assert_eq!(report.rows[&None].invocations, 1);
        assert_eq!(report.repeat_invokers.len(), 1);
        assert_eq!(report.repeat_invokers[0].customer, 7);
        assert_eq!(report.president.acted, 2);
        assert_eq!(report.president.waiting, 1);
        assert_eq!(report.president.median_seconds, Some(2_400));
        assert_eq!(report.president.slowest_seconds, Some(3_600));
    }

    #[test]
    fn months_are_taken_in_the_organization_time_zone() {
        let late = entry(1, 1, None, 0, "2026-11-30T23:30:00Z");
        let paris = TimeZone::get("Europe/Paris").unwrap_or(TimeZone::UTC);
        assert_eq!(
            late.key(Dimension::Month, &paris),
            Some("2026-12".to_owned())
        );
        assert_eq!(
            late.key(Dimension::Month, &TimeZone::UTC),
            Some("2026-11".to_owned())
        );
    }
}
