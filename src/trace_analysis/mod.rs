//! Analyses of one trace that need no terminal: its span forest with clock skew
//! between services corrected (`forest`), each span's self time and the critical
//! path (`critical_path`), and the agent's steps as a flow (`agent_flow`). Pure
//! functions over `&[Span]`; the TUI draws them, the CLI or an MCP server can too.

pub mod agent_flow;
pub mod critical_path;
pub mod forest;

pub use agent_flow::{AgentFlow, FlowStep, FlowStepKind, agent_flow};
pub use critical_path::{CriticalPath, CriticalStep, critical_path, self_times};
pub use forest::SpanForest;

#[cfg(test)]
pub(crate) mod test_spans;
#[cfg(test)]
mod tests;
