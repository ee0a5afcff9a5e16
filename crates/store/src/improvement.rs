//! Storage of Perfect Improvement, part 2: systemic problems, their action plans, what they are
//! linked to (cases, responses, themes), their timeline, and the escalation of overdue action
//! items. Every change writes the problem's timeline and the audit log in the same transaction.

use crate::model::{Actor, ListParams, Page, TeamRef, TouchpointRef, UserRef};
use crate::traits::StoreResult;
use async_trait::async_trait;
use domain::improvement::problem::{
    ActionEscalation, ActionFields, LinkKind, ProblemFields, ProblemStatus,
};
use domain::{CustomerId, TeamId, UserId};
use jiff::{SignedDuration, Timestamp};
use serde::Serialize;

/// A systemic problem with its owners and the state of its action plan.
#[derive(Debug, Clone, Serialize)]
pub struct Problem {
    pub id: i64,
    pub title: String,
    pub description: Option<String>,
    pub root_cause: Option<String>,
    /// A root-cause category as recorded on resolved cases (`timeliness`, …).
    pub root_cause_category: Option<String>,
    /// The attribute rating (question key) the problem hurts.
    pub driver: Option<String>,
    pub touchpoint: Option<TouchpointRef>,
    /// The operations or key success team that owns the fix.
    pub owner_team: TeamRef,
    pub owner_user: Option<UserRef>,
    pub status: ProblemStatus,
    /// Estimated effort or cost of the fix, in minor units of the organization's currency.
    pub effort_minor: Option<i64>,
    pub created_by: Option<UserRef>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    /// When it was last marked solved; cleared when it goes back to `fixing`.
    pub solved_at: Option<Timestamp>,
    /// Cases, responses and themes linked.
    pub link_count: i64,
    /// Action items not done yet.
    pub open_actions: i64,
    /// Open action items whose due time has passed at the instant of the read.
    pub overdue_actions: i64,
}

impl Problem {
    /// The problem's editable fields, as a form or a patch starts from them.
    pub fn fields(&self) -> ProblemFields {
        ProblemFields {
            title: self.title.clone(),
            description: self.description.clone(),
            root_cause: self.root_cause.clone(),
            root_cause_category: self.root_cause_category.clone(),
            driver: self.driver.clone(),
            touchpoint: self.touchpoint.as_ref().map(|t| t.id.0),
            effort_minor: self.effort_minor,
        }
    }
}

/// A short reference to a problem, as shown next to what is linked to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProblemRef {
    pub id: i64,
    pub title: String,
    pub status: ProblemStatus,
}

/// One item of a problem's action plan.
#[derive(Debug, Clone, Serialize)]
pub struct ProblemAction {
    pub id: i64,
    pub problem_id: i64,
    pub title: String,
    pub owner: Option<UserRef>,
    pub due_at: Option<Timestamp>,
    pub done_at: Option<Timestamp>,
    /// 0 not escalated; then [`ActionEscalation`] levels 1 owner, 2 team manager, 3 president.
    pub escalation_level: i64,
    pub created_at: Timestamp,
}

impl ProblemAction {
    pub fn is_done(&self) -> bool {
        self.done_at.is_some()
    }

    pub fn is_overdue(&self, now: Timestamp) -> bool {
        !self.is_done() && self.due_at.is_some_and(|due| due <= now)
    }
}

/// Something linked to a problem, with a label to show it by.
#[derive(Debug, Clone, Serialize)]
pub struct ProblemLink {
    pub kind: LinkKind,
    /// The case's or response's id, or the theme's key.
    pub target: String,
    /// The case's title, an excerpt of the response, or the theme's name.
    pub label: String,
    /// False when the linked case or response has been deleted since.
    pub exists: bool,
    pub linked_by: Option<UserRef>,
    pub linked_at: Timestamp,
}

/// One entry of a problem's timeline.
#[derive(Debug, Clone, Serialize)]
pub struct ProblemEvent {
    pub id: i64,
    pub at: Timestamp,
    /// `created`, `updated`, `status`, `note`, `action_added`, `action_updated`,
    /// `action_done`, `action_reopened`, `action_deleted`, `linked`, `unlinked`, `escalated`.
    pub kind: String,
    pub actor: String,
    pub body: String,
}

/// Which problems a list shows.
#[derive(Debug, Clone, Default)]
pub struct ProblemFilter {
    pub status: Option<ProblemStatus>,
    /// Only problems not solved yet.
    pub open_only: bool,
    pub owner_team: Option<TeamId>,
    /// Only problems this person may see as a member: owned by one of their teams, owned by
    /// them, or holding an action item of theirs.
    pub visible_to: Option<UserId>,
}

/// A problem to create; it starts `identified`.
#[derive(Debug, Clone)]
pub struct NewProblem {
    pub fields: ProblemFields,
    /// Must be an operations or key success team.
    pub owner_team: TeamId,
    /// Must be an active member of the owning team.
    pub owner_user: Option<UserId>,
}

/// The problem's fields and owners as they are to be (the whole record, not a patch).
#[derive(Debug, Clone)]
pub struct ProblemUpdate {
    pub fields: ProblemFields,
    pub owner_team: TeamId,
    pub owner_user: Option<UserId>,
}

/// An action item as it is to be; a changed due time starts its escalation again.
#[derive(Debug, Clone)]
pub struct ActionInput {
    pub fields: ActionFields,
    /// Any active staff member.
    pub owner: Option<UserId>,
}

/// A suggested link, with what to show and why.
#[derive(Debug, Clone, Serialize)]
pub struct LinkSuggestion {
    pub kind: LinkKind,
    /// What to pass to [`ProblemStore::link_to_problem`].
    pub target: String,
    pub label: String,
    pub score: u32,
    pub reasons: Vec<String>,
}

