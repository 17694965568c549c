//! Which span of run A is which span of run B: keys, sibling alignment, and the
//! matched tree in display order.

use serde::Serialize;

use crate::model::Span;
use crate::trace_analysis::SpanForest;

/// What a span is known by among its siblings: its normalized name and its kind
/// (the GenAI kind when it has one, else the OTel span kind).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct MatchKey {
    pub name: String,
    pub kind: String,
}

/// The span's key: the model cut out of its name (`chat gpt-4o-mini` → `chat`),
/// whitespace collapsed.
pub fn match_key(span: &Span) -> MatchKey {
    let mut name = span.name.clone();
    if let Some(l) = &span.llm {
        for m in [l.response_model.as_deref(), l.request_model.as_deref()]
            .into_iter()
            .flatten()
            .filter(|m| !m.is_empty())
        {
            name = name.replace(m, " ");
        }
    }
    let name = name.split_whitespace().collect::<Vec<_>>().join(" ");
    let kind = match &span.llm {
        Some(l) => l.kind.as_str().to_string(),
        None => span.kind.as_str().to_string(),
    };
    MatchKey { name, kind }
}

/// Above this many cells the alignment of two sibling lists is greedy (by key and
/// occurrence) instead of a longest common subsequence.
const LCS_MAX_CELLS: usize = 4_000_000;

/// Each span's key and whether it failed, for one run.
struct Keys {
    key: Vec<MatchKey>,
    error: Vec<bool>,
}

impl Keys {
    fn of(spans: &[Span]) -> Keys {
        Keys {
            key: spans.iter().map(match_key).collect(),
            error: spans.iter().map(Span::is_error).collect(),
        }
    }
}

/// One aligned pair of siblings: (A, B, paired by kind although the names differ).
type Aligned = (Option<usize>, Option<usize>, bool);

/// Aligns two sibling lists (each in start order).
fn align(a: &[usize], b: &[usize], sa: &Keys, sb: &Keys) -> Vec<Aligned> {
    let (ka, kb, a_err, b_err) = (&sa.key, &sb.key, &sa.error, &sb.error);
    if a.is_empty() || b.is_empty() {
        return a
            .iter()
            .map(|&i| (Some(i), None, false))
            .chain(b.iter().map(|&j| (None, Some(j), false)))
            .collect();
    }
    if a.len() * b.len() > LCS_MAX_CELLS {
        return align_greedy(a, b, ka, kb);
    }
    // Longest common subsequence of keys; table of suffix lengths.
    let (n, m) = (a.len(), b.len());
    let mut t = vec![0u32; (n + 1) * (m + 1)];
    let at = |i: usize, j: usize| i * (m + 1) + j;
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            t[at(i, j)] = if ka[a[i]] == kb[b[j]] {
                t[at(i + 1, j + 1)] + 1
            } else {
                t[at(i + 1, j)].max(t[at(i, j + 1)])
            };
        }
    }
    let mut out = Vec::with_capacity(n.max(m));
    let (mut gap_a, mut gap_b) = (Vec::new(), Vec::new());
    let (mut i, mut j) = (0, 0);
    while i < n && j < m {
        // Equal keys, unless skipping one side keeps the LCS as long and pairs a
        // failed attempt with a success (a retry: match the attempt that worked).
        let status_differs = a_err[a[i]] != b_err[b[j]];
        let skip_a = status_differs && a_err[a[i]] && t[at(i + 1, j)] == t[at(i, j)];
        let skip_b = status_differs && b_err[b[j]] && t[at(i, j + 1)] == t[at(i, j)];
        if ka[a[i]] == kb[b[j]] && !skip_a && !skip_b {
            pair_gap(&mut gap_a, &mut gap_b, ka, kb, &mut out);
            out.push((Some(a[i]), Some(b[j]), false));
            i += 1;
            j += 1;
        } else if skip_a || (!skip_b && t[at(i + 1, j)] >= t[at(i, j + 1)]) {
            gap_a.push(a[i]);
            i += 1;
        } else {
            gap_b.push(b[j]);
            j += 1;
        }
    }
    gap_a.extend(&a[i..]);
    gap_b.extend(&b[j..]);
    pair_gap(&mut gap_a, &mut gap_b, ka, kb, &mut out);
    out
}

