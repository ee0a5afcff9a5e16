//! Linking in one click, for those who manage problems: a suggestion's or a theme's "Link" on
//! the problem's page, "Unlink" beside each link, and the "Link to problem" form of the case
//! and response pages ([`LinkForm`], posted to `/problems/link`). Linking what is linked
//! already changes nothing.

use super::detail::{Draft, refuse};
use super::{load, manages};
use crate::state::AppState;
use crate::web::list::Choice;
use crate::web::teams::form_error;
use crate::web::{PageError, PageResult, Staff, actor, see_other};
use axum::extract::{Form, Path, State};
use domain::improvement::problem::LinkKind;
use serde::Deserialize;
use store::{ListParams, ProblemFilter, ProblemRef};

/// At most this many open problems are offered in the "Link to problem" select.
const OFFERED: i64 = 200;

#[derive(Debug, Default, Deserialize)]
pub(super) struct LinkFields {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    target: String,
}

async fn change(
    state: AppState,
    staff: Staff,
    id: String,
    form: LinkFields,
    linking: bool,
) -> PageResult {
    staff.require(manages)?;
    let (problem, actions) = load(&state, &staff, &id).await?;
    let Ok(kind) = LinkKind::parse(&form.kind) else {
        let message = "Choose a case, a response or a theme to link.".to_owned();
        return refuse(&state, &staff, problem, actions, message, Draft::default()).await;
    };
    let target = form.target.trim();
    if target.is_empty() {
        let message = "Choose what to link.".to_owned();
        return refuse(&state, &staff, problem, actions, message, Draft::default()).await;
    }
    let who = actor(&staff);
    let now = state.clock.now();
    let done = if linking {
        state
            .store
            .link_to_problem(&who, problem.id, kind, target, now)
            .await
    } else {
        state
            .store
            .unlink_from_problem(&who, problem.id, kind, target, now)
            .await
    };
    match done {
        Ok(_) => Ok(see_other(&format!("/problems/{}#links", problem.id))),
        Err(error) => {
            let message = form_error(error)?;
            refuse(&state, &staff, problem, actions, message, Draft::default()).await
        }
    }
}

pub(super) async fn link(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    Form(form): Form<LinkFields>,
) -> PageResult {
    change(state, staff, id, form, true).await
}

pub(super) async fn unlink(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    Form(form): Form<LinkFields>,
) -> PageResult {
    change(state, staff, id, form, false).await
}

/// The "Link to problem" form of a case's or a response's page.
pub(crate) struct LinkForm {
    /// `case` or `response`.
    pub kind: &'static str,
    pub target: String,
    /// Open problems it is not linked to yet.
    pub problems: Vec<Choice>,
    /// The problems it is linked to.
    pub linked: Vec<ProblemRef>,
}

impl LinkForm {
    /// The form for those who manage problems; `None` for everyone else.
    pub(crate) async fn for_page(
        state: &AppState,
        staff: &Staff,
        kind: LinkKind,
        id: i64,
    ) -> Result<Option<LinkForm>, PageError> {
        if !manages(staff.user.role) {
            return Ok(None);
        }
        let target = id.to_string();
        let linked = state.store.problems_linked_to(kind, &target).await?;
        let params = ListParams {
            limit: OFFERED,
            newest_first: true,
            ..ListParams::default()
        };
        let filter = ProblemFilter {
            open_only: true,
            ..ProblemFilter::default()
        };
        let open = state
            .store
            .list_problems(&params, &filter, state.clock.now())
            .await?;
        let problems = open
            .items
            .into_iter()
            .filter(|p| linked.iter().all(|l| l.id != p.id))
            .map(|p| Choice {
                value: p.id.to_string(),
                label: format!("#{} {}", p.id, p.title),
                selected: false,
            })
            .collect();
        Ok(Some(LinkForm {
            kind: kind.as_str(),
            target,
            problems,
            linked,
        }))
    }
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct ElsewhereForm {
    #[serde(default)]
    problem: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    target: String,
}

/// From a case's or a response's page: links it and goes back to that page.
pub(super) async fn link_from_elsewhere(
    State(state): State<AppState>,
    staff: Staff,
    Form(form): Form<ElsewhereForm>,
) -> PageResult {
    staff.require(manages)?;
    let kind = match LinkKind::parse(&form.kind) {
        Ok(kind @ (LinkKind::Case | LinkKind::Response)) => kind,
        _ => {
            return Err(PageError::BadForm(
                "Only cases and responses are linked from their pages.".into(),
            ));
        }
    };
    let target: i64 = form
        .target
        .trim()
        .parse()
        .map_err(|_| PageError::NotFound)?;
    let Ok(problem) = form.problem.trim().parse::<i64>() else {
        return Err(PageError::BadForm(
            "Choose the problem to link to, then press “Link”.".into(),
        ));
    };
    let (problem, _) = load(&state, &staff, &problem.to_string()).await?;
    let back = match kind {
        LinkKind::Case => format!("/cases/{target}#problems"),
        _ => format!("/responses/{target}#problems"),
    };
    match state
        .store
        .link_to_problem(
            &actor(&staff),
            problem.id,
            kind,
            &target.to_string(),
            state.clock.now(),
        )
        .await
    {
        Ok(_) => Ok(see_other(&back)),
        Err(error) => Err(PageError::BadForm(form_error(error)?)),
    }
}
