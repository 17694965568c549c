//! The command line (clap): thin — every command is a library call plus printing.
//! Names and flags are a contract (DESIGN.md); scripts rely on them.

mod client_tls;
mod compare_cmd;
mod completions_cmd;
mod cost_cmd;
mod errors_cmd;
pub mod evals_cmd;
mod export_cmd;
mod format;
mod forward_args;
mod import_cmd;
mod mcp_cmd;
mod query_cmds;
mod security;
mod serve;
mod tui;

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::data_dir::DataDirError;
use crate::query::SourceError;
use crate::server::ServerError;
use crate::store::StoreError;

pub use client_tls::{ClientCertFiles, ClientTlsArgs};
pub use forward_args::ForwardArgs;
pub use serve::serve;

#[derive(Debug, Parser)]
#[command(
    name = "spanlens",
    version = crate::build_info::VERSION,
    long_version = crate::build_info::LONG_VERSION,
    about = "A terminal trace inspector for LLM applications"
)]
pub struct Cli {
    #[command(flatten)]
    pub common: CommonArgs,
    /// Receiver flags for the combined mode (`spanlens` with no command).
    #[command(flatten)]
    pub serve: ServeArgs,
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Flags every command takes.
#[derive(Debug, Clone, Args)]
pub struct CommonArgs {
    /// Data dir (default: the XDG data dir, e.g. ~/.local/share/spanlens)
    #[arg(long, global = true, env = "SPANLENS_DATA_DIR")]
    pub data_dir: Option<PathBuf>,
    /// OTLP/gRPC listen address; repeatable (default 127.0.0.1:4317 and [::1]:4317)
    #[arg(long = "grpc-addr", global = true)]
    pub grpc_addr: Vec<SocketAddr>,
    /// OTLP/HTTP and query API listen address; repeatable (default 127.0.0.1:4318 and [::1]:4318)
    #[arg(long = "http-addr", global = true)]
    pub http_addr: Vec<SocketAddr>,
    /// Config file (TOML; default: config.toml in the XDG config dir)
    #[arg(long, global = true)]
    pub config: Option<PathBuf>,
    /// Bearer token required from exporters and API clients, and sent by query commands
    #[arg(long, global = true, env = "SPANLENS_TOKEN", hide_env_values = true)]
    pub token: Option<String>,
    /// Read the bearer token from this file (first line; keeps it out of `ps` and shell history)
    #[arg(
        long,
        global = true,
        env = "SPANLENS_TOKEN_FILE",
        conflicts_with = "token"
    )]
    pub token_file: Option<PathBuf>,
    /// CA certificate (PEM) to trust when talking to an instance over https
    #[arg(long, global = true, env = "SPANLENS_TLS_CA", value_name = "PEM")]
    pub tls_ca: Option<PathBuf>,
    /// Price overrides (TOML, or JSON if it ends in .json); read after prices.toml in the config dir
    #[arg(long, global = true)]
    pub prices: Option<PathBuf>,
    /// Log level or filter, RUST_LOG syntax (e.g. debug, spanlens=trace,tower=warn);
    /// logs go to stderr, or to spanlens.log in the data dir while the TUI runs
    #[arg(long, global = true, env = "SPANLENS_LOG", value_name = "FILTER")]
    pub log: Option<String>,
    /// The client certificate of the command being run (its `--tls-cert`/`--tls-key`).
    #[arg(skip)]
    pub client_cert: Option<ClientCertFiles>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Receiver only (headless daemon); logs to stderr
    Serve(ServeArgs),
    /// List recent traces
    Traces(TracesArgs),
    /// Show one trace
    Trace(TraceArgs),
    /// Compare two traces: matched spans with deltas, what only one run has, where they diverge
    Compare(compare_cmd::CompareArgs),
    /// Totals by model and service
    Stats(StatsArgs),
    /// Cost panel tables: by model, service, project, session, user; burn rate; top traces
    Cost(CostArgs),
    /// The TUI against a running instance (local, or through `ssh -L`)
    Attach(AttachArgs),
    /// Send realistic synthetic LLM traffic to an instance (until Ctrl-C or --count)
    Demo(DemoCmdArgs),
    /// Print the read API's secret of the data dir's running owner (for `attach URL`
    /// over `ssh -L`, or curl); only the user running spanlens can read it
    Token,
    /// Error groups and counts: classes, retry chains, fallbacks
    Errors(ErrorsArgs),
    /// Evaluation scorecards and experiment comparison; `evals check` validates the evaluator config
    Evals(evals_cmd::EvalsArgs),
    /// Read OTLP files (protobuf, OTLP/JSON, JSON Lines) into the store
    Import(import_cmd::ImportArgs),
    /// Write stored traces as OTLP files that `import` reads back
    Export(export_cmd::ExportArgs),
    /// Model Context Protocol server on stdio: coding agents search traces, open spans, read costs and errors
    Mcp(mcp_cmd::McpArgs),
    /// Shell completion script (bash, zsh, fish, elvish, powershell) on stdout
    Completions(completions_cmd::CompletionsArgs),
    /// The man page (roff) on stdout, or all pages into --dir
    Man(completions_cmd::ManArgs),
    /// The configuration: `config show` prints every setting and where it came from
    Config(crate::config::show::ConfigArgs),
}

