//! `/settings/alert-rules` (administrators): the rules that turn a poor response into an alert
//! and a recovery case. The form is checked by the API's own parser (`RuleInput::parse`), so
//! the console accepts exactly what `POST /api/v1/alert-rules` accepts.

use super::list::Choice;
use super::teams::form_error;
use super::{Chrome, PageError, PageResult, Staff, actor, render, see_other};
use crate::api::alert_rules::RuleInput;
use crate::state::AppState;
use askama::Template;
use axum::Router;
use axum::extract::{Form, Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use domain::recovery::rules::Comparison;
use domain::recovery::{Condition, Severity};
use domain::{Role, ValidationError};
use store::{ListParams, StoredAlertRule, TeamFilter};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/settings/alert-rules", get(list).post(create))
        .route("/settings/alert-rules/new", get(new_form))
        .route(
            "/settings/alert-rules/{id}/edit",
            get(edit_form).post(update),
        )
        .route("/settings/alert-rules/{id}/delete", post(delete))
}

/// Rows of conditions on the form.
const ROWS: usize = 5;

const KINDS: [(&str, &str); 8] = [
    ("csat_at_most", "CSAT at most (value 1–5)"),
    ("nps_at_most", "NPS likelihood at most (value 0–10)"),
    ("ces_at_least", "Effort at least (value 1–7)"),
    ("question", "Answer to a question (key, comparison, value)"),
    ("sentiment_below", "Comment sentiment below (value −1 to 1)"),
    ("theme", "Comment has a theme (text: theme key)"),
    ("keyword", "Comment mentions (text: word or phrase)"),
    ("guarantee_invoked", "The guarantee is invoked (no value)"),
];

const COMPARISONS: [(&str, &str); 5] = [
    ("at_most", "at most (≤)"),
    ("at_least", "at least (≥)"),
    ("below", "below (<)"),
    ("above", "above (>)"),
    ("equal", "equal to (=)"),
];

fn comparison_name(comparison: Comparison) -> &'static str {
    match comparison {
        Comparison::AtMost => "at_most",
        Comparison::AtLeast => "at_least",
        Comparison::Below => "below",
        Comparison::Above => "above",
        Comparison::Equal => "equal",
    }
}

fn comparison_symbol(comparison: Comparison) -> &'static str {
    match comparison {
        Comparison::AtMost => "≤",
        Comparison::AtLeast => "≥",
        Comparison::Below => "<",
        Comparison::Above => ">",
        Comparison::Equal => "=",
    }
}

fn parse_comparison(raw: &str) -> Option<Comparison> {
    [
        Comparison::AtMost,
        Comparison::AtLeast,
        Comparison::Below,
        Comparison::Above,
        Comparison::Equal,
    ]
    .into_iter()
    .find(|c| comparison_name(*c) == raw)
}

/// A condition in words, e.g. "CSAT ≤ 2".
fn describe(condition: &Condition) -> String {
    match condition {
        Condition::CsatAtMost { value } => format!("CSAT ≤ {value}"),
        Condition::NpsAtMost { value } => format!("NPS likelihood ≤ {value}"),
        Condition::CesAtLeast { value } => format!("effort ≥ {value}"),
        Condition::Question {
            question,
            comparison,
            value,
        } => format!(
            "answer to {question} {} {value}",
            comparison_symbol(*comparison)
        ),
        Condition::SentimentBelow { value } => format!("sentiment < {value}"),
        Condition::Theme { theme } => format!("theme {theme}"),
        Condition::Keyword { word } => format!("mentions \u{201c}{word}\u{201d}"),
        Condition::GuaranteeInvoked => "the guarantee is invoked".to_owned(),
    }
}

/// A rule as listed.
struct RuleRow {
    id: i64,
    name: String,
    conditions: String,
    scope: String,
    severity: &'static str,
    opens_case: bool,
    enabled: bool,
}

