//! Self time and the critical path of a trace.
//!
//! Self time: a span's (skew-corrected) duration not covered by any of its
//! children. The critical path: the chain of work that decides when the trace ends.
//! Walking back from a span's end, the child that finished last before that point
//! is on the path; the walk goes into it, then carries on from that child's start
//! with the children that finished before it. Children running in parallel with a
//! path child (parallel tool calls) are off the path; a child overlapping the next
//! path child is on it only for the part before that child starts. Time in a span
//! not spent waiting for a path child is the span's own share. The shares add up
//! to the trace's duration.

use serde::Serialize;

use super::forest::SpanForest;
use crate::model::{Span, SpanId};

/// One span on the critical path.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CriticalStep {
    /// Index into the trace's spans.
    pub index: usize,
    pub span_id: SpanId,
    pub name: String,
    /// Depth in the span tree.
    pub depth: usize,
    /// Time of the path spent in this span itself (not in a path child).
    pub on_path_ns: u64,
    /// `on_path_ns` over the trace's duration (0–1).
    pub share: f64,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct CriticalPath {
    /// From the first root's start to the last root's end (skew-corrected).
    pub total_ns: u64,
    /// Path spans in tree order (a parent before its children).
    pub steps: Vec<CriticalStep>,
    /// For each span of the trace: is it on the path.
    #[serde(skip)]
    pub on_path: Vec<bool>,
}

/// Each span's self time: its duration less the union of its children's.
pub fn self_times(forest: &SpanForest) -> Vec<u64> {
    (0..forest.parent.len())
        .map(|i| {
            let mut covered = 0u64;
            let mut reach = forest.start[i];
            // Children are sorted by raw start; corrected starts may differ a little.
            let mut kids: Vec<(u64, u64)> = forest.children[i]
                .iter()
                .map(|&c| (forest.start[c], forest.end[c]))
                .collect();
            kids.sort_unstable();
            for (s, e) in kids {
                let s = s.max(reach);
                if e > s {
                    covered += e - s;
                    reach = e;
                }
            }
            forest.duration(i).saturating_sub(covered)
        })
        .collect()
}

/// A span being walked back from `cursor`: its children by end, latest first.
struct Frame {
    span: Option<usize>,
    cursor: u64,
    kids: Vec<usize>,
    next: usize,
}

impl Frame {
    fn new(forest: &SpanForest, span: Option<usize>, cursor: u64) -> Frame {
        let mut kids = match span {
            Some(i) => forest.children[i].clone(),
            None => forest.roots.clone(),
        };
        kids.sort_by_key(|&c| std::cmp::Reverse((forest.end[c], forest.start[c])));
        Frame {
            span,
            cursor,
            kids,
            next: 0,
        }
    }
}

/// The critical path of a trace (several roots — a trace whose root has not
/// arrived — are walked as children of one virtual root).
pub fn critical_path(spans: &[Span], forest: &SpanForest) -> CriticalPath {
    let n = spans.len();
    let mut on_path_ns = vec![0u64; n];
    let mut on_path = vec![false; n];
    if forest.roots.is_empty() {
        return CriticalPath::default();
    }
    let first = forest
        .roots
        .iter()
        .map(|&r| forest.start[r])
        .min()
        .unwrap_or(0);
    let last = forest
        .roots
        .iter()
        .map(|&r| forest.end[r])
        .max()
        .unwrap_or(0);
    let total_ns = last.saturating_sub(first);
    let mut stack = vec![Frame::new(forest, None, last)];
    while let Some(top) = stack.last_mut() {
        let span_start = top.span.map_or(first, |i| forest.start[i]);
        if let Some(&c) = top.kids.get(top.next) {
            top.next += 1;
            let (cs, ce) = (forest.start[c], forest.end[c].min(top.cursor));
            // Starts after the cursor (ran in parallel with a path child) or empty.
            if cs >= top.cursor || ce <= cs {
                continue;
            }
            if let Some(i) = top.span {
                on_path_ns[i] += top.cursor - ce;
            }
            top.cursor = cs;
            on_path[c] = true;
            stack.push(Frame::new(forest, Some(c), ce));
            continue;
        }
        if let Some(i) = top.span {
            on_path[i] = true;
            on_path_ns[i] += top.cursor.saturating_sub(span_start);
        }
        stack.pop();
    }
    let steps = forest
        .order
        .iter()
        .filter(|&&i| on_path[i])
        .map(|&i| CriticalStep {
            index: i,
            span_id: spans[i].span_id,
            name: spans[i].name.clone(),
            depth: forest.depth[i],
            on_path_ns: on_path_ns[i],
            share: if total_ns == 0 {
                0.0
            } else {
                on_path_ns[i] as f64 / total_ns as f64
            },
        })
        .collect();
    CriticalPath {
        total_ns,
        steps,
        on_path,
    }
}
