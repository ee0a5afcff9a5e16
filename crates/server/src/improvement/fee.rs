//! The fee-change what-if: raising the fees of a segment (or of every customer) by a
//! percentage, revenue gained from those who stay against revenue lost to the extra churn the
//! increase causes, by satisfaction band.

use super::settings::ImprovementSettings;
use super::value::Book;
use domain::ValidationError;
use domain::improvement::fee_change::{FeeChangeImpact, fee_change};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FeeQuery {
    /// A customer segment; default every customer.
    pub segment: Option<String>,
    /// The increase in percent, e.g. `5` or `2.5` (negative for a cut); default 5.
    pub increase: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct FeeReport {
    pub segment: Option<String>,
    pub currency: Option<String>,
    pub increase_percent: f64,
    pub impact: FeeChangeImpact,
    /// The segments there are, for choosing one.
    pub segments: Vec<String>,
}

pub fn parse_increase(raw: Option<&str>) -> Result<f64, ValidationError> {
    let Some(text) = raw.map(str::trim).filter(|t| !t.is_empty()) else {
        return Ok(5.0);
    };
    let percent: f64 =
        text.trim_end_matches('%').trim().parse().map_err(|_| {
            ValidationError::new("increase", "must be a percentage such as 5 or 2.5")
        })?;
    if !percent.is_finite() || percent <= -50.0 || percent > 100.0 {
        return Err(ValidationError::new(
            "increase",
            "must be above −50 and at most 100 percent",
        ));
    }
    Ok(percent)
}

pub fn report(
    book: &Book,
    settings: &ImprovementSettings,
    query: &FeeQuery,
) -> Result<FeeReport, ValidationError> {
    let increase_percent = parse_increase(query.increase.as_deref())?;
    let segment = query
        .segment
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned);
    let mut segments: Vec<String> = book
        .customers
        .iter()
        .filter_map(|c| c.segment.clone())
        .collect();
    segments.sort();
    segments.dedup();
    if let Some(wanted) = &segment
        && !segments.contains(wanted)
    {
        return Err(ValidationError::new(
            "segment",
            "no customer is in this segment",
        ));
    }
    let chosen: Vec<_> = book
        .customers
        .iter()
        .filter(|c| segment.is_none() || c.segment == segment)
        .cloned()
        .collect();
    let impact = fee_change(
        &chosen,
        increase_percent / 100.0,
        &book.model,
        &settings.price_sensitivity,
    )?;
    Ok(FeeReport {
        segment,
        currency: book.currency.clone(),
        increase_percent,
        impact,
        segments,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn increases_are_percentages_within_bounds() {
        assert_eq!(parse_increase(None), Ok(5.0));
        assert_eq!(parse_increase(Some(" 2.5% ")), Ok(2.5));
        assert_eq!(parse_increase(Some("-10")), Ok(-10.0));
        for bad in ["x", "NaN", "inf", "150", "-50"] {
            assert!(parse_increase(Some(bad)).is_err(), "{bad}");
        }
    }
}
