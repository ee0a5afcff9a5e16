//! The fixed shape of the demo organization: its teams, the roles of its staff, and its
//! touchpoints with how often they happen, when, and what they cost. Names and figures vary
//! with the seed; this shape does not.

use domain::Role;
use domain::access::TeamKind;

pub const ORGANIZATION_NAME: &str = "Northwind Facility Services";
pub const TIME_ZONE: &str = "Europe/Paris";
pub const EMAIL_DOMAIN: &str = "northwind.example";

pub struct TeamSpec {
    pub key: &'static str,
    pub name: &'static str,
    pub kind: TeamKind,
    pub description: &'static str,
}

pub const TEAMS: &[TeamSpec] = &[
    TeamSpec {
        key: "care",
        name: "Customer Care",
        kind: TeamKind::Client,
        description: "Answers calls, e-mails and chats; owns small-business customers.",
    },
    TeamSpec {
        key: "field-service",
        name: "Field Service",
        kind: TeamKind::Client,
        description: "Technicians who visit, install and maintain on site; owns mid-market sites.",
    },
    TeamSpec {
        key: "accounts",
        name: "Account Management",
        kind: TeamKind::Client,
        description: "Onboards new customers and reviews large accounts every quarter.",
    },
    TeamSpec {
        key: "logistics",
        name: "Logistics",
        kind: TeamKind::Operations,
        description: "Delivers supplies and consumables to customer sites.",
    },
    TeamSpec {
        key: "billing-ops",
        name: "Billing Operations",
        kind: TeamKind::Operations,
        description: "Issues monthly invoices and resolves billing errors.",
    },
    TeamSpec {
        key: "first-time-fix",
        name: "First-Time Fix",
        kind: TeamKind::KeySuccess,
        description: "Cross-functional team making every repair right on the first visit.",
    },
    TeamSpec {
        key: "leadership",
        name: "Leadership",
        kind: TeamKind::Leadership,
        description: "The president and the administrator.",
    },
];

/// Role and team keys of each staff member, in external-id order (`S-1` first).
pub const STAFF: &[(Role, &[&str])] = &[
    (Role::Admin, &["leadership"]),
    (Role::President, &["leadership"]),
    (Role::Manager, &["care"]),
    (Role::Manager, &["field-service", "first-time-fix"]),
    (Role::Manager, &["accounts"]),
    (Role::Manager, &["logistics"]),
    (Role::Manager, &["billing-ops"]),
    (Role::Member, &["care"]),
    (Role::Member, &["care"]),
    (Role::Member, &["care"]),
    (Role::Member, &["care"]),
    (Role::Member, &["field-service", "first-time-fix"]),
    (Role::Member, &["field-service"]),
    (Role::Member, &["field-service"]),
    (Role::Member, &["accounts"]),
    (Role::Member, &["accounts"]),
    (Role::Member, &["logistics", "first-time-fix"]),
    (Role::Member, &["logistics"]),
    (Role::Member, &["billing-ops"]),
    (Role::Member, &["first-time-fix"]),
];

/// When in the day and week a kind of contact happens (in the organization's time zone).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rhythm {
    /// Phone lines and meetings: office hours, almost never at weekends.
    Office,
    /// Chat and e-mail: from early morning to late evening, weekends too.
    Digital,
    /// Technicians and drivers: early starts, some Saturdays, no Sundays.
    Field,
    /// Automated runs, such as the monthly invoice batch before dawn.
    Batch,
}

/// What a contact costs the customer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pricing {
    Free,
    /// Euros between the bounds, most contacts near the lower one.
    Range {
        min: i64,
        max: i64,
    },
    /// A twelfth of the customer's annual value, give or take 15%.
    Monthly,
    /// A one-off fee that grows with the customer's segment.
    SetupFee,
}

/// What other systems attach to a contact, which later features read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Details {
    Call,
    Ticket,
    Chat,
    WorkOrder,
    Delivery,
    Invoice,
    Kickoff,
    Review,
}

pub struct TouchpointSpec {
    pub key: &'static str,
    pub name: &'static str,
    pub description: &'static str,
    pub team: &'static str,
    /// Relative frequency among everyday contacts; 0 for those generated on a schedule.
    pub weight: u32,
    pub rhythm: Rhythm,
    pub pricing: Pricing,
    pub details: Details,
}

