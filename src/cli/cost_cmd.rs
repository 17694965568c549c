//! `spanlens cost [--since DUR] [--json]`: the cost panel's tables on stdout, from
//! the same JSON as `stats --json` (the owner's API when one is alive, else the
//! store); also the loading of user prices (`prices.toml`, `--prices`) and budgets
//! the other commands share.

use std::fmt::Write;

use serde_json::Value;

use super::format::{cost, fit, s, u};
use super::query_cmds::{open_source, print_json, since};
use super::{CliError, CommonArgs, CostArgs};
use crate::config::ConfigFile;
use crate::cost::Budgets;
use crate::pricing::{PriceTable, default_prices_path, user_prices};
use crate::util::format_utc;

/// The built-in prices with `prices.toml` from the config dir and `--prices FILE`.
pub fn load_prices(common: &CommonArgs) -> Result<PriceTable, CliError> {
    Ok(user_prices(
        default_prices_path().as_deref(),
        common.prices.as_deref(),
    )?)
}

/// `[budgets]` of the config file.
pub fn load_budgets(common: &CommonArgs) -> Result<Budgets, CliError> {
    let config = ConfigFile::load(common.config.as_deref())?;
    Ok(Budgets::load(&config)?)
}

pub fn cost_cmd(common: &CommonArgs, args: &CostArgs) -> Result<(), CliError> {
    let budgets = load_budgets(common)?;
    let stats = open_source(common)?.stats(since(&args.since)?)?;
    if args.json {
        return print_json(&stats);
    }
    super::format::emit(&cost_tables(&stats, &budgets))?;
    Ok(())
}

fn rows(v: &Value) -> &[Value] {
    v.as_array().map(Vec::as_slice).unwrap_or(&[])
}

fn usd(v: f64) -> String {
    cost(&Value::from(v))
}

fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn group_table(out: &mut String, title: &str, key: &str, rows: &[Value], budgets: &Budgets) {
    if rows.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "\n{:<36}  {:>7}  {:>6}  {:>6}  {:>12}  {:>12}",
        title, "TRACES", "CALLS", "ERRORS", "TOKENS", "COST"
    );
    for r in rows {
        let tokens = u(&r["input_tokens"]) + u(&r["output_tokens"]);
        let traces = u(&r["traces"]);
        let mark = if traces == 1 && budgets.trace_over(r["cost_usd"].as_f64(), tokens) {
            " !"
        } else {
            ""
        };
        let _ = writeln!(
            out,
            "{:<36}  {:>7}  {:>6}  {:>6}  {:>12}  {:>12}{mark}",
            fit(&s(&r[key]), 36),
            traces,
            u(&r["llm_calls"]),
            u(&r["errors"]),
            thousands(tokens),
            cost(&r["cost_usd"]),
        );
    }
}

