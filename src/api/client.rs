//! Blocking client of the query API (used by the CLI while an owner is alive).

use std::time::Duration;

use serde_json::Value;

use crate::model::TraceId;
use crate::query::{SourceError, TraceSource};
use crate::store::TraceQuery;

/// A running instance's query API.
#[derive(Clone)]
pub struct ApiClient {
    base: String,
    token: Option<String>,
    agent: ureq::Agent,
    tls: ureq::tls::TlsConfig,
}

impl std::fmt::Debug for ApiClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ApiClient({})", self.base)
    }
}

impl ApiClient {
    /// `base` like `http://127.0.0.1:4318`.
    pub fn new(base: &str, token: Option<String>) -> Self {
        let tls = ureq::tls::TlsConfig::default();
        ApiClient {
            base: base.trim_end_matches('/').to_string(),
            token,
            agent: Self::agent(&tls, |c| {
                c.timeout_global(Some(Duration::from_secs(30)))
                    .http_status_as_error(false)
            }),
            tls,
        }
    }

    /// Trusts only the CA certificates in this PEM file for `https://` (a private
    /// CA or a self-signed certificate given to `--tls-cert`).
    pub fn with_ca_file(mut self, path: &std::path::Path) -> Result<Self, SourceError> {
        let pem =
            std::fs::read(path).map_err(|e| self.error(format!("{}: {e}", path.display())))?;
        let certs: Vec<ureq::tls::Certificate<'static>> = ureq::tls::parse_pem(&pem)
            .filter_map(|item| match item {
                Ok(ureq::tls::PemItem::Certificate(c)) => Some(c),
                _ => None,
            })
            .collect();
        if certs.is_empty() {
            return Err(self.error(format!("{} holds no certificate", path.display())));
        }
        let client_cert = self.tls.client_cert().cloned();
        self.tls = ureq::tls::TlsConfig::builder()
            .root_certs(ureq::tls::RootCerts::Specific(std::sync::Arc::new(certs)))
            .client_cert(client_cert)
            .build();
        self.agent = Self::agent(&self.tls, |c| {
            c.timeout_global(Some(Duration::from_secs(30)))
                .http_status_as_error(false)
        });
        Ok(self)
    }

    /// Presents this client certificate chain and key (PEM files) to an instance
    /// that requires one (`--client-ca`, mTLS).
    pub fn with_client_cert(
        mut self,
        cert: &std::path::Path,
        key: &std::path::Path,
    ) -> Result<Self, SourceError> {
        let read = |p: &std::path::Path| {
            std::fs::read(p).map_err(|e| self.error(format!("{}: {e}", p.display())))
        };
        let (cert_pem, key_pem) = (read(cert)?, read(key)?);
        let chain: Vec<ureq::tls::Certificate<'static>> = ureq::tls::parse_pem(&cert_pem)
            .filter_map(|item| match item {
                Ok(ureq::tls::PemItem::Certificate(c)) => Some(c),
                _ => None,
            })
            .collect();
        if chain.is_empty() {
            return Err(self.error(format!("{} holds no certificate", cert.display())));
        }
        let private_key = ureq::tls::parse_pem(&key_pem)
            .find_map(|item| match item {
                Ok(ureq::tls::PemItem::PrivateKey(k)) => Some(k),
                _ => None,
            })
            .ok_or_else(|| self.error(format!("{} holds no private key", key.display())))?;
        self.tls = ureq::tls::TlsConfig::builder()
            .root_certs(self.tls.root_certs().clone())
            .client_cert(Some(ureq::tls::ClientCert::new_with_certs(
                &chain,
                private_key,
            )))
            .build();
        self.agent = Self::agent(&self.tls, |c| {
            c.timeout_global(Some(Duration::from_secs(30)))
                .http_status_as_error(false)
        });
        Ok(self)
    }

    fn agent(
        tls: &ureq::tls::TlsConfig,
        f: impl FnOnce(
            ureq::config::ConfigBuilder<ureq::typestate::AgentScope>,
        ) -> ureq::config::ConfigBuilder<ureq::typestate::AgentScope>,
    ) -> ureq::Agent {
        f(ureq::Agent::config_builder().tls_config(tls.clone()))
            .build()
            .new_agent()
    }