pub const PHONE_SUPPORT: usize = 0;
pub const INSTALLATION: usize = 5;
pub const INVOICING: usize = 7;
pub const ONBOARDING: usize = 8;
pub const ACCOUNT_REVIEW: usize = 9;

pub const TOUCHPOINTS: &[TouchpointSpec] = &[
    TouchpointSpec {
        key: "phone-support",
        name: "Phone support",
        description: "A customer calls the support line.",
        team: "care",
        weight: 26,
        rhythm: Rhythm::Office,
        pricing: Pricing::Free,
        details: Details::Call,
    },
    TouchpointSpec {
        key: "email-support",
        name: "E-mail support",
        description: "A customer writes to the support address.",
        team: "care",
        weight: 12,
        rhythm: Rhythm::Digital,
        pricing: Pricing::Free,
        details: Details::Ticket,
    },
    TouchpointSpec {
        key: "web-chat",
        name: "Web chat",
        description: "A chat started from the customer portal.",
        team: "care",
        weight: 9,
        rhythm: Rhythm::Digital,
        pricing: Pricing::Free,
        details: Details::Chat,
    },
    TouchpointSpec {
        key: "on-site-visit",
        name: "On-site visit",
        description: "A technician visits to inspect, repair or quote.",
        team: "field-service",
        weight: 12,
        rhythm: Rhythm::Field,
        pricing: Pricing::Range { min: 90, max: 450 },
        details: Details::WorkOrder,
    },
    TouchpointSpec {
        key: "maintenance-visit",
        name: "Maintenance visit",
        description: "A scheduled preventive maintenance visit under contract.",
        team: "field-service",
        weight: 15,
        rhythm: Rhythm::Field,
        pricing: Pricing::Range { min: 60, max: 280 },
        details: Details::WorkOrder,
    },
    TouchpointSpec {
        key: "installation",
        name: "Installation",
        description: "New equipment installed on the customer's site.",
        team: "field-service",
        weight: 2,
        rhythm: Rhythm::Field,
        pricing: Pricing::Range {
            min: 900,
            max: 9_000,
        },
        details: Details::WorkOrder,
    },
    TouchpointSpec {
        key: "delivery",
        name: "Delivery",
        description: "Supplies and consumables delivered to the site.",
        team: "logistics",
        weight: 20,
        rhythm: Rhythm::Field,
        pricing: Pricing::Range { min: 25, max: 350 },
        details: Details::Delivery,
    },
    TouchpointSpec {
        key: "invoicing",
        name: "Invoicing",
        description: "The monthly invoice.",
        team: "billing-ops",
        weight: 0,
        rhythm: Rhythm::Batch,
        pricing: Pricing::Monthly,
        details: Details::Invoice,
    },
    TouchpointSpec {
        key: "onboarding",
        name: "Onboarding",
        description: "The kick-off meeting with a new customer.",
        team: "accounts",
        weight: 0,
        rhythm: Rhythm::Office,
        pricing: Pricing::SetupFee,
        details: Details::Kickoff,
    },
    TouchpointSpec {
        key: "account-review",
        name: "Account review",
        description: "A quarterly review of service and plans with a large customer.",
        team: "accounts",
        weight: 0,
        rhythm: Rhythm::Office,
        pricing: Pricing::Free,
        details: Details::Review,
    },
];

/// Index of a team in [`TEAMS`]; the catalog only names teams it defines.
pub fn team_index(key: &str) -> usize {
    TEAMS.iter().position(|t| t.key == key).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_catalog_only_refers_to_teams_it_defines() {
        let known = |key: &str| TEAMS.iter().any(|t| t.key == key);
        assert!(STAFF.iter().flat_map(|(_, teams)| *teams).all(|k| known(k)));
        assert!(TOUCHPOINTS.iter().all(|t| known(t.team)));
        let named = [
            (PHONE_SUPPORT, "phone-support"),
            (INSTALLATION, "installation"),
            (INVOICING, "invoicing"),
            (ONBOARDING, "onboarding"),
            (ACCOUNT_REVIEW, "account-review"),
        ];
        assert!(named.iter().all(|(i, key)| TOUCHPOINTS[*i].key == *key));
    }

    #[test]
    fn every_kind_of_team_exists() {
        assert!(
            TeamKind::ALL
                .iter()
                .all(|k| TEAMS.iter().any(|t| t.kind == *k))
        );
    }
}
