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
    /// One survey per touchpoint, attached only after the transactions are written.
    pub surveys: Vec<SurveyPlan>,
    /// At most one per transaction, sorted by `responded_at`.
    pub responses: Vec<ResponsePlan>,
    /// Where the problems hidden in the responses are (see the crate documentation).
    pub hidden: HiddenProblems,
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Segment {
    Enterprise,
    #[default]
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

/// A rated attribute of the service, 1 to 5. Its question key is the same in every survey, so
/// that ratings compare across touchpoints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Attribute {
    Timeliness,
    Courtesy,
    Accuracy,
    Communication,
    QualityOfWork,
    Price,
}

impl Attribute {
    pub const ALL: [Attribute; 6] = [
        Attribute::Timeliness,
        Attribute::Courtesy,
        Attribute::Accuracy,
        Attribute::Communication,
        Attribute::QualityOfWork,
        Attribute::Price,
    ];

    /// The question key, e.g. `quality_of_work`.
    pub fn key(self) -> &'static str {
        match self {
            Attribute::Timeliness => "timeliness",
            Attribute::Courtesy => "courtesy",
            Attribute::Accuracy => "accuracy",
            Attribute::Communication => "communication",
            Attribute::QualityOfWork => "quality_of_work",
            Attribute::Price => "price",
        }
    }

    /// The attribute's name in the survey, e.g. "Quality of work".
    pub fn label(self) -> &'static str {
        match self {
            Attribute::Timeliness => "Timeliness",
            Attribute::Courtesy => "Courtesy",
            Attribute::Accuracy => "Accuracy",
            Attribute::Communication => "Communication",
            Attribute::QualityOfWork => "Quality of work",
            Attribute::Price => "Price",
        }
    }

    /// Position in [`Attribute::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct SurveyPlan {
    pub key: String,
    pub name: String,
    pub description: String,
    pub questions: Vec<domain::survey::Question>,
    /// Indices into [`DemoWorld::touchpoints`] of the touchpoints it is attached to.
    pub touchpoints: Vec<usize>,
}

/// How a response was gathered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Source {
    /// The customer answered the survey sent after the contact.
    Survey,
    /// A follow-up call by the care team.
    PhoneInterview,
    /// The tablet the technician or driver hands over on site.
    Kiosk,
    /// A session with several people of a large customer.
    FocusGroup,
    /// Noted by the account manager in a customer briefing.
    Briefing,
}

impl Source {
    pub const ALL: [Source; 5] = [
        Source::Survey,
        Source::PhoneInterview,
        Source::Kiosk,
        Source::FocusGroup,
        Source::Briefing,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Source::Survey => "survey",
            Source::PhoneInterview => "phone_interview",
            Source::Kiosk => "kiosk",
            Source::FocusGroup => "focus_group",
            Source::Briefing => "briefing",
        }
    }
}

/// The tone a comment was written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Tone {
    Positive,
    /// Praise, then "but" and a complaint.
    Mixed,
    Negative,
}

#[derive(Debug, Clone, PartialEq)]
pub struct CommentPlan {
    pub text: String,
    /// The language it is written in: `en`, `fr` or `de`.
    pub language: &'static str,
    pub tone: Tone,
    /// Index into [`DemoWorld::staff`] of the person named in it, if any.
    pub names: Option<usize>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ResponsePlan {
    /// Index into [`DemoWorld::transactions`].
    pub transaction: usize,
    /// Index into [`DemoWorld::surveys`]: the survey of the transaction's touchpoint.
    pub survey: usize,
    pub source: Source,
    pub responded_at: Timestamp,
    /// 1 to 5; always answered.
    pub csat: i64,
    /// 0 to 10.
    pub nps: Option<i64>,
    /// 1 (very easy) to 7 (very difficult); support touchpoints only.
    pub ces: Option<i64>,
    /// 1 to 5, for the attributes the survey asks about (some are skipped).
    pub ratings: Vec<(Attribute, i64)>,
    /// "Yes", "Partly" or "No"; support touchpoints only.
    pub resolved: Option<&'static str>,
    pub comment: Option<CommentPlan>,
    pub contact_consent: bool,
}

impl ResponsePlan {
    pub fn rating(&self, attribute: Attribute) -> Option<i64> {
        self.ratings
            .iter()
            .find(|(a, _)| *a == attribute)
            .map(|(_, r)| *r)
    }

    /// The answers as the API takes them: question key → value.
    pub fn answers(&self) -> serde_json::Map<String, serde_json::Value> {
        use serde_json::Value;
        let mut answers = serde_json::Map::new();
        answers.insert("csat".into(), Value::from(self.csat));
        if let Some(nps) = self.nps {
            answers.insert("nps".into(), Value::from(nps));
        }
        if let Some(ces) = self.ces {
            answers.insert("ces".into(), Value::from(ces));
        }
        for (attribute, rating) in &self.ratings {
            answers.insert(attribute.key().into(), Value::from(*rating));
        }
        if let Some(resolved) = self.resolved {
            answers.insert("resolved".into(), Value::from(resolved));
        }
        if let Some(comment) = &self.comment {
            answers.insert("comment".into(), Value::from(comment.text.clone()));
        }
        answers.insert("contact".into(), Value::from(self.contact_consent));
        answers
    }
}

/// The problems hidden in the responses, for later features (trends, alerts, key drivers,
/// recognition) to find. See the crate documentation for their sizes.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct HiddenProblems {
    /// Index into [`DemoWorld::teams`] of the client team whose timeliness and CSAT slide.
    pub sliding_team: usize,
    /// Transactions from this moment on are rated gradually worse, down to the full drop at
    /// `now`.
    pub slide_start: Timestamp,
    /// Index into [`DemoWorld::touchpoints`] of the touchpoint with frequent waiting-time
    /// complaints.
    pub waiting_touchpoint: usize,
    /// Index into [`DemoWorld::staff`] of the person praised by name again and again.
    pub praised_staff: usize,
    /// The customer segment noticeably less satisfied than the others.
    pub unhappy_segment: Segment,
    /// Invoices were often wrong until this moment, when the billing problem was fixed:
    /// invoicing's accuracy ratings are lower before it.
    pub billing_fixed_at: Timestamp,
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
