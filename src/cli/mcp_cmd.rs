//! `spanlens mcp`: the Model Context Protocol server on stdin/stdout (`crate::mcp`).
//! Each tool call reads the way the query commands do — the data dir's live owner
//! through its API, else the store (`query_cmds::open_source`) — or the instance at
//! `--url`, with the same token and TLS flags.

use std::sync::Arc;
use std::time::Duration;

use clap::Args;

use super::query_cmds::open_source;
use super::serve::resolve_data_dir;
use super::{CliError, CommonArgs};
use crate::config::ConfigFile;
use crate::errors::Classifier;
use crate::mcp::{DEFAULT_MAX_BYTES, MIN_MAX_BYTES, McpConfig, Opener};
use crate::query::TraceSource;

#[derive(Debug, Args)]
pub struct McpArgs {
    /// Read the instance at this HTTP address (e.g. http://127.0.0.1:4318, or the
    /// local end of `ssh -L`) instead of the data dir's owner or store
    #[arg(long)]
    pub url: Option<String>,
    /// Largest tool answer in bytes; a longer one is cut with a marker saying how to
    /// get the rest
    #[arg(long, default_value_t = DEFAULT_MAX_BYTES, value_name = "BYTES")]
    pub max_bytes: usize,
    #[command(flatten)]
    pub tls: super::ClientTlsArgs,
}

/// The source of one tool call: `--url`, else the owner's API, else the store.
fn open(common: &CommonArgs, url: Option<&str>) -> Result<Box<dyn TraceSource>, CliError> {
    match url {
        Some(u) => Ok(Box::new(super::api_client(common, u)?)),
        None => open_source(common),
    }
}

/// The error a model reads when no source opens.
fn explain(e: CliError) -> String {
    match e {
        CliError::AlreadyOwned { dir, pid, api_url } => format!(
            "spanlens (pid {pid}) owns {} but its API at {api_url} did not answer this \
             server: if that instance requires a token, start `spanlens mcp` with \
             --token-file (or SPANLENS_TOKEN); for https, --tls-ca",
            dir.display()
        ),
        other => other.to_string(),
    }
}

pub fn mcp(common: &CommonArgs, args: &McpArgs) -> Result<(), CliError> {
    if args.max_bytes < MIN_MAX_BYTES {
        return Err(CliError::Usage(format!(
            "--max-bytes {}: use at least {MIN_MAX_BYTES}",
            args.max_bytes
        )));
    }
    let classifier = Classifier::from_config(&ConfigFile::load(common.config.as_deref())?)?;
    let origin = match &args.url {
        Some(u) => format!("the instance at {u}"),
        None => format!("data dir {}", resolve_data_dir(common)?.display()),
    };
    let opener: Opener = {
        let common = common.clone();
        let url = args.url.clone();
        Arc::new(move || open(&common, url.as_deref()).map_err(explain))
    };
    let config = McpConfig {
        opener,
        classifier: Arc::new(classifier),
        max_bytes: args.max_bytes,
        origin,
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let result = runtime.block_on(crate::mcp::serve_stdio(config));
    // A call still running when the client left must not keep the process alive.
    runtime.shutdown_timeout(Duration::from_secs(1));
    result.map_err(|e| CliError::Usage(e.to_string()))
}
