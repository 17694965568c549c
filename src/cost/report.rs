//! Assembling a [`CostReport`] from the store's [`CostData`]: totals, tables by
//! model / service / project / session / user, the tokens-and-cost series, burn rate
//! and the day's projection, cache savings and the ten most expensive traces.
//!
//! Decisions:
//! - A window starts at the minute its start falls in (rollups are per minute), as
//!   `stats --since` always did.
//! - Model rows are folded from the per-minute × service × model rollups, which
//!   count only spans that are model calls: a chain or agent reporting its
//!   children's usage is not added again. Errors per model are failed model calls.
//! - Sessions, users and projects come from trace summaries (a trace belongs to the
//!   minute it started in); tables keep the [`MAX_ROWS`] most expensive.
//! - Burn rate: the cost of the current minute and the four before it, over the time
//!   they cover (4 minutes plus the current one's elapsed part), per hour. The day's
//!   projection: today's cost so far (UTC) plus the burn rate until midnight UTC.
//! - Cache savings: cache-read tokens × (input price − cache-read price) of each
//!   model the price table knows with a cache-read rate.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{CostWindow, MINUTE_NS};
use crate::pricing::PriceTable;
use crate::store::{
    CostData, GroupKind, GroupRollup, Rollup, Stats, StoreError, TopTrace, TraceStore,
};

/// Rows kept in the session, user and project tables (the most expensive).
pub const MAX_ROWS: usize = 100;
/// Traces in the top list.
pub const TOP_TRACES: usize = 10;
/// Points a series has at most (buckets grow for long windows).
pub const MAX_POINTS: u64 = 120;
const DAY_MINUTES: u64 = 24 * 60;
const BURN_MINUTES: u64 = 5;

/// Totals over the window.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Totals {
    pub spans: u64,
    pub errors: u64,
    pub llm_calls: u64,
    pub input_tokens: u64,
    pub output_tokens: u64,
    pub cache_read_tokens: u64,
    pub cache_write_tokens: u64,
    pub reasoning_tokens: u64,
    /// Known cost; `None` when no call in the window was priced.
    pub cost_usd: Option<f64>,
    pub priced_calls: u64,
    pub unpriced_calls: u64,
}

/// One model's line.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ModelRow {
    pub model: String,
    pub provider: Option<String>,
    pub calls: u64,
    /// Failed calls, and their share of the calls.
    pub errors: u64,
    pub error_rate: f64,
    pub input_tokens: u64,
    pub output_tokens: u64,
    pub cache_read_tokens: u64,
    pub cache_write_tokens: u64,
    pub reasoning_tokens: u64,
    pub cost_usd: Option<f64>,
    pub unpriced_calls: u64,
    pub mean_latency_ms: Option<f64>,
    /// What its cache reads saved; `None` when the table has no cache-read rate.
    pub cache_savings_usd: Option<f64>,
}

/// One line of the service, project, session or user tables.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct GroupRow {
    pub name: String,
    /// Traces (sessions, users, projects); for services, spans are counted instead.
    pub traces: u64,
    pub spans: u64,
    pub errors: u64,
    pub llm_calls: u64,
    pub input_tokens: u64,
    pub output_tokens: u64,
    pub cost_usd: Option<f64>,
    pub unpriced_calls: u64,
}

impl GroupRow {
    pub fn tokens(&self) -> u64 {
        self.input_tokens + self.output_tokens
    }
}

/// One bucket of the series.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SeriesPoint {
    pub start_unix_nano: u64,
    pub llm_calls: u64,
    pub tokens: u64,
    pub cost_usd: f64,
}

/// One of the most expensive traces.
pub type TopRow = TopTrace;

/// Everything the cost panel shows for one window.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CostReport {
    /// `15m`, `1h`, `24h`, `all`, or a `--since` length such as `90m`.
    pub window: String,
    pub since_unix_nano: Option<u64>,
    pub now_unix_nano: u64,
    pub traces: u64,
    pub totals: Totals,
    pub by_model: Vec<ModelRow>,
    pub by_service: Vec<GroupRow>,
    pub by_project: Vec<GroupRow>,
    pub by_session: Vec<GroupRow>,
    pub by_user: Vec<GroupRow>,
    /// Rows left out of the project/session/user tables (beyond [`MAX_ROWS`]).
    pub omitted_rows: u64,
    pub bucket_minutes: u64,
    pub series: Vec<SeriesPoint>,
    pub burn_rate_usd_per_hour: f64,
    pub today_usd: f64,
    pub projected_day_usd: f64,
    pub cache_savings_usd: f64,
    pub top_traces: Vec<TopRow>,
    /// The `stats` figures for the same rollups (the existing `stats --json`).
    #[serde(skip)]
    pub stats: Stats,
}

