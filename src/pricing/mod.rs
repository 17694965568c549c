//! Model prices (USD per token) and the cost of one LLM call.
//!
//! STUB: the interface below is fixed; the implementation is being written.

use crate::model::LlmFacet;

/// Per-token prices of one model.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ModelPrice {
    pub input: f64,
    pub output: f64,
    pub cache_read: Option<f64>,
    pub cache_write: Option<f64>,
    pub reasoning: Option<f64>,
}

/// The price table: built-in prices plus user overrides.
#[derive(Debug, Clone, Default)]
pub struct PriceTable {}

impl PriceTable {
    /// The table shipped in `assets/` (from LiteLLM's published prices).
    pub fn builtin() -> Self {
        PriceTable {}
    }

    /// A table that knows no model (every cost is unknown).
    pub fn empty() -> Self {
        PriceTable {}
    }

    /// Finds a model's price, tolerating provider prefixes, date suffixes and case.
    pub fn lookup(&self, _model: &str, _provider: Option<&str>) -> Option<&ModelPrice> {
        None
    }

    /// Cost of one call from its tokens; `None` when the model is unknown or the span
    /// has no token counts.
    pub fn cost_of(&self, _llm: &LlmFacet) -> Option<f64> {
        None
    }
}

/// Sets `llm.cost_usd` from the table unless the span reported its own cost.
pub fn apply_cost(llm: &mut LlmFacet, table: &PriceTable) {
    if llm.cost_reported {
        return;
    }
    llm.cost_usd = table.cost_of(llm);
}
