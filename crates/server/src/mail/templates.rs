//! Invitation e-mail templates: a subject, a reminder subject, a plain-text and an HTML body per
//! language, edited by admins and stored as JSON in the settings table. Rendering is plain
//! `{{placeholder}}` substitution; values are HTML-escaped in the HTML body.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use store::{SettingsStore, StoreResult};

/// The settings key under which edited templates are stored.
pub const TEMPLATES_SETTING: &str = "email_templates";

/// The language used when the customer's has no template of its own.
pub const FALLBACK_LANGUAGE: &str = "en";

pub const PLACEHOLDERS: &[&str] = &[
    "customer_name",
    "organization",
    "touchpoint",
    "date",
    "staff_name",
    "survey_url",
    "unsubscribe_url",
];

/// Placeholders every body must contain: the survey and the way out of it.
const REQUIRED_IN_BODIES: &[&str] = &["survey_url", "unsubscribe_url"];
const MAX_LANGUAGES: usize = 20;
const MAX_SUBJECT_CHARS: usize = 200;
const MAX_BODY_BYTES: usize = 20_000;
const MAX_NAME_CHARS: usize = 100;

/// The e-mail of one language. Subjects are one line of at most 200 characters; bodies at most
/// 20,000 bytes, and each must contain `{{survey_url}}` and `{{unsubscribe_url}}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EmailTemplate {
    pub subject: String,
    /// The subject of the one reminder sent when the survey is not answered.
    pub reminder_subject: String,
    /// The plain-text body.
    pub text: String,
    /// The HTML body; substituted values are HTML-escaped.
    pub html: String,
    /// Stands for `{{customer_name}}` when the customer's name is unknown.
    #[serde(default)]
    pub anonymous_name: String,
}

/// Templates by language code (`en`, `fr`, …); `en` is always present and is the fallback.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct EmailTemplates(BTreeMap<String, EmailTemplate>);

/// What the placeholders stand for in one e-mail (not escaped yet).
#[derive(Debug, Clone, Default)]
pub struct Values {
    pub customer_name: Option<String>,
    pub organization: String,
    pub touchpoint: String,
    pub occurred_on: Option<jiff::civil::Date>,
    pub staff_name: Option<String>,
    pub survey_url: String,
    pub unsubscribe_url: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// A template that cannot be accepted, naming the field (`en.html`, say).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateError {
    pub field: String,
    pub message: String,
}

impl Default for EmailTemplates {
    fn default() -> Self {
        let mut map = BTreeMap::new();
        map.insert("en".to_owned(), english());
        map.insert("fr".to_owned(), french());
        Self(map)
    }
}

impl EmailTemplates {
    pub fn languages(&self) -> &BTreeMap<String, EmailTemplate> {
        &self.0
    }

    /// Checks languages, sizes and placeholders.
    pub fn parse(languages: BTreeMap<String, EmailTemplate>) -> Result<Self, TemplateError> {
        let error = |field: String, message: &str| TemplateError {
            field,
            message: message.to_owned(),
        };
        if languages.is_empty() || languages.len() > MAX_LANGUAGES {
            return Err(error(
                "templates".into(),
                "must hold 1 to 20 languages, among them \"en\"",
            ));
        }
        if !languages.contains_key(FALLBACK_LANGUAGE) {
            return Err(error(
                "templates".into(),
                "must include \"en\", used when there is no template in the customer's language",
            ));
        }
        for (language, template) in &languages {
            let is_code = (2..=3).contains(&language.len())
                && language.bytes().all(|b| b.is_ascii_lowercase());
            if !is_code {
                return Err(error(
                    format!("templates.{language}"),
                    "is not a language code such as \"en\" or \"fr\"",
                ));
            }
            template.validate(&format!("templates.{language}"))?;
        }
        Ok(Self(languages))
    }

    /// The stored templates, or the defaults when none (or unreadable ones) are stored.
    pub async fn load<S: SettingsStore + ?Sized>(store: &S) -> StoreResult<Self> {
        let Some(json) = store.setting(TEMPLATES_SETTING).await? else {
            return Ok(Self::default());
        };
        let parsed = serde_json::from_str(&json)
            .ok()
            .and_then(|languages| Self::parse(languages).ok());
        Ok(parsed.unwrap_or_else(|| {
            tracing::warn!("the stored e-mail templates are not valid; using the defaults");
            Self::default()
        }))
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(&self.0).unwrap_or_default()
    }