impl RuleRow {
    fn of(stored: StoredAlertRule) -> Self {
        let rule = stored.rule;
        let joiner = if rule.match_all { " and " } else { " or " };
        let conditions: Vec<String> = rule.conditions.iter().map(describe).collect();
        let mut scope = Vec::new();
        if let Some(team) = stored.team {
            scope.push(format!("team {}", team.name));
        }
        if let Some(touchpoint) = stored.touchpoint {
            scope.push(format!("touchpoint {}", touchpoint.name));
        }
        if let Some(segment) = rule.scope.segment {
            scope.push(format!("segment {segment}"));
        }
        if let Some(min) = rule.scope.min_annual_value_minor {
            scope.push(format!("annual value ≥ {min} (minor units)"));
        }
        Self {
            id: rule.id,
            name: rule.name,
            conditions: conditions.join(joiner),
            scope: if scope.is_empty() {
                "every response".to_owned()
            } else {
                scope.join(", ")
            },
            severity: rule.severity.label(),
            opens_case: rule.opens_case,
            enabled: rule.enabled,
        }
    }
}

#[derive(Template)]
#[template(path = "alert_rules/list.html")]
struct ListPage {
    chrome: Chrome,
    rules: Vec<RuleRow>,
}

async fn list(State(state): State<AppState>, staff: Staff) -> PageResult {
    staff.require(Role::can_administer)?;
    let rules = state.store.alert_rules().await?;
    let view = ListPage {
        chrome: Chrome::for_staff(&staff, "/settings", &staff.time_zone),
        rules: rules.into_iter().map(RuleRow::of).collect(),
    };
    Ok(render(StatusCode::OK, &view))
}

/// One condition row as typed; only the inputs its type uses are read.
#[derive(Debug, Clone, Default, PartialEq)]
struct ConditionForm {
    kind: String,
    value: String,
    question: String,
    comparison: String,
    text: String,
}

impl ConditionForm {
    fn of(condition: &Condition) -> Self {
        let kind = |kind: &str| Self {
            kind: kind.to_owned(),
            ..Self::default()
        };
        match condition {
            Condition::CsatAtMost { value } => Self {
                value: value.to_string(),
                ..kind("csat_at_most")
            },
            Condition::NpsAtMost { value } => Self {
                value: value.to_string(),
                ..kind("nps_at_most")
            },
            Condition::CesAtLeast { value } => Self {
                value: value.to_string(),
                ..kind("ces_at_least")
            },
            Condition::Question {
                question,
                comparison,
                value,
            } => Self {
                value: value.to_string(),
                question: question.clone(),
                comparison: comparison_name(*comparison).to_owned(),
                ..kind("question")
            },
            Condition::SentimentBelow { value } => Self {
                value: value.to_string(),
                ..kind("sentiment_below")
            },
            Condition::Theme { theme } => Self {
                text: theme.clone(),
                ..kind("theme")
            },
            Condition::Keyword { word } => Self {
                text: word.clone(),
                ..kind("keyword")
            },
            Condition::GuaranteeInvoked => kind("guarantee_invoked"),
        }
    }

    fn is_empty(&self) -> bool {
        self.kind.trim().is_empty()
    }

    /// The condition of row `n` (1-based); the message names the row.
    fn parse(&self, n: usize) -> Result<Condition, String> {
        let bad = |message: &str| format!("Condition {n}: {message}.");
        let whole = || {
            self.value
                .trim()
                .parse::<i64>()
                .map_err(|_| bad("give a whole number as the value"))
        };
        let number = || {
            self.value
                .trim()
                .parse::<f64>()
                .ok()
                .filter(|v| v.is_finite())
                .ok_or_else(|| bad("give a number as the value, such as 2 or -0.5"))
        };
        let text = || self.text.trim().to_owned();
        let condition = match self.kind.as_str() {
            "csat_at_most" => Condition::CsatAtMost { value: whole()? },
            "nps_at_most" => Condition::NpsAtMost { value: whole()? },
            "ces_at_least" => Condition::CesAtLeast { value: whole()? },
            "question" => Condition::Question {
                question: self.question.trim().to_owned(),
                comparison: parse_comparison(&self.comparison)
                    .ok_or_else(|| bad("choose a comparison"))?,
                value: number()?,
            },
            "sentiment_below" => Condition::SentimentBelow { value: number()? },
            "theme" => Condition::Theme { theme: text() },
            "keyword" => Condition::Keyword { word: text() },
            "guarantee_invoked" => Condition::GuaranteeInvoked,
            _ => return Err(bad("choose a type")),
        };
        condition.validate().map_err(|e| bad(&e.message))?;
        Ok(condition)
    }
}

