//! Model prices (USD per token) and the cost of one LLM call.
//!
//! The built-in table is `assets/model-prices.json`, a trimmed copy of LiteLLM's
//! MIT-licensed price table (see `assets/PRICES-LICENSE.md`; regenerate it with
//! `scripts/build-prices.py`). It is embedded with `include_str!` and parsed once;
//! [`PriceTable::builtin`] then costs two `Arc` clones. A user file can add or
//! replace models and map aliases such as Azure deployment names to models
//! ([`PriceTable::with_overrides`]; format in `load.rs`; the TOML form users write,
//! `prices.toml` or `--prices FILE`, in `overrides_toml.rs`). How a span's model name
//! finds its row is in `matching.rs`; lookups are memoized per (provider, name), so
//! [`PriceTable::cost_of`] is a hash lookup on the ingest hot path.
//!
//! Cost of one call, decisions:
//! - The model priced is the response model, else (if the table does not know it)
//!   the request model; `provider` is a hint used to choose between rows.
//! - `None` (never 0) when the model is unknown or the span has no token counts at
//!   all; a missing count among present ones counts as 0.
//! - Cache tokens are a *subset* of input tokens (OpenAI, and the GenAI semantic
//!   conventions: `gen_ai.usage.input_tokens` includes cached tokens): the
//!   `input − cache_read − cache_write` uncached tokens are billed at the input rate,
//!   cache reads and writes at their own rates, or at the input rate when the table
//!   has none. If cache reads + writes exceed the input count, they cannot be a
//!   subset (Anthropic's raw `usage` reports them apart), so all input tokens are
//!   billed as uncached and the cache tokens on top.
//! - Reasoning tokens are a subset of output tokens (OpenAI). They get their own
//!   rate only when the table has one that differs from the output rate; otherwise
//!   they are simply part of the output. If they exceed the output count they were
//!   reported apart (Gemini's `thoughts`), and are billed on top.
//! - Long-context tiers (`…_above_200k_tokens`) are not modelled: the base rate is
//!   used.
//! - A span's own reported cost always wins ([`apply_cost`]).

mod load;
mod matching;
mod overrides_toml;
mod table;

use crate::model::LlmFacet;

pub use load::PriceError;
pub use overrides_toml::{
    PricesFileError, default_prices_path, user_prices, with_overrides_path, with_toml_overrides,
};
pub use table::{PriceMatch, PriceTable};

/// Per-token prices of one model.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ModelPrice {
    pub input: f64,
    pub output: f64,
    pub cache_read: Option<f64>,
    pub cache_write: Option<f64>,
    pub reasoning: Option<f64>,
}

/// Token counts of one call, missing ones as 0 (see the module header).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Usage {
    pub input: u64,
    pub output: u64,
    pub cache_read: u64,
    pub cache_write: u64,
    pub reasoning: u64,
}

impl Usage {
    /// The facet's counts; `None` when it has none at all.
    pub fn of(llm: &LlmFacet) -> Option<Usage> {
        let counts = [
            llm.input_tokens,
            llm.output_tokens,
            llm.cache_read_tokens,
            llm.cache_write_tokens,
            llm.reasoning_tokens,
        ];
        counts.iter().any(Option::is_some).then(|| Usage {
            input: llm.input_tokens.unwrap_or(0),
            output: llm.output_tokens.unwrap_or(0),
            cache_read: llm.cache_read_tokens.unwrap_or(0),
            cache_write: llm.cache_write_tokens.unwrap_or(0),
            reasoning: llm.reasoning_tokens.unwrap_or(0),
        })
    }
}

impl ModelPrice {
    /// USD for these tokens (rules in the module header).
    pub fn cost(&self, u: &Usage) -> f64 {
        let cached = u.cache_read.saturating_add(u.cache_write);
        let uncached = if cached <= u.input {
            u.input - cached
        } else {
            u.input
        };
        let input = uncached as f64 * self.input
            + u.cache_read as f64 * self.cache_read.unwrap_or(self.input)
            + u.cache_write as f64 * self.cache_write.unwrap_or(self.input);
        let reasoning_rate = self.reasoning.filter(|r| *r != self.output);
        let output = match reasoning_rate {
            Some(rate) if u.reasoning <= u.output => {
                (u.output - u.reasoning) as f64 * self.output + u.reasoning as f64 * rate
            }
            Some(rate) => u.output as f64 * self.output + u.reasoning as f64 * rate,
            None if u.reasoning > u.output => (u.output + u.reasoning) as f64 * self.output,
            None => u.output as f64 * self.output,
        };
        input + output
    }
}

