//! Per-minute rollups (minute × service × model) and the stats computed from them, so
//! `stats` and the panels cost the same whatever the number of spans stored.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::model::Span;
use crate::model::accounting::{SpanCounts, Uncount};

/// Number of latency buckets; bucket `i` holds calls of < 2^i ms (the last, the rest).
pub const LATENCY_BUCKETS: usize = 20;

/// Counters for one minute × service × model. Model is empty for spans that are not
/// model calls.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Rollup {
    pub spans: u64,
    pub errors: u64,
    pub llm_calls: u64,
    pub provider: Option<String>,
    pub input_tokens: u64,
    pub output_tokens: u64,
    pub cache_read_tokens: u64,
    pub cache_write_tokens: u64,
    pub reasoning_tokens: u64,
    pub cost_usd: f64,
    pub priced_calls: u64,
    pub unpriced_calls: u64,
    pub latency_ms_sum: f64,
    pub latency_hist: Vec<u64>,
}

/// The rollup key of a span: (minute, service, canonical model).
pub fn rollup_key_of(span: &Span) -> (u64, String, String) {
    crate::model::accounting::rollup_key(span)
}

/// The latency bucket of a call of `ms` milliseconds.
fn latency_bucket(ms: f64) -> usize {
    (ms.max(1.0).log2().ceil() as usize).min(LATENCY_BUCKETS - 1)
}

impl Rollup {
    /// Adds one distinct span, counted as the span says.
    pub fn add_span(&mut self, span: &Span) {
        self.add_counted(span, SpanCounts::of_span(span));
    }

    /// Adds one distinct span, counted as `counts` says (a wrapper is no call, an
    /// affected failure no error; see `model::accounting`).
    pub fn add_counted(&mut self, span: &Span, counts: SpanCounts) {
        self.spans += 1;
        if counts.error {
            self.errors += 1;
        }
        let Some(llm) = span
            .llm
            .as_ref()
            .filter(|l| counts.call && l.kind.is_model_call())
        else {
            return;
        };
        self.llm_calls += 1;
        if llm.provider.is_some() {
            self.provider.clone_from(&llm.provider);
        }
        self.input_tokens += llm.input_tokens.unwrap_or(0);
        self.output_tokens += llm.output_tokens.unwrap_or(0);
        self.cache_read_tokens += llm.cache_read_tokens.unwrap_or(0);
        self.cache_write_tokens += llm.cache_write_tokens.unwrap_or(0);
        self.reasoning_tokens += llm.reasoning_tokens.unwrap_or(0);
        match llm.cost_usd {
            Some(c) => {
                self.cost_usd += c;
                self.priced_calls += 1;
            }
            None => self.unpriced_calls += 1,
        }
        let ms = span.duration_nanos() as f64 / 1e6;
        self.latency_ms_sum += ms;
        if self.latency_hist.len() < LATENCY_BUCKETS {
            self.latency_hist.resize(LATENCY_BUCKETS, 0);
        }
        self.latency_hist[latency_bucket(ms)] += 1;
    }

    /// Takes back what a span counted that a later span showed not to count (a
    /// wrapper's call, an affected failure's error).
    pub fn uncount(&mut self, u: &Uncount) {
        if u.error {
            self.errors = self.errors.saturating_sub(1);
        }
        let Some((cost, duration_ns)) = u.call else {
            return;
        };
        self.llm_calls = self.llm_calls.saturating_sub(1);
        match cost {
            Some(c) => {
                self.cost_usd -= c;
                self.priced_calls = self.priced_calls.saturating_sub(1);
            }
            None => self.unpriced_calls = self.unpriced_calls.saturating_sub(1),
        }
        let ms = duration_ns as f64 / 1e6;
        self.latency_ms_sum = (self.latency_ms_sum - ms).max(0.0);
        if let Some(n) = self.latency_hist.get_mut(latency_bucket(ms)) {
            *n = n.saturating_sub(1);
        }
    }

