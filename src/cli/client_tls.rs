//! `--tls-cert` / `--tls-key` of the client commands (`attach`, `demo`, the query
//! commands): the certificate they present to an instance started with
//! `--client-ca` (mTLS). Copied into `CommonArgs::client_cert` before a command
//! runs, so every API client built by `cli::api_client` presents it.

use std::path::PathBuf;

use clap::Args;

/// The client certificate flags (flattened into each client command).
#[derive(Debug, Clone, Default, Args)]
pub struct ClientTlsArgs {
    /// Client certificate chain (PEM) to present to an instance that requires one (--client-ca)
    #[arg(long = "tls-cert", value_name = "PEM", requires = "client_tls_key")]
    pub client_tls_cert: Option<PathBuf>,
    /// Private key (PEM) of --tls-cert
    #[arg(long = "tls-key", value_name = "PEM", requires = "client_tls_cert")]
    pub client_tls_key: Option<PathBuf>,
}

/// A client certificate and its key, as files.
#[derive(Debug, Clone, PartialEq)]
pub struct ClientCertFiles {
    pub cert: PathBuf,
    pub key: PathBuf,
}

impl ClientTlsArgs {
    pub fn files(&self) -> Option<ClientCertFiles> {
        match (&self.client_tls_cert, &self.client_tls_key) {
            (Some(cert), Some(key)) => Some(ClientCertFiles {
                cert: cert.clone(),
                key: key.clone(),
            }),
            _ => None,
        }
    }
}