/// One escalation step taken by [`ProblemStore::escalate_overdue_actions`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionEscalated {
    pub problem_id: i64,
    pub action_id: i64,
    pub level: ActionEscalation,
    /// Who was notified (staff user ids); empty when nobody holds the role.
    pub notified: Vec<i64>,
}

/// How far back link suggestions look for cases and responses.
pub const LINK_SUGGESTION_WINDOW: SignedDuration = SignedDuration::from_hours(24 * 90);
/// How far back [`ProblemStore::problem_affected_customers`] looks for responses carrying a
/// linked theme.
pub const AFFECTED_CUSTOMER_WINDOW: SignedDuration = SignedDuration::from_hours(24 * 365);

#[async_trait]
pub trait ProblemStore: Send + Sync {
    async fn create_problem(
        &self,
        actor: &Actor,
        problem: NewProblem,
        now: Timestamp,
    ) -> StoreResult<Problem>;
    /// Replaces the fields and owners; unchanged input records nothing.
    async fn update_problem(
        &self,
        actor: &Actor,
        id: i64,
        update: ProblemUpdate,
        now: Timestamp,
    ) -> StoreResult<Problem>;
    /// Moves the status as [`ProblemStatus::check_move`] allows (else `Conflict`); `solved`
    /// records `solved_at`, leaving `solved` clears it. `note` says why, on the timeline.
    async fn change_problem_status(
        &self,
        actor: &Actor,
        id: i64,
        to: ProblemStatus,
        note: Option<String>,
        now: Timestamp,
    ) -> StoreResult<Problem>;
    async fn add_problem_note(
        &self,
        actor: &Actor,
        id: i64,
        body: String,
        now: Timestamp,
    ) -> StoreResult<()>;
    /// The problem, its overdue count as of `now`.
    async fn problem(&self, id: i64, now: Timestamp) -> StoreResult<Problem>;
    async fn list_problems(
        &self,
        params: &ListParams,
        filter: &ProblemFilter,
        now: Timestamp,
    ) -> StoreResult<Page<Problem>>;
    /// The timeline, oldest first.
    async fn problem_events(&self, id: i64) -> StoreResult<Vec<ProblemEvent>>;
    /// The action plan: open items by due time (undated last), then done ones.
    async fn problem_actions(&self, id: i64) -> StoreResult<Vec<ProblemAction>>;
    async fn add_problem_action(
        &self,
        actor: &Actor,
        problem_id: i64,
        action: ActionInput,
        now: Timestamp,
    ) -> StoreResult<ProblemAction>;
    async fn update_problem_action(
        &self,
        actor: &Actor,
        problem_id: i64,
        action_id: i64,
        action: ActionInput,
        now: Timestamp,
    ) -> StoreResult<ProblemAction>;
    /// Marks the item done (done already: unchanged).
    async fn complete_problem_action(
        &self,
        actor: &Actor,
        problem_id: i64,
        action_id: i64,
        now: Timestamp,
    ) -> StoreResult<ProblemAction>;
    /// Marks a done item open again (open already: unchanged).
    async fn reopen_problem_action(
        &self,
        actor: &Actor,
        problem_id: i64,
        action_id: i64,
        now: Timestamp,
    ) -> StoreResult<ProblemAction>;
    async fn delete_problem_action(
        &self,
        actor: &Actor,
        problem_id: i64,
        action_id: i64,
        now: Timestamp,
    ) -> StoreResult<()>;
    /// Links a case or response (by id; it must exist) or a theme (by key; it must be in the
    /// taxonomy). `Ok(false)` when it was linked already (nothing changes).
    async fn link_to_problem(
        &self,
        actor: &Actor,
        id: i64,
        kind: LinkKind,
        target: &str,
        now: Timestamp,
    ) -> StoreResult<bool>;
    /// `Ok(false)` when it was not linked (nothing changes).
    async fn unlink_from_problem(
        &self,
        actor: &Actor,
        id: i64,
        kind: LinkKind,
        target: &str,
        now: Timestamp,
    ) -> StoreResult<bool>;
    /// The links, cases first, then responses, then themes, each oldest first.
    async fn problem_links(&self, id: i64) -> StoreResult<Vec<ProblemLink>>;
    /// The problems a case, response or theme is linked to.
    async fn problems_linked_to(
        &self,
        kind: LinkKind,
        target: &str,
    ) -> StoreResult<Vec<ProblemRef>>;
    /// Up to `limit` cases and responses of the [`LINK_SUGGESTION_WINDOW`] before `now`, and themes,
    /// that share themes or the root-cause category with the problem (scored by
    /// [`domain::improvement::problem::suggest`]), strongest first; linked ones left out.
    async fn link_suggestions(
        &self,
        id: i64,
        now: Timestamp,
        limit: usize,
    ) -> StoreResult<Vec<LinkSuggestion>>;
    /// Escalates open action items of unsolved problems overdue at `now`, one rung per
    /// `step` (owner at the due time, then the owning team's managers, then the president);
    /// each step is recorded and notified once, even with several instances sweeping.
    async fn escalate_overdue_actions(
        &self,
        now: Timestamp,
        step: SignedDuration,
    ) -> StoreResult<Vec<ActionEscalated>>;
    /// The customers the problem touches: those of linked cases and responses, and those who
    /// gave a response carrying a linked theme in the [`AFFECTED_CUSTOMER_WINDOW`] before `now` (on the
    /// problem's touchpoint, if it has one). Sorted, each once.
    async fn problem_affected_customers(
        &self,
        id: i64,
        now: Timestamp,
    ) -> StoreResult<Vec<CustomerId>>;
}
