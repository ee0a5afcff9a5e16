//! `/settings/improvement` (administrators): the churn probability per satisfaction band and
//! whether to learn it from history, the prior weight, the drivers' target ratings and effort
//! estimates, and price sensitivity. Checked by `ImprovementSettings::validate`, as
//! `PUT /api/v1/improvement-settings` is; a refused form is shown again as typed, and nothing
//! is saved.

use crate::improvement::settings::{self, ImprovementSettings};
use crate::improvement::value;
use crate::state::AppState;
use crate::web::{Chrome, PageError, PageResult, Staff, actor, render, see_other};
use askama::Template;
use axum::Router;
use axum::extract::{Form, Query, State};
use axum::http::StatusCode;
use axum::routing::get;
use domain::improvement::churn::{BANDS, ChurnSettings};
use domain::improvement::fee_change::PriceSensitivity;
use domain::money::{Currency, Money, format_minor};
use domain::{Role, ValidationError};
use serde::Deserialize;
use std::collections::BTreeMap;

pub fn router() -> Router<AppState> {
    Router::new().route("/settings/improvement", get(show).post(save))
}

/// A probability as a percentage for the form: `0.12` is `12`, `0.015` is `1.5`.
fn percent_text(p: f64) -> String {
    let text = format!("{:.4}", p * 100.0);
    text.trim_end_matches('0').trim_end_matches('.').to_owned()
}

/// A percentage typed (`12`, `1,5`, `0.1 %`) as a probability, read as a decimal so that the
/// form gives back exactly what it showed.
fn probability(field: &'static str, label: &str, raw: &str) -> Result<f64, ValidationError> {
    let text = raw.trim().trim_end_matches('%').trim().replace(',', ".");
    let invalid = || ValidationError::new(field, format!("{label}: {raw:?} is not a percentage"));
    let percent: f64 = text.parse().map_err(|_| invalid())?;
    if !percent.is_finite() {
        return Err(invalid());
    }
    format!("{text}e-2").parse().map_err(|_| invalid())
}

fn number(field: &'static str, raw: &str) -> Result<f64, ValidationError> {
    raw.trim()
        .replace(',', ".")
        .parse::<f64>()
        .ok()
        .filter(|n| n.is_finite())
        .ok_or_else(|| ValidationError::new(field, format!("{raw:?} is not a number")))
}

/// One driver's fields as typed.
#[derive(Debug, Clone, Default, PartialEq)]
struct DriverFields {
    target: String,
    effort: String,
}

/// The form as typed.
#[derive(Debug, Clone, Default, PartialEq)]
struct SettingsForm {
    bands: [String; BANDS],
    unknown: String,
    learn_from_history: bool,
    prior_weight: String,
    target_performance: String,
    /// Per driver key.
    drivers: BTreeMap<String, DriverFields>,
    sensitivity: [String; BANDS],
}

impl SettingsForm {
    /// The form of `settings`, with a row for each of `keys`.
    fn of(settings: &ImprovementSettings, keys: &[String], exponent: u32) -> Self {
        let drivers = keys
            .iter()
            .map(|key| {
                let fields = DriverFields {
                    target: settings
                        .driver_targets
                        .get(key)
                        .map(|t| t.to_string())
                        .unwrap_or_default(),
                    effort: settings
                        .driver_efforts
                        .get(key)
                        .map(|e| format_minor(*e, exponent))
                        .unwrap_or_default(),
                };
                (key.clone(), fields)
            })
            .collect();
        Self {
            bands: settings.churn.band_probabilities.map(percent_text),
            unknown: settings
                .churn
                .unknown_probability
                .map(percent_text)
                .unwrap_or_default(),
            learn_from_history: settings.learn_from_history,
            prior_weight: settings.prior_weight.to_string(),
            target_performance: settings.target_performance.to_string(),
            drivers,
            sensitivity: settings.price_sensitivity.per_percent().map(percent_text),
        }
    }

    /// Reads the posted fields: `band_1`…`band_5`, `sensitivity_1`…, `target.<key>` and
    /// `effort.<key>` for the drivers of `keys` (others are ignored), a checkbox is on when
    /// sent.
    fn from_fields(fields: Vec<(String, String)>, keys: &[String]) -> Self {
        let mut form = Self {
            drivers: keys
                .iter()
                .map(|k| (k.clone(), DriverFields::default()))
                .collect(),
            ..Self::default()
        };
        for (name, value) in fields {
            if let Some(slot) = indexed(&name, "band_").and_then(|i| form.bands.get_mut(i)) {
                *slot = value;
            } else if let Some(slot) =
                indexed(&name, "sensitivity_").and_then(|i| form.sensitivity.get_mut(i))
            {
                *slot = value;
            } else if let Some(fields) = name
                .strip_prefix("target.")
                .and_then(|k| form.drivers.get_mut(k))
            {
                fields.target = value;
            } else if let Some(fields) = name
                .strip_prefix("effort.")
                .and_then(|k| form.drivers.get_mut(k))
            {
                fields.effort = value;
            } else {
                match name.as_str() {
                    "unknown" => form.unknown = value,
                    "learn_from_history" => form.learn_from_history = true,
                    "prior_weight" => form.prior_weight = value,
                    "target_performance" => form.target_performance = value,
                    _ => {}
                }
            }
        }
        form
    }