/// The rule form as typed.
#[derive(Debug, Clone, PartialEq)]
struct RuleForm {
    name: String,
    severity: String,
    match_all: bool,
    team: String,
    touchpoint: String,
    segment: String,
    min_annual_value_minor: String,
    opens_case: bool,
    enabled: bool,
    rows: Vec<ConditionForm>,
}

impl Default for RuleForm {
    fn default() -> Self {
        Self {
            name: String::new(),
            severity: Severity::High.as_str().to_owned(),
            match_all: false,
            team: String::new(),
            touchpoint: String::new(),
            segment: String::new(),
            min_annual_value_minor: String::new(),
            opens_case: true,
            enabled: true,
            rows: vec![ConditionForm::default(); ROWS],
        }
    }
}

impl RuleForm {
    fn of(stored: &StoredAlertRule) -> Self {
        let rule = &stored.rule;
        let mut rows: Vec<ConditionForm> = rule.conditions.iter().map(ConditionForm::of).collect();
        rows.resize(rows.len().max(ROWS), ConditionForm::default());
        Self {
            name: rule.name.clone(),
            severity: rule.severity.as_str().to_owned(),
            match_all: rule.match_all,
            team: stored
                .team
                .as_ref()
                .map(|t| t.key.clone())
                .unwrap_or_default(),
            touchpoint: stored
                .touchpoint
                .as_ref()
                .map(|t| t.key.clone())
                .unwrap_or_default(),
            segment: rule.scope.segment.clone().unwrap_or_default(),
            min_annual_value_minor: rule
                .scope
                .min_annual_value_minor
                .map(|v| v.to_string())
                .unwrap_or_default(),
            opens_case: rule.opens_case,
            enabled: rule.enabled,
            rows,
        }
    }

    /// Reads the posted fields; condition inputs are named `c<row>_<input>`, and a checkbox is
    /// on when it is sent at all.
    fn from_fields(fields: Vec<(String, String)>) -> Self {
        let mut form = Self {
            opens_case: false,
            enabled: false,
            ..Self::default()
        };
        for (name, value) in fields {
            match name.as_str() {
                "name" => form.name = value,
                "severity" => form.severity = value,
                "match" => form.match_all = value == "all",
                "team" => form.team = value,
                "touchpoint" => form.touchpoint = value,
                "segment" => form.segment = value,
                "min_annual_value_minor" => form.min_annual_value_minor = value,
                "opens_case" => form.opens_case = true,
                "enabled" => form.enabled = true,
                other => form.set_condition_input(other, value),
            }
        }
        form
    }

    fn set_condition_input(&mut self, name: &str, value: String) {
        let Some((row, input)) = name.strip_prefix('c').and_then(|r| r.split_once('_')) else {
            return;
        };
        let Some(row) = row.parse::<usize>().ok().and_then(|i| self.rows.get_mut(i)) else {
            return;
        };
        match input {
            "type" => row.kind = value,
            "value" => row.value = value,
            "question" => row.question = value,
            "comparison" => row.comparison = value,
            "text" => row.text = value,
            _ => {}
        }
    }