#[derive(Debug, Args)]
pub struct ErrorsArgs {
    #[command(flatten)]
    pub tls: ClientTlsArgs,
    #[arg(long)]
    pub json: bool,
    /// Window (e.g. 15m, 1h, 24h); default: everything stored
    #[arg(long)]
    pub since: Option<String>,
}

#[derive(Debug, Args)]
pub struct AttachArgs {
    #[command(flatten)]
    pub tls: ClientTlsArgs,
    /// The instance's HTTP address, e.g. http://127.0.0.1:4318 (default: the owner of the data dir)
    pub url: Option<String>,
}

/// `spanlens demo`: the traffic flags and the client certificate.
#[derive(Debug, Args)]
pub struct DemoCmdArgs {
    #[command(flatten)]
    pub demo: crate::demo::DemoArgs,
    #[command(flatten)]
    pub tls: ClientTlsArgs,
}

#[derive(Debug, Clone, Args, Default)]
pub struct ServeArgs {
    /// Largest accepted request in MiB, after decompression
    #[arg(long, default_value_t = 64)]
    pub max_request_mb: usize,
    /// sled cache size in MiB
    #[arg(long, default_value_t = 256)]
    pub cache_mb: u64,
    /// Listen on non-loopback addresses without a token (warned about on every start)
    #[arg(long)]
    pub allow_insecure: bool,
    /// Drop prompts, completions, tool arguments/results and documents at ingest; keep tokens and cost
    #[arg(long)]
    pub no_content: bool,
    /// Delete traces older than this (e.g. 24h, 7d), oldest first
    #[arg(long, value_name = "DUR")]
    pub max_age: Option<String>,
    /// Keep the store under this size on disk (e.g. 500MB, 2GiB), deleting the oldest traces
    /// (spans are held once the file passes half of it; see docs/SECURITY.md)
    #[arg(long, value_name = "SIZE")]
    pub max_disk: Option<String>,
    /// Size of audit.log in the data dir past which it is rotated to audit.log.1 (default 4MiB)
    #[arg(long, value_name = "SIZE")]
    pub audit_max_size: Option<String>,
    /// How often retention runs (default 10s; for tests)
    #[arg(long, value_name = "DUR", hide = true)]
    pub retention_interval: Option<String>,
    /// Serve TLS (gRPC, OTLP/HTTP and the API) with this certificate chain (PEM)
    #[arg(long, value_name = "PEM", requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,
    /// The private key (PEM) of --tls-cert
    #[arg(long, value_name = "PEM", requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,
    /// Require client certificates signed by this CA (mTLS; needs --tls-cert)
    #[arg(long, value_name = "PEM", requires = "tls_cert")]
    pub client_ca: Option<PathBuf>,
    #[command(flatten)]
    pub forward: ForwardArgs,
}

#[derive(Debug, Args)]
pub struct TracesArgs {
    #[command(flatten)]
    pub tls: ClientTlsArgs,
    #[arg(long)]
    pub json: bool,
    /// Most traces to list
    #[arg(long, default_value_t = 50)]
    pub limit: usize,
    /// Only traces that started within this long ago (e.g. 15m, 2h, 7d)
    #[arg(long)]
    pub since: Option<String>,
    #[arg(long)]
    pub service: Option<String>,
    #[arg(long)]
    pub model: Option<String>,
    #[arg(long)]
    pub session: Option<String>,
    /// Only traces with an error
    #[arg(long)]
    pub errors: bool,
}

