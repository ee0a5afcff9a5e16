//! Builds the whole [`DemoWorld`] from a seed and `now`: pure, no I/O, so it can be tested
//! and extended without a database.

use crate::calendar::Calendar;
use crate::catalog::{EMAIL_DOMAIN, ORGANIZATION_NAME, TIME_ZONE, TOUCHPOINTS, team_index};
use crate::world::{DemoWorld, HiddenProblems, OrganizationPlan, TouchpointPlan};
use crate::{customers, responses, staff, surveys, transactions};
use jiff::Timestamp;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

/// How many customers the demo holds.
pub const CUSTOMERS: usize = 500;
/// How many transactions the demo holds.
pub const TRANSACTIONS: usize = 75_000;

/// The random streams of the generators. Each generator draws from its own, so that a new
/// generator, or one drawing more numbers than before, never changes what the others produce.
/// Later generators take the next free number.
pub mod streams {
    pub const STAFF: u64 = 1;
    pub const CUSTOMERS: u64 = 2;
    pub const TRANSACTIONS: u64 = 3;
    pub const RESPONSES: u64 = 4;
    /// Who invokes the guarantee, when, for how much and why.
    pub const GUARANTEES: u64 = 5;
    /// How the president works the cases the invocations open.
    pub const GUARANTEE_CASES: u64 = 6;
    /// Which customers leave after poor service.
    pub const RETENTION: u64 = 7;
}

/// A deterministic random number generator for one generator of one seed.
pub fn stream(seed: u64, stream: u64) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(stream);
    rng
}

/// The demo organization for `seed`, with six months of history up to `now`. The same seed
/// and `now` always give the same world.
pub fn plan(seed: u64, now: Timestamp) -> anyhow::Result<DemoWorld> {
    let calendar = Calendar::new(TIME_ZONE, now)?;
    let staff = staff::generate(&mut stream(seed, streams::STAFF));
    let customers = customers::generate(
        &mut stream(seed, streams::CUSTOMERS),
        &calendar,
        &staff,
        CUSTOMERS,
    );
    let touchpoints = TOUCHPOINTS
        .iter()
        .map(|t| TouchpointPlan {
            key: t.key.into(),
            name: t.name.into(),
            description: t.description.into(),
            team: team_index(t.team),
        })
        .collect();
    let mut world = DemoWorld {
        organization: OrganizationPlan {
            name: ORGANIZATION_NAME.into(),
            time_zone: TIME_ZONE.into(),
            email_domain: EMAIL_DOMAIN.into(),
        },
        window: calendar.window(),
        teams: staff::teams(),
        staff,
        touchpoints,
        customers,
        transactions: Vec::new(),
        surveys: surveys::plans(),
        responses: Vec::new(),
        hidden: HiddenProblems::default(),
    };
    let mut rng = stream(seed, streams::TRANSACTIONS);
    world.transactions = transactions::generate(&mut rng, &calendar, &world, TRANSACTIONS)?;
    world.hidden = responses::hidden(&world);
    world.responses = responses::generate(&mut stream(seed, streams::RESPONSES), &world);
    for (customer, left) in crate::retention::leavers(&mut stream(seed, streams::RETENTION), &world)
    {
        world.customers[customer].lost_at = Some(left);
    }
    Ok(world)
}
