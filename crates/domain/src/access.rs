//! Who may do what: staff roles, team kinds, customer status and API key scopes.

use crate::ValidationError;

/// Generates a string-backed enum with `as_str`, `parse` and `ALL`.
macro_rules! string_enum {
    ($(#[$doc:meta])* $name:ident, $field:literal { $($variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            pub fn parse(raw: &str) -> Result<Self, $crate::ValidationError> {
                match raw.trim() {
                    $($text => Ok($name::$variant),)+
                    _ => Err($crate::ValidationError::new(
                        $field,
                        format!("must be one of: {}", [$($text),+].join(", ")),
                    )),
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

pub(crate) use string_enum;

string_enum!(
    /// A staff user's role. Roles are ordered by reach: a member sees their own work, a manager
    /// their teams, the president the whole company, an administrator also configures it.
    Role, "role" {
        Admin => "admin",
        President => "president",
        Manager => "manager",
        Member => "member",
    }
);

impl Role {
    /// May configure the organization: users, teams, touchpoints, keys, settings.
    pub fn can_administer(self) -> bool {
        matches!(self, Role::Admin)
    }

    /// May see the audit log and company-wide figures.
    pub fn can_oversee(self) -> bool {
        matches!(self, Role::Admin | Role::President)
    }

    /// May edit customers (correct contact details, mark them lost).
    pub fn can_edit_customers(self) -> bool {
        !matches!(self, Role::Member)
    }
}

string_enum!(
    /// What a team is for, in the approach's terms.
    TeamKind, "kind" {
        Client => "client",
        Operations => "operations",
        KeySuccess => "key_success",
        Leadership => "leadership",
    }
);

impl TeamKind {
    pub fn label(self) -> &'static str {
        match self {
            TeamKind::Client => "Client team",
            TeamKind::Operations => "Operations team",
            TeamKind::KeySuccess => "Key success team",
            TeamKind::Leadership => "Leadership",
        }
    }
}

string_enum!(
    /// Whether a customer is still with the organization.
    CustomerStatus, "status" {
        Active => "active",
        Lost => "lost",
    }
);

string_enum!(
    /// What an API key may do.
    ApiScope, "scopes" {
        Ingest => "ingest",
        Read => "read",
        Admin => "admin",
    }
);

/// The set of scopes granted to an API key. `admin` implies the others.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ApiScopes {
    pub ingest: bool,
    pub read: bool,
    pub admin: bool,
}

impl ApiScopes {
    /// Parses a comma-separated list such as `ingest,read`; at least one scope is required.
    pub fn parse(raw: &str) -> Result<Self, ValidationError> {
        let mut scopes = ApiScopes::default();
        for part in raw.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            scopes.insert(ApiScope::parse(part)?);
        }
        if scopes == ApiScopes::default() {
            return Err(ValidationError::new(
                "scopes",
                "at least one scope is required",
            ));
        }
        Ok(scopes)
    }

    pub fn from_list(list: &[ApiScope]) -> Result<Self, ValidationError> {
        let mut scopes = ApiScopes::default();
        list.iter().for_each(|s| scopes.insert(*s));
        if scopes == ApiScopes::default() {
            return Err(ValidationError::new(
                "scopes",
                "at least one scope is required",
            ));
        }
        Ok(scopes)
    }

    fn insert(&mut self, scope: ApiScope) {
        match scope {
            ApiScope::Ingest => self.ingest = true,
            ApiScope::Read => self.read = true,
            ApiScope::Admin => self.admin = true,
        }
    }

    pub fn allows(self, needed: ApiScope) -> bool {
        self.admin
            || match needed {
                ApiScope::Ingest => self.ingest,
                ApiScope::Read => self.read,
                ApiScope::Admin => false,
            }
    }

    pub fn to_list(self) -> Vec<ApiScope> {
        let flags = [
            (self.ingest, ApiScope::Ingest),
            (self.read, ApiScope::Read),
            (self.admin, ApiScope::Admin),
        ];
        flags
            .into_iter()
            .filter(|(on, _)| *on)
            .map(|(_, s)| s)
            .collect()
    }
}

impl std::fmt::Display for ApiScopes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<&str> = self.to_list().into_iter().map(ApiScope::as_str).collect();
        f.write_str(&names.join(","))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn admin_scope_allows_everything_and_read_only_reading() {
        let admin = ApiScopes::parse("admin").unwrap_or_default();
        assert!(ApiScope::ALL.iter().all(|s| admin.allows(*s)));
        let read = ApiScopes::parse("read").unwrap_or_default();
        assert!(read.allows(ApiScope::Read));
        assert!(!read.allows(ApiScope::Ingest));
        assert!(!read.allows(ApiScope::Admin));
    }

    #[test]
    fn scopes_round_trip_and_reject_unknown_or_empty_lists() {
        let scopes = ApiScopes::parse(" ingest, read ").map(|s| s.to_string());
        assert_eq!(scopes.as_deref(), Ok("ingest,read"));
        assert!(ApiScopes::parse("write").is_err());
        assert!(ApiScopes::parse(" , ").is_err());
    }

    #[test]
    fn only_admins_administer() {
        assert!(Role::Admin.can_administer());
        for role in [Role::President, Role::Manager, Role::Member] {
            assert!(!role.can_administer());
        }
        assert_eq!(Role::parse("manager"), Ok(Role::Manager));
        assert!(Role::parse("boss").is_err());
    }
}