/// The panel's tables as text.
pub fn cost_tables(stats: &Value, budgets: &Budgets) -> String {
    let mut out = String::new();
    let window = stats["window"].as_str().unwrap_or("all");
    let unpriced = u(&stats["unpriced_calls"]);
    let _ = writeln!(
        out,
        "window {window} · {} traces · {} LLM calls · {}{}",
        u(&stats["traces"]),
        u(&stats["llm_calls"]),
        cost(&stats["cost_usd"]),
        if unpriced > 0 {
            format!(" + {unpriced} unpriced calls (cost unknown)")
        } else {
            String::new()
        }
    );
    let _ = writeln!(
        out,
        "tokens {} in · {} out · {} cache read · {} cache write · {} reasoning",
        thousands(u(&stats["input_tokens"])),
        thousands(u(&stats["output_tokens"])),
        thousands(u(&stats["cache_read_tokens"])),
        thousands(u(&stats["cache_write_tokens"])),
        thousands(u(&stats["reasoning_tokens"])),
    );
    let burn = stats["burn_rate_usd_per_hour"].as_f64().unwrap_or(0.0);
    let _ = writeln!(
        out,
        "burn rate {}/h (last 5 min) · today {} · projected day {} · cache saved {}",
        usd(burn),
        usd(stats["today_usd"].as_f64().unwrap_or(0.0)),
        usd(stats["projected_day_usd"].as_f64().unwrap_or(0.0)),
        usd(stats["cache_savings_usd"].as_f64().unwrap_or(0.0)),
    );
    if let Some(max) = budgets.hourly_usd {
        let state = if budgets.hourly_over(burn) {
            "OVER BUDGET"
        } else {
            "within budget"
        };
        let _ = writeln!(out, "hourly budget {}/h: {state}", usd(max));
    }

    let models = rows(&stats["by_model"]);
    if !models.is_empty() {
        let _ = writeln!(
            out,
            "\n{:<32}  {:<10}  {:>6}  {:>5}  {:>6}  {:>11}  {:>10}  {:>10}  {:>11}  {:>10}",
            "MODEL",
            "PROVIDER",
            "CALLS",
            "ERR",
            "ERR%",
            "INPUT",
            "OUTPUT",
            "CACHE RD",
            "COST",
            "SAVED"
        );
        for m in models {
            let unpriced = u(&m["unpriced_calls"]);
            let _ = writeln!(
                out,
                "{:<32}  {:<10}  {:>6}  {:>5}  {:>5.1}%  {:>11}  {:>10}  {:>10}  {:>11}  {:>10}",
                fit(&s(&m["model"]), 32),
                fit(&s(&m["provider"]), 10),
                u(&m["calls"]),
                u(&m["errors"]),
                m["error_rate"].as_f64().unwrap_or(0.0) * 100.0,
                thousands(u(&m["input_tokens"])),
                thousands(u(&m["output_tokens"])),
                thousands(u(&m["cache_read_tokens"])),
                match (m["cost_usd"].as_f64(), unpriced) {
                    (None, _) => "unknown".to_string(),
                    (Some(c), 0) => usd(c),
                    (Some(c), _) => format!("{}+?", usd(c)),
                },
                m["cache_savings_usd"]
                    .as_f64()
                    .map(usd)
                    .unwrap_or_else(|| "·".into()),
            );
        }
    }
    let services = rows(&stats["by_service"]);
    if !services.is_empty() {
        let _ = writeln!(
            out,
            "\n{:<36}  {:>7}  {:>6}  {:>6}  {:>12}  {:>12}",
            "SERVICE", "SPANS", "CALLS", "ERRORS", "TOKENS", "COST"
        );
        for r in services {
            let _ = writeln!(
                out,
                "{:<36}  {:>7}  {:>6}  {:>6}  {:>12}  {:>12}",
                fit(&s(&r["service"]), 36),
                u(&r["spans"]),
                u(&r["llm_calls"]),
                u(&r["errors"]),
                thousands(u(&r["input_tokens"]) + u(&r["output_tokens"])),
                if u(&r["llm_calls"]) == 0 {
                    String::new()
                } else {
                    cost(&r["cost_usd"])
                },
            );
        }
    }
    group_table(
        &mut out,
        "PROJECT",
        "project",
        rows(&stats["by_project"]),
        budgets,
    );
    group_table(
        &mut out,
        "SESSION",
        "session",
        rows(&stats["by_session"]),
        budgets,
    );
    group_table(&mut out, "USER", "user", rows(&stats["by_user"]), budgets);

    let top = rows(&stats["top_traces"]);
    if !top.is_empty() {
        let _ = writeln!(
            out,
            "\n{:<12}  {:>10}  {:<20}  {:<32}  {:<28}  SERVICE",
            "COST", "TOKENS", "STARTED", "TRACE", "ROOT"
        );
        for t in top {
            let tokens = u(&t["tokens"]);
            let over = budgets.trace_over(t["cost_usd"].as_f64(), tokens);
            let _ = writeln!(
                out,
                "{:<12}  {:>10}  {:<20}  {:<32}  {:<28}  {}{}",
                cost(&t["cost_usd"]),
                thousands(tokens),
                format_utc(u(&t["start_unix_nano"])),
                s(&t["trace_id"]),
                fit(&s(&t["root_name"]), 28),
                fit(&s(&t["service"]), 24),
                if over { "  ! over budget" } else { "" },
            );
        }
    }
    out
}
