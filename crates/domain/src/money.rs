//! Money as an integer number of minor units and an ISO 4217 currency code. Never a float.

use crate::ValidationError;
use serde::{Deserialize, Serialize};

/// A three-letter uppercase ISO 4217 currency code such as `EUR`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Currency([u8; 3]);

impl Currency {
    pub fn parse(raw: &str) -> Result<Self, ValidationError> {
        let bytes = raw.trim().as_bytes();
        match bytes {
            [a, b, c] if bytes.iter().all(u8::is_ascii_uppercase) => Ok(Self([*a, *b, *c])),
            _ => Err(ValidationError::new(
                "currency",
                "must be a three-letter uppercase ISO 4217 code such as EUR",
            )),
        }
    }

    pub fn as_str(&self) -> &str {
        // Only ASCII uppercase letters are ever stored, so this cannot fail.
        std::str::from_utf8(&self.0).unwrap_or("XXX")
    }

    /// Number of minor-unit digits (2 for most currencies).
    pub fn exponent(&self) -> u32 {
        match self.as_str() {
            "BIF" | "CLP" | "DJF" | "GNF" | "ISK" | "JPY" | "KMF" | "KRW" | "PYG" | "RWF"
            | "UGX" | "UYI" | "VND" | "VUV" | "XAF" | "XOF" | "XPF" => 0,
            "BHD" | "IQD" | "JOD" | "KWD" | "LYD" | "OMR" | "TND" => 3,
            _ => 2,
        }
    }
}

impl TryFrom<String> for Currency {
    type Error = ValidationError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<Currency> for String {
    fn from(currency: Currency) -> Self {
        currency.as_str().to_owned()
    }
}

/// An amount of money: a non-negative number of minor units (cents) in a currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Money {
    pub minor: i64,
    pub currency: Currency,
}

impl Money {
    pub fn new(minor: i64, currency: Currency) -> Result<Self, ValidationError> {
        if minor < 0 {
            return Err(ValidationError::new("amount.minor", "must not be negative"));
        }
        Ok(Self { minor, currency })
    }

    /// The amount written with its decimal point, e.g. `120.00 EUR`.
    pub fn display(&self) -> String {
        format!(
            "{} {}",
            format_minor(self.minor, self.currency.exponent()),
            self.currency.as_str()
        )
    }
}

/// Writes `minor` with `exponent` decimal digits using integer arithmetic only.
pub fn format_minor(minor: i64, exponent: u32) -> String {
    if exponent == 0 {
        return minor.to_string();
    }
    let scale = 10_i64.pow(exponent);
    let sign = if minor < 0 { "-" } else { "" };
    let abs = minor.unsigned_abs();
    let scale = scale.unsigned_abs();
    format!(
        "{sign}{}.{:0width$}",
        abs / scale,
        abs % scale,
        width = exponent as usize
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn currencies_must_be_three_uppercase_letters() {
        assert!(Currency::parse("EUR").is_ok());
        for bad in ["eur", "EU", "EURO", "E1R", ""] {
            assert!(Currency::parse(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn amounts_are_formatted_with_integer_arithmetic() {
        let eur = Currency::parse("EUR").map(|c| c.exponent());
        assert_eq!(eur, Ok(2));
        assert_eq!(format_minor(12000, 2), "120.00");
        assert_eq!(format_minor(5, 2), "0.05");
        assert_eq!(format_minor(1234, 0), "1234");
        assert_eq!(format_minor(1234, 3), "1.234");
        assert_eq!(format_minor(-150, 2), "-1.50");
    }

    #[test]
    fn negative_amounts_are_refused() {
        let eur = Currency::parse("EUR");
        assert!(eur.is_ok_and(|c| Money::new(-1, c).is_err()));
    }
}
