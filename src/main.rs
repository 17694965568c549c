//! The `spanlens` binary: parse the command line (flags > `SPANLENS_*` env > config
//! file > defaults), set up logging (to stderr, or to `spanlens.log` in the data dir
//! while the TUI owns the terminal), run the command, exit with its code
//! (0 success, 1 failure, 2 usage or configuration error, 3 done but some input
//! skipped — README "Exit codes").

use std::process::ExitCode;

use spanlens::config::flags::{FlagsError, Origin, Parsed, parse_args};
use tracing_subscriber::EnvFilter;

/// mimalloc: spans are allocation-heavy (strings, attribute maps); with it, decoding
/// a 10,000-span trace takes 10 ms instead of 25 ms and dropping it 3 ms instead of
/// 10 ms (docs/PERFORMANCE.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The log filter: `--log` or `SPANLENS_LOG`, else `RUST_LOG`, else the config
/// file's `log`, else `info`.
fn log_filter(parsed: &Parsed) -> Result<EnvFilter, String> {
    let given = parsed.cli.common.log.as_deref();
    let text = match parsed.origin("log") {
        Origin::Flag | Origin::Env(_) => given.map(str::to_string),
        _ => std::env::var("RUST_LOG")
            .ok()
            .filter(|v| !v.is_empty())
            .or_else(|| given.map(str::to_string)),
    }
    .unwrap_or_else(|| "info".into());
    EnvFilter::try_new(&text).map_err(|e| format!("invalid log filter {text:?}: {e}"))
}

fn main() -> ExitCode {
    let parsed = match parse_args(std::env::args_os()) {
        Ok(p) => p,
        Err(FlagsError::Clap(e)) => e.exit(),
        Err(e) => {
            eprintln!("spanlens: {e}");
            return ExitCode::from(2);
        }
    };
    let filter = match log_filter(&parsed) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("spanlens: {e}");
            return ExitCode::from(2);
        }
    };
    let cli = parsed.cli;
    let log_file = cli
        .uses_terminal()
        .then(|| spanlens::cli::log_file_path(&cli.common))
        .flatten()
        .and_then(|path| {
            spanlens::private_files::create_private_dir(path.parent()?).ok()?;
            spanlens::private_files::create_private(&path, true).ok()
        });
    match log_file {
        Some(file) => tracing_subscriber::fmt()
            .with_env_filter(filter)
            .with_ansi(false)
            .with_writer(std::sync::Mutex::new(file))
            .init(),
        None if cli.uses_terminal() => {}
        None => tracing_subscriber::fmt()
            .with_env_filter(filter)
            .with_writer(std::io::stderr)
            .init(),
    }
    match spanlens::cli::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("spanlens: error: {e}");
            ExitCode::from(e.exit_code() as u8)
        }
    }
}
