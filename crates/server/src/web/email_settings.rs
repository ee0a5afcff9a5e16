//! `/settings/email` (administrators): the invitation e-mail templates per language, saved
//! through the same validation as `PUT /api/v1/email-templates`.

use super::{Chrome, PageError, PageResult, Staff, actor, render, see_other};
use crate::mail::templates::{
    EmailTemplate, EmailTemplates, PLACEHOLDERS, TEMPLATES_SETTING, TemplateError,
};
use crate::state::AppState;
use askama::Template;
use axum::Router;
use axum::extract::{Form, Query, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use domain::Role;
use serde::Deserialize;
use std::collections::BTreeMap;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/settings/email", get(show).post(save))
        .route("/settings/email/reset", post(reset))
}

/// One language's templates as shown in (or typed into) the form.
struct LanguageView {
    code: String,
    name: &'static str,
    template: EmailTemplate,
}

#[derive(Template)]
#[template(path = "settings/email.html")]
struct EmailPage {
    chrome: Chrome,
    languages: Vec<LanguageView>,
    placeholders: Vec<String>,
    error: Option<String>,
    notice: Option<&'static str>,
}

fn language_name(code: &str) -> &'static str {
    match code {
        "en" => "English (also used for languages without a template)",
        "fr" => "French",
        "de" => "German",
        "es" => "Spanish",
        "it" => "Italian",
        "nl" => "Dutch",
        "pt" => "Portuguese",
        _ => "",
    }
}

fn field_label(field: &str) -> &str {
    match field {
        "subject" => "Subject",
        "reminder_subject" => "Reminder subject",
        "text" => "Plain-text body",
        "html" => "HTML body",
        "anonymous_name" => "Name when unknown",
        other => other,
    }
}

/// "Subject (fr): uses the unknown placeholder …" from `templates.fr.subject`.
fn readable(error: &TemplateError) -> String {
    let path = error
        .field
        .strip_prefix("templates.")
        .unwrap_or(&error.field);
    match path.split_once('.') {
        Some((language, field)) => {
            format!("{} ({language}) {}.", field_label(field), error.message)
        }
        None if path == "templates" => format!("The templates {}.", error.message),
        None => format!("The language {path} {}.", error.message),
    }
}

fn views(languages: BTreeMap<String, EmailTemplate>) -> Vec<LanguageView> {
    languages
        .into_iter()
        .map(|(code, template)| LanguageView {
            name: language_name(&code),
            code,
            template,
        })
        .collect()
}

fn page(
    staff: &Staff,
    languages: BTreeMap<String, EmailTemplate>,
    error: Option<String>,
    notice: Option<&'static str>,
) -> EmailPage {
    EmailPage {
        chrome: Chrome::for_staff(staff, "/settings", &staff.time_zone),
        languages: views(languages),
        placeholders: PLACEHOLDERS
            .iter()
            .map(|p| format!("{{{{{p}}}}}"))
            .collect(),
        error,
        notice,
    }
}

#[derive(Deserialize)]
struct NoticeQuery {
    saved: Option<String>,
}

async fn show(
    State(state): State<AppState>,
    staff: Staff,
    Query(query): Query<NoticeQuery>,
) -> PageResult {
    staff.require(Role::can_administer)?;
    let notice = match query.saved.as_deref() {
        Some("templates") => Some("The e-mail templates were saved; new e-mails use them."),
        Some("defaults") => Some("The default e-mail templates were restored."),
        _ => None,
    };
    let templates = EmailTemplates::load(state.store.as_ref()).await?;
    let view = page(&staff, templates.languages().clone(), None, notice);
    Ok(render(StatusCode::OK, &view))
}

/// The languages typed into the form: fields named `<language>.<field>`; the CSRF token and
/// anything else without a dot are ignored. Browsers send textarea line breaks as CRLF.
fn typed(fields: Vec<(String, String)>) -> BTreeMap<String, EmailTemplate> {
    let mut languages: BTreeMap<String, EmailTemplate> = BTreeMap::new();
    for (name, value) in fields {
        let Some((language, field)) = name.split_once('.') else {
            continue;
        };
        let template = languages
            .entry(language.to_owned())
            .or_insert_with(|| EmailTemplate {
                subject: String::new(),
                reminder_subject: String::new(),
                text: String::new(),
                html: String::new(),
                anonymous_name: String::new(),
            });
        match field {
            "subject" => template.subject = value,
            "reminder_subject" => template.reminder_subject = value,
            "anonymous_name" => template.anonymous_name = value,
            "text" => template.text = value.replace("\r\n", "\n"),
            "html" => template.html = value.replace("\r\n", "\n"),
            _ => {}
        }
    }
    languages
}

async fn save(
    State(state): State<AppState>,
    staff: Staff,
    Form(fields): Form<Vec<(String, String)>>,
) -> PageResult {
    staff.require(Role::can_administer)?;
    let languages = typed(fields);
    match EmailTemplates::parse(languages.clone()) {
        Ok(templates) => store(&state, &staff, &templates, "templates").await,
        Err(error) => {
            let view = page(&staff, languages, Some(readable(&error)), None);
            Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &view))
        }
    }
}

async fn reset(State(state): State<AppState>, staff: Staff) -> PageResult {
    staff.require(Role::can_administer)?;
    store(&state, &staff, &EmailTemplates::default(), "defaults").await
}

async fn store(
    state: &AppState,
    staff: &Staff,
    templates: &EmailTemplates,
    saved: &str,
) -> PageResult {
    state
        .store
        .set_setting(&actor(staff), TEMPLATES_SETTING, &templates.to_json())
        .await
        .map_err(PageError::from)?;
    Ok(see_other(&format!("/settings/email?saved={saved}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_fields_make_languages_and_line_breaks_are_normalised() {
        let fields = vec![
            ("csrf".to_owned(), "token".to_owned()),
            ("en.subject".to_owned(), "Hi".to_owned()),
            ("en.text".to_owned(), "a\r\nb".to_owned()),
            ("fr.html".to_owned(), "<p>".to_owned()),
        ];
        let languages = typed(fields);
        assert_eq!(languages.len(), 2);
        assert_eq!(languages["en"].subject, "Hi");
        assert_eq!(languages["en"].text, "a\nb");
        assert_eq!(languages["fr"].html, "<p>");
    }

    #[test]
    fn errors_name_the_field_in_words() {
        let error = TemplateError {
            field: "templates.fr.reminder_subject".into(),
            message: "must not be empty".into(),
        };
        assert_eq!(readable(&error), "Reminder subject (fr) must not be empty.");
    }
}
