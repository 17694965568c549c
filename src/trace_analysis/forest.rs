//! The parent/child structure of a trace's spans, built once: children in start
//! order, orphans (their parent not stored) as roots, cycles in bad data cut. Each
//! span also gets skew-corrected times: a child that starts before its parent (the
//! two services' clocks disagree) is shifted, with its subtree, to start with the
//! parent, and is then clipped to the parent's end — the way Jaeger adjusts skew.

use std::collections::HashMap;

use crate::model::{Span, SpanId};

#[derive(Debug, Clone, Default)]
pub struct SpanForest {
    pub parent: Vec<Option<usize>>,
    /// Children of each span, by (corrected) start time.
    pub children: Vec<Vec<usize>>,
    /// Roots, by start time.
    pub roots: Vec<usize>,
    /// Depth-first, start-time order (every span once).
    pub order: Vec<usize>,
    pub depth: Vec<usize>,
    /// Start and end of each span on its root's clock, inside its parent's bounds.
    pub start: Vec<u64>,
    pub end: Vec<u64>,
}

impl SpanForest {
    pub fn build(spans: &[Span]) -> SpanForest {
        let n = spans.len();
        let index_of: HashMap<SpanId, usize> = spans
            .iter()
            .enumerate()
            .rev()
            .map(|(i, s)| (s.span_id, i))
            .collect();
        let mut parent = vec![None; n];
        let mut children = vec![Vec::new(); n];
        let mut roots = Vec::new();
        for (i, s) in spans.iter().enumerate() {
            match s.parent_span_id.and_then(|p| index_of.get(&p)).copied() {
                Some(p) if p != i => {
                    parent[i] = Some(p);
                    children[p].push(i);
                }
                _ => roots.push(i),
            }
        }
        let key = |i: &usize| (spans[*i].start_unix_nano, spans[*i].span_id);
        roots.sort_by_key(key);
        for c in &mut children {
            c.sort_by_key(key);
        }
        let mut f = SpanForest {
            parent,
            children,
            roots,
            order: Vec::with_capacity(n),
            depth: vec![0; n],
            start: spans.iter().map(|s| s.start_unix_nano).collect(),
            end: spans
                .iter()
                .map(|s| s.end_unix_nano.max(s.start_unix_nano))
                .collect(),
        };
        // Depth-first with each span's shift (ns added to its subtree's times).
        let mut seen = vec![false; n];
        let mut stack: Vec<(usize, usize, i128)> =
            f.roots.iter().rev().map(|r| (*r, 0, 0)).collect();
        while let Some((i, d, inherited)) = stack.pop() {
            if std::mem::replace(&mut seen[i], true) {
                continue;
            }
            f.depth[i] = d;
            f.order.push(i);
            let mut shift = inherited;
            let (mut s, mut e) = (f.start[i] as i128 + shift, f.end[i] as i128 + shift);
            if let Some(p) = f.parent[i] {
                let (ps, pe) = (f.start[p] as i128, f.end[p] as i128);
                if s < ps {
                    shift += ps - s;
                    e += ps - s;
                    s = ps;
                }
                s = s.min(pe);
                e = e.min(pe).max(s);
            }
            f.start[i] = s.max(0) as u64;
            f.end[i] = e.max(0) as u64;
            for c in f.children[i].iter().rev() {
                stack.push((*c, d + 1, shift));
            }
        }
        // Spans only reachable through a cycle become roots.
        for (i, seen) in seen.iter().enumerate() {
            if !*seen {
                if let Some(p) = f.parent[i].take() {
                    f.children[p].retain(|c| *c != i);
                }
                f.roots.push(i);
                f.order.push(i);
            }
        }
        f
    }

    /// Corrected duration of span `i`.
    pub fn duration(&self, i: usize) -> u64 {
        self.end[i].saturating_sub(self.start[i])
    }
}
