//! `spanlens evals`: the scorecard (each evaluator's count, mean score, pass rate,
//! score histogram, latency and cost, per experiment / model / service), one
//! experiment's (`--experiment`), or a comparison of two (`--compare A B`:
//! per-evaluator deltas, then the examples, regressions first). Reads the owner's
//! API when one is alive, else the store. `spanlens evals check [FILE]` validates the
//! evaluator settings and prints each problem as `file:line: reason`.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use clap::{Args, Subcommand, ValueEnum};
use serde_json::{Value, json};

use super::serve::{open_store, resolve_data_dir};
use super::{CliError, CommonArgs};
use crate::data_dir::{OwnerLock, pid_alive};
use crate::evals::experiments::{Change, Comparison, Grouping, ScoreRow, histogram_bars};
use crate::evals::{EvalConfig, EvalRecord, compare, scorecard, source};
use crate::util::{now_unix_nano, parse_duration, sanitize_for_terminal};

#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct EvalsArgs {
    #[command(flatten)]
    pub tls: super::ClientTlsArgs,
    #[command(subcommand)]
    pub command: Option<EvalsCommand>,
    #[arg(long)]
    pub json: bool,
    /// Only this experiment's results
    #[arg(long)]
    pub experiment: Option<String>,
    /// Compare two experiments: A (the baseline) and B
    #[arg(long, num_args = 2, value_names = ["A", "B"])]
    pub compare: Option<Vec<String>>,
    /// Only results within this long ago (e.g. 15m, 2h, 7d)
    #[arg(long)]
    pub since: Option<String>,
    /// What to break each evaluator down by
    #[arg(long, value_enum, default_value_t = By::Experiment)]
    pub by: By,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum By {
    Experiment,
    Model,
    Service,
}

#[derive(Debug, Subcommand)]
pub enum EvalsCommand {
    /// Validate the evaluator settings ([[evaluators]], [experiments]) of a config file
    Check {
        /// The file (default: --config, else the default config file)
        file: Option<PathBuf>,
    },
}

/// The evaluation settings a receiver runs with; a bad config stops it.
pub fn serve_config(common: &CommonArgs) -> Result<Arc<EvalConfig>, CliError> {
    crate::evals::load_config(common.config.as_deref())
        .map(Arc::new)
        .map_err(|e| CliError::Usage(format!("invalid config:\n{e}")))
}

pub fn run(common: &CommonArgs, args: &EvalsArgs) -> Result<(), CliError> {
    if let Some(EvalsCommand::Check { file }) = &args.command {
        return check(common, file.as_deref());
    }
    let since = args
        .since
        .as_deref()
        .map(|t| {
            parse_duration(t)
                .map(|d| now_unix_nano().saturating_sub(d.as_nanos() as u64))
                .map_err(|e| CliError::Usage(e.to_string()))
        })
        .transpose()?;
    let mut records = fetch(common, since)?;
    if let Some(e) = &args.experiment {
        records.retain(|r| r.experiment.as_deref() == Some(e.as_str()));
        if records.is_empty() {
            return Err(CliError::NotFound(format!("results for experiment {e}")));
        }
    }
    if let Some(pair) = &args.compare {
        let (a, b) = (&pair[0], &pair[1]);
        let c = compare(&records, a, b);
        if c.evaluators.is_empty() {
            return Err(CliError::NotFound(format!(
                "results for experiments {a} or {b}"
            )));
        }
        if args.json {
            return print_json(&comparison_json(&c));
        }
        return print_out(&comparison_text(&c));
    }
    let grouping = match args.by {
        By::Experiment => Grouping::Experiment,
        By::Model => Grouping::Model,
        By::Service => Grouping::Service,
    };
    if args.json {
        return print_json(&scorecard_json(&records, grouping, since));
    }
    print_out(&scorecard_text(&scorecard(&records, grouping), grouping))
}

