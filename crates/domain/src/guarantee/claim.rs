//! What the customer says the service was worth, checked against the invoice: an exact amount
//! in the invoice's currency from zero up to the invoiced amount. The credit is the rest.

use crate::money::format_minor;
use crate::{Currency, Money, ValidationError};

pub const MAX_REASON_CHARS: usize = 2000;
/// Longer input is not an amount anyone typed; it is refused before it is looked at.
const MAX_AMOUNT_CHARS: usize = 40;

/// The customer's answer as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClaimRequest {
    /// What they think it was worth, such as `80` or `80.50`, optionally followed by the
    /// currency code (`80.50 EUR`).
    pub worth: String,
    /// The currency they meant, when the form or API call says it.
    pub currency: Option<String>,
    pub reason: String,
}

/// The guarantee honoured: what the customer pays and the credit they get.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settlement {
    pub invoiced: Money,
    pub paid: Money,
    pub credit: Money,
    pub reason: Option<String>,
}

impl Settlement {
    /// Checks the answer against the invoiced amount; the message says exactly what to change.
    pub fn decide(invoiced: Money, request: &ClaimRequest) -> Result<Self, ValidationError> {
        let currency = invoiced.currency;
        let range = || {
            format!(
                "from 0 to {}",
                Money {
                    minor: invoiced.minor,
                    currency
                }
                .display()
            )
        };
        let mut worth = request.worth.trim();
        if worth.chars().count() > MAX_AMOUNT_CHARS {
            return Err(ValidationError::new(
                "worth",
                format!("is not an amount: enter one {}", range()),
            ));
        }
        if let Some((amount, code)) = worth.rsplit_once(' ')
            && code.len() == 3
            && code.bytes().all(|b| b.is_ascii_alphabetic())
        {
            check_currency(code, currency)?;
            worth = amount.trim();
        }
        if let Some(code) = &request.currency {
            check_currency(code, currency)?;
        }
        if worth.is_empty() {
            return Err(ValidationError::new(
                "worth",
                format!("please say what you think it was worth, {}", range()),
            ));
        }
        if worth.starts_with('-') {
            return Err(ValidationError::new(
                "worth",
                format!("cannot be negative: enter an amount {}", range()),
            ));
        }
        if worth.contains(',') {
            return Err(ValidationError::new(
                "worth",
                "use a point for decimals (80.50) and no thousands separators",
            ));
        }
        let exponent = currency.exponent();
        if let Some((_, decimals)) = worth.split_once('.')
            && decimals.len() > exponent as usize
            && decimals.bytes().all(|b| b.is_ascii_digit())
        {
            return Err(ValidationError::new(
                "worth",
                match exponent {
                    0 => format!("{} amounts have no decimals", currency.as_str()),
                    n => format!("{} amounts have at most {n} decimals", currency.as_str()),
                },
            ));
        }
        let paid = Money::parse_decimal("worth", worth, currency).map_err(|error| {
            if error.message.contains("too large") {
                ValidationError::new("worth", format!("must be {}", range()))
            } else {
                ValidationError::new("worth", format!("is not an amount: enter one {}", range()))
            }
        })?;
        if paid.minor > invoiced.minor {
            return Err(ValidationError::new(
                "worth",
                format!(
                    "cannot be more than the invoiced {}: enter an amount {}",
                    invoiced.display(),
                    range()
                ),
            ));
        }
        let reason = request.reason.trim();
        if reason.chars().count() > MAX_REASON_CHARS {
            return Err(ValidationError::new(
                "reason",
                format!("please keep it under {MAX_REASON_CHARS} characters"),
            ));
        }
        let credit = Money {
            minor: invoiced.minor - paid.minor,
            currency,
        };
        Ok(Self {
            invoiced,
            paid,
            credit,
            reason: Some(reason.to_owned()).filter(|r| !r.is_empty()),
        })
    }

    /// The share of the price the customer chose to pay, in thousandths (exact, rounded down).
    pub fn share_paid_permille(&self) -> Option<i64> {
        share_permille(self.paid.minor, self.invoiced.minor)
    }
}

/// `part / whole` in thousandths, with integer arithmetic; `None` for a zero invoice.
pub fn share_permille(part: i64, whole: i64) -> Option<i64> {
    if whole <= 0 {
        return None;
    }
    i64::try_from(i128::from(part) * 1000 / i128::from(whole)).ok()
}