    /// The template for a locale such as `fr-CA` or `fr_FR`, else the English one.
    pub fn for_locale(&self, locale: Option<&str>) -> (&str, &EmailTemplate) {
        let language = locale
            .and_then(|l| l.split(['-', '_']).next())
            .map(|l| l.trim().to_ascii_lowercase())
            .unwrap_or_default();
        self.0
            .get_key_value(language.as_str())
            .or_else(|| self.0.get_key_value(FALLBACK_LANGUAGE))
            .or_else(|| self.0.iter().next())
            .map_or((FALLBACK_LANGUAGE, &EMPTY), |(k, v)| (k.as_str(), v))
    }

    pub fn render(&self, locale: Option<&str>, reminder: bool, values: &Values) -> Rendered {
        let (language, template) = self.for_locale(locale);
        let customer_name = values
            .customer_name
            .clone()
            .filter(|n| !n.trim().is_empty())
            .unwrap_or_else(|| template.anonymous_name.clone());
        let date = values
            .occurred_on
            .map(|d| format_date(d, language))
            .unwrap_or_default();
        let lookup = |name: &str| -> Option<&str> {
            Some(match name {
                "customer_name" => &customer_name,
                "organization" => &values.organization,
                "touchpoint" => &values.touchpoint,
                "date" => &date,
                "staff_name" => values.staff_name.as_deref().unwrap_or_default(),
                "survey_url" => &values.survey_url,
                "unsubscribe_url" => &values.unsubscribe_url,
                _ => return None,
            })
        };
        let subject = if reminder {
            &template.reminder_subject
        } else {
            &template.subject
        };
        Rendered {
            subject: substitute(subject, |n| lookup(n).map(one_line)),
            text: substitute(&template.text, |n| lookup(n).map(str::to_owned)),
            html: substitute(&template.html, |n| lookup(n).map(escape_html)),
        }
    }
}

static EMPTY: EmailTemplate = EmailTemplate {
    subject: String::new(),
    reminder_subject: String::new(),
    text: String::new(),
    html: String::new(),
    anonymous_name: String::new(),
};

impl EmailTemplate {
    fn validate(&self, at: &str) -> Result<(), TemplateError> {
        let error = |field: &str, message: String| TemplateError {
            field: format!("{at}.{field}"),
            message,
        };
        let lines = [
            ("subject", &self.subject, MAX_SUBJECT_CHARS),
            (
                "reminder_subject",
                &self.reminder_subject,
                MAX_SUBJECT_CHARS,
            ),
            ("anonymous_name", &self.anonymous_name, MAX_NAME_CHARS),
        ];
        for (field, value, max) in lines {
            if value.chars().count() > max || value.contains(['\r', '\n']) {
                return Err(error(
                    field,
                    format!("must be one line of at most {max} characters"),
                ));
            }
        }
        for field in ["subject", "reminder_subject"] {
            let value = if field == "subject" {
                &self.subject
            } else {
                &self.reminder_subject
            };
            if value.trim().is_empty() {
                return Err(error(field, "must not be empty".into()));
            }
        }
        for (field, body) in [("text", &self.text), ("html", &self.html)] {
            if body.len() > MAX_BODY_BYTES {
                return Err(error(
                    field,
                    format!("must be at most {MAX_BODY_BYTES} bytes"),
                ));
            }
            let used = placeholders(body).map_err(|m| error(field, m))?;
            for required in REQUIRED_IN_BODIES {
                if !used.contains(required) {
                    return Err(error(field, format!("must contain {{{{{required}}}}}")));
                }
            }
        }
        for (field, value, _) in lines {
            placeholders(value).map_err(|m| error(field, m))?;
        }
        Ok(())
    }
}

/// The placeholders used in `text`; an unknown or unclosed one is an error.
fn placeholders(text: &str) -> Result<Vec<&str>, String> {
    let mut used = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else {
            return Err("has a {{ without its closing }}".into());
        };
        let name = after[..end].trim();
        if !PLACEHOLDERS.contains(&name) {
            return Err(format!(
                "uses the unknown placeholder {{{{{name}}}}}; known ones are: {}",
                PLACEHOLDERS.join(", ")
            ));
        }
        used.push(name);
        rest = &after[end + 2..];
    }
    Ok(used)
}

