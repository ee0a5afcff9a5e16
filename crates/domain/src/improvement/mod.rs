//! Perfect Improvement, part 2: what to fix first. Key driver analysis by exact Shapley value
//! regression ([`drivers`]), the revenue a dissatisfied customer puts at risk ([`churn`],
//! [`revenue`]), return on satisfaction ([`ros`]), the impact of a fee change
//! ([`fee_change`]), whether a solved problem made a difference ([`before_after`]) and the
//! systemic problem record itself ([`problem`]). Nothing here performs I/O.

pub mod before_after;
pub mod churn;
pub mod drivers;
pub mod fee_change;
pub mod moments;
pub mod problem;
pub mod revenue;
pub mod ros;
