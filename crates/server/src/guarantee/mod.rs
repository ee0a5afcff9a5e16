//! The Perfect Guarantee on the server side: the organization's policy as pages and e-mails
//! show it, and the one way an invocation is honoured (from the link or the survey page).

pub mod csv;
pub mod report;

use crate::state::AppState;
use domain::ValidationError;
use domain::guarantee::{ClaimRequest, GuaranteePolicy, Settlement};
use store::{Actor, GuaranteeTarget, Invoked, NewInvocation, Store, StoreError, StoreResult};

/// The settings key of the guarantee policy.
pub const SETTINGS_KEY: &str = "guarantee_policy";

/// The stored policy, or the default wording when none was saved (or it no longer parses).
pub async fn load_policy(store: &dyn Store) -> StoreResult<GuaranteePolicy> {
    Ok(match store.setting(SETTINGS_KEY).await? {
        Some(text) => serde_json::from_str(&text).unwrap_or_else(|error| {
            tracing::warn!(%error, "the stored guarantee policy is unreadable; using the default");
            GuaranteePolicy::default()
        }),
        None => GuaranteePolicy::default(),
    })
}

pub async fn save_policy(
    store: &dyn Store,
    actor: &Actor,
    policy: &GuaranteePolicy,
) -> StoreResult<()> {
    let text = serde_json::to_string(policy).map_err(|e| StoreError::Internal(e.to_string()))?;
    store.set_setting(actor, SETTINGS_KEY, &text).await
}

/// Why an invocation was not recorded.
#[derive(Debug)]
pub enum Refused {
    /// The answer does not fit the invoice; nothing was stored.
    Invalid(ValidationError),
    /// The transaction has no invoiced amount to pay part of.
    NoAmount,
    /// Invoked already, or the invoice changed meanwhile.
    Conflict(String),
    Store(StoreError),
}

/// Checks the customer's answer against the transaction and honours it at once.
pub async fn invoke(
    state: &AppState,
    lookup_id: &str,
    target: &GuaranteeTarget,
    request: &ClaimRequest,
    source: &'static str,
) -> Result<Invoked, Refused> {
    let Some(invoiced) = target.amount else {
        return Err(Refused::NoAmount);
    };
    if target.invocation.is_some() {
        return Err(Refused::Conflict(
            "the guarantee of this transaction has already been invoked".into(),
        ));
    }
    let settlement = Settlement::decide(invoiced, request).map_err(Refused::Invalid)?;
    let context = crate::recovery::processing_context(state)
        .await
        .map_err(Refused::Store)?;
    let invocation = NewInvocation {
        lookup_id: lookup_id.to_owned(),
        settlement,
        source,
    };
    match state.store.invoke_guarantee(invocation, &context).await {
        Ok(invoked) => {
            state.wake.deliveries.notify_one();
            state.wake.emails.notify_one();
            tracing::info!(
                claim = invoked.claim.id,
                case = invoked.case_id,
                "guarantee invoked and honoured"
            );
            Ok(invoked)
        }
        Err(StoreError::Conflict(message)) => Err(Refused::Conflict(message)),
        Err(error) => Err(Refused::Store(error)),
    }
}
