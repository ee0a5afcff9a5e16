//! The survey form: what the customer sent (or saved earlier) as plain field values, checked
//! one question at a time so that every problem is shown next to its question, and turned
//! into the view of each question the page renders.

use super::i18n::Text;
use domain::survey::{Question, QuestionKind, Questions, validate_answers};
use serde_json::{Map, Value};
use std::collections::HashMap;

/// The values of the form's fields, by question key; repeated fields (checkboxes) keep all.
#[derive(Debug, Default, Clone)]
pub struct Values(HashMap<String, Vec<String>>);

/// What the customer asked for with the form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Save,
    Submit,
}

impl Values {
    /// The fields of an urlencoded body for the survey's questions, and the action asked for
    /// (submit unless `action=save`). Unknown fields are ignored.
    pub fn from_form(questions: &Questions, body: &[u8]) -> Option<(Self, Action)> {
        let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(body).ok()?;
        let mut values = Self::default();
        let mut action = Action::Submit;
        for (name, value) in pairs {
            if name == "action" {
                if value == "save" {
                    action = Action::Save;
                }
            } else if questions.get(&name).is_some() {
                values.0.entry(name).or_default().push(value);
            }
        }
        Some((values, action))
    }

    /// The values of a saved draft, written back as form fields.
    pub fn from_draft(draft: &Map<String, Value>) -> Self {
        let as_field = |value: &Value| match value {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            Value::Bool(true) => Some("yes".to_owned()),
            Value::Bool(false) => Some("no".to_owned()),
            _ => None,
        };
        let fields = draft
            .iter()
            .map(|(key, value)| {
                let list = match value {
                    Value::Array(items) => items.iter().filter_map(as_field).collect(),
                    other => as_field(other).into_iter().collect(),
                };
                (key.clone(), list)
            })
            .collect();
        Self(fields)
    }

    fn get(&self, key: &str) -> &[String] {
        self.0.get(key).map_or(&[], Vec::as_slice)
    }

    fn first(&self, key: &str) -> Option<&str> {
        self.get(key).first().map(String::as_str)
    }

    /// The answer given to `question` as raw JSON, or `None` if left blank.
    fn raw(&self, question: &Question) -> Option<Value> {
        let given: Vec<&String> = self
            .get(&question.key)
            .iter()
            .filter(|v| !v.trim().is_empty())
            .collect();
        match question.kind {
            QuestionKind::MultipleChoice { .. } if !given.is_empty() => Some(Value::Array(
                given
                    .into_iter()
                    .map(|v| Value::String(v.clone()))
                    .collect(),
            )),
            QuestionKind::MultipleChoice { .. } => None,
            _ => given.first().map(|v| Value::String((*v).clone())),
        }
    }
}

/// The outcome of checking the form: the valid answers as given (what a draft keeps and what
/// ingest validates again), and messages by question key.
pub struct Checked {
    pub answers: Map<String, Value>,
    pub errors: HashMap<String, &'static str>,
}

/// Checks each answer on its own; `complete` also requires every required question.
pub fn check(questions: &Questions, values: &Values, complete: bool, text: &Text) -> Checked {
    let mut answers = Map::new();
    let mut errors = HashMap::new();
    for question in questions.as_slice() {
        let Some(raw) = values.raw(question) else {
            if complete && question.required {
                errors.insert(question.key.clone(), text.error_required);
            }
            continue;
        };
        let one = Map::from_iter([(question.key.clone(), raw)]);
        if validate_answers(questions, &one, false).is_ok() {
            answers.extend(one);
        } else {
            errors.insert(question.key.clone(), message(&question.kind, text));
        }
    }
    Checked { answers, errors }
}

/// What to tell the customer about an invalid answer to a question of this kind.
pub fn message(kind: &QuestionKind, text: &Text) -> &'static str {
    match kind {
        QuestionKind::SingleChoice { .. } | QuestionKind::MultipleChoice { .. } => {
            text.error_choice
        }
        QuestionKind::FreeText => text.error_text,
        QuestionKind::Consent => text.error_consent,
        _ => text.error_scale,
    }
}

/// How a question is answered on the page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Control {
    /// A numeric scale as a row of radio buttons.
    Scale,
    /// One option among several, or yes/no.
    Radio,
    Checkbox,
    Text,
}

pub struct Choice {
    pub value: String,
    pub label: String,
    pub checked: bool,
}

/// One question as rendered, with the customer's current answer and any message.
pub struct QuestionView {
    pub key: String,
    pub prompt: String,
    pub required: bool,
    pub control: Control,
    /// The number of scale points, for the layout.
    pub points: usize,
    pub choices: Vec<Choice>,
    /// The meaning of a scale's two ends, e.g. "1 = Very dissatisfied".
    pub low: Option<String>,
    pub high: Option<String>,
    pub text: String,
    pub error: Option<&'static str>,
}

impl QuestionView {
    pub fn is_scale(&self) -> bool {
        self.control == Control::Scale
    }

    pub fn is_text(&self) -> bool {
        self.control == Control::Text
    }

    pub fn input_type(&self) -> &'static str {
        if self.control == Control::Checkbox {
            "checkbox"
        } else {
            "radio"
        }
    }

    /// The ids of the elements describing the question's fieldset.
    pub fn described_by(&self) -> String {
        let mut ids = Vec::new();
        if self.low.is_some() {
            ids.push(format!("q-{}-hint", self.key));
        }
        if self.error.is_some() {
            ids.push(format!("q-{}-error", self.key));
        }
        ids.join(" ")
    }
}

