//! One survey per touchpoint: overall satisfaction, likelihood to recommend, effort for the
//! support channels, ratings of the attributes that matter for that kind of contact, whether
//! a support issue was resolved, a comment and consent to be contacted. English prompts; the
//! question keys are the same everywhere, so that answers compare across surveys.

use crate::catalog::TOUCHPOINTS;
use crate::world::{Attribute, SurveyPlan};
use domain::survey::{Question, QuestionKind};

pub struct SurveySpec {
    /// The touchpoint it is attached to.
    pub touchpoint: &'static str,
    pub key: &'static str,
    pub name: &'static str,
    pub description: &'static str,
    pub csat: &'static str,
    /// The customer-effort question, for support channels.
    pub ces: Option<&'static str>,
    pub ratings: &'static [(Attribute, &'static str)],
    /// Asks whether the issue was resolved (support channels).
    pub resolved: bool,
    pub comment: &'static str,
}

use Attribute::{Accuracy, Communication, Courtesy, Price, QualityOfWork, Timeliness};

/// In the order of [`TOUCHPOINTS`].
pub const SURVEYS: &[SurveySpec] = &[
    SurveySpec {
        touchpoint: "phone-support",
        key: "after-phone-call",
        name: "After a call to support",
        description: "Sent after every call to the support line.",
        csat: "Overall, how satisfied are you with your call to our support line?",
        ces: Some("How easy was it to get your request handled?"),
        ratings: &[
            (
                Timeliness,
                "How would you rate how quickly we answered and dealt with your call?",
            ),
            (
                Courtesy,
                "How would you rate the courtesy of the person you spoke to?",
            ),
            (
                Accuracy,
                "How would you rate the accuracy of the answer you were given?",
            ),
            (
                Communication,
                "How clearly did we explain what happens next?",
            ),
        ],
        resolved: true,
        comment: "Is there anything you would like to tell us about your call?",
    },
    SurveySpec {
        touchpoint: "email-support",
        key: "after-email",
        name: "After an e-mail to support",
        description: "Sent when a support ticket opened by e-mail is closed.",
        csat: "Overall, how satisfied are you with our answer to your e-mail?",
        ces: Some("How easy was it to get your request handled?"),
        ratings: &[
            (Timeliness, "How would you rate how quickly we replied?"),
            (Accuracy, "How would you rate the accuracy of our answer?"),
            (Communication, "How clear was our answer?"),
        ],
        resolved: true,
        comment: "Is there anything you would like to tell us about our answer?",
    },
    SurveySpec {
        touchpoint: "web-chat",
        key: "after-chat",
        name: "After a web chat",
        description: "Offered when a chat from the customer portal ends.",
        csat: "Overall, how satisfied are you with this chat?",
        ces: Some("How easy was it to get your request handled?"),
        ratings: &[
            (Timeliness, "How would you rate how quickly we answered?"),
            (
                Courtesy,
                "How would you rate the courtesy of the person you chatted with?",
            ),
            (Accuracy, "How would you rate the accuracy of the answers?"),
        ],
        resolved: true,
        comment: "Is there anything you would like to tell us about this chat?",
    },
    SurveySpec {
        touchpoint: "on-site-visit",
        key: "after-visit",
        name: "After a technician's visit",
        description: "Sent when the work order of an on-site visit is closed.",
        csat: "Overall, how satisfied are you with the technician's visit?",
        ces: None,
        ratings: &[
            (
                Timeliness,
                "How would you rate the technician's punctuality?",
            ),
            (Courtesy, "How would you rate the technician's courtesy?"),
            (
                QualityOfWork,
                "How would you rate the quality of the work done?",
            ),
            (
                Communication,
                "How well did the technician explain what was done?",
            ),
            (Price, "How fair was the price of the visit?"),
        ],
        resolved: false,
        comment: "Is there anything you would like to tell us about the visit?",
    },
    SurveySpec {
        touchpoint: "maintenance-visit",
        key: "after-maintenance",
        name: "After a maintenance visit",
        description: "Sent when the work order of a scheduled maintenance visit is closed.",
        csat: "Overall, how satisfied are you with this maintenance visit?",
        ces: None,
        ratings: &[
            (
                Timeliness,
                "How would you rate the technician's punctuality?",
            ),
            (
                QualityOfWork,
                "How would you rate the quality of the maintenance work?",
            ),
            (Courtesy, "How would you rate the technician's courtesy?"),
            (
                Communication,
                "How well did the technician tell you what was checked and found?",
            ),
        ],
        resolved: false,
        comment: "Is there anything you would like to tell us about the visit?",
    },
    SurveySpec {
        touchpoint: "installation",
        key: "after-installation",
        name: "After an installation",
        description: "Sent when new equipment has been installed and handed over.",
        csat: "Overall, how satisfied are you with the installation?",
        ces: None,
        ratings: &[
            (
                Timeliness,
                "How would you rate our keeping to the agreed dates?",
            ),
            (
                QualityOfWork,
                "How would you rate the quality of the installation?",
            ),
            (
                Communication,
                "How well were you kept informed during the project?",
            ),
            (Accuracy, "How well did the result match what was agreed?"),
            (Price, "How fair was the price of the installation?"),
        ],
        resolved: false,
        comment: "Is there anything you would like to tell us about the installation?",
    },
    SurveySpec {
        touchpoint: "delivery",
        key: "after-delivery",
        name: "After a delivery",
        description: "Sent when a delivery of supplies has been signed for.",
        csat: "Overall, how satisfied are you with this delivery?",
        ces: None,
        ratings: &[
            (
                Timeliness,
                "How would you rate our delivering within the agreed window?",
            ),
            (
                Accuracy,
                "How would you rate the completeness and correctness of your order?",
            ),
            (Courtesy, "How would you rate the driver's courtesy?"),
            (Price, "How would you rate the prices of your supplies?"),
        ],
        resolved: false,
        comment: "Is there anything you would like to tell us about the delivery?",
    },
    SurveySpec {
        touchpoint: "invoicing",
        key: "after-invoice",
        name: "About your monthly invoice",
        description: "Sent with the monthly invoice.",
        csat: "Overall, how satisfied are you with this month's invoice?",
        ces: None,
        ratings: &[
            (Accuracy, "How would you rate the accuracy of your invoice?"),
            (
                Communication,
                "How clear and easy to understand is your invoice?",
            ),
            (
                Price,
                "How would you rate the value for money of our services?",
            ),
        ],
        resolved: false,
        comment: "Is there anything you would like to tell us about your invoice?",
    },
    SurveySpec {
        touchpoint: "onboarding",
        key: "after-kick-off",
        name: "After the kick-off meeting",
        description: "Sent after the kick-off meeting with a new customer.",
        csat: "Overall, how satisfied are you with the start of our work together?",
        ces: None,
        ratings: &[
            (
                Communication,
                "How clearly did we explain how we will work together?",
            ),
            (
                Timeliness,
                "How would you rate how quickly things were set up?",
            ),
            (Accuracy, "How well did we understand your needs?"),
            (Courtesy, "How would you rate the courtesy of our team?"),
        ],
        resolved: false,
        comment: "Is there anything you would like to tell us about your start with us?",
    },
    SurveySpec {
        touchpoint: "account-review",
        key: "after-account-review",
        name: "After the quarterly review",
        description: "Sent after each quarterly account review.",
        csat: "Overall, how satisfied are you with our service this quarter?",
        ces: None,
        ratings: &[
            (
                Communication,
                "How would you rate our communication over the quarter?",
            ),
            (
                Accuracy,
                "How would you rate the accuracy of our reports and figures?",
            ),
            (
                QualityOfWork,
                "How would you rate the quality of our service over the quarter?",
            ),
            (
                Timeliness,
                "How would you rate how quickly we act on your requests?",
            ),
            (
                Price,
                "How would you rate the value for money of your contract?",
            ),
        ],
        resolved: false,
        comment: "Is there anything you would like to tell us about our service?",
    },
];

