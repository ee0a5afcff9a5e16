//! Surveys: their questions, how answers are validated, and the scores derived from them
//! (CSAT, NPS, CES and attribute ratings).

use crate::ValidationError;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashSet};

/// What a question asks for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum QuestionKind {
    /// Customer satisfaction, 1 (very dissatisfied) to 5 (very satisfied).
    Csat,
    /// Net promoter likelihood, 0 to 10.
    Nps,
    /// Customer effort, 1 (very easy) to 7 (very difficult).
    Ces,
    /// A rating of a named attribute (timeliness, courtesy, …), 1 to 5.
    Rating {
        attribute: String,
    },
    SingleChoice {
        options: Vec<String>,
    },
    MultipleChoice {
        options: Vec<String>,
    },
    FreeText,
    /// "May we contact you about this?": yes or no.
    Consent,
}

impl QuestionKind {
    /// The inclusive range of a numeric scale, if the question is one.
    pub fn scale(&self) -> Option<(i64, i64)> {
        match self {
            QuestionKind::Csat | QuestionKind::Rating { .. } => Some((1, 5)),
            QuestionKind::Nps => Some((0, 10)),
            QuestionKind::Ces => Some((1, 7)),
            _ => None,
        }
    }

    pub fn name(&self) -> &'static str {
        match self {
            QuestionKind::Csat => "csat",
            QuestionKind::Nps => "nps",
            QuestionKind::Ces => "ces",
            QuestionKind::Rating { .. } => "rating",
            QuestionKind::SingleChoice { .. } => "single_choice",
            QuestionKind::MultipleChoice { .. } => "multiple_choice",
            QuestionKind::FreeText => "free_text",
            QuestionKind::Consent => "consent",
        }
    }
}

/// One question of a survey.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Question {
    /// Stable identifier of the question, e.g. `csat`; answers are keyed by it.
    pub key: String,
    /// The text shown to the customer.
    pub prompt: String,
    #[serde(flatten)]
    pub kind: QuestionKind,
    #[serde(default)]
    pub required: bool,
}

/// The questions of a survey, validated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Questions(Vec<Question>);

const MAX_QUESTIONS: usize = 50;
const MAX_OPTIONS: usize = 30;
const MAX_FREE_TEXT_CHARS: usize = 5000;

fn is_question_key(key: &str) -> bool {
    !key.is_empty()
        && key.len() <= 64
        && key
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-')
}

fn text_ok(text: &str, max: usize) -> bool {
    let trimmed = text.trim();
    !trimmed.is_empty() && trimmed.chars().count() <= max && !trimmed.chars().any(char::is_control)
}

impl Questions {
    /// Checks keys are unique slugs, prompts and options are sensible, and there is at least one question.
    pub fn parse(questions: Vec<Question>) -> Result<Self, ValidationError> {
        if questions.is_empty() || questions.len() > MAX_QUESTIONS {
            return Err(ValidationError::new(
                "questions",
                format!("must hold 1 to {MAX_QUESTIONS} questions"),
            ));
        }
        let mut keys = HashSet::new();
        for (index, question) in questions.iter().enumerate() {
            let at = |message: &str| {
                ValidationError::new("questions", format!("question {}: {message}", index + 1))
            };
            if !is_question_key(&question.key) {
                return Err(at(
                    "key must be 1 to 64 lowercase letters, digits, '_' or '-'",
                ));
            }
            if !keys.insert(question.key.as_str()) {
                return Err(at(&format!("key {:?} is used twice", question.key)));
            }
            if !text_ok(&question.prompt, 500) {
                return Err(at("prompt must be 1 to 500 characters"));
            }
            match &question.kind {
                QuestionKind::Rating { attribute } if !text_ok(attribute, 100) => {
                    return Err(at(
                        "a rating needs an attribute name of 1 to 100 characters",
                    ));
                }
                QuestionKind::SingleChoice { options }
                | QuestionKind::MultipleChoice { options } => {
                    let distinct: HashSet<&str> = options.iter().map(|o| o.trim()).collect();
                    let valid = (2..=MAX_OPTIONS).contains(&options.len())
                        && options.iter().all(|o| text_ok(o, 200))
                        && distinct.len() == options.len();
                    if !valid {
                        return Err(at(&format!(
                            "a choice needs 2 to {MAX_OPTIONS} distinct options of 1 to 200 characters"
                        )));
                    }
                }
                _ => {}
            }
        }
        Ok(Self(questions))
    }

    pub fn as_slice(&self) -> &[Question] {
        &self.0
    }

    pub fn get(&self, key: &str) -> Option<&Question> {
        self.0.iter().find(|q| q.key == key)
    }
}