    fn parse(
        &self,
        currency: Currency,
        labels: &BTreeMap<String, String>,
    ) -> Result<ImprovementSettings, ValidationError> {
        let mut band_probabilities = [0.0; BANDS];
        for (i, (slot, raw)) in band_probabilities.iter_mut().zip(&self.bands).enumerate() {
            *slot = probability("band_probabilities", &format!("CSAT {}", i + 1), raw)?;
        }
        let unknown = self.unknown.trim();
        let unknown_probability = if unknown.is_empty() {
            None
        } else {
            Some(probability("unknown_probability", "unknown", unknown)?)
        };
        let mut per_percent = [0.0; BANDS];
        for (i, (slot, raw)) in per_percent.iter_mut().zip(&self.sensitivity).enumerate() {
            *slot = probability("extra_churn_per_percent", &format!("CSAT {}", i + 1), raw)?;
        }
        let mut settings = ImprovementSettings {
            churn: ChurnSettings {
                band_probabilities,
                unknown_probability,
            },
            learn_from_history: self.learn_from_history,
            prior_weight: number("prior_weight", &self.prior_weight)?,
            target_performance: number("target_performance", &self.target_performance)?,
            price_sensitivity: PriceSensitivity::new(per_percent)?,
            ..ImprovementSettings::default()
        };
        for (key, typed) in &self.drivers {
            let label = labels.get(key).unwrap_or(key);
            let in_words = |e: ValidationError| {
                ValidationError::new(e.field, format!("{label}: {}", e.message))
            };
            if !typed.target.trim().is_empty() {
                let target = number("driver_targets", &typed.target).map_err(in_words)?;
                settings.driver_targets.insert(key.clone(), target);
            }
            if !typed.effort.trim().is_empty() {
                let effort = Money::parse_decimal("driver_efforts", &typed.effort, currency)
                    .map_err(in_words)?;
                settings.driver_efforts.insert(key.clone(), effort.minor);
            }
        }
        settings.validate()?;
        Ok(settings)
    }
}

/// The index (0-based) of a field such as `band_3`.
fn indexed(name: &str, prefix: &str) -> Option<usize> {
    let n: usize = name.strip_prefix(prefix)?.parse().ok()?;
    n.checked_sub(1).filter(|i| *i < BANDS)
}

/// The validation message in words: "Default target: must be a mean rating between 1 and 5."
fn readable(error: &ValidationError) -> String {
    let field = match error.field {
        "band_probabilities" => "Churn probability",
        "unknown_probability" => "Churn probability of unknown satisfaction",
        "prior_weight" => "Weight of the defaults",
        "target_performance" => "Default target",
        "driver_targets" => "Driver target",
        "driver_efforts" => "Effort estimate",
        "extra_churn_per_percent" => "Price sensitivity",
        other => other,
    };
    format!("{field}: {}.", error.message)
}

/// One driver's row of the form.
struct DriverRow {
    key: String,
    label: String,
    fields: DriverFields,
}

/// One band's two fields.
struct BandRow {
    band: usize,
    churn: String,
    sensitivity: String,
}

#[derive(Template)]
#[template(path = "improvement/settings.html")]
struct SettingsPage {
    chrome: Chrome,
    bands: Vec<BandRow>,
    drivers: Vec<DriverRow>,
    form: SettingsForm,
    currency: String,
    error: Option<String>,
    notice: Option<&'static str>,
}

/// What the form needs besides the settings: the drivers (every rating asked, and any driver
/// with settings of its own), their names, and the currency efforts are in.
struct Context {
    keys: Vec<String>,
    labels: BTreeMap<String, String>,
    currency: Currency,
}

async fn context(state: &AppState, settings: &ImprovementSettings) -> Result<Context, PageError> {
    let store = state.store.as_ref();
    let labels = store.rating_labels().await?;
    let book = value::book(store, settings, state.clock.now()).await?;
    let currency = Currency::parse(book.currency.as_deref().unwrap_or("XXX"))
        .or_else(|_| Currency::parse("XXX"))
        .map_err(|e| PageError::Internal(e.message.to_string()))?;
    let mut keys: Vec<String> = labels
        .keys()
        .chain(settings.driver_targets.keys())
        .chain(settings.driver_efforts.keys())
        .cloned()
        .collect();
    keys.sort();
    keys.dedup();
    Ok(Context {
        keys,
        labels,
        currency,
    })
}

