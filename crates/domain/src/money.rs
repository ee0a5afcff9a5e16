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

    /// Parses a decimal amount as people type it, such as `12000.00` or `12000.5`, exactly
    /// into minor units of `currency` with integer arithmetic: no sign, no thousands
    /// separators, and at most as many decimals as the currency has minor-unit digits.
    pub fn parse_decimal(
        field: &'static str,
        raw: &str,
        currency: Currency,
    ) -> Result<Self, ValidationError> {
        let exponent = currency.exponent();
        let invalid = || {
            ValidationError::new(
                field,
                format!(
                    "must be an amount such as {} with at most {exponent} decimals",
                    format_minor(1200 * 10_i64.pow(exponent), exponent)
                ),
            )
        };
        let value = raw.trim();
        let (whole, fraction) = value.split_once('.').unwrap_or((value, ""));
        let digits_only = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if whole.is_empty()
            || !digits_only(whole)
            || !digits_only(fraction)
            || (value.contains('.') && fraction.is_empty())
            || fraction.len() > exponent as usize
        {
            return Err(invalid());
        }
        let too_large = || ValidationError::new(field, "is too large");
        let scale = 10_i64.pow(exponent);
        let mut minor: i64 = 0;
        for digit in whole.bytes() {
            minor = minor
                .checked_mul(10)
                .and_then(|m| m.checked_add(i64::from(digit - b'0')))
                .ok_or_else(too_large)?;
        }
        minor = minor.checked_mul(scale).ok_or_else(too_large)?;
        let mut fraction_minor: i64 = 0;
        for digit in fraction.bytes() {
            fraction_minor = fraction_minor * 10 + i64::from(digit - b'0');
        }
        // Pad the typed decimals to the currency's exponent: "12.5" EUR is 1250 cents.
        fraction_minor *= 10_i64.pow(exponent - fraction.len() as u32);
        let minor = minor.checked_add(fraction_minor).ok_or_else(too_large)?;
        Money::new(minor, currency)
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

    fn parse(raw: &str, currency: &str) -> Result<i64, ValidationError> {
        let currency = Currency::parse(currency)?;
        Money::parse_decimal("amount", raw, currency).map(|m| m.minor)
    }

    #[test]
    fn decimal_amounts_are_parsed_exactly_into_minor_units() {
        assert_eq!(parse("12000.00", "EUR"), Ok(1_200_000));
        assert_eq!(parse(" 12000 ", "EUR"), Ok(1_200_000));
        assert_eq!(parse("12.5", "EUR"), Ok(1250));
        assert_eq!(parse("0.07", "EUR"), Ok(7));
        assert_eq!(parse("0", "EUR"), Ok(0));
        assert_eq!(parse("1234", "JPY"), Ok(1234));
        assert_eq!(parse("1.234", "KWD"), Ok(1234));
        assert_eq!(parse("0.1", "KWD"), Ok(100));
        // A float would give 0.29 * 100 = 28.999999999999996.
        assert_eq!(parse("0.29", "EUR"), Ok(29));
        assert_eq!(parse("92233720368547758.07", "EUR"), Ok(i64::MAX));
    }

    #[test]
    fn malformed_or_overflowing_amounts_are_refused() {
        for bad in [
            "",
            " ",
            ".",
            ".5",
            "12.",
            "-1",
            "+1",
            "1,000.00",
            "1 000",
            "12.345",
            "1e3",
            "abc",
            "12.3.4",
            "١٢",
            "92233720368547758.08",
            "99999999999999999999",
        ] {
            assert!(parse(bad, "EUR").is_err(), "{bad:?} accepted");
        }
        assert!(parse("12.5", "JPY").is_err());
        assert!(parse("12.3456", "KWD").is_err());
    }

    #[test]
    fn parsed_amounts_round_trip_through_the_display_form() {
        for (raw, currency) in [("12000.00", "EUR"), ("0.05", "USD"), ("77", "JPY")] {
            let money = Currency::parse(currency)
                .and_then(|c| Money::parse_decimal("amount", raw, c))
                .map(|m| m.display());
            assert_eq!(money, Ok(format!("{raw} {currency}")));
        }
    }

    #[test]
    fn negative_amounts_are_refused() {
        let eur = Currency::parse("EUR");
        assert!(eur.is_ok_and(|c| Money::new(-1, c).is_err()));
    }
}
