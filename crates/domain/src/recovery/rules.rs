//! Alert rules: conditions over one response, a scope (team, touchpoint, segment, minimum
//! annual value) and a severity. A rule matches when any (or, with `match_all`, every) of its
//! conditions holds and the response is within its scope.

use crate::ValidationError;
use crate::access::string_enum;
use crate::analysis::normalize::Normalized;
use serde::{Deserialize, Serialize};

string_enum!(
    /// How urgent an alert is; drives the priority of the case it opens.
    Severity, "severity" {
        Low => "low",
        Medium => "medium",
        High => "high",
        Critical => "critical",
    }
);

impl Severity {
    /// Low 0 … critical 3, for picking the most severe of several alerts.
    pub fn rank(self) -> u8 {
        match self {
            Severity::Low => 0,
            Severity::Medium => 1,
            Severity::High => 2,
            Severity::Critical => 3,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Severity::Low => "Low",
            Severity::Medium => "Medium",
            Severity::High => "High",
            Severity::Critical => "Critical",
        }
    }
}

/// How a question's value is compared with a threshold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Comparison {
    AtMost,
    AtLeast,
    Below,
    Above,
    Equal,
}

impl Comparison {
    fn holds(self, value: f64, threshold: f64) -> bool {
        match self {
            Comparison::AtMost => value <= threshold,
            Comparison::AtLeast => value >= threshold,
            Comparison::Below => value < threshold,
            Comparison::Above => value > threshold,
            Comparison::Equal => (value - threshold).abs() < f64::EPSILON,
        }
    }

    fn symbol(self) -> &'static str {
        match self {
            Comparison::AtMost => "≤",
            Comparison::AtLeast => "≥",
            Comparison::Below => "<",
            Comparison::Above => ">",
            Comparison::Equal => "=",
        }
    }
}

/// One condition over a response.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum Condition {
    /// CSAT answered and at most `value` (1–5).
    CsatAtMost { value: i64 },
    /// NPS likelihood answered and at most `value` (0–10); 6 means "a detractor".
    NpsAtMost { value: i64 },
    /// Customer effort answered and at least `value` (1–7, higher is more effort).
    CesAtLeast { value: i64 },
    /// Any numeric answer to question `question` compared with `value`.
    Question {
        question: String,
        comparison: Comparison,
        value: f64,
    },
    /// The comment's sentiment (−1 to 1) is below `value`.
    SentimentBelow { value: f64 },
    /// The comment carries theme `theme`.
    Theme { theme: String },
    /// The comment contains `word` (whole word, case and accent insensitive).
    Keyword { word: String },
    /// The customer invoked the guarantee (checked when an invocation arrives).
    GuaranteeInvoked,
}

impl Condition {
    /// Checks the condition's own values; the message names what is wrong.
    pub fn validate(&self) -> Result<(), ValidationError> {
        let bad = |message: &str| Err(ValidationError::new("conditions", message));
        match self {
            Condition::CsatAtMost { value } if !(1..=5).contains(value) => {
                bad("csat_at_most takes a value from 1 to 5")
            }
            Condition::NpsAtMost { value } if !(0..=10).contains(value) => {
                bad("nps_at_most takes a value from 0 to 10")
            }
            Condition::CesAtLeast { value } if !(1..=7).contains(value) => {
                bad("ces_at_least takes a value from 1 to 7")
            }
            Condition::Question {
                question, value, ..
            } if question.trim().is_empty() || !value.is_finite() => {
                bad("question takes a question key and a finite value")
            }
            Condition::SentimentBelow { value } if !(-1.0..=1.0).contains(value) => {
                bad("sentiment_below takes a value from -1 to 1")
            }
            Condition::Theme { theme } if theme.trim().is_empty() => bad("theme needs a theme"),
            Condition::Keyword { word } if Normalized::new(word).tokens.is_empty() => {
                bad("keyword needs a word")
            }
            _ => Ok(()),
        }
    }

