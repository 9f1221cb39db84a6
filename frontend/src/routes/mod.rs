//! One module per route.
//!
//! The UI ships as three WebAssembly apps built from this one crate, so that a page downloads
//! only the code it can show: the home app (feature `home`: the dashboard list, import and
//! login), the dashboards app (feature `dashboards`: dashboards, solo panels, explore and the
//! render benchmark) and the cluster app (feature `cluster`: the Kubernetes and etcd pages).
//! Every app has every route; a route whose page is in another app loads that app
//! ([`other_app::OtherApp`]). With all features (the default, for `cargo check`), one app has
//! every page.

#[cfg(feature = "dashboards")]
pub mod bench;
#[cfg(feature = "dashboards")]
pub mod dashboard;
#[cfg(feature = "cluster")]
pub mod etcd;
#[cfg(feature = "dashboards")]
pub mod explore;
#[cfg(feature = "home")]
pub mod home;
#[cfg(feature = "home")]
pub mod import;
#[cfg(feature = "cluster")]
pub mod k8s;
#[cfg(feature = "home")]
pub mod login;
pub mod not_found;
pub mod other_app;
#[cfg(feature = "dashboards")]
pub mod solo;

/// The page of each route, from this app or, for another app's pages, [`other_app::OtherApp`].
pub mod pages {
    #[cfg(not(feature = "home"))]
    pub use super::other_app::{OtherApp as Home, OtherApp as ImportPage, OtherApp as LoginPage};
    #[cfg(feature = "home")]
    pub use super::{home::Home, import::ImportPage, login::LoginPage};

    #[cfg(not(feature = "dashboards"))]
    pub use super::other_app::{
        OtherApp as BenchRender, OtherApp as DashboardPage, OtherApp as Explore,
        OtherApp as SoloPanelPage,
    };
    #[cfg(feature = "dashboards")]
    pub use super::{
        bench::BenchRender, dashboard::DashboardPage, explore::Explore, solo::SoloPanelPage,
    };

    #[cfg(not(feature = "cluster"))]
    pub use super::other_app::{
        OtherApp as EtcdPage, OtherApp as EventsPage, OtherApp as K8sIndex, OtherApp as NodesPage,
        OtherApp as OverviewPage, OtherApp as PodPage, OtherApp as PodsPage,
        OtherApp as WorkloadsPage,
    };
    #[cfg(feature = "cluster")]
    pub use super::{
        etcd::EtcdPage,
        k8s::{
            events::EventsPage, nodes::NodesPage, overview::OverviewPage, pod::PodPage,
            pods::PodsPage, workloads::WorkloadsPage, K8sIndex,
        },
    };
}