/// One answer, typed by its question.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum AnswerValue {
    Number(i64),
    Choices(Vec<String>),
    Text(String),
    Flag(bool),
}

/// Validated answers, keyed by question key.
pub type Answers = BTreeMap<String, AnswerValue>;

/// Checks a raw answer map against the questions. `complete` requires every required question.
/// Errors name the offending key as `answers.<key>`.
pub fn validate_answers(
    questions: &Questions,
    raw: &serde_json::Map<String, serde_json::Value>,
    complete: bool,
) -> Result<Answers, AnswerError> {
    let mut answers = Answers::new();
    for (key, value) in raw {
        let question = questions
            .get(key)
            .ok_or_else(|| AnswerError::new(key, "is not a question of this survey"))?;
        if value.is_null() {
            continue;
        }
        answers.insert(key.clone(), validate_one(question, value)?);
    }
    if complete
        && let Some(missing) = questions
            .as_slice()
            .iter()
            .find(|q| q.required && !answers.contains_key(&q.key))
    {
        return Err(AnswerError::new(&missing.key, "is required"));
    }
    Ok(answers)
}

/// An invalid answer: which question and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnswerError {
    pub key: String,
    pub message: String,
}

impl AnswerError {
    fn new(key: &str, message: impl Into<String>) -> Self {
        Self {
            key: key.to_owned(),
            message: message.into(),
        }
    }

    /// The field path used in error documents.
    pub fn field(&self) -> String {
        format!("answers.{}", self.key)
    }
}

impl std::fmt::Display for AnswerError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "answers.{}: {}", self.key, self.message)
    }
}

fn validate_one(
    question: &Question,
    value: &serde_json::Value,
) -> Result<AnswerValue, AnswerError> {
    let key = question.key.as_str();
    if let Some((low, high)) = question.kind.scale() {
        let number = value
            .as_i64()
            .or_else(|| value.as_str().and_then(|s| s.trim().parse().ok()))
            .ok_or_else(|| {
                AnswerError::new(key, format!("must be a whole number from {low} to {high}"))
            })?;
        if !(low..=high).contains(&number) {
            return Err(AnswerError::new(
                key,
                format!("must be from {low} to {high}, not {number}"),
            ));
        }
        return Ok(AnswerValue::Number(number));
    }
    match &question.kind {
        QuestionKind::SingleChoice { options } => {
            let choice = value
                .as_str()
                .map(str::trim)
                .ok_or_else(|| AnswerError::new(key, "must be one of the options"))?;
            if options.iter().any(|o| o == choice) {
                Ok(AnswerValue::Choices(vec![choice.to_owned()]))
            } else {
                Err(AnswerError::new(
                    key,
                    format!("{choice:?} is not one of the options"),
                ))
            }
        }
        QuestionKind::MultipleChoice { options } => {
            let chosen: Vec<String> = match value {
                serde_json::Value::Array(items) => items
                    .iter()
                    .map(|i| i.as_str().map(|s| s.trim().to_owned()))
                    .collect::<Option<Vec<_>>>()
                    .ok_or_else(|| AnswerError::new(key, "must be a list of options"))?,
                serde_json::Value::String(one) => vec![one.trim().to_owned()],
                _ => return Err(AnswerError::new(key, "must be a list of options")),
            };
            if let Some(unknown) = chosen.iter().find(|c| !options.contains(c)) {
                return Err(AnswerError::new(
                    key,
                    format!("{unknown:?} is not one of the options"),
                ));
            }
            let mut ordered: Vec<String> = options
                .iter()
                .filter(|o| chosen.contains(o))
                .cloned()
                .collect();
            ordered.dedup();
            Ok(AnswerValue::Choices(ordered))
        }
        QuestionKind::FreeText => {
            let text = value
                .as_str()
                .ok_or_else(|| AnswerError::new(key, "must be text"))?;
            if text.chars().count() > MAX_FREE_TEXT_CHARS {
                return Err(AnswerError::new(
                    key,
                    format!("must be at most {MAX_FREE_TEXT_CHARS} characters"),
                ));
            }
            Ok(AnswerValue::Text(text.trim().to_owned()))
        }
        QuestionKind::Consent => match value {
            serde_json::Value::Bool(flag) => Ok(AnswerValue::Flag(*flag)),
            serde_json::Value::String(s) if matches!(s.as_str(), "yes" | "true") => {
                Ok(AnswerValue::Flag(true))
            }
            serde_json::Value::String(s) if matches!(s.as_str(), "no" | "false") => {
                Ok(AnswerValue::Flag(false))
            }
            _ => Err(AnswerError::new(key, "must be true or false")),
        },
        _ => Err(AnswerError::new(key, "has an unsupported type")),
    }
}

