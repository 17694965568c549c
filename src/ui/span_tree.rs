//! The span tree of one trace, computed once when the trace loads: parent/child
//! links (orphans become roots, as their parent may not have arrived yet), display
//! order, depth, the path of ids for each span, and the trace's time axis.

use std::collections::{HashMap, HashSet};

use crate::model::{Span, SpanId};
use crate::trace_analysis::SpanForest;

#[derive(Debug, Clone, Default)]
pub struct SpanTree {
    /// Indexes into the detail's spans, in display (depth-first, start-time) order.
    pub order: Vec<usize>,
    pub depth: Vec<usize>,
    pub parent: Vec<Option<usize>>,
    pub children: Vec<Vec<usize>>,
    pub roots: Vec<usize>,
    pub index_of: HashMap<SpanId, usize>,
    pub start: u64,
    pub end: u64,
}

impl SpanTree {
    pub fn build(spans: &[Span]) -> SpanTree {
        SpanTree::from_forest(spans, SpanForest::build(spans))
    }

    /// The display structure from the trace's `SpanForest` (built once per load and
    /// shared with the analyses): links, depth-first order, depth, plus the id index
    /// and the time axis.
    pub fn from_forest(spans: &[Span], forest: SpanForest) -> SpanTree {
        let index_of: HashMap<SpanId, usize> = spans
            .iter()
            .enumerate()
            .map(|(i, s)| (s.span_id, i))
            .collect();
        let SpanForest {
            parent,
            children,
            roots,
            order,
            depth,
            ..
        } = forest;
        let start = spans.iter().map(|s| s.start_unix_nano).min().unwrap_or(0);
        let end = spans.iter().map(|s| s.end_unix_nano).max().unwrap_or(0);
        SpanTree {
            order,
            depth,
            parent,
            children,
            roots,
            index_of,
            start,
            end,
        }
    }

    /// Ids from the root down to span `i`.
    pub fn path(&self, spans: &[Span], i: usize) -> Vec<SpanId> {
        let mut path = vec![spans[i].span_id];
        let mut cur = i;
        let mut guard = 0;
        while let Some(p) = self.parent[cur] {
            path.push(spans[p].span_id);
            cur = p;
            guard += 1;
            if guard > spans.len() {
                break;
            }
        }
        path.reverse();
        path
    }

    /// Spans shown when the `collapsed` ones hide their descendants, in order.
    pub fn visible(&self, spans: &[Span], collapsed: &HashSet<SpanId>) -> Vec<usize> {
        let mut out = Vec::with_capacity(self.order.len());
        let mut hide_below: Option<usize> = None;
        for &i in &self.order {
            if let Some(d) = hide_below {
                if self.depth[i] > d {
                    continue;
                }
                hide_below = None;
            }
            out.push(i);
            if collapsed.contains(&spans[i].span_id) && !self.children[i].is_empty() {
                hide_below = Some(self.depth[i]);
            }
        }
        out
    }
}
