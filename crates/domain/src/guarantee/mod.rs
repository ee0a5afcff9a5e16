//! The Perfect Guarantee: "if you are unhappy for any reason, pay what you think the service was
//! worth". Its policy text, the checks on what the customer says it was worth (exact minor-unit
//! arithmetic, never floats), the report over the ledger and the early warning on a rising
//! invocation rate. There is no approval step anywhere: an invocation is honoured as recorded.

pub mod claim;
pub mod policy;
pub mod report;
pub mod trend;

pub use claim::{ClaimRequest, Settlement};
pub use policy::GuaranteePolicy;
