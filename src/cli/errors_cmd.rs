//! `spanlens errors [--json] [--since DUR]`: error groups and counts over a window,
//! classified with this user's `[[error_classes]]` (from `--config` or the default
//! config file). Reads the owner's API when one is alive, else the store; reads error
//! records and trace summaries only. The JSON is documented in docs/ERRORS.md.

use std::fmt::Write;

use serde_json::Value;

use super::query_cmds::{open_source, print_json, since};
use super::{CliError, CommonArgs, ErrorsArgs};
use crate::config::ConfigFile;
use crate::errors::{Classifier, ErrorReport, TimeWindow};
use crate::util::{format_utc, sanitize_for_terminal};

/// Occurrences per group in `--json` (the newest).
pub const JSON_OCCURRENCES: usize = 20;

pub fn errors(common: &CommonArgs, args: &ErrorsArgs) -> Result<(), CliError> {
    let classifier = Classifier::from_config(&ConfigFile::load(common.config.as_deref())?)?;
    let since = since(&args.since)?;
    let window = open_source(common)?.error_window(since)?;
    let report = ErrorReport::build(&window, &classifier, TimeWindow::All);
    let json = report.to_json(JSON_OCCURRENCES);
    if args.json {
        return print_json(&json);
    }
    super::format::emit(&errors_table(&json))?;
    Ok(())
}

fn text(v: &Value) -> String {
    sanitize_for_terminal(v.as_str().unwrap_or("")).replace(['\n', '\t'], " ")
}

fn fit(s: &str, width: usize) -> String {
    if s.chars().count() <= width {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(width.saturating_sub(1)).collect();
        t.push('…');
        t
    }
}

fn list(v: &Value) -> String {
    v.as_array()
        .map(|a| a.iter().map(text).collect::<Vec<_>>().join(","))
        .unwrap_or_default()
}

/// The human-readable form of `errors --json`.
pub fn errors_table(report: &Value) -> String {
    let mut out = String::new();
    let total = report["total"].as_u64().unwrap_or(0);
    if total == 0 {
        return "no errors in this window\n".into();
    }
    let classes: Vec<String> = report["by_class"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|c| format!("{} {}", text(&c["class"]), c["count"]))
                .collect()
        })
        .unwrap_or_default();
    let t = &report["traces"];
    let _ = writeln!(
        out,
        "{total} error{}{} · {} · traces: {} with errors, {} failed, {} degraded, {} retried, {} fell back",
        if total == 1 { "" } else { "s" },
        if report["truncated"] == true {
            " (newest only)"
        } else {
            ""
        },
        classes.join(", "),
        t["with_errors"],
        t["failed"],
        t["degraded"],
        t["retried"],
        t["fell_back"],
    );
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "{:<14}  {:>5}  {:>6}  {:>6}  {:<15}  {:<20}  {:<24}  {:<20}  {:<16}  MESSAGE",
        "CLASS",
        "COUNT",
        "TRACES",
        "CHAINS",
        "SAVED r/f/none",
        "LAST SEEN",
        "TYPE",
        "SERVICES",
        "MODELS"
    );
    for g in report["groups"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or(&[])
    {
        let saved = format!(
            "{}/{}/{}",
            g["rescued_by_retry"], g["rescued_by_fallback"], g["unrescued"]
        );
        let _ = writeln!(
            out,
            "{:<14}  {:>5}  {:>6}  {:>6}  {:<15}  {:<20}  {:<24}  {:<20}  {:<16}  {}",
            fit(&text(&g["class"]), 14),
            // Numbers as numbers: width specifiers do nothing on a JSON value.
            g["count"].as_u64().unwrap_or(0),
            g["traces"].as_u64().unwrap_or(0),
            g["retry_chains"].as_u64().unwrap_or(0),
            saved,
            format_utc(g["last_seen_unix_nano"].as_u64().unwrap_or(0)),
            fit(&text(&g["error_type"]), 24),
            fit(&list(&g["services"]), 20),
            fit(&list(&g["models"]), 16),
            fit(&text(&g["message"]), 100),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_table_shows_groups_counts_and_outcomes_safely() {
        let report = json!({
            "total": 6, "truncated": false,
            "by_class": [{"class": "rate_limit", "count": 6}],
            "traces": {"with_errors": 3, "failed": 1, "degraded": 2, "retried": 2, "fell_back": 1},
            "groups": [{
                "class": "rate_limit", "count": 6, "traces": 3, "retry_chains": 2,
                "rescued_by_retry": 1, "rescued_by_fallback": 1, "unrescued": 1,
                "last_seen_unix_nano": 1_795_813_200_000_000_000u64,
                "error_type": "openai.RateLimitError", "services": ["batch-summarizer"],
                "models": ["gpt-4o"], "message": "Error code: <n> \u{1b}[31m red",
            }],
        });
        let t = errors_table(&report);
        assert!(
            t.starts_with("6 errors · rate_limit 6 · traces: 3 with errors, 1 failed, 2 degraded"),
            "{t}"
        );
        let row = t.lines().nth(3).unwrap();
        assert!(row.starts_with("rate_limit"), "{row}");
        assert!(
            row.contains("1/1/1") && row.contains("openai.RateLimitError"),
            "{row}"
        );
        assert!(
            !t.contains('\u{1b}'),
            "escape sequences are made visible: {t}"
        );
        let header = t.lines().nth(2).unwrap();
        let column = |line: &str, word: &str| line.find(word).map(|i| line[..i].chars().count());
        assert_eq!(
            column(header, "MESSAGE"),
            column(row, "Error code"),
            "columns line up:\n{header}\n{row}"
        );
        assert_eq!(column(header, "SAVED"), column(row, "1/1/1"));
        assert_eq!(
            errors_table(&json!({"total": 0})),
            "no errors in this window\n"
        );
    }
}
