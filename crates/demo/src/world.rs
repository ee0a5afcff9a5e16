//! The demo world as plain data: what `plan` produces and `load` writes. No I/O, no validation;
//! later generators (responses, cases, guarantee claims, events) read it to stay consistent.

use domain::Role;
use domain::access::TeamKind;
use jiff::Timestamp;
use jiff::civil::Date;

/// Everything the demo organization holds, in the order it is written to the store.
/// Cross-references are indices into the vectors of the same world.
#[derive(Debug, Clone, PartialEq)]
pub struct DemoWorld {
    pub organization: OrganizationPlan,
    /// The period the transactions cover: `start` up to (not including) `end`, which is `now`.
    pub window: Window,
    pub teams: Vec<TeamPlan>,
    pub staff: Vec<StaffPlan>,
    pub touchpoints: Vec<TouchpointPlan>,
    pub customers: Vec<CustomerPlan>,
    /// Sorted by `occurred_at`; external ids follow that order.
    pub transactions: Vec<TransactionPlan>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct OrganizationPlan {
    pub name: String,
    pub time_zone: String,
    /// The e-mail domain of the staff, e.g. `northwind.example`.
    pub email_domain: String,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Window {
    pub start: Timestamp,
    pub end: Timestamp,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TeamPlan {
    pub key: String,
    pub name: String,
    pub kind: TeamKind,
    pub description: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct StaffPlan {
    /// `S-1`, `S-2`, …: what other systems call this person.
    pub external_id: String,
    pub name: String,
    pub email: String,
    pub role: Role,
    /// Indices into [`DemoWorld::teams`]; never empty.
    pub teams: Vec<usize>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TouchpointPlan {
    pub key: String,
    pub name: String,
    pub description: String,
    /// Index into [`DemoWorld::teams`] of the owning team.
    pub team: usize,
}

/// The size of a customer, which drives its value, its owning team and how often it is served.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Segment {
    Enterprise,
    MidMarket,
    SmallBusiness,
}

impl Segment {
    pub const ALL: [Segment; 3] = [
        Segment::Enterprise,
        Segment::MidMarket,
        Segment::SmallBusiness,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Segment::Enterprise => "enterprise",
            Segment::MidMarket => "mid-market",
            Segment::SmallBusiness => "small-business",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct CustomerPlan {
    /// `C-0001`, `C-0002`, …
    pub external_id: String,
    pub name: String,
    pub email: String,
    pub phone: String,
    /// A BCP 47 tag such as `fr-FR`.
    pub locale: String,
    pub segment: Segment,
    /// Yearly contract value in euro cents.
    pub annual_value_minor: i64,
    /// Index into [`DemoWorld::teams`] of the owning client team.
    pub team: usize,
    /// Index into [`DemoWorld::staff`] of the usual contact in the owning team.
    pub contact: usize,
    /// The day the customer signed; inside the window for new customers.
    pub since: Date,
    /// When the customer left; `None` while still active.
    pub lost_at: Option<Timestamp>,
}

impl CustomerPlan {
    pub fn is_lost(&self) -> bool {
        self.lost_at.is_some()
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct TransactionPlan {
    /// `T-000001`, … in chronological order.
    pub external_id: String,
    /// Index into [`DemoWorld::customers`].
    pub customer: usize,
    /// Index into [`DemoWorld::touchpoints`].
    pub touchpoint: usize,
    /// Index into [`DemoWorld::staff`]; `None` for automated contacts such as invoices.
    pub staff: Option<usize>,
    pub occurred_at: Timestamp,
    /// In euro cents; `None` where nothing is charged (support, reviews).
    pub amount_minor: Option<i64>,
    pub attributes: serde_json::Map<String, serde_json::Value>,
}

impl DemoWorld {
    /// The team performing a transaction: the owner of its touchpoint.
    pub fn transaction_team(&self, transaction: &TransactionPlan) -> &TeamPlan {
        &self.teams[self.touchpoints[transaction.touchpoint].team]
    }

    /// The administrator, who is the one to log in first.
    pub fn admin(&self) -> Option<&StaffPlan> {
        self.staff.iter().find(|s| s.role == Role::Admin)
    }

    pub fn president(&self) -> Option<&StaffPlan> {
        self.staff.iter().find(|s| s.role == Role::President)
    }

    /// Indices of the staff in a team.
    pub fn team_staff(&self, team: usize) -> impl Iterator<Item = usize> + '_ {
        self.staff
            .iter()
            .enumerate()
            .filter(move |(_, s)| s.teams.contains(&team))
            .map(|(i, _)| i)
    }
}