    /// Why this condition holds for `facts`, or `None` when it does not.
    pub fn reason(&self, facts: &ResponseFacts) -> Option<String> {
        match self {
            Condition::CsatAtMost { value } => facts
                .csat
                .filter(|c| c <= value)
                .map(|c| format!("CSAT {c} (≤ {value})")),
            Condition::NpsAtMost { value } => facts
                .nps
                .filter(|n| n <= value)
                .map(|n| format!("NPS likelihood {n} (≤ {value})")),
            Condition::CesAtLeast { value } => facts
                .ces
                .filter(|c| c >= value)
                .map(|c| format!("effort {c} (≥ {value})")),
            Condition::Question {
                question,
                comparison,
                value,
            } => facts
                .answers
                .get(question)
                .and_then(serde_json::Value::as_f64)
                .filter(|answer| comparison.holds(*answer, *value))
                .map(|answer| format!("{question} {answer} ({} {value})", comparison.symbol())),
            Condition::SentimentBelow { value } => facts
                .sentiment
                .filter(|s| s < value)
                .map(|s| format!("sentiment {s:.2} (< {value})")),
            Condition::Theme { theme } => facts
                .themes
                .iter()
                .any(|t| t == theme)
                .then(|| format!("theme {theme}")),
            Condition::Keyword { word } => {
                let comment = Normalized::new(facts.comment.as_deref()?);
                contains_phrase(&comment, &Normalized::new(word))
                    .then(|| format!("mentions \u{201c}{}\u{201d}", word.trim()))
            }
            Condition::GuaranteeInvoked => facts
                .guarantee
                .as_ref()
                .map(|g| format!("guarantee invoked: pays {} of {}", g.paid, g.invoiced)),
        }
    }
}

/// Whether the words of `phrase` appear one after another in `text` (folded: case and
/// accents do not matter, whole words only).
fn contains_phrase(text: &Normalized, phrase: &Normalized) -> bool {
    let words =
        |n: &Normalized| -> Vec<String> { (0..n.len()).map(|i| n.word(i).to_owned()).collect() };
    let (text, phrase) = (words(text), words(phrase));
    !phrase.is_empty() && text.windows(phrase.len()).any(|w| w == phrase.as_slice())
}

/// Which responses a rule looks at; empty fields mean "all".
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RuleScope {
    pub team: Option<i64>,
    pub touchpoint: Option<i64>,
    pub segment: Option<String>,
    /// Only customers whose annual value (in minor units of any currency) is at least this.
    pub min_annual_value_minor: Option<i64>,
}

impl RuleScope {
    fn covers(&self, facts: &ResponseFacts) -> bool {
        self.team.is_none_or(|t| facts.team == Some(t))
            && self.touchpoint.is_none_or(|t| facts.touchpoint == t)
            && self.segment.as_ref().is_none_or(|s| {
                facts
                    .segment
                    .as_ref()
                    .is_some_and(|f| f.eq_ignore_ascii_case(s))
            })
            && self
                .min_annual_value_minor
                .is_none_or(|min| facts.annual_value_minor.is_some_and(|v| v >= min))
    }
}

/// An alert rule as configured.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AlertRule {
    pub id: i64,
    pub name: String,
    pub conditions: Vec<Condition>,
    /// Every condition must hold (otherwise any one is enough).
    pub match_all: bool,
    pub scope: RuleScope,
    pub severity: Severity,
    /// A match opens (or joins) a recovery case for the customer.
    pub opens_case: bool,
    pub enabled: bool,
}

impl AlertRule {
    /// The reasons the rule fires for `facts`, or `None` when it does not.
    pub fn evaluate(&self, facts: &ResponseFacts) -> Option<Vec<String>> {
        if !self.enabled || self.conditions.is_empty() || !self.scope.covers(facts) {
            return None;
        }
        let reasons: Vec<Option<String>> =
            self.conditions.iter().map(|c| c.reason(facts)).collect();
        let fired = if self.match_all {
            reasons.iter().all(Option::is_some)
        } else {
            reasons.iter().any(Option::is_some)
        };
        fired.then(|| reasons.into_iter().flatten().collect())
    }
}

