//! Setting a staff member's password; this ends their open sessions.

use super::{readable, user_id};
use crate::security::hash_password;
use crate::state::AppState;
use crate::web::{Chrome, PageResult, Staff, render, see_other};
use askama::Template;
use axum::Router;
use axum::extract::{Form, Path, State};
use axum::http::StatusCode;
use axum::routing::get;
use domain::{Password, Role, ValidationError};
use serde::Deserialize;
use store::User;

pub(super) fn router() -> Router<AppState> {
    Router::new().route(
        "/users/{id}/password",
        get(password_form).post(set_password),
    )
}

#[derive(Template)]
#[template(path = "users/password.html")]
struct PasswordPage {
    chrome: Chrome,
    user: User,
    error: Option<String>,
}

async fn password_form(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
) -> PageResult {
    staff.require(Role::can_administer)?;
    let user = state.store.user(user_id(&id)?).await?;
    let chrome = Chrome::for_staff(&staff, "/users", &staff.time_zone);
    let view = PasswordPage {
        chrome,
        user,
        error: None,
    };
    Ok(render(StatusCode::OK, &view))
}

#[derive(Deserialize)]
struct PasswordForm {
    #[serde(default)]
    password: String,
    #[serde(default)]
    confirm: String,
}

async fn set_password(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    Form(form): Form<PasswordForm>,
) -> PageResult {
    staff.require(Role::can_administer)?;
    let user = state.store.user(user_id(&id)?).await?;
    let parsed = Password::parse(&form.password).and_then(|password| {
        if form.password == form.confirm {
            Ok(password)
        } else {
            Err(ValidationError::new("password", "the two entries differ"))
        }
    });
    let password = match parsed {
        Ok(password) => password,
        Err(error) => {
            let chrome = Chrome::for_staff(&staff, "/users", &staff.time_zone);
            let error = Some(readable(&error));
            let view = PasswordPage {
                chrome,
                user,
                error,
            };
            return Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &view));
        }
    };
    let hash = hash_password(&password)?;
    state
        .store
        .set_password(&crate::web::actor(&staff), user.id, &hash)
        .await?;
    if user.id == staff.user.id {
        // Setting a password ends the user's sessions, this one included.
        return Ok(see_other("/login"));
    }
    Ok(see_other(&format!("/users/{}?saved=password", user.id)))
}