fn anchors(kind: &QuestionKind, text: &Text) -> (Option<&'static str>, Option<&'static str>) {
    match kind {
        QuestionKind::Csat => (Some(text.csat_low), Some(text.csat_high)),
        QuestionKind::Nps => (Some(text.nps_low), Some(text.nps_high)),
        QuestionKind::Ces => (Some(text.ces_low), Some(text.ces_high)),
        QuestionKind::Rating { .. } => (Some(text.rating_low), Some(text.rating_high)),
        _ => (None, None),
    }
}

/// The questions as rendered with `values` filled in and `errors` next to them.
pub fn views(
    questions: &Questions,
    values: &Values,
    errors: &HashMap<String, &'static str>,
    text: &Text,
) -> Vec<QuestionView> {
    questions
        .as_slice()
        .iter()
        .map(|question| view(question, values, errors.get(&question.key).copied(), text))
        .collect()
}

fn view(
    question: &Question,
    values: &Values,
    error: Option<&'static str>,
    text: &Text,
) -> QuestionView {
    let given = values.get(&question.key);
    let choice = |value: String, label: String| Choice {
        checked: given.iter().any(|g| g.trim() == value),
        value,
        label,
    };
    let (control, choices) = match &question.kind {
        QuestionKind::SingleChoice { options } => (
            Control::Radio,
            options
                .iter()
                .map(|o| choice(o.clone(), o.clone()))
                .collect(),
        ),
        QuestionKind::MultipleChoice { options } => (
            Control::Checkbox,
            options
                .iter()
                .map(|o| choice(o.clone(), o.clone()))
                .collect(),
        ),
        QuestionKind::Consent => (
            Control::Radio,
            vec![
                choice("yes".into(), text.yes.into()),
                choice("no".into(), text.no.into()),
            ],
        ),
        QuestionKind::FreeText => (Control::Text, Vec::new()),
        kind => {
            let (low, high) = kind.scale().unwrap_or((1, 5));
            let points = (low..=high)
                .map(|n| choice(n.to_string(), n.to_string()))
                .collect();
            (Control::Scale, points)
        }
    };
    let (low, high) = anchors(&question.kind, text);
    let end = |choice: Option<&Choice>, meaning: Option<&str>| {
        Some(format!("{} = {}", choice?.value, meaning?))
    };
    let low = end(choices.first(), low);
    let high = end(choices.last(), high);
    QuestionView {
        key: question.key.clone(),
        prompt: question.prompt.clone(),
        required: question.required,
        points: choices.len(),
        control,
        choices,
        low,
        high,
        text: values
            .first(&question.key)
            .filter(|_| control == Control::Text)
            .unwrap_or_default()
            .to_owned(),
        error,
    }
}

#[cfg(test)]
mod tests {
    use super::super::i18n::EN;
    use super::*;
    use domain::survey::default_questions;

    fn questions() -> Questions {
        let mut list = default_questions("Timeliness");
        list.push(Question {
            key: "channels".into(),
            prompt: "How did you reach us?".into(),
            kind: QuestionKind::MultipleChoice {
                options: vec!["Phone".into(), "E-mail".into(), "Shop".into()],
            },
            required: false,
        });
        Questions::parse(list).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn every_bad_answer_gets_its_own_message_and_unknown_fields_are_ignored() {
        let body =
            b"csat=9&nps=abc&channels=Phone&channels=Fax&colour=red&contact=maybe&action=submit";
        let Some((values, action)) = Values::from_form(&questions(), body) else {
            panic!("form")
        };
        assert_eq!(action, Action::Submit);
        let checked = check(&questions(), &values, true, &EN);
        let mut keys: Vec<&str> = checked.errors.keys().map(String::as_str).collect();
        keys.sort_unstable();
        assert_eq!(keys, ["channels", "contact", "csat", "nps"]);
        assert!(checked.answers.is_empty());
    }

    #[test]
    fn blank_answers_are_missing_and_required_only_on_submit() {
        let body = b"csat=&comment=+&action=save";
        let Some((values, action)) = Values::from_form(&questions(), body) else {
            panic!("form")
        };
        assert_eq!(action, Action::Save);
        let draft = check(&questions(), &values, false, &EN);
        assert!(draft.errors.is_empty() && draft.answers.is_empty());
        let submitted = check(&questions(), &values, true, &EN);
        assert_eq!(
            submitted.errors.get("csat").copied(),
            Some(EN.error_required)
        );
    }

    #[test]
    fn a_saved_draft_fills_the_form_back_in() {
        let body = b"csat=4&channels=Shop&channels=Phone&comment=Quick&contact=no";
        let Some((values, _)) = Values::from_form(&questions(), body) else {
            panic!("form")
        };
        let checked = check(&questions(), &values, true, &EN);
        assert!(checked.errors.is_empty());
        let again = Values::from_draft(&checked.answers);
        let shown = views(&questions(), &again, &HashMap::new(), &EN);
        let checked_values = |key: &str| -> Vec<String> {
            shown
                .iter()
                .filter(|q| q.key == key)
                .flat_map(|q| q.choices.iter().filter(|c| c.checked))
                .map(|c| c.value.clone())
                .collect()
        };
        assert_eq!(checked_values("csat"), ["4"]);
        assert_eq!(checked_values("channels"), ["Phone", "Shop"]);
        assert_eq!(checked_values("contact"), ["no"]);
        assert!(
            shown
                .iter()
                .any(|q| q.key == "comment" && q.text == "Quick")
        );
    }
}