/// The scores derived from a set of answers, stored beside them for fast filtering.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scores {
    pub csat: Option<i64>,
    pub nps: Option<i64>,
    pub ces: Option<i64>,
}

/// The first CSAT, NPS and CES answers, if any.
pub fn scores(questions: &Questions, answers: &Answers) -> Scores {
    let mut scores = Scores::default();
    for question in questions.as_slice() {
        let Some(AnswerValue::Number(n)) = answers.get(&question.key) else {
            continue;
        };
        let slot = match question.kind {
            QuestionKind::Csat => &mut scores.csat,
            QuestionKind::Nps => &mut scores.nps,
            QuestionKind::Ces => &mut scores.ces,
            _ => continue,
        };
        slot.get_or_insert(*n);
    }
    scores
}

/// The attribute ratings answered, by question key: the drivers of key driver analysis.
pub type Ratings = BTreeMap<String, i64>;

/// Each rating question's numeric answer, by its key.
pub fn ratings(questions: &Questions, answers: &Answers) -> Ratings {
    questions
        .as_slice()
        .iter()
        .filter(|q| matches!(q.kind, QuestionKind::Rating { .. }))
        .filter_map(|q| match answers.get(&q.key) {
            Some(AnswerValue::Number(n)) => Some((q.key.clone(), *n)),
            _ => None,
        })
        .collect()
}

/// All free-text answers joined, for comment analysis and search.
pub fn comment_text(questions: &Questions, answers: &Answers) -> Option<String> {
    let texts: Vec<&str> = questions
        .as_slice()
        .iter()
        .filter(|q| q.kind == QuestionKind::FreeText)
        .filter_map(|q| match answers.get(&q.key) {
            Some(AnswerValue::Text(t)) if !t.is_empty() => Some(t.as_str()),
            _ => None,
        })
        .collect();
    (!texts.is_empty()).then(|| texts.join("\n"))
}

/// Whether the customer agreed to be contacted (any consent question answered yes).
pub fn consents_to_contact(questions: &Questions, answers: &Answers) -> bool {
    questions.as_slice().iter().any(|q| {
        q.kind == QuestionKind::Consent && answers.get(&q.key) == Some(&AnswerValue::Flag(true))
    })
}

/// How a response reads at a glance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ScoreBand {
    /// CSAT 1–2 or NPS 0–6.
    Poor,
    /// CSAT 3 or NPS 7–8.
    Neutral,
    /// CSAT 4–5 or NPS 9–10.
    Good,
}

impl ScoreBand {
    pub const ALL: [ScoreBand; 3] = [ScoreBand::Poor, ScoreBand::Neutral, ScoreBand::Good];