/// A window's label from its start: the preset's, else its length (`90m`, `2h`).
pub fn window_label(since_unix_nano: Option<u64>, now_unix_nano: u64) -> String {
    let Some(since) = since_unix_nano.filter(|s| *s > 0) else {
        return "all".into();
    };
    let minutes = (now_unix_nano.saturating_sub(since) + MINUTE_NS / 2) / MINUTE_NS;
    if let Some(w) = CostWindow::ALL
        .into_iter()
        .find(|w| w.minutes() == Some(minutes))
    {
        return w.label().into();
    }
    match minutes {
        m if m >= DAY_MINUTES && m % DAY_MINUTES == 0 => format!("{}d", m / DAY_MINUTES),
        m if m >= 60 && m % 60 == 0 => format!("{}h", m / 60),
        m => format!("{m}m"),
    }
}

/// Reads the store and builds the report of the window starting at `since_unix_nano`.
pub fn load(
    store: &dyn TraceStore,
    prices: &PriceTable,
    since_unix_nano: Option<u64>,
    now_unix_nano: u64,
) -> Result<CostReport, StoreError> {
    let day_start = now_unix_nano / (DAY_MINUTES * MINUTE_NS) * (DAY_MINUTES * MINUTE_NS);
    let burn_start = now_unix_nano.saturating_sub(BURN_MINUTES * MINUTE_NS);
    let read_from = since_unix_nano.map(|s| s.min(day_start).min(burn_start));
    let data = store.cost_data(read_from, since_unix_nano)?;
    Ok(build(&data, prices, since_unix_nano, now_unix_nano))
}

fn known(priced: u64, cost: f64) -> Option<f64> {
    (priced > 0).then_some(cost)
}

fn by_cost_desc(a: &GroupRow, b: &GroupRow) -> std::cmp::Ordering {
    b.cost_usd
        .unwrap_or(-1.0)
        .total_cmp(&a.cost_usd.unwrap_or(-1.0))
        .then(b.tokens().cmp(&a.tokens()))
        .then(b.traces.cmp(&a.traces))
        .then(a.name.cmp(&b.name))
}

fn model_row(model: String, r: &Rollup, prices: &PriceTable) -> ModelRow {
    let cache_savings_usd = prices
        .lookup(&model, r.provider.as_deref())
        .and_then(|p| p.cache_read.map(|c| (p.input - c).max(0.0)))
        .map(|per_token| r.cache_read_tokens as f64 * per_token);
    ModelRow {
        provider: r.provider.clone(),
        calls: r.llm_calls,
        errors: r.errors,
        error_rate: if r.llm_calls > 0 {
            r.errors as f64 / r.llm_calls as f64
        } else {
            0.0
        },
        input_tokens: r.input_tokens,
        output_tokens: r.output_tokens,
        cache_read_tokens: r.cache_read_tokens,
        cache_write_tokens: r.cache_write_tokens,
        reasoning_tokens: r.reasoning_tokens,
        cost_usd: r.known_cost(),
        unpriced_calls: r.unpriced_calls,
        mean_latency_ms: (r.llm_calls > 0).then(|| r.latency_ms_sum / r.llm_calls as f64),
        cache_savings_usd,
        model,
    }
}

fn group_row(name: String, g: &GroupRollup) -> GroupRow {
    GroupRow {
        name,
        traces: g.traces,
        spans: 0,
        errors: g.error_spans,
        llm_calls: g.llm_calls,
        input_tokens: g.input_tokens,
        output_tokens: g.output_tokens,
        cost_usd: g.known_cost(),
        unpriced_calls: g.unpriced_calls,
    }
}

/// The series' bucket size and first minute for a window.
fn series_shape(
    since_minute: Option<u64>,
    first_minute: Option<u64>,
    now_minute: u64,
) -> (u64, u64) {
    let start = since_minute
        .or(first_minute)
        .unwrap_or(now_minute)
        .min(now_minute);
    let span = now_minute - start + 1;
    let bucket = span.div_ceil(MAX_POINTS).max(1);
    // Align buckets so the last one ends with the current minute.
    let count = span.div_ceil(bucket);
    (bucket, (now_minute + 1).saturating_sub(count * bucket))
}

