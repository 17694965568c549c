//! `spanlens compare A B [--json]`: two traces side by side — the matched span
//! tree with both runs' durations, tokens and costs and their deltas, spans only in
//! one run, what changed in the matched model calls, and where the runs diverge
//! (`crate::compare`). Reads like `trace`: the owner's API when one is alive, else
//! the store.

use std::fmt::Write;

use clap::Args;

use super::{CliError, CommonArgs};
use crate::compare::{CompareRow, RowSide, TraceComparison, TraceTotals, compare_traces};
use crate::model::TraceId;
use crate::util::sanitize_for_terminal;

#[derive(Debug, Args)]
pub struct CompareArgs {
    /// The baseline trace (32 hex digits)
    pub a: String,
    /// The trace compared with it
    pub b: String,
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub tls: super::ClientTlsArgs,
}

fn parse_id(text: &str) -> Result<TraceId, CliError> {
    text.trim()
        .parse()
        .map_err(|e| CliError::Usage(format!("{text:?}: {e}")))
}

pub fn compare(common: &CommonArgs, args: &CompareArgs) -> Result<(), CliError> {
    let (a_id, b_id) = (parse_id(&args.a)?, parse_id(&args.b)?);
    let source = super::query_cmds::open_typed_source(common)?;
    let a = source
        .detail(a_id)?
        .ok_or_else(|| CliError::NotFound(a_id.to_string()))?;
    let b = source
        .detail(b_id)?
        .ok_or_else(|| CliError::NotFound(b_id.to_string()))?;
    let comparison = compare_traces(a_id, &a.spans, b_id, &b.spans);
    if args.json {
        let v = serde_json::to_value(&comparison).map_err(|e| CliError::Usage(e.to_string()))?;
        return super::query_cmds::print_json(&v);
    }
    super::format::emit(&comparison_text(&comparison))?;
    Ok(())
}

fn clean(s: &str) -> String {
    sanitize_for_terminal(s).replace(['\n', '\t'], " ")
}

fn cost(c: Option<f64>) -> String {
    super::format::cost(&c.map_or(serde_json::Value::Null, serde_json::Value::from))
}

fn signed_ms(ms: f64) -> String {
    let sign = if ms < 0.0 { "-" } else { "+" };
    format!("{sign}{}", super::format::duration_ms(ms.abs()))
}

fn signed(n: i64) -> String {
    if n == 0 { "0".into() } else { format!("{n:+}") }
}

fn signed_cost(c: Option<f64>) -> String {
    match c {
        None => String::new(),
        Some(c) if c.abs() < 5e-7 => "$0".into(),
        Some(c) => format!("{}{}", if c < 0.0 { "-" } else { "+" }, cost(Some(c.abs()))),
    }
}

fn totals_line(label: &str, t: &TraceTotals) -> String {
    format!(
        "{label}  trace {} · {} · {} · {} spans · {} · {} tok · {} · {} error{}\n",
        t.trace_id,
        clean(&t.service),
        clean(&t.root_name),
        t.span_count,
        super::format::duration_ms(t.duration_ms),
        t.total_tokens(),
        cost(t.cost_usd),
        t.errors,
        if t.errors == 1 { "" } else { "s" }
    )
}

/// `=` same, `~` changed, `-` only in A, `+` only in B.
fn marker(row: &CompareRow) -> char {
    match row.side {
        RowSide::OnlyA => '-',
        RowSide::OnlyB => '+',
        RowSide::Both if row.divergence().is_some() => '~',
        RowSide::Both if row.llm.as_ref().is_some_and(|d| !d.is_same()) => '~',
        RowSide::Both => '=',
    }
}

/// The whole comparison as text (also what the tests read).
pub fn comparison_text(c: &TraceComparison) -> String {
    let mut out = String::new();
    out.push_str(&totals_line("A", &c.a));
    out.push_str(&totals_line("B", &c.b));
    let cost_delta = c.a.cost_usd.zip(c.b.cost_usd).map(|(a, b)| b - a);
    let _ = writeln!(
        out,
        "Δ  {} · {} tok · {}",
        signed_ms(c.b.duration_ms - c.a.duration_ms),
        signed(c.b.total_tokens() as i64 - c.a.total_tokens() as i64),
        match signed_cost(cost_delta) {
            s if s.is_empty() => "cost ?".into(),
            s => s,
        }
    );
    let (both, only_a, only_b) = c.counts();
    let _ = writeln!(
        out,
        "{both} spans matched · {only_a} only in A · {only_b} only in B"
    );
    match &c.divergence {
        Some(d) => {
            let _ = writeln!(out, "diverges at row {}: {}", d.row + 1, clean(&d.summary));
        }
        None => out.push_str("no divergence: same steps, tools and models\n"),
    }
    let _ = writeln!(
        out,
        "\n     {:<44} {:>8} {:>8} {:>8} {:>7} {:>7} {:>7} {:>10}",
        "SPAN", "A DUR", "B DUR", "ΔDUR", "A TOK", "B TOK", "ΔTOK", "ΔCOST"
    );
    let dur = |f: Option<&crate::compare::SpanFigures>| {
        f.map(|f| super::format::duration_ms(f.duration_ms))
            .unwrap_or_default()
    };
    let tok = |f: Option<&crate::compare::SpanFigures>| {
        f.filter(|f| f.tokens() > 0)
            .map(|f| f.tokens().to_string())
            .unwrap_or_default()
    };
    for (i, row) in c.rows.iter().enumerate() {
        let here = c.divergence.as_ref().is_some_and(|d| d.row == i);
        let name = format!("{}{}", "  ".repeat(row.depth.min(12)), clean(row.name()));
        let (da, db) = (row.a.as_ref(), row.b.as_ref());
        let delta = row.delta.as_ref();
        let _ = writeln!(
            out,
            "{}{:>3} {:<44} {:>8} {:>8} {:>8} {:>7} {:>7} {:>7} {:>10}",
            if here { '>' } else { ' ' },
            marker(row),
            super::format::fit(&name, 44),
            dur(da),
            dur(db),
            delta.map(|d| signed_ms(d.duration_ms)).unwrap_or_default(),
            tok(da),
            tok(db),
            delta
                .filter(|d| d.tokens != 0)
                .map(|d| signed(d.tokens))
                .unwrap_or_default(),
            delta.map(|d| signed_cost(d.cost_usd)).unwrap_or_default(),
        );
    }
    for (i, row) in c.rows.iter().enumerate() {
        let Some(d) = row.llm.as_ref().filter(|d| !d.is_same()) else {
            continue;
        };
        let _ = writeln!(out, "\nrow {} {}:", i + 1, clean(row.name()));
        if d.model_changed {
            let m = |m: &Option<String>| clean(m.as_deref().unwrap_or("?"));
            let _ = writeln!(out, "  model        {} → {}", m(&d.model_a), m(&d.model_b));
        }
        for p in &d.params {
            let v = |v: &Option<String>| clean(v.as_deref().unwrap_or("(unset)"));
            let _ = writeln!(out, "  {}  {} → {}", clean(&p.name), v(&p.a), v(&p.b));
        }
        for m in &d.messages {
            let v = |v: &Option<String>| match v {
                Some(t) => format!("{:?}", super::format::fit(&clean(t), 70)),
                None => "(none)".into(),
            };
            let _ = writeln!(out, "  {:<12} A {}", m.section.as_str(), v(&m.a));
            let _ = writeln!(out, "  {:<12} B {}", "", v(&m.b));
        }
    }
    out
}
