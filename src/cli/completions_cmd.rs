//! `spanlens completions SHELL` (clap_complete) and `spanlens man [--dir DIR]`
//! (clap_mangen): generated from the same clap definitions the parser uses.

use std::path::PathBuf;

use clap::{Args, CommandFactory};

use super::{Cli, CliError};

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// bash, zsh, fish, elvish or powershell
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

#[derive(Debug, Args)]
pub struct ManArgs {
    /// Write spanlens.1 and one page per command (spanlens-serve.1, …) here instead
    /// of printing spanlens.1
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
}

/// Prints the completion script for `shell` on standard output.
pub fn completions(args: &CompletionsArgs) -> Result<(), CliError> {
    let mut cmd = Cli::command();
    clap_complete::generate(args.shell, &mut cmd, "spanlens", &mut std::io::stdout());
    Ok(())
}

/// Prints the man page, or writes every page into `--dir`.
pub fn man(args: &ManArgs) -> Result<(), CliError> {
    let cmd = Cli::command();
    match &args.dir {
        None => clap_mangen::Man::new(cmd).render(&mut std::io::stdout())?,
        Some(dir) => {
            std::fs::create_dir_all(dir)?;
            clap_mangen::generate_to(cmd, dir)?;
            eprintln!("spanlens: man pages written to {}", dir.display());
        }
    }
    Ok(())
}