/// Builds the report from data read from (at least) the window's first minute on;
/// older records (read for the burn rate and today's cost) are left out of the rest.
pub fn build(
    data: &CostData,
    prices: &PriceTable,
    since_unix_nano: Option<u64>,
    now_unix_nano: u64,
) -> CostReport {
    let since_minute = since_unix_nano.map(|s| s / MINUTE_NS);
    let in_window = |m: u64| since_minute.is_none_or(|s| m >= s);
    let now_minute = now_unix_nano / MINUTE_NS;
    let day_minute = now_minute / DAY_MINUTES * DAY_MINUTES;
    let burn_from = now_minute.saturating_sub(BURN_MINUTES - 1);

    let mut window_rollups = Vec::new();
    let (mut burn_cost, mut today_usd) = (0.0, 0.0);
    let first_minute = data.rollups.iter().map(|r| r.0).min();
    let (bucket_minutes, series_start) = series_shape(since_minute, first_minute, now_minute);
    let points = (now_minute + 1 - series_start) / bucket_minutes;
    let mut series: Vec<SeriesPoint> = (0..points)
        .map(|i| SeriesPoint {
            start_unix_nano: (series_start + i * bucket_minutes) * MINUTE_NS,
            ..SeriesPoint::default()
        })
        .collect();
    for (minute, service, model, r) in &data.rollups {
        if *minute >= burn_from {
            burn_cost += r.cost_usd;
        }
        if *minute >= day_minute {
            today_usd += r.cost_usd;
        }
        if !in_window(*minute) {
            continue;
        }
        if *minute >= series_start
            && let Some(p) = series.get_mut(((*minute - series_start) / bucket_minutes) as usize)
        {
            p.llm_calls += r.llm_calls;
            p.tokens += r.input_tokens + r.output_tokens;
            p.cost_usd += r.cost_usd;
        }
        window_rollups.push((service.clone(), model.clone(), r.clone()));
    }
    let stats = Stats::from_rollups(since_unix_nano, data.traces, window_rollups);

    let burn_elapsed_ns = (now_unix_nano - burn_from * MINUTE_NS).max(MINUTE_NS) as f64;
    let burn_rate_usd_per_hour = burn_cost / burn_elapsed_ns * 3600e9;
    let day_left_ns = ((day_minute + DAY_MINUTES) * MINUTE_NS).saturating_sub(now_unix_nano);
    let projected_day_usd = today_usd + burn_rate_usd_per_hour * day_left_ns as f64 / 3600e9;

    let t = &stats.totals;
    let totals = Totals {
        spans: t.spans,
        errors: t.errors,
        llm_calls: t.llm_calls,
        input_tokens: t.input_tokens,
        output_tokens: t.output_tokens,
        cache_read_tokens: t.cache_read_tokens,
        cache_write_tokens: t.cache_write_tokens,
        reasoning_tokens: t.reasoning_tokens,
        cost_usd: t.known_cost(),
        priced_calls: t.priced_calls,
        unpriced_calls: t.unpriced_calls,
    };
    let by_model: Vec<ModelRow> = stats
        .by_model
        .iter()
        .map(|m| model_row(m.model.clone(), &m.totals, prices))
        .collect();
    let cache_savings_usd = by_model.iter().filter_map(|m| m.cache_savings_usd).sum();
    let mut by_service: Vec<GroupRow> = stats
        .by_service
        .iter()
        .map(|s| {
            let r = &s.totals;
            GroupRow {
                name: s.service.clone(),
                traces: 0,
                spans: r.spans,
                errors: r.errors,
                llm_calls: r.llm_calls,
                input_tokens: r.input_tokens,
                output_tokens: r.output_tokens,
                cost_usd: known(r.priced_calls, r.cost_usd),
                unpriced_calls: r.unpriced_calls,
            }
        })
        .collect();
    by_service.sort_by(by_cost_desc);

    let mut groups: BTreeMap<(GroupKind, &str), GroupRollup> = BTreeMap::new();
    for (minute, kind, name, g) in &data.groups {
        if in_window(*minute) {
            groups.entry((*kind, name.as_str())).or_default().merge(g);
        }
    }
    let mut omitted_rows = 0;
    let mut table = |kind: GroupKind| {
        let mut rows: Vec<GroupRow> = groups
            .iter()
            .filter(|((k, _), _)| *k == kind)
            .map(|((_, name), g)| group_row((*name).to_string(), g))
            .collect();
        rows.sort_by(by_cost_desc);
        omitted_rows += rows.len().saturating_sub(MAX_ROWS) as u64;
        rows.truncate(MAX_ROWS);
        rows
    };
    let by_project = table(GroupKind::Project);
    let by_session = table(GroupKind::Session);
    let by_user = table(GroupKind::User);

    let mut top_traces: Vec<TopRow> = data
        .top
        .iter()
        .filter(|t| in_window(t.start_unix_nano / MINUTE_NS))
        .cloned()
        .collect();
    top_traces.sort_by(crate::store::rank_top);
    let mut seen = std::collections::HashSet::new();
    top_traces.retain(|t| seen.insert(t.trace_id));
    top_traces.truncate(TOP_TRACES);

    CostReport {
        window: window_label(since_unix_nano, now_unix_nano),
        since_unix_nano,
        now_unix_nano,
        traces: data.traces,
        totals,
        by_model,
        by_service,
        by_project,
        by_session,
        by_user,
        omitted_rows,
        bucket_minutes,
        series,
        burn_rate_usd_per_hour,
        today_usd,
        projected_day_usd,
        cache_savings_usd,
        top_traces,
        stats,
    }
}