/// Checks a rule's parts before it is stored.
pub fn validate_conditions(conditions: &[Condition]) -> Result<(), ValidationError> {
    if conditions.is_empty() {
        return Err(ValidationError::new(
            "conditions",
            "a rule needs at least one condition",
        ));
    }
    if conditions.len() > 20 {
        return Err(ValidationError::new(
            "conditions",
            "a rule has at most 20 conditions",
        ));
    }
    conditions.iter().try_for_each(Condition::validate)
}

/// What the rules look at in a response.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ResponseFacts {
    pub answers: serde_json::Map<String, serde_json::Value>,
    pub csat: Option<i64>,
    pub nps: Option<i64>,
    pub ces: Option<i64>,
    pub sentiment: Option<f64>,
    pub themes: Vec<String>,
    pub comment: Option<String>,
    pub team: Option<i64>,
    pub touchpoint: i64,
    pub segment: Option<String>,
    pub annual_value_minor: Option<i64>,
    /// Set when the facts are those of a guarantee invocation rather than of a response.
    pub guarantee: Option<GuaranteeFacts>,
}

/// What an invocation adds to the facts, written for people (`80.00 EUR`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct GuaranteeFacts {
    pub paid: String,
    pub invoiced: String,
}

/// A rule that fired, with its reasons.
#[derive(Debug, Clone, PartialEq)]
pub struct Match<'a> {
    pub rule: &'a AlertRule,
    pub reasons: Vec<String>,
}

/// Every rule that fires for `facts`, in the rules' order.
pub fn matching<'a>(rules: &'a [AlertRule], facts: &ResponseFacts) -> Vec<Match<'a>> {
    rules
        .iter()
        .filter_map(|rule| rule.evaluate(facts).map(|reasons| Match { rule, reasons }))
        .collect()
}

