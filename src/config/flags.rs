//! The flag layer: every command-line flag can also come from a `SPANLENS_*`
//! environment variable or from the config file, with precedence
//! flags > environment > file > built-in defaults.
//!
//! - Environment: `SPANLENS_<FLAG>` with dashes as underscores (`--max-request-mb` →
//!   `SPANLENS_MAX_REQUEST_MB`), for every command that has the flag.
//! - File, top level: `data_dir = "/srv/spanlens"`, `forward = "grpc://…"`,
//!   `grpc_addr = ["0.0.0.0:4317"]` — applies to every command with that flag.
//! - File, per command: `[commands.traces]` `limit = 20` — only that command;
//!   it wins over the top level.
//!
//! Implemented on clap itself: before parsing, each flag gets its environment
//! variable and, when the file sets it, a default taken from the file — so clap's
//! own precedence (command line > env > default) is the rule, and clap's
//! `value_source` says where each value came from. Values from the file are checked
//! with the flag's own parser, so a bad value names its file and line. Tables that
//! are not `commands` belong to other features and are left alone.
//! `spanlens config show` is in `show.rs`.

use std::collections::BTreeMap;
use std::ffi::OsString;

use clap::parser::ValueSource;
use clap::{ArgMatches, Command, CommandFactory, FromArgMatches};

use super::{ConfigError, ConfigFile};
use crate::cli::Cli;

#[derive(Debug, thiserror::Error)]
pub enum FlagsError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// Usage errors, `--help` and `--version` (print with `exit()`).
    #[error(transparent)]
    Clap(#[from] clap::Error),
}

/// Where a setting's value came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    Flag,
    Env(String),
    File { path: String, line: usize },
    Default,
    Unset,
}

impl std::fmt::Display for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Origin::Flag => f.write_str("flag"),
            Origin::Env(v) => write!(f, "env {v}"),
            Origin::File { path, line } => write!(f, "file {path}:{line}"),
            Origin::Default => f.write_str("default"),
            Origin::Unset => f.write_str("unset"),
        }
    }
}

/// One value from the file, as the strings clap parses, with its line.
#[derive(Debug, Clone)]
pub(super) struct FileValue {
    pub(super) values: Vec<String>,
    pub(super) line: usize,
}

/// Flag values found in the config file.
#[derive(Debug, Default)]
pub(super) struct FileFlags {
    pub(super) path: String,
    top: BTreeMap<String, FileValue>,
    /// `commands.NAME` → flag → value.
    per_command: BTreeMap<String, (usize, BTreeMap<String, FileValue>)>,
}

type SpannedMap = BTreeMap<String, toml::Spanned<toml::Value>>;

fn line_at(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

pub(super) fn key_of(id: &str) -> String {
    id.replace('-', "_")
}

impl FileFlags {
    fn read(config: &ConfigFile) -> Result<FileFlags, ConfigError> {
        let path = config.display_path();
        let mut out = FileFlags {
            path: path.clone(),
            ..Default::default()
        };
        if config.path.is_none() && config.text.is_empty() {
            return Ok(out);
        }
        let invalid = |line, message: String| ConfigError::Invalid {
            path: path.clone().into(),
            line,
            message,
        };
        let top: SpannedMap =
            toml::from_str(&config.text).map_err(|e| invalid(0, e.message().trim().to_string()))?;
        for (k, v) in top {
            let line = line_at(&config.text, v.span().start);
            if k == "commands" || is_table_like(v.get_ref()) {
                continue;
            }
            let values =
                scalar_values(v.get_ref()).map_err(|m| invalid(line, format!("{k}: {m}")))?;
            out.top.insert(key_of(&k), FileValue { values, line });
        }
        let commands: BTreeMap<String, toml::Spanned<SpannedMap>> = config.section("commands")?;
        for (name, table) in commands {
            let line = line_at(&config.text, table.span().start);
            let mut flags = BTreeMap::new();
            for (k, v) in table.into_inner() {
                let line = line_at(&config.text, v.span().start);
                let values =
                    scalar_values(v.get_ref()).map_err(|m| invalid(line, format!("{k}: {m}")))?;
                flags.insert(key_of(&k), FileValue { values, line });
            }
            out.per_command.insert(name, (line, flags));
        }
        Ok(out)
    }
}

fn is_table_like(v: &toml::Value) -> bool {
    match v {
        toml::Value::Table(_) => true,
        toml::Value::Array(a) => !a.is_empty() && a.iter().all(|x| x.is_table()),
        _ => false,
    }
}

fn scalar_values(v: &toml::Value) -> Result<Vec<String>, String> {
    let one = |v: &toml::Value| -> Result<String, String> {
        match v {
            toml::Value::String(s) => Ok(s.clone()),
            toml::Value::Integer(i) => Ok(i.to_string()),
            toml::Value::Float(f) => Ok(f.to_string()),
            toml::Value::Boolean(b) => Ok(b.to_string()),
            toml::Value::Datetime(d) => Ok(d.to_string()),
            _ => Err("expected a string, number, boolean or a list of them".into()),
        }
    };
    match v {
        toml::Value::Array(items) => items.iter().map(one).collect(),
        other => Ok(vec![one(other)?]),
    }
}

/// Flags that are not settings.
pub(super) fn is_setting(arg: &clap::Arg) -> bool {
    !arg.is_positional() && !matches!(arg.get_id().as_str(), "help" | "version")
}

fn env_name(id: &str) -> String {
    format!("SPANLENS_{}", id.replace('-', "_").to_ascii_uppercase())
}

fn leak(s: String) -> &'static str {
    s.leak()
}

