//! Perfect Knowledge services shared by the API, the survey page, imports and the demo: turning
//! raw answers into a stored response, and analysing comments.

pub mod analyzer;
pub mod ingest;