    /// The rule to store, through the API's parser; the message is ready to show.
    fn parse(&self) -> Result<store::AlertRuleInput, String> {
        let mut conditions = Vec::new();
        for (i, row) in self.rows.iter().enumerate() {
            if !row.is_empty() {
                conditions.push(row.parse(i + 1)?);
            }
        }
        let min = self.min_annual_value_minor.trim();
        let min_annual_value_minor = if min.is_empty() {
            None
        } else {
            Some(min.parse::<i64>().map_err(|_| {
                "Minimum annual value: give a whole number of minor units (cents), or leave it empty."
                    .to_owned()
            })?)
        };
        let given = |raw: &str| Some(raw.trim().to_owned()).filter(|r| !r.is_empty());
        RuleInput {
            name: self.name.clone(),
            conditions,
            match_all: self.match_all,
            team: given(&self.team),
            touchpoint: given(&self.touchpoint),
            segment: given(&self.segment),
            min_annual_value_minor,
            severity: self.severity.clone(),
            opens_case: self.opens_case,
            enabled: self.enabled,
        }
        .parse()
        .map_err(|e| readable(&e))
    }
}

/// "Conditions: a rule needs at least one condition." from the API's validation error.
fn readable(error: &ValidationError) -> String {
    let field = match error.field {
        "name" => "Name",
        "conditions" => "Conditions",
        "team" => "Team",
        "touchpoint" => "Touchpoint",
        "severity" => "Severity",
        "min_annual_value_minor" => "Minimum annual value",
        other => other,
    };
    format!("{field}: {}.", error.message)
}

/// A condition row as shown.
struct RowView {
    n: usize,
    prefix: String,
    kinds: Vec<Choice>,
    comparisons: Vec<Choice>,
    form: ConditionForm,
}

#[derive(Template)]
#[template(path = "alert_rules/form.html")]
struct FormPage {
    chrome: Chrome,
    editing: Option<i64>,
    form: RuleForm,
    severities: Vec<Choice>,
    teams: Vec<Choice>,
    touchpoints: Vec<Choice>,
    rows: Vec<RowView>,
    error: Option<String>,
}

async fn form_page(
    state: &AppState,
    staff: &Staff,
    editing: Option<i64>,
    form: RuleForm,
    error: Option<String>,
) -> Result<FormPage, PageError> {
    // Scope choices: an organization has tens of teams and touchpoints, well within a page.
    let all = ListParams {
        limit: 500,
        ..ListParams::default()
    };
    let teams = state.store.list_teams(&all, &TeamFilter::default()).await?;
    let touchpoints = state.store.list_touchpoints(&all).await?;
    let rows = form
        .rows
        .iter()
        .enumerate()
        .map(|(i, row)| RowView {
            n: i + 1,
            prefix: format!("c{i}"),
            kinds: Choice::list(KINDS, &row.kind),
            comparisons: Choice::list(COMPARISONS, &row.comparison),
            form: row.clone(),
        })
        .collect();
    Ok(FormPage {
        chrome: Chrome::for_staff(staff, "/settings", &staff.time_zone),
        editing,
        severities: Choice::list(
            Severity::ALL.iter().map(|s| (s.as_str(), s.label())),
            &form.severity,
        ),
        teams: Choice::list(
            teams
                .items
                .iter()
                .map(|t| (t.key.as_str(), t.name.as_str())),
            &form.team,
        ),
        touchpoints: Choice::list(
            touchpoints
                .items
                .iter()
                .map(|t| (t.key.as_str(), t.name.as_str())),
            &form.touchpoint,
        ),
        rows,
        form,
        error,
    })
}

async fn new_form(State(state): State<AppState>, staff: Staff) -> PageResult {
    staff.require(Role::can_administer)?;
    let view = form_page(&state, &staff, None, RuleForm::default(), None).await?;
    Ok(render(StatusCode::OK, &view))
}

fn rule_id(raw: &str) -> Result<i64, PageError> {
    raw.parse().map_err(|_| PageError::NotFound)
}

async fn edit_form(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
) -> PageResult {
    staff.require(Role::can_administer)?;
    let id = rule_id(&id)?;
    let stored = state.store.alert_rule(id).await?;
    let view = form_page(&state, &staff, Some(id), RuleForm::of(&stored), None).await?;
    Ok(render(StatusCode::OK, &view))
}

