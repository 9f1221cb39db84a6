//! One module per route.

pub mod dashboard;
pub mod explore;
pub mod home;
pub mod import;
pub mod not_found;
pub mod solo;
