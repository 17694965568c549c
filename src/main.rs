//! The `spanlens` binary: parse the command line, set up logging (to stderr, or to
//! `spanlens.log` in the data dir while the TUI owns the terminal), run the command.

use clap::Parser;
use tracing_subscriber::EnvFilter;

/// mimalloc: spans are allocation-heavy (strings, attribute maps); with it, decoding
/// a 10,000-span trace takes 10 ms instead of 25 ms and dropping it 3 ms instead of
/// 10 ms (docs/PERFORMANCE.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> anyhow::Result<()> {
    let cli = spanlens::cli::Cli::parse();
    let filter = EnvFilter::try_from_env("SPANLENS_LOG")
        .or_else(|_| EnvFilter::try_from_default_env())
        .unwrap_or_else(|_| EnvFilter::new("info"));
    let log_file = cli
        .uses_terminal()
        .then(|| spanlens::cli::log_file_path(&cli.common))
        .flatten()
        .and_then(|path| {
            std::fs::create_dir_all(path.parent()?).ok()?;
            std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(path)
                .ok()
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
    spanlens::cli::run(cli)?;
    Ok(())
}