fn check_currency(code: &str, currency: Currency) -> Result<(), ValidationError> {
    let code = code.trim();
    if code.eq_ignore_ascii_case(currency.as_str()) {
        return Ok(());
    }
    Err(ValidationError::new(
        "currency",
        format!(
            "must be {}, the currency of the invoice ({} was given)",
            currency.as_str(),
            code.chars().take(10).collect::<String>()
        ),
    ))
}

/// An amount in minor units written for people, such as `80.50`.
pub fn format_amount(minor: i64, currency: Currency) -> String {
    format_minor(minor, currency.exponent())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn invoice(minor: i64, currency: &str) -> Money {
        let currency = Currency::parse(currency).unwrap_or_else(|_| unreachable!());
        Money { minor, currency }
    }

    fn decide(worth: &str) -> Result<Settlement, ValidationError> {
        let request = ClaimRequest {
            worth: worth.into(),
            ..ClaimRequest::default()
        };
        Settlement::decide(invoice(12_000, "EUR"), &request)
    }

    #[test]
    fn the_customer_pays_what_they_say_and_the_rest_is_credited() {
        let settled = decide("80.50").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((settled.paid.minor, settled.credit.minor), (8050, 3950));
        assert_eq!(settled.share_paid_permille(), Some(670));
        assert_eq!(decide("0").map(|s| s.credit.minor), Ok(12_000));
        assert_eq!(decide("120").map(|s| s.credit.minor), Ok(0));
        assert_eq!(decide(" 120.00 EUR ").map(|s| s.paid.minor), Ok(12_000));
        // Floats would make 0.29 of a euro 28 cents.
        assert_eq!(decide("0.29").map(|s| s.paid.minor), Ok(29));
    }

    #[test]
    fn amounts_outside_the_invoice_are_refused_with_the_range() {
        for (worth, says) in [
            ("", "please say"),
            ("-1", "cannot be negative"),
            ("120.01", "more than the invoiced 120.00 EUR"),
            ("99999999999999999999999", "from 0 to 120.00 EUR"),
            (&"9".repeat(200), "not an amount"),
            ("eighty", "not an amount"),
            ("80.505", "at most 2 decimals"),
            ("1,000", "point for decimals"),
            ("1e2", "not an amount"),
            ("NaN", "not an amount"),
        ] {
            let error = decide(worth)
                .err()
                .unwrap_or_else(|| panic!("{worth:?} accepted"));
            assert!(error.message.contains(says), "{worth:?}: {}", error.message);
        }
    }

    #[test]
    fn another_currency_is_refused() {
        let error = decide("80 USD").err().map(|e| (e.field, e.message));
        assert!(matches!(error, Some(("currency", m)) if m.contains("must be EUR")));
        let request = ClaimRequest {
            worth: "80".into(),
            currency: Some("GBP".into()),
            reason: String::new(),
        };
        let error = Settlement::decide(invoice(12_000, "EUR"), &request).err();
        assert_eq!(error.map(|e| e.field), Some("currency"));
    }

    #[test]
    fn currencies_without_minor_units_take_no_decimals() {
        let request = |worth: &str| ClaimRequest {
            worth: worth.into(),
            ..ClaimRequest::default()
        };
        let yen = invoice(5000, "JPY");
        assert_eq!(
            Settlement::decide(yen, &request("2500")).map(|s| s.credit.minor),
            Ok(2500)
        );
        let error = Settlement::decide(yen, &request("2500.5")).err();
        assert!(error.is_some_and(|e| e.message.contains("no decimals")));
    }

    #[test]
    fn a_reason_is_optional_and_bounded() {
        let request = |reason: String| ClaimRequest {
            worth: "10".into(),
            currency: None,
            reason,
        };
        let eur = invoice(12_000, "EUR");
        assert_eq!(
            Settlement::decide(eur, &request("  ".into())).map(|s| s.reason),
            Ok(None)
        );
        let long = "x".repeat(MAX_REASON_CHARS + 1);
        assert_eq!(
            Settlement::decide(eur, &request(long))
                .err()
                .map(|e| e.field),
            Some("reason")
        );
    }
}