fn check(common: &CommonArgs, file: Option<&std::path::Path>) -> Result<(), CliError> {
    let path = file.or(common.config.as_deref());
    let shown = path
        .map(|p| p.display().to_string())
        .or_else(|| crate::config::default_config_path().map(|p| p.display().to_string()))
        .unwrap_or_else(|| "(no config file)".into());
    match crate::evals::load_config(path) {
        Ok(c) => {
            println!(
                "{shown}: ok — {} evaluator(s){}",
                c.evaluators.len(),
                c.experiment_key
                    .map(|k| format!(", experiment attribute {k}"))
                    .unwrap_or_default()
            );
            Ok(())
        }
        Err(e) => {
            for err in &e.0 {
                eprintln!("{err}");
            }
            Err(CliError::Usage(format!(
                "{} problem(s) in the evaluator settings",
                e.0.len()
            )))
        }
    }
}

/// Records from the owner's API when one is alive, else from the store.
fn fetch(common: &CommonArgs, since: Option<u64>) -> Result<Vec<EvalRecord>, CliError> {
    let dir = resolve_data_dir(common)?;
    if let Some(lock) = OwnerLock::read(&dir).filter(|l| pid_alive(l.pid)) {
        let client = super::api_client(common, &lock.api_url)?;
        if client.is_alive(Duration::from_secs(2)) {
            return Ok(source::remote(&client, since, source::DEFAULT_LIMIT)?);
        }
    }
    let store = open_store(&dir, 64)?;
    Ok(source::local(&store, since, source::DEFAULT_LIMIT)?)
}

fn print_json(v: &Value) -> Result<(), CliError> {
    let text = serde_json::to_string_pretty(v).map_err(|e| CliError::Usage(e.to_string()))?;
    print_out(&format!("{text}\n"))
}

/// Writes to stdout; a closed pipe (`| head`) is not an error.
fn print_out(text: &str) -> Result<(), CliError> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|_| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(CliError::Io(e)),
        _ => Ok(()),
    }
}

/// The scorecard of `evals --json` (also served by `spanlens mcp`).
pub fn scorecard_json(records: &[EvalRecord], grouping: Grouping, since: Option<u64>) -> Value {
    json!({
        "since_unix_nano": since,
        "grouping": grouping.as_str(),
        "results": records.len(),
        "rows": scorecard(records, grouping).iter().map(row_json).collect::<Vec<_>>(),
    })
}

fn row_json(r: &ScoreRow) -> Value {
    let mut v = r.agg.to_json();
    v["evaluator"] = json!(r.evaluator);
    v["group"] = json!(r.group);
    v
}

/// The comparison of `evals --compare A B --json` (also served by `spanlens mcp`).
pub fn comparison_json(c: &Comparison) -> Value {
    json!({
        "a": c.a,
        "b": c.b,
        "evaluators": c.evaluators.iter().map(|d| json!({
            "evaluator": d.evaluator,
            "a": d.a.to_json(),
            "b": d.b.to_json(),
            "mean_delta": d.mean_delta(),
            "pass_rate_delta": d.pass_delta(),
        })).collect::<Vec<_>>(),
        "examples": c.examples.iter().map(|e| json!({
            "example": e.example,
            "evaluator": e.evaluator,
            "input": e.preview,
            "change": e.change,
            "delta": e.delta(),
            "a": e.a,
            "b": e.b,
        })).collect::<Vec<_>>(),
    })
}

fn num(v: Option<f64>) -> String {
    v.map(|x| format!("{x:.2}")).unwrap_or_else(|| "–".into())
}

fn pct(v: Option<f64>) -> String {
    v.map(|x| format!("{:.0}%", x * 100.0))
        .unwrap_or_else(|| "–".into())
}

fn signed(v: Option<f64>) -> String {
    match v {
        Some(x) if x.abs() < 0.005 => "±0".into(),
        Some(x) => format!("{x:+.2}"),
        None => "–".into(),
    }
}

