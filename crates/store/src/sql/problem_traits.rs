//! The systemic problem trait of [`SqlStore`], delegating to the modules that hold the SQL:
//! `problems` (the record, its status, notes and timeline), `problem_actions`,
//! `problem_links`, `problem_suggestions` and `problem_escalation`.

use super::SqlStore;
use crate::improvement::*;
use crate::model::{Actor, ListParams, Page};
use crate::traits::StoreResult;
use async_trait::async_trait;
use domain::CustomerId;
use domain::improvement::problem::{LinkKind, ProblemStatus};
use jiff::{SignedDuration, Timestamp};

#[async_trait]
impl ProblemStore for SqlStore {
    async fn create_problem(
        &self,
        actor: &Actor,
        problem: NewProblem,
        now: Timestamp,
    ) -> StoreResult<Problem> {
        self.insert_problem(actor, problem, now).await
    }
    async fn update_problem(
        &self,
        actor: &Actor,
        id: i64,
        update: ProblemUpdate,
        now: Timestamp,
    ) -> StoreResult<Problem> {
        self.save_problem(actor, id, update, now).await
    }
    async fn change_problem_status(
        &self,
        actor: &Actor,
        id: i64,
        to: ProblemStatus,
        note: Option<String>,
        now: Timestamp,
    ) -> StoreResult<Problem> {
        self.move_problem(actor, id, to, note, now).await
    }
    async fn add_problem_note(
        &self,
        actor: &Actor,
        id: i64,
        body: String,
        now: Timestamp,
    ) -> StoreResult<()> {
        self.insert_problem_note(actor, id, body, now).await
    }
    async fn problem(&self, id: i64, now: Timestamp) -> StoreResult<Problem> {
        self.read_problem_by_id(id, now).await
    }
    async fn list_problems(
        &self,
        params: &ListParams,
        filter: &ProblemFilter,
        now: Timestamp,
    ) -> StoreResult<Page<Problem>> {
        self.problems_page(params, filter, now).await
    }
    async fn problem_events(&self, id: i64) -> StoreResult<Vec<ProblemEvent>> {
        self.read_problem_events(id).await
    }
    async fn problem_actions(&self, id: i64) -> StoreResult<Vec<ProblemAction>> {
        self.read_problem_actions(id).await
    }
    async fn add_problem_action(
        &self,
        actor: &Actor,
        problem_id: i64,
        action: ActionInput,
        now: Timestamp,
    ) -> StoreResult<ProblemAction> {
        self.insert_action(actor, problem_id, action, now).await
    }
    async fn update_problem_action(
        &self,
        actor: &Actor,
        problem_id: i64,
        action_id: i64,
        action: ActionInput,
        now: Timestamp,
    ) -> StoreResult<ProblemAction> {
        self.save_action(actor, problem_id, action_id, action, now)
            .await
    }
    async fn complete_problem_action(
        &self,
        actor: &Actor,
        problem_id: i64,
        action_id: i64,
        now: Timestamp,
    ) -> StoreResult<ProblemAction> {
        self.mark_action(actor, problem_id, action_id, true, now)
            .await
    }
    async fn reopen_problem_action(
        &self,
        actor: &Actor,
        problem_id: i64,
        action_id: i64,
        now: Timestamp,
    ) -> StoreResult<ProblemAction> {
        self.mark_action(actor, problem_id, action_id, false, now)
            .await
    }
    async fn delete_problem_action(
        &self,
        actor: &Actor,
        problem_id: i64,
        action_id: i64,
        now: Timestamp,
    ) -> StoreResult<()> {
        self.remove_action(actor, problem_id, action_id, now).await
    }
    async fn link_to_problem(
        &self,
        actor: &Actor,
        id: i64,
        kind: LinkKind,
        target: &str,
        now: Timestamp,
    ) -> StoreResult<bool> {
        self.insert_link(actor, id, kind, target, now).await
    }
    async fn unlink_from_problem(
        &self,
        actor: &Actor,
        id: i64,
        kind: LinkKind,
        target: &str,
        now: Timestamp,
    ) -> StoreResult<bool> {
        self.delete_link(actor, id, kind, target, now).await
    }
    async fn problem_links(&self, id: i64) -> StoreResult<Vec<ProblemLink>> {
        self.read_links(id).await
    }
    async fn problems_linked_to(
        &self,
        kind: LinkKind,
        target: &str,
    ) -> StoreResult<Vec<ProblemRef>> {
        self.read_problems_linked_to(kind, target).await
    }
    async fn link_suggestions(
        &self,
        id: i64,
        now: Timestamp,
        limit: usize,
    ) -> StoreResult<Vec<LinkSuggestion>> {
        self.suggestions_for(id, now, limit).await
    }
    async fn escalate_overdue_actions(
        &self,
        now: Timestamp,
        step: SignedDuration,
    ) -> StoreResult<Vec<ActionEscalated>> {
        self.sweep_overdue_actions(now, step).await
    }
    async fn problem_affected_customers(
        &self,
        id: i64,
        now: Timestamp,
    ) -> StoreResult<Vec<CustomerId>> {
        self.affected_customers(id, now).await
    }
}
