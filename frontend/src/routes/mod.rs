//! One module per route.

pub mod bench;
pub mod dashboard;
pub mod etcd;
pub mod explore;
pub mod home;
pub mod import;
pub mod k8s;
pub mod login;
pub mod not_found;
pub mod solo;
