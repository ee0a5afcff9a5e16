//! The Perfect Improvement pages of the console: key driver analysis (`/drivers`), the ranked
//! improvement backlog with its what-if (`/improvements`), revenue at risk
//! (`/revenue-at-risk`), the fee-change what-if (`/fee-change`) and their settings
//! (`/settings/improvement`). The figures come from `crate::improvement`; these modules only
//! ask for them and write them out.
//!
//! Who sees what follows the console's access model (see [`Role::can_oversee`] and the
//! guarantee pages):
//! - **Drivers**: everyone; members and managers for their own teams (their first team is
//!   chosen for them), the president and administrators for the whole organization.
//! - **Revenue at risk and the fee change**: money, so managers and up. The president and
//!   administrators see every customer; a manager sees the customers of their teams, as with
//!   guarantees. Members see neither.
//! - **Improvements**: the backlog rests on the whole organization's driver analysis, every
//!   customer's revenue and every open problem, and cannot be cut to a team without redoing
//!   it, so it is for the president and administrators, who may see company-wide figures.
//! - **Settings**: administrators.

mod backlog;
mod drivers;
mod fee;
mod revenue;
mod settings;

use super::{PageError, PageResult, Staff, error_page};
use crate::dashboard::query::Refused;
use crate::improvement::value::Book;
use crate::state::AppState;
use axum::Router;
use axum::http::StatusCode;
use domain::{Role, TeamId, ValidationError};

pub fn router() -> Router<AppState> {
    Router::new()
        .merge(drivers::router())
        .merge(backlog::router())
        .merge(revenue::router())
        .merge(fee::router())
        .merge(settings::router())
}

/// An amount in minor units written for people, with thousands separators and the currency:
/// `12,400.00 EUR`.
fn money(minor: i64, exponent: u32, currency: Option<&str>) -> String {
    let plain = domain::money::format_minor(minor, exponent);
    let (sign, unsigned) = match plain.strip_prefix('-') {
        Some(rest) => ("−", rest),
        None => ("", plain.as_str()),
    };
    let (whole, fraction) = match unsigned.split_once('.') {
        Some((whole, fraction)) => (whole, Some(fraction)),
        None => (unsigned, None),
    };
    let mut grouped = String::with_capacity(whole.len() + whole.len() / 3);
    for (index, digit) in whole.chars().enumerate() {
        if index > 0 && (whole.len() - index) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    let fraction = fraction.map_or(String::new(), |f| format!(".{f}"));
    let currency = currency.map_or(String::new(), |c| format!(" {c}"));
    format!("{sign}{grouped}{fraction}{currency}")
}

/// A share (0–1) as a percentage: `42%`; a dash when it is not a number.
fn percent(share: f64, decimals: usize) -> String {
    if share.is_finite() {
        format!("{:.*}%", decimals, share * 100.0)
    } else {
        "—".to_owned()
    }
}

/// A validation error as a sentence: `increase: must be a percentage such as 5 or 2.5.`
fn readable(error: &ValidationError) -> String {
    format!("{}: {}.", error.field.replace('_', " "), error.message)
}

/// A refusal of the improvement logic as a page: a readable 403 for figures that are not the
/// caller's, a 422 for a bad request, the store's error otherwise.
fn refusal(refused: Refused) -> PageResult {
    match refused {
        Refused::Forbidden(message) => Ok(error_page(
            StatusCode::FORBIDDEN,
            "Not allowed",
            &capitalized(&message),
        )),
        Refused::Invalid(error) => Ok(error_page(
            StatusCode::UNPROCESSABLE_ENTITY,
            "The request could not be read",
            &readable(&error),
        )),
        Refused::Store(error) => Err(error.into()),
    }
}

fn capitalized(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => format!("{}{}.", first.to_uppercase(), chars.as_str()),
        None => String::new(),
    }
}

/// Whose customers a money page covers: everyone (`None`) for the president and
/// administrators, a manager's teams' customers, nothing for members.
fn money_scope(staff: &Staff) -> Result<Option<Vec<TeamId>>, PageError> {
    match staff.user.role {
        role if role.can_oversee() => Ok(None),
        Role::Manager => Ok(Some(staff.user.teams.iter().map(|t| t.id).collect())),
        _ => Err(PageError::Forbidden),
    }
}

/// Keeps only the customers of `teams` (by their client team) in the book.
fn restrict(book: &mut Book, teams: &Option<Vec<TeamId>>) {
    if let Some(teams) = teams {
        book.customers
            .retain(|c| c.team.is_some_and(|team| teams.iter().any(|t| t.0 == team)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_is_grouped_and_signed() {
        assert_eq!(money(1_240_000, 2, Some("EUR")), "12,400.00 EUR");
        assert_eq!(money(-5, 2, None), "−0.05");
        assert_eq!(money(1_000, 0, Some("JPY")), "1,000 JPY");
        assert_eq!(money(999, 2, None), "9.99");
    }

    #[test]
    fn shares_are_percentages() {
        assert_eq!(percent(0.4217, 0), "42%");
        assert_eq!(percent(0.05, 1), "5.0%");
        assert_eq!(percent(f64::NAN, 0), "—");
    }
}