/// The command line parsed with env and file applied, and what is needed to say
/// where each value came from.
pub struct Parsed {
    pub cli: Cli,
    pub(super) matches: ArgMatches,
    pub(super) command: Command,
    pub(super) file: FileFlags,
    /// (command path, flag id) → the file value used as its default.
    pub(super) from_file: BTreeMap<(String, String), FileValue>,
    /// (command path, flag id) → the built-in default, as shown.
    pub(super) defaults: BTreeMap<(String, String), String>,
}

impl std::fmt::Debug for Parsed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Parsed")
    }
}

/// `--config FILE` from the raw arguments, else `SPANLENS_CONFIG`.
fn config_path_from(args: &[OsString]) -> Option<std::path::PathBuf> {
    let mut it = args.iter().skip(1);
    while let Some(a) = it.next() {
        let a = a.to_string_lossy();
        if a == "--" {
            break;
        }
        if a == "--config" {
            return it.next().map(Into::into);
        }
        if let Some(v) = a.strip_prefix("--config=") {
            return Some(v.into());
        }
    }
    std::env::var_os("SPANLENS_CONFIG").map(Into::into)
}

struct Applier<'a> {
    file: &'a FileFlags,
    from_file: BTreeMap<(String, String), FileValue>,
    defaults: BTreeMap<(String, String), String>,
    error: Option<ConfigError>,
}

impl Applier<'_> {
    fn apply(&mut self, mut cmd: Command, path: &str) -> Command {
        let ids: Vec<String> = cmd
            .get_arguments()
            .filter(|a| is_setting(a))
            .map(|a| a.get_id().to_string())
            .collect();
        let table = self.file.per_command.get(path).map(|(_, t)| t);
        for id in ids {
            let key = key_of(&id);
            let settable = id != "config";
            let file_value = table
                .filter(|_| settable)
                .and_then(|t| t.get(&key))
                .or_else(|| self.file.top.get(&key).filter(|_| settable));
            let probe = cmd.clone();
            let arg = probe.get_arguments().find(|a| a.get_id() == id.as_str());
            let Some(arg) = arg else { continue };
            let shown_default: Vec<String> = arg
                .get_default_values()
                .iter()
                .map(|v| v.to_string_lossy().into_owned())
                .collect();
            let shown_default = if shown_default.is_empty() && !arg.get_action().takes_values() {
                vec!["false".to_string()]
            } else {
                shown_default
            };
            if !shown_default.is_empty() {
                self.defaults
                    .insert((path.to_string(), id.clone()), shown_default.join(", "));
            }
            let env = arg
                .get_env()
                .map(|e| e.to_string_lossy().into_owned())
                .unwrap_or_else(|| env_name(&id));
            let checked = file_value.and_then(|fv| self.check(arg, &id, fv));
            cmd = cmd.mut_arg(id.as_str(), |a| {
                let mut a = if a.get_env().is_none() {
                    a.env(leak(env))
                } else {
                    a
                };
                if let Some(fv) = &checked {
                    let vals: Vec<&'static str> =
                        fv.values.iter().map(|v| leak(v.clone())).collect();
                    a = a.default_values(vals);
                }
                a
            });
            if let Some(fv) = checked {
                self.from_file.insert((path.to_string(), id), fv);
            }
        }
        let subs: Vec<String> = cmd
            .get_subcommands()
            .map(|s| s.get_name().to_string())
            .collect();
        for name in subs {
            let sub_path = if path.is_empty() {
                name.clone()
            } else {
                format!("{path}.{name}")
            };
            cmd = cmd.mut_subcommand(name.as_str(), |s| self.apply(s, &sub_path));
        }
        cmd
    }

    /// The file value if the flag's own parser accepts it (else records the error).
    fn check(&mut self, arg: &clap::Arg, id: &str, fv: &FileValue) -> Option<FileValue> {
        let err = |message: String| ConfigError::Invalid {
            path: self.file.path.clone().into(),
            line: fv.line,
            message,
        };
        let mut result = Ok(());
        if !arg.get_action().takes_values() {
            if fv.values.len() != 1 || !["true", "false"].contains(&fv.values[0].as_str()) {
                result = Err(err(format!("{}: expected true or false", key_of(id))));
            }
        } else {
            let long = arg.get_long().unwrap_or(id);
            let argv: Vec<String> = fv.values.iter().map(|v| format!("--{long}={v}")).collect();
            let probe = Command::new("spanlens")
                .no_binary_name(true)
                .arg(arg.clone().global(false).required(false));
            if let Err(e) = probe.try_get_matches_from(argv) {
                let text = e.to_string();
                let first = text
                    .lines()
                    .next()
                    .unwrap_or("")
                    .trim_start_matches("error: ");
                result = Err(err(format!("{}: {first}", key_of(id))));
            }
            if fv.values.len() > 1 && !matches!(arg.get_action(), clap::ArgAction::Append) {
                result = Err(err(format!("{}: takes one value, not a list", key_of(id))));
            }
        }
        match result {
            Ok(()) => Some(fv.clone()),
            Err(e) => {
                self.error.get_or_insert(e);
                None
            }
        }
    }
}

