//! The organization's teams and staff: fixed roles from the catalog, names from the seed.

use crate::catalog::{EMAIL_DOMAIN, STAFF, TEAMS, team_index};
use crate::names::{self, Locale};
use crate::world::{StaffPlan, TeamPlan};
use rand::Rng;
use std::collections::HashSet;

pub fn teams() -> Vec<TeamPlan> {
    TEAMS
        .iter()
        .map(|t| TeamPlan {
            key: t.key.into(),
            name: t.name.into(),
            kind: t.kind,
            description: t.description.into(),
        })
        .collect()
}

/// One person per role in the catalog, with distinct names and e-mail addresses. The staff
/// are mostly French, as the company is, with a few colleagues from abroad.
pub fn generate(rng: &mut impl Rng) -> Vec<StaffPlan> {
    let mut taken = HashSet::new();
    STAFF
        .iter()
        .enumerate()
        .map(|(i, (role, team_keys))| {
            let (name, email) = loop {
                let locale = match rng.gen_range(0..100) {
                    0..70 => Locale::French,
                    70..85 => Locale::British,
                    _ => Locale::German,
                };
                let (first, last) = names::person(rng, locale);
                let local = format!("{}.{}", names::slug(first, '-'), names::slug(last, '-'));
                if taken.insert(local.clone()) {
                    break (format!("{first} {last}"), format!("{local}@{EMAIL_DOMAIN}"));
                }
            };
            StaffPlan {
                external_id: format!("S-{}", i + 1),
                name,
                email,
                role: *role,
                teams: team_keys.iter().map(|k| team_index(k)).collect(),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::Role;
    use domain::access::TeamKind;
    use rand::SeedableRng;

    #[test]
    fn roles_follow_the_approach() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(3);
        let staff = generate(&mut rng);
        let teams = teams();
        let count = |role| staff.iter().filter(|s| s.role == role).count();
        assert_eq!((count(Role::Admin), count(Role::President)), (1, 1));
        assert!(staff.iter().all(|s| !s.teams.is_empty()));
        let president = staff.iter().find(|s| s.role == Role::President);
        let team = president
            .and_then(|p| p.teams.first())
            .map(|t| teams[*t].kind);
        assert_eq!(team, Some(TeamKind::Leadership));
        for (index, team) in teams.iter().enumerate() {
            let managers = staff
                .iter()
                .filter(|s| s.role == Role::Manager && s.teams.first() == Some(&index))
                .count();
            let expected = matches!(team.kind, TeamKind::Client | TeamKind::Operations);
            assert_eq!(managers, usize::from(expected), "{}", team.key);
        }
        let emails: HashSet<&str> = staff.iter().map(|s| s.email.as_str()).collect();
        assert_eq!(emails.len(), staff.len());
    }
}