#[derive(Debug, Args)]
pub struct TraceArgs {
    #[command(flatten)]
    pub tls: ClientTlsArgs,
    /// 32 hex digits
    pub trace_id: String,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct StatsArgs {
    #[command(flatten)]
    pub tls: ClientTlsArgs,
    #[arg(long)]
    pub json: bool,
    /// Window (e.g. 15m, 1h, 24h); default: everything stored
    #[arg(long)]
    pub since: Option<String>,
}

#[derive(Debug, Args)]
pub struct CostArgs {
    #[command(flatten)]
    pub tls: ClientTlsArgs,
    #[arg(long)]
    pub json: bool,
    /// Window (e.g. 15m, 1h, 24h); default: everything stored
    #[arg(long)]
    pub since: Option<String>,
}

/// Errors a command reports to the user (exit code 1; usage errors exit 2 via clap).
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error(transparent)]
    DataDir(#[from] DataDirError),
    #[error("cannot open the store in {dir}: {source}")]
    OpenStore { dir: PathBuf, source: StoreError },
    #[error(
        "another spanlens (pid {pid}) already owns {dir}; its API is at {api_url}. \
         Use `spanlens traces` etc. against it, or pass another --data-dir"
    )]
    AlreadyOwned {
        dir: PathBuf,
        pid: u32,
        api_url: String,
    },
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error(transparent)]
    Server(#[from] ServerError),
    #[error(transparent)]
    Source(#[from] SourceError),
    #[error(transparent)]
    Prices(#[from] crate::pricing::PricesFileError),
    #[error(transparent)]
    Config(#[from] crate::config::ConfigError),
    #[error(transparent)]
    Budgets(#[from] crate::cost::BudgetError),
    #[error("{0}")]
    Usage(String),
    #[error(
        "refusing to listen on {addr} (not loopback) without a token: anyone who can reach it \
         could read and write traces. Set --token / --token-file, or pass --allow-insecure"
    )]
    InsecureBind { addr: SocketAddr },
    #[error("no trace {0}")]
    NotFound(String),
    #[error("{0}")]
    Io(#[from] std::io::Error),
    /// The command did its work but skipped some input (exit code 3).
    #[error("{0}")]
    Partial(String),
}

impl CliError {
    /// The process exit code for this error (docs/EXIT-CODES in README): 1 for a
    /// failure, 3 when the work was done except for reported bad input.
    pub fn exit_code(&self) -> i32 {
        match self {
            CliError::Partial(_) => 3,
            _ => 1,
        }
    }
}

impl Command {
    /// The client certificate flags of a command that talks to an instance.
    fn client_tls(&self) -> Option<&ClientTlsArgs> {
        Some(match self {
            Command::Traces(a) => &a.tls,
            Command::Trace(a) => &a.tls,
            Command::Stats(a) => &a.tls,
            Command::Cost(a) => &a.tls,
            Command::Attach(a) => &a.tls,
            Command::Demo(a) => &a.tls,
            Command::Errors(a) => &a.tls,
            Command::Evals(a) => &a.tls,
            Command::Export(a) => &a.tls,
            Command::Compare(a) => &a.tls,
            Command::Mcp(a) => &a.tls,
            _ => return None,
        })
    }
}

impl Cli {
    /// True for the commands that own the terminal (their logs go to a file).
    pub fn uses_terminal(&self) -> bool {
        matches!(self.command, None | Some(Command::Attach(_)))
    }
}

/// Runs a parsed command line.
pub fn run(mut cli: Cli) -> Result<(), CliError> {
    if let Some(path) = cli.common.token_file.take() {
        cli.common.token = Some(security::read_token_file(&path)?);
    }
    if let Some(tls) = cli.command.as_ref().and_then(Command::client_tls) {
        cli.common.client_cert = tls.files();
    }
    match cli.command {
        None => tui::combined(&cli.common, &cli.serve),
        Some(Command::Attach(args)) => tui::attach(&cli.common, args.url),
        Some(Command::Demo(args)) => demo(&cli.common, &args.demo),
        Some(Command::Token) => token_cmd(&cli.common),
        Some(Command::Serve(args)) => serve(&cli.common, &args),
        Some(Command::Traces(args)) => query_cmds::traces(&cli.common, &args),
        Some(Command::Trace(args)) => query_cmds::trace(&cli.common, &args),
        Some(Command::Compare(args)) => compare_cmd::compare(&cli.common, &args),
        Some(Command::Stats(args)) => query_cmds::stats(&cli.common, &args),
        Some(Command::Cost(args)) => cost_cmd::cost_cmd(&cli.common, &args),
        Some(Command::Errors(args)) => errors_cmd::errors(&cli.common, &args),
        Some(Command::Evals(args)) => evals_cmd::run(&cli.common, &args),
        Some(Command::Import(args)) => import_cmd::import(&cli.common, &args),
        Some(Command::Export(args)) => export_cmd::export(&cli.common, &args),
        Some(Command::Mcp(args)) => mcp_cmd::mcp(&cli.common, &args),
        Some(Command::Completions(args)) => completions_cmd::completions(&args),
        Some(Command::Man(args)) => completions_cmd::man(&args),
        Some(Command::Config(args)) => {
            crate::config::show::config_command(&args).map_err(|e| CliError::Usage(e.to_string()))
        }
    }
}

impl ServeArgs {
    /// The defaults clap would fill in.
    pub fn default_values() -> Self {
        ServeArgs {
            max_request_mb: 64,
            cache_mb: 256,
            ..Default::default()
        }
    }
}

/// `spanlens token`: the read secret of the data dir's live owner.
fn token_cmd(common: &CommonArgs) -> Result<(), CliError> {
    let dir = serve::resolve_data_dir(common)?;
    let secret =
        crate::read_secret::owner_secret(&dir).map_err(|e| CliError::Usage(e.to_string()))?;
    println!("{secret}");
    Ok(())
}

/// `spanlens demo`: to `--endpoint`, else the data dir's live owner, else the default.
fn demo(common: &CommonArgs, args: &crate::demo::DemoArgs) -> Result<(), CliError> {
    let owner = match &args.endpoint {
        Some(_) => None,
        None => serve::resolve_data_dir(common)
            .ok()
            .and_then(|d| crate::data_dir::OwnerLock::read(&d))
            .filter(|l| crate::data_dir::pid_alive(l.pid)),
    };
    let endpoint = crate::demo::resolve_endpoint(args, owner.as_ref());
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime
        .block_on(crate::demo::run(
            args,
            &endpoint,
            common.token.as_deref(),
            demo_tls(common)?,
        ))
        .map_err(|e| CliError::Usage(e.to_string()))?;
    Ok(())
}

/// The demo's TLS settings: the trusted CA (`--tls-ca`) and the client certificate.
fn demo_tls(common: &CommonArgs) -> Result<Option<tonic::transport::ClientTlsConfig>, CliError> {
    use tonic::transport::{Certificate, ClientTlsConfig, Identity};
    let read = |p: &std::path::Path| {
        std::fs::read(p).map_err(|e| CliError::Usage(format!("{}: {e}", p.display())))
    };
    let mut tls = ClientTlsConfig::new();
    if let Some(ca) = &common.tls_ca {
        tls = tls.ca_certificate(Certificate::from_pem(read(ca)?));
    }
    if let Some(id) = &common.client_cert {
        tls = tls.identity(Identity::from_pem(read(&id.cert)?, read(&id.key)?));
    }
    Ok(Some(tls))
}

/// A client of an instance's API at `url`, with the token (`--token`, else the read
/// secret of the data dir's live owner when `url` is that owner's API), the trusted CA
/// and the client certificate. Every command that reads an instance's API builds its
/// client here.
pub fn api_client(common: &CommonArgs, url: &str) -> Result<crate::api::ApiClient, CliError> {
    let token = common.token.clone().or_else(|| {
        serve::resolve_data_dir(common)
            .ok()
            .and_then(|dir| crate::read_secret::for_local_owner(&dir, url))
    });
    let mut client = crate::api::ApiClient::new(url, token);
    if let Some(ca) = &common.tls_ca {
        client = client.with_ca_file(ca)?;
    }
    if let Some(id) = &common.client_cert {
        client = client.with_client_cert(&id.cert, &id.key)?;
    }
    Ok(client)
}

/// Where the TUI modes write their log: `spanlens.log` in the data dir.
pub fn log_file_path(common: &CommonArgs) -> Option<PathBuf> {
    serve::resolve_data_dir(common)
        .ok()
        .map(|d| d.join("spanlens.log"))
}
