//! The comment analyser of the running server: the taxonomy (editable, stored in settings)
//! and the staff names, compiled once and swapped atomically when they change.

use domain::analysis::{CompiledStaff, CompiledTaxonomy, StaffName, Taxonomy, analyze_compiled};
use std::sync::{Arc, RwLock};
use store::{ListParams, SettingsStore, StoreResult, StoredAnalysis, UserFilter, UserStore};

/// The settings key under which the organization's taxonomy is stored as JSON.
pub const TAXONOMY_SETTING: &str = "taxonomy";

struct Knowledge {
    taxonomy: Taxonomy,
    compiled: CompiledTaxonomy,
    staff: CompiledStaff,
}

impl Knowledge {
    fn new(taxonomy: Taxonomy, staff: &[StaffName]) -> Self {
        Self {
            compiled: taxonomy.compile(),
            staff: CompiledStaff::new(staff),
            taxonomy,
        }
    }
}

/// Analyses comments with the current taxonomy and staff list.
#[derive(Clone)]
pub struct Analyzer {
    current: Arc<RwLock<Arc<Knowledge>>>,
}

impl Default for Analyzer {
    fn default() -> Self {
        Self::new(Taxonomy::default_taxonomy(), Vec::new())
    }
}

impl Analyzer {
    pub fn new(taxonomy: Taxonomy, staff: Vec<StaffName>) -> Self {
        Self {
            current: Arc::new(RwLock::new(Arc::new(Knowledge::new(taxonomy, &staff)))),
        }
    }

    fn snapshot(&self) -> Arc<Knowledge> {
        match self.current.read() {
            Ok(guard) => Arc::clone(&guard),
            Err(poisoned) => Arc::clone(&poisoned.into_inner()),
        }
    }

    pub fn taxonomy(&self) -> Taxonomy {
        self.snapshot().taxonomy.clone()
    }

    /// Sentiment, language, themes and staff mentions of a comment.
    pub fn analyze(&self, text: &str) -> StoredAnalysis {
        let knowledge = self.snapshot();
        let result = analyze_compiled(text, &knowledge.compiled, &knowledge.staff);
        StoredAnalysis {
            sentiment: Some(result.sentiment),
            language: result.language,
            themes: result.themes,
            staff_mentions: result.staff_mentions,
        }
    }

    /// Reloads the taxonomy and the staff names from the store.
    pub async fn refresh<S: SettingsStore + UserStore + ?Sized>(
        &self,
        store: &S,
    ) -> StoreResult<()> {
        let taxonomy = match store.setting(TAXONOMY_SETTING).await? {
            Some(json) => {
                serde_json::from_str(&json).unwrap_or_else(|_| Taxonomy::default_taxonomy())
            }
            None => Taxonomy::default_taxonomy(),
        };
        let mut staff = Vec::new();
        let mut params = ListParams {
            limit: 500,
            ..ListParams::default()
        };
        loop {
            let page = store.list_users(&params, &UserFilter::default()).await?;
            staff.extend(page.items.iter().filter(|u| u.active).map(|u| StaffName {
                id: u.id.0,
                full_name: u.name.clone(),
            }));
            match page.next_after_id {
                Some(after) => params.after_id = Some(after),
                None => break,
            }
        }
        let fresh = Arc::new(Knowledge::new(taxonomy, &staff));
        match self.current.write() {
            Ok(mut guard) => *guard = fresh,
            Err(poisoned) => *poisoned.into_inner() = fresh,
        }
        Ok(())
    }
}