    pub fn base(&self) -> &str {
        &self.base
    }

    /// An error naming this API.
    pub fn error(&self, message: impl std::fmt::Display) -> SourceError {
        SourceError::Api {
            url: self.base.clone(),
            message: message.to_string(),
        }
    }

    /// Opens a streaming GET (no overall timeout) and returns its body as lines.
    pub fn open_stream(
        &self,
        path: &str,
    ) -> Result<std::io::BufReader<Box<dyn std::io::Read + Send>>, SourceError> {
        let agent = Self::agent(&self.tls, |c| {
            c.timeout_connect(Some(Duration::from_secs(5)))
        });
        let mut req = agent.get(format!("{}{}", self.base, path));
        if let Some(t) = &self.token {
            req = req.header("Authorization", format!("Bearer {t}"));
        }
        let res = req.call().map_err(|e| self.error(e))?;
        let reader: Box<dyn std::io::Read + Send> = Box::new(res.into_body().into_reader());
        Ok(std::io::BufReader::new(reader))
    }

    /// GET a path as JSON; `Ok(None)` on 404.
    pub fn get_json(&self, path_and_query: &str) -> Result<Option<Value>, SourceError> {
        let mut req = self.agent.get(format!("{}{}", self.base, path_and_query));
        if let Some(t) = &self.token {
            req = req.header("Authorization", format!("Bearer {t}"));
        }
        let mut res = req.call().map_err(|e| self.error(e))?;
        let status = res.status().as_u16();
        let body: Value = res.body_mut().read_json().map_err(|e| self.error(e))?;
        match status {
            200 => Ok(Some(body)),
            404 => Ok(None),
            s => Err(self.error(format!(
                "HTTP {s}: {}",
                body.get("error").and_then(Value::as_str).unwrap_or("")
            ))),
        }
    }

    /// True when an instance answers at this address within `timeout`.
    pub fn is_alive(&self, timeout: Duration) -> bool {
        let agent = Self::agent(&self.tls, |c| c.timeout_global(Some(timeout)));
        let mut req = agent.get(format!("{}/api/v1/health", self.base));
        if let Some(t) = &self.token {
            req = req.header("Authorization", format!("Bearer {t}"));
        }
        req.call().is_ok()
    }
}

/// Percent-encodes a query parameter value.
pub fn encode_component(v: &str) -> String {
    v.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

impl TraceSource for ApiClient {
    fn traces(&self, q: &TraceQuery) -> Result<Value, SourceError> {
        let params: Vec<String> = q
            .to_params()
            .into_iter()
            .map(|(k, v)| format!("{k}={}", encode_component(&v)))
            .collect();
        self.get_json(&format!("/api/v1/traces?{}", params.join("&")))?
            .ok_or_else(|| self.error("no trace list route (is this a spanlens instance?)"))
    }

    fn trace(&self, id: TraceId) -> Result<Option<Value>, SourceError> {
        self.get_json(&format!("/api/v1/traces/{id}"))
    }

    fn stats(&self, since: Option<u64>) -> Result<Value, SourceError> {
        let path = match since {
            Some(s) => format!("/api/v1/stats?since_unix_nano={s}"),
            None => "/api/v1/stats".to_string(),
        };
        self.get_json(&path)?
            .ok_or_else(|| self.error("no stats route (is this a spanlens instance?)"))
    }

    fn error_window(&self, since: Option<u64>) -> Result<crate::errors::ErrorWindow, SourceError> {
        let path = match since {
            Some(s) => format!("/api/v1/ui/errors?since_unix_nano={s}"),
            None => "/api/v1/ui/errors".to_string(),
        };
        let v = self
            .get_json(&path)?
            .ok_or_else(|| self.error("no errors route (is this an older spanlens?)"))?;
        serde_json::from_value(v).map_err(|e| self.error(e))
    }

    fn eval_records(
        &self,
        since: Option<u64>,
        limit: usize,
    ) -> Result<Vec<crate::evals::EvalRecord>, SourceError> {
        crate::evals::source::remote(self, since, limit)
    }
}
