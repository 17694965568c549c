//! `spanlens config show [--json]`: every setting of every command, its merged
//! value and where it came from (flag, `SPANLENS_*` env, file:line, default).

use clap::{ArgMatches, Args, Command, Subcommand};
use serde_json::{Value, json};

use super::default_config_path;
use super::flags::{FlagsError, Origin, Parsed, is_setting, key_of, parse_args};

#[derive(Debug, Args)]
pub struct ConfigArgs {
    #[command(subcommand)]
    pub action: ConfigAction,
}

#[derive(Debug, Subcommand)]
pub enum ConfigAction {
    /// Every setting with its merged value and where it came from (flag, env, file, default)
    Show {
        #[arg(long)]
        json: bool,
    },
}

impl Parsed {
    /// Every setting of every command: key, merged value, origin.
    pub fn settings(&self) -> Vec<(String, Option<String>, Origin)> {
        let mut out = Vec::new();
        self.collect(&self.command, "", &mut out);
        out
    }

    fn collect(&self, cmd: &Command, path: &str, out: &mut Vec<(String, Option<String>, Origin)>) {
        let empty = ArgMatches::default();
        let matches = if path.is_empty() {
            &self.matches
        } else {
            &empty
        };
        for a in cmd.get_arguments().filter(|a| is_setting(a)) {
            if !path.is_empty() && a.is_global_set() {
                continue;
            }
            let id = a.get_id().as_str();
            let origin = self.origin_in(path, id, matches);
            let key = (path.to_string(), id.to_string());
            let value = match &origin {
                Origin::Flag => matches.try_get_raw(id).ok().flatten().map(|vs| {
                    vs.map(|v| v.to_string_lossy().into_owned())
                        .collect::<Vec<_>>()
                        .join(", ")
                }),
                Origin::Env(e) => std::env::var(e).ok(),
                Origin::File { .. } => self.from_file.get(&key).map(|f| f.values.join(", ")),
                Origin::Default => self.defaults.get(&key).cloned(),
                Origin::Unset => None,
            };
            let secret = a.is_hide_env_values_set() || id.contains("token");
            let value = value.map(|v| if secret { "(hidden)".to_string() } else { v });
            let name = if path.is_empty() {
                key_of(id)
            } else {
                format!("commands.{path}.{}", key_of(id))
            };
            out.push((name, value, origin));
        }
        for s in cmd.get_subcommands().filter(|s| s.get_name() != "help") {
            let sub = if path.is_empty() {
                s.get_name().to_string()
            } else {
                format!("{path}.{}", s.get_name())
            };
            self.collect(s, &sub, out);
        }
    }

    pub fn config_file(&self) -> &str {
        &self.file.path
    }
}

/// `spanlens config show [--json]`.
pub fn config_command(args: &ConfigArgs) -> Result<(), FlagsError> {
    let ConfigAction::Show { json } = args.action;
    let parsed = parse_args(std::env::args_os())?;
    let settings = parsed.settings();
    let file = match parsed.config_file() {
        "(no config file)" => format!(
            "(none; would be read from {})",
            default_config_path()
                .map(|p| p.display().to_string())
                .unwrap_or_else(|| "?".into())
        ),
        p => p.to_string(),
    };
    if json {
        let list: Vec<Value> = settings
            .iter()
            .map(|(k, v, o)| json!({"key": k, "value": v, "source": o.to_string()}))
            .collect();
        let doc = json!({"config_file": file, "settings": list});
        println!("{}", serde_json::to_string_pretty(&doc).unwrap_or_default());
        return Ok(());
    }
    println!("config file: {}", crate::util::sanitize_for_terminal(&file));
    println!("precedence: flags > SPANLENS_* environment > file > defaults\n");
    let width = settings.iter().map(|(k, _, _)| k.len()).max().unwrap_or(10);
    for (k, v, o) in settings {
        let v = v.unwrap_or_else(|| "-".into());
        println!(
            "{k:<width$}  {:<30}  {o}",
            crate::util::sanitize_for_terminal(&v)
        );
    }
    Ok(())
}