/// Sets `llm.cost_usd` from the table unless the span reported its own cost.
pub fn apply_cost(llm: &mut LlmFacet, table: &PriceTable) {
    if llm.cost_reported {
        return;
    }
    llm.cost_usd = table.cost_of(llm);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::LlmKind;

    fn call(model: &str, input: Option<u64>, output: Option<u64>) -> LlmFacet {
        let mut llm = LlmFacet::new(LlmKind::Chat);
        llm.response_model = Some(model.to_owned());
        llm.input_tokens = input;
        llm.output_tokens = output;
        llm
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() <= 1e-12 * b.abs().max(1e-12)
    }

    #[test]
    fn gpt_4o_mini_prices_match_hand_values() {
        let p = PriceTable::builtin()
            .lookup("gpt-4o-mini", None)
            .cloned()
            .unwrap();
        let want = ModelPrice {
            input: 1.5e-7,
            output: 6e-7,
            cache_read: Some(7.5e-8),
            cache_write: None,
            reasoning: None,
        };
        assert_eq!(p, want);
        let dated = PriceTable::builtin()
            .lookup("gpt-4o-mini-2024-07-18", None)
            .cloned();
        assert_eq!(dated, Some(want));
    }

    #[test]
    fn fixture_call_cost() {
        // 32 uncached × 1.5e-7 + 10 cached × 7.5e-8 + 17 × 6e-7 = 1.575e-5 USD.
        let mut llm = call("gpt-4o-mini-2024-07-18", Some(42), Some(17));
        llm.cache_read_tokens = Some(10);
        let cost = PriceTable::builtin().cost_of(&llm).unwrap();
        assert!(
            close(cost, 32.0 * 1.5e-7 + 10.0 * 7.5e-8 + 17.0 * 6e-7),
            "{cost}"
        );
        assert!(close(cost, 1.575e-5), "{cost}");
    }

    #[test]
    fn embedding_with_input_only() {
        let mut llm = call("text-embedding-3-small", Some(16), None);
        llm.kind = LlmKind::Embedding;
        let cost = PriceTable::builtin().cost_of(&llm).unwrap();
        assert!(close(cost, 16.0 * 2e-8), "{cost}");
    }

    #[test]
    fn unknown_model_or_no_tokens_is_none() {
        let t = PriceTable::builtin();
        assert_eq!(t.cost_of(&call("my-own-llm-7b", Some(10), Some(10))), None);
        assert_eq!(t.cost_of(&call("gpt-4o-mini", None, None)), None);
        assert_eq!(t.cost_of(&LlmFacet::new(LlmKind::Chat)), None);
        assert_eq!(t.cost_of(&call("gpt-4o-mini", Some(0), Some(0))), Some(0.0));
    }

    #[test]
    fn request_model_when_response_model_unknown() {
        let mut llm = call("my-azure-deployment", Some(1000), Some(0));
        llm.request_model = Some("gpt-4o-mini".into());
        assert!(close(
            PriceTable::builtin().cost_of(&llm).unwrap(),
            1000.0 * 1.5e-7
        ));
    }

    #[test]
    fn reported_cost_wins() {
        let t = PriceTable::builtin();
        let mut llm = call("gpt-4o-mini", Some(42), Some(17));
        llm.cost_usd = Some(1.0);
        llm.cost_reported = true;
        apply_cost(&mut llm, &t);
        assert_eq!(llm.cost_usd, Some(1.0));
        llm.cost_reported = false;
        apply_cost(&mut llm, &t);
        assert!(close(llm.cost_usd.unwrap(), 42.0 * 1.5e-7 + 17.0 * 6e-7));
        let mut unknown = call("nope", Some(1), Some(1));
        unknown.cost_usd = Some(3.0);
        apply_cost(&mut unknown, &t);
        assert_eq!(unknown.cost_usd, None);
    }

    #[test]
    fn cache_and_reasoning_rules() {
        let p = ModelPrice {
            input: 1.0,
            output: 10.0,
            cache_read: Some(0.1),
            cache_write: Some(1.25),
            reasoning: Some(4.0),
        };
        let u = |input, output, cache_read, cache_write, reasoning| Usage {
            input,
            output,
            cache_read,
            cache_write,
            reasoning,
        };
        // Subsets: 100 in = 60 uncached + 30 read + 10 written; 50 out = 20 plain + 30 reasoning.
        assert!(close(
            p.cost(&u(100, 50, 30, 10, 30)),
            60.0 + 3.0 + 12.5 + 200.0 + 120.0
        ));
        // Cache counts larger than input: reported apart (Anthropic), billed on top.
        assert!(close(p.cost(&u(5, 0, 100, 20, 0)), 5.0 + 10.0 + 25.0));
        // Reasoning larger than output: reported apart (Gemini thoughts).
        assert!(close(p.cost(&u(0, 5, 0, 0, 7)), 50.0 + 28.0));
        // No cache rates: cached tokens cost the input rate; same reasoning rate = output.
        let plain = ModelPrice {
            input: 1.0,
            output: 10.0,
            reasoning: Some(10.0),
            ..ModelPrice::default()
        };
        assert!(close(plain.cost(&u(100, 50, 30, 10, 30)), 100.0 + 500.0));
        assert!(close(plain.cost(&u(0, 5, 0, 0, 7)), 120.0));
        // The builtin row with a distinct reasoning rate.
        let t = PriceTable::builtin();
        let mut llm = call("perplexity/sonar-deep-research", Some(10), Some(100));
        llm.reasoning_tokens = Some(60);
        assert!(close(
            t.cost_of(&llm).unwrap(),
            10.0 * 2e-6 + 40.0 * 8e-6 + 60.0 * 3e-6
        ));
    }
}