    /// From CSAT when answered, else NPS.
    pub fn of(scores: &Scores) -> Option<ScoreBand> {
        match (scores.csat, scores.nps) {
            (Some(c), _) => Some(match c {
                ..=2 => ScoreBand::Poor,
                3 => ScoreBand::Neutral,
                _ => ScoreBand::Good,
            }),
            (None, Some(n)) => Some(match n {
                ..=6 => ScoreBand::Poor,
                7 | 8 => ScoreBand::Neutral,
                _ => ScoreBand::Good,
            }),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ScoreBand::Poor => "poor",
            ScoreBand::Neutral => "neutral",
            ScoreBand::Good => "good",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, ValidationError> {
        ScoreBand::ALL
            .into_iter()
            .find(|b| b.as_str() == raw.trim())
            .ok_or_else(|| ValidationError::new("band", "must be one of: poor, neutral, good"))
    }
}

/// A sensible default survey: overall satisfaction, likelihood to recommend, one attribute
/// rating, a comment and consent to be contacted.
pub fn default_questions(attribute: &str) -> Vec<Question> {
    let q = |key: &str, prompt: &str, kind: QuestionKind, required: bool| Question {
        key: key.into(),
        prompt: prompt.into(),
        kind,
        required,
    };
    vec![
        q(
            "csat",
            "Overall, how satisfied are you with this service?",
            QuestionKind::Csat,
            true,
        ),
        q(
            "nps",
            "How likely are you to recommend us to a friend or colleague?",
            QuestionKind::Nps,
            false,
        ),
        q(
            &attribute.to_lowercase().replace(' ', "_"),
            &format!("How would you rate our {}?", attribute.to_lowercase()),
            QuestionKind::Rating {
                attribute: attribute.into(),
            },
            false,
        ),
        q(
            "comment",
            "What is the one thing we could have done better?",
            QuestionKind::FreeText,
            false,
        ),
        q(
            "contact",
            "May we contact you about your answers?",
            QuestionKind::Consent,
            false,
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn questions() -> Questions {
        let parsed = Questions::parse(default_questions("Timeliness"));
        parsed.unwrap_or_else(|e| panic!("{e}"))
    }

    fn raw(value: serde_json::Value) -> serde_json::Map<String, serde_json::Value> {
        value.as_object().cloned().unwrap_or_default()
    }

    #[test]
    fn questions_round_trip_as_json_with_a_type_tag() {
        let text = serde_json::to_string(questions().as_slice()).unwrap_or_default();
        assert!(
            text.contains("\"type\":\"rating\"") && text.contains("\"attribute\":\"Timeliness\"")
        );
        let back: Vec<Question> = serde_json::from_str(&text).unwrap_or_default();
        assert_eq!(Questions::parse(back), Ok(questions()));
    }

    #[test]
    fn invalid_surveys_are_refused() {
        assert!(Questions::parse(vec![]).is_err());
        let mut twice = default_questions("Courtesy");
        twice[1].key = "csat".into();
        assert!(Questions::parse(twice).is_err());
        let mut bad_key = default_questions("Courtesy");
        bad_key[0].key = "Overall Score".into();
        assert!(Questions::parse(bad_key).is_err());
        let one_option = vec![Question {
            key: "pick".into(),
            prompt: "Pick".into(),
            kind: QuestionKind::SingleChoice {
                options: vec!["a".into()],
            },
            required: false,
        }];
        assert!(Questions::parse(one_option).is_err());
    }

    #[test]
    fn answers_are_checked_against_their_scales() {
        let q = questions();
        let ok = validate_answers(
            &q,
            &raw(json!({"csat": 2, "nps": "4", "comment": " Waited 40 minutes ", "contact": true})),
            true,
        );
        let Ok(answers) = ok else { panic!("{ok:?}") };
        assert_eq!(answers["nps"], AnswerValue::Number(4));
        assert_eq!(
            answers["comment"],
            AnswerValue::Text("Waited 40 minutes".into())
        );
        assert_eq!(
            scores(&q, &answers),
            Scores {
                csat: Some(2),
                nps: Some(4),
                ces: None
            }
        );
        assert!(consents_to_contact(&q, &answers));
        for (bad, key) in [
            (json!({"csat": 6}), "csat"),
            (json!({"csat": 0}), "csat"),
            (json!({"nps": 11}), "nps"),
            (json!({"csat": 2.5}), "csat"),
            (json!({"csat": "five"}), "csat"),
            (json!({"colour": "red"}), "colour"),
            (json!({"contact": "maybe"}), "contact"),
            (json!({"comment": 7}), "comment"),
        ] {
            let error = validate_answers(&q, &raw(bad.clone()), false).err();
            assert_eq!(error.map(|e| e.key), Some(key.to_owned()), "{bad}");
        }
    }

    #[test]
    fn a_complete_response_needs_every_required_answer() {
        let q = questions();
        let missing = validate_answers(&q, &raw(json!({"nps": 9})), true);
        assert_eq!(
            missing.err().map(|e| e.field()),
            Some("answers.csat".to_owned())
        );
        assert!(
            validate_answers(&q, &raw(json!({"nps": 9})), false).is_ok(),
            "drafts may be partial"
        );
    }

    #[test]
    fn choices_must_be_among_the_options() {
        let q = Questions::parse(vec![
            Question {
                key: "one".into(),
                prompt: "One".into(),
                kind: QuestionKind::SingleChoice {
                    options: vec!["a".into(), "b".into()],
                },
                required: false,
            },
            Question {
                key: "many".into(),
                prompt: "Many".into(),
                kind: QuestionKind::MultipleChoice {
                    options: vec!["x".into(), "y".into(), "z".into()],
                },
                required: false,
            },
        ]);
        let Ok(q) = q else { panic!() };
        let answers =
            validate_answers(&q, &raw(json!({"one": "b", "many": ["z", "x", "x"]})), true);
        assert_eq!(
            answers.map(|a| a["many"].clone()),
            Ok(AnswerValue::Choices(vec!["x".into(), "z".into()]))
        );
        assert!(validate_answers(&q, &raw(json!({"one": "c"})), true).is_err());
        assert!(validate_answers(&q, &raw(json!({"many": ["w"]})), true).is_err());
    }

    #[test]
    fn bands_come_from_csat_then_nps() {
        let band = |csat, nps| {
            ScoreBand::of(&Scores {
                csat,
                nps,
                ces: None,
            })
        };
        assert_eq!(band(Some(2), Some(10)), Some(ScoreBand::Poor));
        assert_eq!(band(Some(3), None), Some(ScoreBand::Neutral));
        assert_eq!(band(None, Some(9)), Some(ScoreBand::Good));
        assert_eq!(band(None, Some(6)), Some(ScoreBand::Poor));
        assert_eq!(band(None, None), None);
    }
}