/// Replaces each `{{name}}` by `value(name)`; anything else is kept as written.
fn substitute(template: &str, value: impl Fn(&str) -> Option<String>) -> String {
    let mut out = String::with_capacity(template.len() + 256);
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let replaced = after
            .find("}}")
            .and_then(|end| value(after[..end].trim()).map(|v| (v, end)));
        match replaced {
            Some((text, end)) => {
                out.push_str(&text);
                rest = &after[end + 2..];
            }
            None => {
                out.push_str("{{");
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

pub fn escape_html(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            other => out.push(other),
        }
    }
    out
}

/// A value fit for a header: control characters (line breaks) become spaces.
fn one_line(value: &str) -> String {
    value
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// The date written out in the language, as on the survey page ("20 November 2026",
/// "20 novembre 2026"); ISO ("2026-11-20") in a language the page does not speak.
fn format_date(date: jiff::civil::Date, language: &str) -> String {
    crate::public::i18n::supported(language).map_or_else(
        || date.to_string(),
        |text| crate::public::i18n::long_date(text, date),
    )
}

fn english() -> EmailTemplate {
    EmailTemplate {
        subject: "How did we do? {{organization}} would like your opinion".into(),
        reminder_subject: "Reminder: {{organization}} would like your opinion".into(),
        anonymous_name: "there".into(),
        text: "Hello {{customer_name}},\n\n\
            Thank you for choosing {{organization}}. How did we do on {{date}} ({{touchpoint}})?\n\
            Answering takes about a minute, and your answer goes straight to the people who served you.\n\n\
            Answer the survey: {{survey_url}}\n\n\
            If anything was not right, tell us: we will make it right.\n\n\
            {{organization}}\n\n\
            --\n\
            You receive this e-mail after your recent contact with {{organization}}.\n\
            To receive no more surveys: {{unsubscribe_url}}\n"
            .into(),
        html: html_body(
            "en",
            "Hello {{customer_name}},",
            "Thank you for choosing {{organization}}. How did we do on {{date}} ({{touchpoint}})? \
             Answering takes about a minute, and your answer goes straight to the people who served you.",
            "Answer the survey",
            "If anything was not right, tell us: we will make it right.",
            "You receive this e-mail after your recent contact with {{organization}}.",
            "Receive no more surveys",
        ),
    }
}

fn french() -> EmailTemplate {
    EmailTemplate {
        subject: "Votre avis compte pour {{organization}}".into(),
        reminder_subject: "Rappel : votre avis compte pour {{organization}}".into(),
        anonymous_name: "Madame, Monsieur".into(),
        text: "Bonjour {{customer_name}},\n\n\
            Merci d'avoir choisi {{organization}}. Comment s'est passé votre échange du {{date}} ({{touchpoint}}) ?\n\
            Répondre prend environ une minute, et votre réponse va directement aux personnes qui vous ont servi.\n\n\
            Répondre à l'enquête : {{survey_url}}\n\n\
            Si quelque chose n'allait pas, dites-le-nous : nous ferons le nécessaire.\n\n\
            {{organization}}\n\n\
            --\n\
            Vous recevez ce message après votre récent échange avec {{organization}}.\n\
            Pour ne plus recevoir d'enquêtes : {{unsubscribe_url}}\n"
            .into(),
        html: html_body(
            "fr",
            "Bonjour {{customer_name}},",
            "Merci d'avoir choisi {{organization}}. Comment s'est passé votre échange du {{date}} \
             ({{touchpoint}}) ? Répondre prend environ une minute, et votre réponse va directement aux \
             personnes qui vous ont servi.",
            "Répondre à l'enquête",
            "Si quelque chose n'allait pas, dites-le-nous : nous ferons le nécessaire.",
            "Vous recevez ce message après votre récent échange avec {{organization}}.",
            "Ne plus recevoir d'enquêtes",
        ),
    }
}

/// The default HTML e-mail: inline styles only (mail clients drop style sheets), one button.
fn html_body(
    lang: &str,
    greeting: &str,
    ask: &str,
    button: &str,
    promise: &str,
    why: &str,
    unsubscribe: &str,
) -> String {
    let p = "font-size:16px;line-height:1.5;margin:0 0 16px;";
    format!(
        "<!DOCTYPE html>\n<html lang=\"{lang}\">\n<head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{{{{organization}}}}</title></head>\n\
         <body style=\"margin:0;padding:24px 12px;background:#f5f7fb;color:#1d2330;font-family:Arial,Helvetica,sans-serif;\">\n\
         <div style=\"max-width:560px;margin:0 auto;background:#ffffff;border-radius:8px;padding:28px;\">\n\
         <p style=\"{p}\">{greeting}</p>\n\
         <p style=\"{p}\">{ask}</p>\n\
         <p style=\"margin:24px 0;\"><a href=\"{{{{survey_url}}}}\" style=\"display:inline-block;background:#1f5fd6;\
         color:#ffffff;text-decoration:none;padding:12px 24px;border-radius:6px;font-weight:bold;font-size:16px;\">{button}</a></p>\n\
         <p style=\"{p}\">{promise}</p>\n\
         <p style=\"{p}\">{{{{organization}}}}</p>\n\
         </div>\n\
         <p style=\"max-width:560px;margin:16px auto 0;font-size:12px;line-height:1.5;color:#5b6475;\">{why} \
         <a href=\"{{{{unsubscribe_url}}}}\" style=\"color:#5b6475;\">{unsubscribe}</a>.</p>\n\
         </body>\n</html>\n"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values() -> Values {
        Values {
            customer_name: Some("Ada <Lovelace>".into()),
            organization: "Acme & Sons".into(),
            touchpoint: "Phone support".into(),
            occurred_on: "2026-11-20".parse().ok(),
            staff_name: None,
            survey_url: "https://cx.example.com/s/abc".into(),
            unsubscribe_url: "https://cx.example.com/u/def?x=1&y=2".into(),
        }
    }

    #[test]
    fn the_defaults_are_valid_and_carry_both_links_in_both_bodies() {
        let defaults = EmailTemplates::default();
        assert_eq!(
            EmailTemplates::parse(defaults.languages().clone()).as_ref(),
            Ok(&defaults)
        );
        for locale in [None, Some("fr-CA")] {
            let rendered = defaults.render(locale, false, &values());
            for body in [&rendered.text, &rendered.html] {
                assert!(body.contains("https://cx.example.com/s/abc"), "{body}");
                assert!(body.contains("/u/def?x=1&"), "{body}");
                assert!(!body.contains("{{"), "{body}");
            }
        }
    }

    #[test]
    fn values_are_escaped_in_html_only_and_the_locale_picks_the_language() {
        let defaults = EmailTemplates::default();
        let english = defaults.render(Some("en_GB"), false, &values());
        assert!(english.text.contains("Hello Ada <Lovelace>,"));
        assert!(english.html.contains("Hello Ada &lt;Lovelace&gt;,"));
        assert!(
            english
                .html
                .contains("href=\"https://cx.example.com/u/def?x=1&amp;y=2\"")
        );
        assert!(english.text.contains("20 November 2026"));
        assert_eq!(
            english.subject,
            "How did we do? Acme & Sons would like your opinion"
        );
        let french = defaults.render(Some("FR"), true, &values());
        assert!(french.subject.starts_with("Rappel"));
        assert!(french.text.contains("20 novembre 2026"));
        let unknown = defaults.render(
            Some("de"),
            false,
            &Values {
                customer_name: None,
                ..values()
            },
        );
        assert!(unknown.text.starts_with("Hello there,"));
    }

    #[test]
    fn subjects_stay_on_one_line() {
        let mut templates = EmailTemplates::default();
        if let Some(en) = templates.0.get_mut("en") {
            en.subject = "For {{customer_name}}".into();
        }
        let evil = Values {
            customer_name: Some("x\r\nBcc: victim@example.com".into()),
            ..values()
        };
        let rendered = templates.render(None, false, &evil);
        assert!(
            !rendered.subject.contains(['\r', '\n']),
            "{:?}",
            rendered.subject
        );
    }

    #[test]
    fn bad_templates_are_refused_naming_the_field() {
        let edit = |change: fn(&mut EmailTemplate)| {
            let mut languages = EmailTemplates::default().languages().clone();
            if let Some(fr) = languages.get_mut("fr") {
                change(fr);
            }
            EmailTemplates::parse(languages).map_err(|e| e.field)
        };
        assert_eq!(
            edit(|t| t.subject.push_str(" {{price}}")),
            Err("templates.fr.subject".into())
        );
        assert_eq!(
            edit(|t| t.html = t.html.replace("{{unsubscribe_url}}", "")),
            Err("templates.fr.html".into())
        );
        assert_eq!(
            edit(|t| t.text.push_str("{{survey_url")),
            Err("templates.fr.text".into())
        );
        assert_eq!(
            edit(|t| t.text = "x".repeat(MAX_BODY_BYTES + 1)),
            Err("templates.fr.text".into())
        );
        assert_eq!(
            edit(|t| t.subject = "a\nb".into()),
            Err("templates.fr.subject".into())
        );
        assert_eq!(
            edit(|t| t.reminder_subject = " ".into()),
            Err("templates.fr.reminder_subject".into())
        );
        let mut languages = EmailTemplates::default().languages().clone();
        languages.remove("en");
        assert!(
            EmailTemplates::parse(languages.clone()).is_err(),
            "en is required"
        );
        if let Some(fr) = languages.remove("fr") {
            languages.insert("en".into(), fr.clone());
            languages.insert("French".into(), fr);
        }
        assert_eq!(
            EmailTemplates::parse(languages).map_err(|e| e.field),
            Err("templates.French".into())
        );
    }

    #[test]
    fn unknown_braces_are_left_alone_when_rendering() {
        assert_eq!(substitute("a {{ x }} {{y", |_| None), "a {{ x }} {{y");
        assert_eq!(
            substitute("{{ date }}!", |n| Some(n.to_uppercase())),
            "DATE!"
        );
    }
}