pub const NPS_PROMPT: &str = "How likely are you to recommend us to a friend or colleague?";
pub const CONSENT_PROMPT: &str = "May we contact you about your answers?";
pub const RESOLVED_OPTIONS: [&str; 3] = ["Yes", "Partly", "No"];

/// The survey of each touchpoint, in the order of [`TOUCHPOINTS`].
pub fn plans() -> Vec<SurveyPlan> {
    SURVEYS
        .iter()
        .map(|spec| SurveyPlan {
            key: spec.key.into(),
            name: spec.name.into(),
            description: spec.description.into(),
            questions: questions(spec),
            touchpoints: TOUCHPOINTS
                .iter()
                .position(|t| t.key == spec.touchpoint)
                .into_iter()
                .collect(),
        })
        .collect()
}

fn questions(spec: &SurveySpec) -> Vec<Question> {
    let q = |key: &str, prompt: &str, kind: QuestionKind, required: bool| Question {
        key: key.into(),
        prompt: prompt.into(),
        kind,
        required,
    };
    let mut questions = vec![
        q("csat", spec.csat, QuestionKind::Csat, true),
        q("nps", NPS_PROMPT, QuestionKind::Nps, false),
    ];
    if let Some(prompt) = spec.ces {
        questions.push(q("ces", prompt, QuestionKind::Ces, false));
    }
    for (attribute, prompt) in spec.ratings {
        let kind = QuestionKind::Rating {
            attribute: attribute.label().into(),
        };
        questions.push(q(attribute.key(), prompt, kind, false));
    }
    if spec.resolved {
        let options = RESOLVED_OPTIONS.iter().map(|o| (*o).to_owned()).collect();
        let kind = QuestionKind::SingleChoice { options };
        questions.push(q("resolved", "Was your request resolved?", kind, false));
    }
    questions.push(q("comment", spec.comment, QuestionKind::FreeText, false));
    questions.push(q("contact", CONSENT_PROMPT, QuestionKind::Consent, false));
    questions
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::survey::Questions;

    #[test]
    fn every_touchpoint_has_one_valid_survey() {
        assert_eq!(SURVEYS.len(), TOUCHPOINTS.len());
        for (spec, touchpoint) in SURVEYS.iter().zip(TOUCHPOINTS) {
            assert_eq!(spec.touchpoint, touchpoint.key);
        }
        for plan in plans() {
            assert_eq!(plan.touchpoints.len(), 1, "{}", plan.key);
            let parsed = Questions::parse(plan.questions.clone());
            assert!(parsed.is_ok(), "{}: {parsed:?}", plan.key);
        }
    }
}