/// The rules of a fresh install: a CSAT of 2 or less, or an NPS likelihood of 6 or less, alerts
/// the customer's client team and opens a case.
pub fn default_rules() -> Vec<AlertRule> {
    vec![AlertRule {
        id: 0,
        name: "Poor review".into(),
        conditions: vec![
            Condition::CsatAtMost { value: 2 },
            Condition::NpsAtMost { value: 6 },
        ],
        match_all: false,
        scope: RuleScope::default(),
        severity: Severity::High,
        opens_case: true,
        enabled: true,
    }]
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn facts(csat: Option<i64>, nps: Option<i64>) -> ResponseFacts {
        ResponseFacts {
            csat,
            nps,
            touchpoint: 1,
            team: Some(7),
            ..ResponseFacts::default()
        }
    }

    #[test]
    fn a_guarantee_rule_fires_on_invocations_only() {
        let rule = AlertRule {
            conditions: vec![Condition::GuaranteeInvoked],
            ..default_rules().remove(0)
        };
        assert_eq!(rule.evaluate(&facts(Some(1), Some(0))), None);
        let invoked = ResponseFacts {
            guarantee: Some(GuaranteeFacts {
                paid: "20.00 EUR".into(),
                invoiced: "120.00 EUR".into(),
            }),
            ..facts(None, None)
        };
        assert_eq!(
            rule.evaluate(&invoked),
            Some(vec![
                "guarantee invoked: pays 20.00 EUR of 120.00 EUR".to_owned()
            ])
        );
        let parsed: Condition = serde_json::from_value(json!({"type": "guarantee_invoked"}))
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(parsed, Condition::GuaranteeInvoked);
    }

    #[test]
    fn the_default_rule_fires_on_low_csat_or_a_detractor_only() {
        let rules = default_rules();
        assert_eq!(matching(&rules, &facts(Some(2), Some(9))).len(), 1);
        assert_eq!(matching(&rules, &facts(Some(5), Some(6))).len(), 1);
        assert!(matching(&rules, &facts(Some(3), Some(7))).is_empty());
        assert!(matching(&rules, &facts(None, None)).is_empty());
        let both = matching(&rules, &facts(Some(1), Some(0)));
        assert_eq!(both[0].reasons, ["CSAT 1 (≤ 2)", "NPS likelihood 0 (≤ 6)"]);
    }

    #[test]
    fn match_all_needs_every_condition() {
        let mut rule = default_rules().remove(0);
        rule.match_all = true;
        assert!(rule.evaluate(&facts(Some(2), Some(9))).is_none());
        assert!(rule.evaluate(&facts(Some(2), Some(3))).is_some());
        assert!(rule.evaluate(&facts(Some(2), None)).is_none());
    }

    #[test]
    fn scope_limits_by_team_touchpoint_segment_and_value() {
        let mut rule = default_rules().remove(0);
        let mut poor = facts(Some(1), None);
        rule.scope.team = Some(8);
        assert!(rule.evaluate(&poor).is_none());
        rule.scope.team = Some(7);
        rule.scope.touchpoint = Some(1);
        rule.scope.segment = Some("Enterprise".into());
        assert!(rule.evaluate(&poor).is_none());
        poor.segment = Some("enterprise".into());
        assert!(rule.evaluate(&poor).is_some());
        rule.scope.min_annual_value_minor = Some(1_000_000);
        assert!(rule.evaluate(&poor).is_none());
        poor.annual_value_minor = Some(2_000_000);
        assert!(rule.evaluate(&poor).is_some());
        rule.enabled = false;
        assert!(rule.evaluate(&poor).is_none());
    }

    #[test]
    fn question_sentiment_theme_and_keyword_conditions() {
        let mut f = facts(None, None);
        f.answers = json!({"timeliness": 2, "comment": "x"})
            .as_object()
            .cloned()
            .unwrap_or_default();
        f.sentiment = Some(-0.6);
        f.themes = vec!["waiting_time".into()];
        f.comment = Some("Le technicien était très impoli.".into());
        let holds = |c: Condition| c.reason(&f).is_some();
        assert!(holds(Condition::Question {
            question: "timeliness".into(),
            comparison: Comparison::AtMost,
            value: 2.0
        }));
        assert!(!holds(Condition::Question {
            question: "timeliness".into(),
            comparison: Comparison::Below,
            value: 2.0
        }));
        assert!(!holds(Condition::Question {
            question: "comment".into(),
            comparison: Comparison::Below,
            value: 2.0
        }));
        assert!(holds(Condition::SentimentBelow { value: -0.5 }));
        assert!(!holds(Condition::SentimentBelow { value: -0.7 }));
        assert!(holds(Condition::Theme {
            theme: "waiting_time".into()
        }));
        assert!(holds(Condition::Keyword {
            word: "IMPOLI".into()
        }));
        assert!(holds(Condition::Keyword {
            word: "était".into()
        }));
        assert!(!holds(Condition::Keyword {
            word: "poli".into()
        }));
    }

    #[test]
    fn conditions_are_validated_and_parsed_from_json() {
        assert!(validate_conditions(&[]).is_err());
        assert!(Condition::CsatAtMost { value: 6 }.validate().is_err());
        assert!(Condition::NpsAtMost { value: 11 }.validate().is_err());
        assert!(Condition::SentimentBelow { value: 2.0 }.validate().is_err());
        assert!(Condition::Keyword { word: " ".into() }.validate().is_err());
        let parsed: Result<Vec<Condition>, _> = serde_json::from_value(json!([
            {"type": "csat_at_most", "value": 2},
            {"type": "keyword", "word": "refund"}
        ]));
        assert!(parsed.is_ok_and(|c| validate_conditions(&c).is_ok()));
        let unknown: Result<Condition, _> =
            serde_json::from_value(json!({"type": "csat_at_most", "value": 2, "extra": 1}));
        assert!(unknown.is_err());
    }

    #[test]
    fn severities_parse_and_order() {
        assert_eq!(Severity::parse("critical").ok(), Some(Severity::Critical));
        assert!(Severity::parse("urgent").is_err());
        assert!(Severity::Critical.rank() > Severity::Low.rank());
    }
}