async fn create(
    State(state): State<AppState>,
    staff: Staff,
    Form(fields): Form<Vec<(String, String)>>,
) -> PageResult {
    staff.require(Role::can_administer)?;
    save(&state, &staff, None, RuleForm::from_fields(fields)).await
}

async fn update(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> PageResult {
    staff.require(Role::can_administer)?;
    let id = rule_id(&id)?;
    save(&state, &staff, Some(id), RuleForm::from_fields(fields)).await
}

async fn save(state: &AppState, staff: &Staff, editing: Option<i64>, form: RuleForm) -> PageResult {
    let result = match form.parse() {
        Ok(input) => {
            let stored = match editing {
                Some(id) => {
                    state
                        .store
                        .update_alert_rule(&actor(staff), id, input)
                        .await
                }
                None => state.store.create_alert_rule(&actor(staff), input).await,
            };
            stored.map_err(form_error)
        }
        Err(message) => Err(Ok(message)),
    };
    match result {
        Ok(_) => Ok(see_other("/settings/alert-rules")),
        Err(Ok(message)) => {
            let view = form_page(state, staff, editing, form, Some(message)).await?;
            Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &view))
        }
        Err(Err(error)) => Err(error),
    }
}

async fn delete(State(state): State<AppState>, staff: Staff, Path(id): Path<String>) -> PageResult {
    staff.require(Role::can_administer)?;
    let id = rule_id(&id)?;
    state.store.delete_alert_rule(&actor(&staff), id).await?;
    Ok(see_other("/settings/alert-rules"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn rows_become_conditions_and_empty_rows_are_ignored() {
        let form = RuleForm::from_fields(fields(&[
            ("name", "Unhappy"),
            ("severity", "critical"),
            ("match", "all"),
            ("c0_type", "csat_at_most"),
            ("c0_value", "2"),
            ("c2_type", "question"),
            ("c2_question", "timeliness"),
            ("c2_comparison", "below"),
            ("c2_value", "2.5"),
            ("c3_type", "keyword"),
            ("c3_text", "refund"),
            ("enabled", "on"),
        ]));
        let input = form.parse().expect("valid");
        assert!(input.match_all && input.enabled && !input.opens_case);
        assert_eq!(
            input.conditions,
            vec![
                Condition::CsatAtMost { value: 2 },
                Condition::Question {
                    question: "timeliness".into(),
                    comparison: Comparison::Below,
                    value: 2.5
                },
                Condition::Keyword {
                    word: "refund".into()
                },
            ]
        );
    }

    #[test]
    fn invalid_rows_are_refused_naming_the_row() {
        let form = RuleForm::from_fields(fields(&[
            ("name", "Bad"),
            ("severity", "high"),
            ("c1_type", "csat_at_most"),
            ("c1_value", "9"),
        ]));
        assert_eq!(
            form.parse().err().as_deref(),
            Some("Condition 2: csat_at_most takes a value from 1 to 5.")
        );
        let none = RuleForm::from_fields(fields(&[("name", "Empty"), ("severity", "high")]));
        assert_eq!(
            none.parse().err().as_deref(),
            Some("Conditions: a rule needs at least one condition.")
        );
    }

    #[test]
    fn a_stored_rule_fills_the_form_and_reads_back_the_same() {
        let rule = domain::recovery::rules::default_rules().remove(0);
        let form = RuleForm::of(&StoredAlertRule {
            rule: rule.clone(),
            team: None,
            touchpoint: None,
            created_at: jiff::Timestamp::UNIX_EPOCH,
            updated_at: jiff::Timestamp::UNIX_EPOCH,
        });
        assert_eq!(form.rows.len(), ROWS);
        let input = form.parse().expect("valid");
        assert_eq!(input.conditions, rule.conditions);
        assert_eq!(describe(&rule.conditions[1]), "NPS likelihood ≤ 6");
    }
}