    pub fn merge(&mut self, other: &Rollup) {
        self.spans += other.spans;
        self.errors += other.errors;
        self.llm_calls += other.llm_calls;
        if other.provider.is_some() {
            self.provider.clone_from(&other.provider);
        }
        self.input_tokens += other.input_tokens;
        self.output_tokens += other.output_tokens;
        self.cache_read_tokens += other.cache_read_tokens;
        self.cache_write_tokens += other.cache_write_tokens;
        self.reasoning_tokens += other.reasoning_tokens;
        self.cost_usd += other.cost_usd;
        self.priced_calls += other.priced_calls;
        self.unpriced_calls += other.unpriced_calls;
        self.latency_ms_sum += other.latency_ms_sum;
        if self.latency_hist.len() < other.latency_hist.len() {
            self.latency_hist.resize(other.latency_hist.len(), 0);
        }
        for (a, b) in self.latency_hist.iter_mut().zip(&other.latency_hist) {
            *a += b;
        }
    }

    /// Known cost, or `None` when no call in it was priced.
    pub fn known_cost(&self) -> Option<f64> {
        (self.priced_calls > 0).then_some(self.cost_usd)
    }
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct ModelStats {
    pub model: String,
    pub totals: Rollup,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct ServiceStats {
    pub service: String,
    pub totals: Rollup,
}

/// Totals over a window.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Stats {
    pub since_unix_nano: Option<u64>,
    pub traces: u64,
    pub totals: Rollup,
    pub by_model: Vec<ModelStats>,
    pub by_service: Vec<ServiceStats>,
}

impl Stats {
    /// Folds rollups (minute, service, model, counters) into totals and tables,
    /// sorted by cost then calls, descending.
    pub fn from_rollups(
        since_unix_nano: Option<u64>,
        traces: u64,
        rollups: impl IntoIterator<Item = (String, String, Rollup)>,
    ) -> Stats {
        let mut totals = Rollup::default();
        let mut models: BTreeMap<String, Rollup> = BTreeMap::new();
        let mut services: BTreeMap<String, Rollup> = BTreeMap::new();
        for (service, model, r) in rollups {
            totals.merge(&r);
            services.entry(service).or_default().merge(&r);
            if !model.is_empty() {
                models.entry(model).or_default().merge(&r);
            }
        }
        let mut by_model: Vec<ModelStats> = models
            .into_iter()
            .map(|(model, totals)| ModelStats { model, totals })
            .collect();
        by_model.sort_by(|a, b| {
            b.totals
                .cost_usd
                .total_cmp(&a.totals.cost_usd)
                .then(b.totals.llm_calls.cmp(&a.totals.llm_calls))
        });
        let mut by_service: Vec<ServiceStats> = services
            .into_iter()
            .map(|(service, totals)| ServiceStats { service, totals })
            .collect();
        by_service.sort_by_key(|s| std::cmp::Reverse(s.totals.spans));
        Stats {
            since_unix_nano,
            traces,
            totals,
            by_model,
            by_service,
        }
    }

    /// The stable JSON of `spanlens stats --json`.
    pub fn to_json(&self) -> Value {
        let t = &self.totals;
        json!({
            "since_unix_nano": self.since_unix_nano,
            "spans": t.spans,
            "traces": self.traces,
            "errors": t.errors,
            "llm_calls": t.llm_calls,
            "input_tokens": t.input_tokens,
            "output_tokens": t.output_tokens,
            "cache_read_tokens": t.cache_read_tokens,
            "cache_write_tokens": t.cache_write_tokens,
            "reasoning_tokens": t.reasoning_tokens,
            "cost_usd": t.known_cost(),
            "unpriced_calls": t.unpriced_calls,
            "by_model": self.by_model.iter().map(|m| json!({
                "model": m.model,
                "provider": m.totals.provider,
                "calls": m.totals.llm_calls,
                "errors": m.totals.errors,
                "input_tokens": m.totals.input_tokens,
                "output_tokens": m.totals.output_tokens,
                "cache_read_tokens": m.totals.cache_read_tokens,
                "cache_write_tokens": m.totals.cache_write_tokens,
                "reasoning_tokens": m.totals.reasoning_tokens,
                "cost_usd": m.totals.known_cost(),
                "unpriced_calls": m.totals.unpriced_calls,
                "mean_latency_ms": (m.totals.llm_calls > 0)
                    .then(|| m.totals.latency_ms_sum / m.totals.llm_calls as f64),
            })).collect::<Vec<_>>(),
            "by_service": self.by_service.iter().map(|s| json!({
                "service": s.service,
                "spans": s.totals.spans,
                "errors": s.totals.errors,
                "llm_calls": s.totals.llm_calls,
                "input_tokens": s.totals.input_tokens,
                "output_tokens": s.totals.output_tokens,
                "cost_usd": s.totals.known_cost(),
            })).collect::<Vec<_>>(),
        })
    }
}
