//! From raw answers to a response ready to store: validation against the survey version,
//! derived scores, and comment analysis. Pure apart from the analyser it is given.

use super::analyzer::Analyzer;
use domain::ValidationError;
use domain::survey::{
    AnswerError, comment_text, consents_to_contact, ratings, scores, validate_answers,
};
use jiff::Timestamp;
use store::{NewResponse, ResponseContext};

/// Where a response came from: a short slug such as `survey`, `api`, `phone_interview`,
/// `kiosk`, `focus_group`, `briefing`, `review_360` or `import`.
pub fn parse_source(raw: &str) -> Result<String, ValidationError> {
    let value = raw.trim();
    let valid = !value.is_empty()
        && value.len() <= 40
        && value
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-');
    if valid {
        Ok(value.to_owned())
    } else {
        Err(ValidationError::new(
            "source",
            "must be 1 to 40 lowercase letters, digits, '_' or '-', e.g. phone_interview",
        ))
    }
}

/// Validates complete answers and builds the response to store.
pub fn prepare(
    context: ResponseContext,
    raw_answers: &serde_json::Map<String, serde_json::Value>,
    source: String,
    responded_at: Timestamp,
    invitation: Option<i64>,
    analyzer: &Analyzer,
) -> Result<NewResponse, AnswerError> {
    let questions = &context.survey.questions;
    let answers = validate_answers(questions, raw_answers, true)?;
    let comment = comment_text(questions, &answers);
    let analysis = comment
        .as_deref()
        .map(|text| analyzer.analyze(text))
        .unwrap_or_default();
    Ok(NewResponse {
        scores: scores(questions, &answers),
        ratings: ratings(questions, &answers),
        contact_consent: consents_to_contact(questions, &answers),
        answers: serde_json::to_value(&answers).unwrap_or(serde_json::Value::Null),
        comment,
        analysis,
        context,
        invitation,
        source,
        responded_at,
    })
}