/// Every flag id of every command (for unknown-key errors).
fn all_ids(cmd: &Command, out: &mut std::collections::BTreeSet<String>) {
    for a in cmd
        .get_arguments()
        .filter(|a| is_setting(a) && a.get_id() != "config")
    {
        out.insert(key_of(a.get_id().as_str()));
    }
    for s in cmd.get_subcommands() {
        all_ids(s, out);
    }
}

fn find_command<'c>(root: &'c Command, path: &str) -> Option<&'c Command> {
    let mut cmd = root;
    for part in path.split('.').filter(|p| !p.is_empty()) {
        cmd = cmd.find_subcommand(part)?;
    }
    Some(cmd)
}

/// The command with env and file applied, the file, and what came from it.
struct Prepared {
    command: Command,
    file: FileFlags,
    from_file: BTreeMap<(String, String), FileValue>,
    defaults: BTreeMap<(String, String), String>,
}

/// Builds the command with env and file applied; checks the file's keys.
fn prepared(args: &[OsString]) -> Result<Prepared, FlagsError> {
    let config = ConfigFile::load(config_path_from(args).as_deref())?;
    let file = FileFlags::read(&config)?;
    let mut applier = Applier {
        file: &file,
        from_file: BTreeMap::new(),
        defaults: BTreeMap::new(),
        error: None,
    };
    let cmd = applier.apply(Cli::command(), "");
    if let Some(e) = applier.error.take() {
        return Err(e.into());
    }
    let (from_file, defaults) = (applier.from_file, applier.defaults);
    let invalid = |line, message: String| ConfigError::Invalid {
        path: file.path.clone().into(),
        line,
        message,
    };
    let mut ids = Default::default();
    all_ids(&cmd, &mut ids);
    for (k, v) in &file.top {
        if !ids.contains(k) {
            return Err(invalid(v.line, format!("unknown setting `{k}`")).into());
        }
    }
    for (name, (line, flags)) in &file.per_command {
        let Some(sub) = find_command(&cmd, name).filter(|_| !name.is_empty()) else {
            return Err(invalid(*line, format!("unknown command `{name}` in [commands]")).into());
        };
        let own: std::collections::BTreeSet<String> = sub
            .get_arguments()
            .filter(|a| is_setting(a) && !a.is_global_set())
            .map(|a| key_of(a.get_id().as_str()))
            .collect();
        for (k, v) in flags {
            if !own.contains(k) {
                return Err(invalid(
                    v.line,
                    format!("`{name}` has no setting `{k}` (global settings go at the top level)"),
                )
                .into());
            }
        }
    }
    Ok(Prepared {
        command: cmd,
        file,
        from_file,
        defaults,
    })
}

/// Parses the command line with env and file applied (the binary's entry point).
pub fn parse_args(
    args: impl IntoIterator<Item = impl Into<OsString>>,
) -> Result<Parsed, FlagsError> {
    let args: Vec<OsString> = args.into_iter().map(Into::into).collect();
    let p = prepared(&args)?;
    let matches = p.command.clone().try_get_matches_from(&args)?;
    let cli = Cli::from_arg_matches(&matches)?;
    Ok(Parsed {
        cli,
        matches,
        command: p.command,
        file: p.file,
        from_file: p.from_file,
        defaults: p.defaults,
    })
}

impl Parsed {
    /// Where a top-level (global) setting's value came from.
    pub fn origin(&self, id: &str) -> Origin {
        self.origin_in("", id, &self.matches)
    }

    pub(super) fn origin_in(&self, path: &str, id: &str, matches: &ArgMatches) -> Origin {
        let key = (path.to_string(), id.to_string());
        let env = find_command(&self.command, path)
            .and_then(|c| c.get_arguments().find(|a| a.get_id() == id))
            .and_then(|a| a.get_env().map(|e| e.to_string_lossy().into_owned()));
        let source = match matches.try_get_raw(id) {
            Ok(Some(_)) => matches.value_source(id),
            _ => None,
        };
        match source {
            Some(ValueSource::CommandLine) => return Origin::Flag,
            Some(ValueSource::EnvVariable) => return Origin::Env(env.unwrap_or_default()),
            _ => {}
        }
        if let Some(e) = &env
            && std::env::var_os(e).is_some_and(|v| !v.is_empty())
        {
            return Origin::Env(e.clone());
        }
        if let Some(fv) = self.from_file.get(&key) {
            return Origin::File {
                path: self.file.path.clone(),
                line: fv.line,
            };
        }
        if self.defaults.contains_key(&key) {
            Origin::Default
        } else {
            Origin::Unset
        }
    }
}

#[cfg(test)]
#[path = "flags_tests.rs"]
mod tests;
