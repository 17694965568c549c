//! The command line (clap): thin — every command is a library call plus printing.
//! Names and flags are a contract (DESIGN.md); scripts rely on them.

mod completions_cmd;
mod export_cmd;
mod format;
mod forward_args;
mod import_cmd;
mod query_cmds;
mod serve;
mod tui;

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::data_dir::DataDirError;
use crate::query::SourceError;
use crate::server::ServerError;
use crate::store::StoreError;

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
    /// `--forward` for the receiver + TUI mode (no command).
    #[command(flatten)]
    pub forward: ForwardArgs,
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
    /// Log level or filter, RUST_LOG syntax (e.g. debug, spanlens=trace,tower=warn);
    /// logs go to stderr, or to spanlens.log in the data dir while the TUI runs
    #[arg(long, global = true, env = "SPANLENS_LOG", value_name = "FILTER")]
    pub log: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Receiver only (headless daemon); logs to stderr
    Serve(ServeArgs),
    /// List recent traces
    Traces(TracesArgs),
    /// Show one trace
    Trace(TraceArgs),
    /// Totals by model and service
    Stats(StatsArgs),
    /// The TUI against a running instance (local, or through `ssh -L`)
    Attach(AttachArgs),
    /// Send realistic synthetic LLM traffic to an instance (until Ctrl-C or --count)
    Demo(crate::demo::DemoArgs),
    /// Read OTLP files (protobuf, OTLP/JSON, JSON Lines) into the store
    Import(import_cmd::ImportArgs),
    /// Write stored traces as OTLP files that `import` reads back
    Export(export_cmd::ExportArgs),
    /// Shell completion script (bash, zsh, fish, elvish, powershell) on stdout
    Completions(completions_cmd::CompletionsArgs),
    /// The man page (roff) on stdout, or all pages into --dir
    Man(completions_cmd::ManArgs),
    /// The configuration: `config show` prints every setting and where it came from
    Config(crate::config::show::ConfigArgs),
}

#[derive(Debug, Args)]
pub struct AttachArgs {
    /// The instance's HTTP address, e.g. http://127.0.0.1:4318 (default: the owner of the data dir)
    pub url: Option<String>,
}

#[derive(Debug, Clone, Args, Default)]
pub struct ServeArgs {
    /// Largest accepted request in MiB, after decompression
    #[arg(long, default_value_t = 64)]
    pub max_request_mb: usize,
    /// sled cache size in MiB
    #[arg(long, default_value_t = 256)]
    pub cache_mb: u64,
    #[command(flatten)]
    pub forward: ForwardArgs,
}

#[derive(Debug, Args)]
pub struct TracesArgs {
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
    /// 32 hex digits
    pub trace_id: String,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct StatsArgs {
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
    #[error("{0}")]
    Usage(String),
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

impl Cli {
    /// True for the commands that own the terminal (their logs go to a file).
    pub fn uses_terminal(&self) -> bool {
        matches!(self.command, None | Some(Command::Attach(_)))
    }
}

/// Runs a parsed command line.
pub fn run(cli: Cli) -> Result<(), CliError> {
    match cli.command {
        None => tui::combined(&cli.common, &cli.forward),
        Some(Command::Attach(args)) => tui::attach(&cli.common, args.url),
        Some(Command::Demo(args)) => demo(&cli.common, &args),
        Some(Command::Serve(args)) => serve(&cli.common, &args),
        Some(Command::Traces(args)) => query_cmds::traces(&cli.common, &args),
        Some(Command::Trace(args)) => query_cmds::trace(&cli.common, &args),
        Some(Command::Stats(args)) => query_cmds::stats(&cli.common, &args),
        Some(Command::Import(args)) => import_cmd::import(&cli.common, &args),
        Some(Command::Export(args)) => export_cmd::export(&cli.common, &args),
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
            forward: ForwardArgs::default(),
        }
    }
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
        .block_on(crate::demo::run(args, &endpoint, common.token.as_deref()))
        .map_err(|e| CliError::Usage(e.to_string()))?;
    Ok(())
}

/// Where the TUI modes write their log: `spanlens.log` in the data dir.
pub fn log_file_path(common: &CommonArgs) -> Option<PathBuf> {
    serve::resolve_data_dir(common)
        .ok()
        .map(|d| d.join("spanlens.log"))
}