/// Unmatched siblings between the same two matched ones: those of the same kind
/// pair up in order (a different tool or step at that point); the rest stay alone.
fn pair_gap(
    gap_a: &mut Vec<usize>,
    gap_b: &mut Vec<usize>,
    ka: &[MatchKey],
    kb: &[MatchKey],
    out: &mut Vec<Aligned>,
) {
    let mut used = vec![false; gap_b.len()];
    let mut next_b = 0;
    for &x in gap_a.iter() {
        let partner = (next_b..gap_b.len()).find(|&k| !used[k] && kb[gap_b[k]].kind == ka[x].kind);
        match partner {
            Some(k) => {
                // B's unpaired siblings before the partner come first.
                for (u, &y) in used.iter_mut().zip(gap_b.iter()).take(k).skip(next_b) {
                    if !*u {
                        *u = true;
                        out.push((None, Some(y), false));
                    }
                }
                used[k] = true;
                next_b = k + 1;
                out.push((Some(x), Some(gap_b[k]), true));
            }
            None => out.push((Some(x), None, false)),
        }
    }
    for (k, &y) in gap_b.iter().enumerate() {
        if !used[k] {
            out.push((None, Some(y), false));
        }
    }
    gap_a.clear();
    gap_b.clear();
}

/// Wide fan-outs: the n-th sibling of a key in A matches the n-th of that key in B;
/// A's order, then B's unmatched siblings.
fn align_greedy(a: &[usize], b: &[usize], ka: &[MatchKey], kb: &[MatchKey]) -> Vec<Aligned> {
    let mut by_key: std::collections::HashMap<&MatchKey, std::collections::VecDeque<usize>> =
        Default::default();
    for &j in b {
        by_key.entry(&kb[j]).or_default().push_back(j);
    }
    let mut out: Vec<Aligned> = a
        .iter()
        .map(|&i| {
            let j = by_key.get_mut(&ka[i]).and_then(|q| q.pop_front());
            (Some(i), j, false)
        })
        .collect();
    let matched: std::collections::HashSet<usize> = out.iter().filter_map(|r| r.1).collect();
    out.extend(
        b.iter()
            .filter(|j| !matched.contains(j))
            .map(|&j| (None, Some(j), false)),
    );
    out
}

/// The matched tree in display order: (depth, span in A, span in B, paired by kind
/// with a different name). A single root on each side is always paired (two
/// services' entry points have different names).
pub(super) fn matched_rows(
    a: &[Span],
    fa: &SpanForest,
    b: &[Span],
    fb: &SpanForest,
) -> Vec<(usize, Option<usize>, Option<usize>, bool)> {
    let (sa, sb) = (Keys::of(a), Keys::of(b));
    let roots = if fa.roots.len() == 1 && fb.roots.len() == 1 {
        let (ra, rb) = (fa.roots[0], fb.roots[0]);
        vec![(Some(ra), Some(rb), sa.key[ra] != sb.key[rb])]
    } else {
        align(&fa.roots, &fb.roots, &sa, &sb)
    };
    let mut out = Vec::with_capacity(a.len().max(b.len()));
    let mut stack: Vec<(usize, Aligned)> = roots.into_iter().rev().map(|r| (0, r)).collect();
    while let Some((depth, (ia, ib, renamed))) = stack.pop() {
        out.push((depth, ia, ib, renamed));
        let none: &[usize] = &[];
        let kids_a = ia.map_or(none, |i| fa.children[i].as_slice());
        let kids_b = ib.map_or(none, |j| fb.children[j].as_slice());
        for r in align(kids_a, kids_b, &sa, &sb).into_iter().rev() {
            stack.push((depth + 1, r));
        }
    }
    out
}