fn page(
    staff: &Staff,
    context: &Context,
    form: SettingsForm,
    error: Option<String>,
    notice: Option<&'static str>,
) -> SettingsPage {
    SettingsPage {
        chrome: Chrome::for_staff(staff, "/settings", &staff.time_zone),
        bands: (0..BANDS)
            .map(|i| BandRow {
                band: i + 1,
                churn: form.bands[i].clone(),
                sensitivity: form.sensitivity[i].clone(),
            })
            .collect(),
        drivers: form
            .drivers
            .iter()
            .map(|(key, fields)| DriverRow {
                key: key.clone(),
                label: context
                    .labels
                    .get(key)
                    .cloned()
                    .unwrap_or_else(|| key.clone()),
                fields: fields.clone(),
            })
            .collect(),
        currency: match context.currency.as_str() {
            "XXX" => "the currency of customer values".to_owned(),
            code => code.to_owned(),
        },
        form,
        error,
        notice,
    }
}

#[derive(Deserialize)]
struct SavedQuery {
    saved: Option<String>,
}

async fn show(
    State(state): State<AppState>,
    staff: Staff,
    Query(query): Query<SavedQuery>,
) -> PageResult {
    staff.require(Role::can_administer)?;
    let settings = settings::load(state.store.as_ref()).await?;
    let context = context(&state, &settings).await?;
    let form = SettingsForm::of(&settings, &context.keys, context.currency.exponent());
    let notice = query.saved.is_some().then_some(
        "The improvement settings were saved; revenue at risk and the backlog use them from now on.",
    );
    Ok(render(
        StatusCode::OK,
        &page(&staff, &context, form, None, notice),
    ))
}

async fn save(
    State(state): State<AppState>,
    staff: Staff,
    Form(fields): Form<Vec<(String, String)>>,
) -> PageResult {
    staff.require(Role::can_administer)?;
    let store = state.store.as_ref();
    let current = settings::load(store).await?;
    let context = context(&state, &current).await?;
    let form = SettingsForm::from_fields(fields, &context.keys);
    match form.parse(context.currency, &context.labels) {
        Ok(new) => {
            settings::save(store, &actor(&staff), &new).await?;
            Ok(see_other("/settings/improvement?saved=1"))
        }
        Err(error) => {
            let view = page(&staff, &context, form, Some(readable(&error)), None);
            Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &view))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn euro() -> Currency {
        Currency::parse("EUR").unwrap_or_else(|_| unreachable!())
    }

    #[test]
    fn the_defaults_round_trip_through_the_form() {
        let keys = vec!["timeliness".to_owned()];
        let mut settings = ImprovementSettings::default();
        settings.driver_targets.insert("timeliness".into(), 4.2);
        settings.driver_efforts.insert("timeliness".into(), 123_456);
        settings.churn.unknown_probability = Some(0.15);
        let form = SettingsForm::of(&settings, &keys, 2);
        assert_eq!(form.bands[2], "12");
        assert_eq!(form.drivers["timeliness"].effort, "1234.56");
        assert_eq!(form.parse(euro(), &BTreeMap::new()), Ok(settings));
        let defaults = ImprovementSettings::default();
        let form = SettingsForm::of(&defaults, &keys, 2);
        assert_eq!(form.parse(euro(), &BTreeMap::new()), Ok(defaults));
    }

    #[test]
    fn posted_fields_fill_the_form_and_bad_ones_are_refused() {
        let keys = vec!["timeliness".to_owned()];
        let fields = [
            ("band_1", "50"),
            ("band_6", "9"),
            ("sensitivity_5", "0.1"),
            ("target.timeliness", "4.8"),
            ("effort.price", "100"),
            ("learn_from_history", "on"),
        ]
        .map(|(k, v)| (k.to_owned(), v.to_owned()));
        let form = SettingsForm::from_fields(fields.to_vec(), &keys);
        assert_eq!(form.bands[0], "50");
        assert_eq!(form.sensitivity[4], "0.1");
        assert_eq!(form.drivers["timeliness"].target, "4.8");
        assert!(!form.drivers.contains_key("price"));
        assert!(form.learn_from_history);
        assert_eq!(indexed("band_0", "band_"), None);
        assert!(probability("x", "y", "ten").is_err());
        assert_eq!(probability("x", "y", "0,1 %"), Ok(0.001));
    }
}