fn points(v: Option<f64>) -> String {
    match v {
        Some(x) if (x * 100.0).abs() < 0.5 => "±0".into(),
        Some(x) => format!("{:+.0}pp", x * 100.0),
        None => "–".into(),
    }
}

fn clean(s: &str, max: usize) -> String {
    let s = sanitize_for_terminal(s);
    if s.chars().count() > max {
        let cut: String = s.chars().take(max.saturating_sub(1)).collect();
        format!("{cut}…")
    } else {
        s
    }
}

fn scorecard_text(rows: &[ScoreRow], grouping: Grouping) -> String {
    if rows.is_empty() {
        return "no evaluation results in this window\n".into();
    }
    let mut out = format!(
        "{:<22} {:<22} {:>6} {:>6} {:>6}  {:<10} {:>9} {:>10}\n",
        "EVALUATOR",
        grouping.as_str().to_uppercase(),
        "N",
        "MEAN",
        "PASS",
        "SCORES",
        "LATENCY",
        "COST/EVAL"
    );
    for r in rows {
        out.push_str(&format!(
            "{:<22} {:<22} {:>6} {:>6} {:>6}  {:<10} {:>9} {:>10}\n",
            clean(&r.evaluator, 22),
            clean(&r.group, 22),
            r.agg.count,
            num(r.agg.mean_score()),
            pct(r.agg.pass_rate()),
            histogram_bars(&r.agg.histogram),
            r.agg
                .mean_latency_ms()
                .map(crate::ui::text::duration_ms)
                .unwrap_or_else(|| "–".into()),
            r.agg
                .mean_cost_usd()
                .map(|c| crate::ui::text::cost(Some(c)))
                .unwrap_or_else(|| "–".into()),
        ));
    }
    out
}

fn comparison_text(c: &Comparison) -> String {
    let mut out = format!("{} (A) → {} (B)\n\n", clean(&c.a, 40), clean(&c.b, 40));
    out.push_str(&format!(
        "{:<22} {:>5} {:>5} {:>6} {:>6} {:>6} {:>6} {:>6} {:>6}\n",
        "EVALUATOR", "N A", "N B", "MEAN A", "MEAN B", "ΔMEAN", "PASS A", "PASS B", "ΔPASS"
    ));
    for d in &c.evaluators {
        out.push_str(&format!(
            "{:<22} {:>5} {:>5} {:>6} {:>6} {:>6} {:>6} {:>6} {:>6}\n",
            clean(&d.evaluator, 22),
            d.a.count,
            d.b.count,
            num(d.a.mean_score()),
            num(d.b.mean_score()),
            signed(d.mean_delta()),
            pct(d.a.pass_rate()),
            pct(d.b.pass_rate()),
            points(d.pass_delta()),
        ));
    }
    let regressed = c
        .examples
        .iter()
        .filter(|e| e.change == Change::Regressed)
        .count();
    out.push_str(&format!(
        "\nEXAMPLES ({} matched, {regressed} regressed; regressions first)\n",
        c.examples.len()
    ));
    out.push_str(&format!(
        "{:<10} {:<18} {:<16} {:>5} {:>5} {:>6}  {}\n",
        "CHANGE", "EXAMPLE", "EVALUATOR", "A", "B", "Δ", "INPUT"
    ));
    let side = |s: &Option<crate::evals::experiments::ExampleSide>| match s {
        Some(x) => num(x.score),
        None => "·".into(),
    };
    for e in &c.examples {
        out.push_str(&format!(
            "{:<10} {:<18} {:<16} {:>5} {:>5} {:>6}  {}\n",
            format!("{:?}", e.change).to_lowercase(),
            clean(&e.example, 18),
            clean(&e.evaluator, 16),
            side(&e.a),
            side(&e.b),
            signed(e.delta()),
            clean(e.preview.as_deref().unwrap_or(""), 50),
        ));
    }
    out
}
