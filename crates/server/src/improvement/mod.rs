//! Perfect Improvement on the server side: key driver analysis as asked in a URL
//! ([`drivers`]), revenue at risk priced from the organization's customers ([`value`]), the
//! ranked improvement backlog with its what-if ([`backlog`]), the fee-change what-if
//! ([`fee`]), whether a solved problem made a difference ([`impact`]), and the settings they
//! use ([`settings`]).

pub mod backlog;
pub mod drivers;
pub mod fee;
pub mod impact;
pub mod settings;
pub mod value;
