//! etcd: range reads over HTTP and live watches over WebSockets, for the clusters of
//! [`config`], within each cluster's prefix policy.

pub mod config;
pub mod http;
pub mod hub;

use config::EtcdCluster;
use etcd_client::{Certificate, Client, ConnectOptions, Identity, TlsOptions};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

/// One configured cluster and its (lazily made) client.
pub struct Cluster {
    pub config: EtcdCluster,
    client: tokio::sync::Mutex<Option<Client>>,
}

impl Cluster {
    /// The cluster's client, connecting when there is none yet.
    pub async fn client(&self) -> Result<Client, String> {
        let mut slot = self.client.lock().await;
        if let Some(c) = slot.as_ref() {
            return Ok(c.clone());
        }
        let c = &self.config;
        let mut options = ConnectOptions::new()
            .with_connect_timeout(Duration::from_secs(5))
            .with_keep_alive(Duration::from_secs(5), Duration::from_secs(5))
            .with_keep_alive_while_idle(true);
        if c.ca.is_some() || c.identity.is_some() {
            let mut tls = TlsOptions::new();
            if let Some(ca) = &c.ca {
                tls = tls.ca_certificate(Certificate::from_pem(ca));
            }
            if let Some((cert, key)) = &c.identity {
                tls = tls.identity(Identity::from_pem(cert, key));
            }
            options = options.with_tls(tls);
        }
        if let Some((user, password)) = &c.user {
            options = options.with_user(user, password);
        }
        let client = tokio::time::timeout(
            Duration::from_secs(10),
            Client::connect(&c.endpoints, Some(options)),
        )
        .await
        .map_err(|_| format!("etcd cluster {}: no answer within 10 s", c.name))?
        .map_err(|e| format!("etcd cluster {}: {e}", c.name))?;
        *slot = Some(client.clone());
        Ok(client)
    }

    /// Drops the client after a lost connection so that the next use connects afresh (new
    /// channel, new auth token).
    pub async fn forget_client(&self) {
        *self.client.lock().await = None;
    }
}

/// Every configured cluster and the watch hub; cheap to clone.
#[derive(Clone, Default)]
pub struct Etcd {
    pub clusters: Arc<BTreeMap<String, Arc<Cluster>>>,
    pub hub: Arc<hub::Hub>,
}

impl Etcd {
    pub fn new(clusters: &[EtcdCluster]) -> Etcd {
        Etcd {
            clusters: Arc::new(
                clusters
                    .iter()
                    .map(|c| {
                        (
                            c.name.clone(),
                            Arc::new(Cluster {
                                config: c.clone(),
                                client: tokio::sync::Mutex::new(None),
                            }),
                        )
                    })
                    .collect(),
            ),
            hub: Arc::default(),
        }
    }

    pub fn cluster(&self, name: &str) -> Option<Arc<Cluster>> {
        self.clusters.get(name).cloned()
    }
}
