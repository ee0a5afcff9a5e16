//! Statistics read from [`Measures`](super::Measures); written by a helper session.
