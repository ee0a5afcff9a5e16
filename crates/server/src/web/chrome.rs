//! The frame around every console page: navigation by role, the logged-in user, the CSRF
//! token for the logout form and the organization's time zone.

use super::session::Staff;
use domain::Role;

/// One entry of the navigation.
pub struct NavItem {
    pub href: &'static str,
    pub label: &'static str,
    pub active: bool,
}

pub struct ChromeUser {
    pub name: String,
    pub role: &'static str,
}

/// What `base.html` needs.
pub struct Chrome {
    pub user: Option<ChromeUser>,
    pub nav: Vec<NavItem>,
    pub csrf: String,
    pub time_zone: String,
    /// Unread notifications, shown as a badge on the inbox link.
    pub unread: i64,
}

/// A console section: its path, its label in the navigation, and who may see it.
type Section = (&'static str, &'static str, fn(Role) -> bool);

/// The sections of the console, in navigation order. Later features add their sections here.
const SECTIONS: &[Section] = &[
    ("/", "Overview", |_| true),
    ("/dashboard", "Dashboard", |_| true),
    ("/customers", "Customers", |_| true),
    ("/transactions", "Transactions", |_| true),
    ("/responses", "Responses", |_| true),
    ("/cases", "Cases", |_| true),
    ("/problems", "Problems", |_| true),
    ("/guarantees", "Guarantees", |role| role != Role::Member),
    // Drivers for everyone (members and managers see their teams'); the backlog rests on
    // company-wide figures, so it is for those who may oversee; revenue at risk is money, so
    // managers and up, as guarantees (the fee change is reached from it).
    ("/drivers", "Drivers", |_| true),
    ("/improvements", "Improvements", Role::can_oversee),
    ("/revenue-at-risk", "Revenue at risk", |role| {
        role != Role::Member
    }),
    ("/alerts", "Alerts", |_| true),
    ("/accountability", "Accountability", |_| true),
    ("/standards", "Standards", |_| true),
    ("/early-warning", "Early warning", |_| true),
    ("/surveys", "Surveys", |_| true),
    ("/teams", "Teams", |_| true),
    ("/touchpoints", "Touchpoints", |_| true),
    ("/users", "Staff", Role::can_administer),
    ("/api-keys", "API keys", Role::can_administer),
    ("/audit-log", "Audit log", Role::can_oversee),
    ("/settings", "Settings", Role::can_administer),
];

impl Chrome {
    pub fn anonymous() -> Self {
        Self {
            user: None,
            nav: Vec::new(),
            csrf: String::new(),
            time_zone: "UTC".into(),
            unread: 0,
        }
    }

    /// The frame for `staff`, with `current` (a section's href) highlighted.
    pub fn for_staff(staff: &Staff, current: &str, time_zone: &str) -> Self {
        let role = staff.user.role;
        let nav = SECTIONS
            .iter()
            .filter(|(_, _, visible)| visible(role))
            .map(|(href, label, _)| NavItem {
                href,
                label,
                active: *href == current,
            })
            .collect();
        Self {
            user: Some(ChromeUser {
                name: staff.user.name.clone(),
                role: role.as_str(),
            }),
            nav,
            csrf: staff.csrf_token.clone(),
            time_zone: time_zone.to_owned(),
            unread: staff.unread,
        }
    }
}
