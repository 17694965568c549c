//! The short version of the fuzz targets, run by `cargo test` (and so by `.ci/run`):
//! each target's check (`fuzz/checks/*.rs`, the same code `cargo fuzz` runs) gets
//! every saved crash from `tests/fixtures/fuzz-regressions/`, its seeds (the fixture
//! payloads, filters and config files) and a fixed number of seeded mutations of them.
//! The long runs are `cargo fuzz` (docs/RELIABILITY.md). A finding is saved under the
//! test's temp dir with the command to keep it as a regression.
//!
//! `SPANLENS_FUZZ_ITERS` (default 1) multiplies the mutation counts;
//! `SPANLENS_FUZZ_SEED` changes the mutation sequence.

#[path = "../../fuzz/checks/config.rs"]
mod config;
#[path = "../../fuzz/checks/filter_query.rs"]
mod filter_query;
#[path = "../../fuzz/checks/http_handler.rs"]
mod http_handler;
#[path = "../../fuzz/checks/otlp_json.rs"]
mod otlp_json;
#[path = "../../fuzz/checks/pipeline.rs"]
mod pipeline;

use std::path::{Path, PathBuf};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// Every fixture payload ending in `ext`, with its file name.
fn payloads(ext: &str) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    for dir in std::fs::read_dir(fixtures()).unwrap().flatten() {
        let Ok(files) = std::fs::read_dir(dir.path()) else {
            continue;
        };
        for f in files.flatten() {
            let name = f.file_name().to_string_lossy().into_owned();
            if name.ends_with(ext) {
                out.push((name, std::fs::read(f.path()).unwrap()));
            }
        }
    }
    out.sort();
    assert!(!out.is_empty(), "no *{ext} fixtures");
    out
}

/// The saved findings of one target (`fuzz-regressions/<target>-*`).
fn regressions(target: &str) -> Vec<Vec<u8>> {
    let dir = fixtures().join("fuzz-regressions");
    let mut out: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .filter(|f| {
            f.file_name()
                .to_string_lossy()
                .starts_with(&format!("{target}-"))
        })
        .map(|f| std::fs::read(f.path()).unwrap())
        .collect();
    out.sort();
    out
}

/// splitmix64, so a run is reproducible from its seed.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// One to four libFuzzer-style edits of `input`: bit flips, boundary bytes, inserted
/// and deleted runs, copied runs, a splice with another seed, dictionary tokens.
fn mutate(rng: &mut Rng, input: &[u8], seeds: &[Vec<u8>], dict: &[&str]) -> Vec<u8> {
    let mut b = input.to_vec();
    for _ in 0..1 + rng.below(4) {
        let len = b.len();
        let at = rng.below(len + 1);
        match rng.below(8) {
            0 if len > 0 => b[at.min(len - 1)] ^= 1 << rng.below(8),
            1 if len > 0 => {
                b[at.min(len - 1)] = [0, 0xff, 0x7f, 0x80, 0x01, rng.next() as u8][rng.below(6)]
            }
            2 => {
                let n = 1 + rng.below(8);
                let bytes: Vec<u8> = (0..n).map(|_| rng.next() as u8).collect();
                b.splice(at..at, bytes);
            }
            3 if len > 0 => {
                let end = (at + 1 + rng.below(64)).min(len);
                b.drain(at.min(len - 1)..end);
            }
            4 if len > 0 => {
                let from = rng.below(len);
                let end = (from + 1 + rng.below(256)).min(len);
                let run = b[from..end].to_vec();
                b.splice(at..at, run);
            }
            5 if !seeds.is_empty() => {
                let other = &seeds[rng.below(seeds.len())];
                let cut = rng.below(other.len() + 1);
                b.truncate(at);
                b.extend_from_slice(&other[cut..]);
            }
            6 if !dict.is_empty() => {
                let token = dict[rng.below(dict.len())].as_bytes().to_vec();
                b.splice(at..at, token);
            }
            _ => b.truncate(at),
        }
    }
    b
}

fn multiplier() -> usize {
    std::env::var("SPANLENS_FUZZ_ITERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1)
}

/// Runs `check` on the regressions, the seeds and `mutations` mutants; fails with the
/// saved input on the first panic.
fn replay(target: &str, check: fn(&[u8]), seeds: Vec<Vec<u8>>, dict: &[&str], mutations: usize) {
    let seed = std::env::var("SPANLENS_FUZZ_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0x5EED_u64);
    let mut rng = Rng(seed ^ target.len() as u64);
    let mut inputs = regressions(target);
    inputs.extend(seeds.iter().cloned());
    let fixed = inputs.len();
    for _ in 0..mutations * multiplier() {
        let base = &seeds[rng.below(seeds.len())];
        inputs.push(mutate(&mut rng, base, &seeds, dict));
    }
    for (i, input) in inputs.iter().enumerate() {
        if let Err(panic) = std::panic::catch_unwind(|| check(input)) {
            let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("fuzz-findings");
            std::fs::create_dir_all(&dir).unwrap();
            let path = dir.join(format!("{target}-{seed}-{i}"));
            std::fs::write(&path, input).unwrap();
            let msg = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            panic!(
                "{target}: input {i} ({}) panicked: {msg}\nsaved to {}; keep it with\n  cp {} tests/fixtures/fuzz-regressions/{target}-<what>",
                if i < fixed { "saved or seed" } else { "mutant" },
                path.display(),
                path.display()
            );
        }
    }
}

#[test]
fn pipeline_survives_its_regressions_seeds_and_mutants() {
    let seeds = payloads(".pb").into_iter().map(|(_, b)| b).collect();
    replay("pipeline", pipeline::check, seeds, &[], 150);
}

#[test]
fn otlp_json_survives_its_regressions_seeds_and_mutants() {
    let seeds = payloads(".json").into_iter().map(|(_, b)| b).collect();
    let dict = [
        "\"traceId\":\"",
        "\"spanId\":\"",
        "\"intValue\":\"",
        "\"stringValue\":",
        "\"arrayValue\":{\"values\":[",
        "\"kvlistValue\":{\"values\":[",
        "\"startTimeUnixNano\":\"",
        "18446744073709551615",
        "-1",
        "1e309",
        "null",
        "\\u0000",
        "\\u001b[2J",
    ];
    replay("otlp_json", otlp_json::check, seeds, &dict, 1_500);
}

#[test]
fn http_handler_survives_its_regressions_seeds_and_mutants() {
    // Selector byte: path (bits 0-1), content type (2-3), encoding (4-5).
    let mut seeds = Vec::new();
    for (ext, ctype) in [(".pb", 0u8), (".json", 1)] {
        for (name, body) in payloads(ext) {
            let path = if name.contains("logs") { 1u8 } else { 0 };
            for encoding in [0u8, 1] {
                let mut s = vec![path | ctype << 2 | encoding << 4];
                s.extend_from_slice(&body);
                seeds.push(s);
            }
        }
    }
    replay("http_handler", http_handler::check, seeds, &[], 600);
}

const FILTERS: &[&str] = &[
    "service:billing model:gpt tokens>10k \"quoted words\" status:error duration>2s name~x",
    "cost>0.01 session:abc -status:ok",
    "duration<500ms eval:fail user:alice",
    "tokens>=1m model:claude-3-5-sonnet since:1h",
];

#[test]
fn filter_query_survives_its_regressions_seeds_and_mutants() {
    let seeds = FILTERS.iter().map(|f| f.as_bytes().to_vec()).collect();
    let dict = [
        "duration>",
        "tokens>",
        "cost>",
        "99999999999999999999999",
        "k",
        "m",
        "ms",
        "h",
        "d",
        ":",
        "~",
        "\"",
        "-",
        "é",
        "\u{1b}",
    ];
    replay("filter_query", filter_query::check, seeds, &dict, 4_000);
}

const CONFIGS: &[&str] = &[
    "[redaction]\nemails = true\nphones = true\nkeys = [\"x-api-key\"]\npatterns = [\"ACCT-\\\\d+\"]\n",
    "[[evaluators]]\nname = \"j\"\nkind = \"json_valid\"\n\n[[evaluators]]\nname = \"r\"\nkind = \"regex\"\npattern = \"^ok\"\n\n[[evaluators]]\nname = \"lat\"\nkind = \"max_latency\"\nthreshold = \"2s\"\n\n[experiments]\nkey = \"exp\"\n",
    "[[error_classes]]\nname = \"x\"\nmatch_type = \"Foo\"\n\n[[error_classes]]\nname = \"quota\"\nmatch_message = \"quota\"\n",
    "max_age = \"7d\"\n[budgets]\ndaily_usd = 5.0\n[commands.serve]\ncache_mb = 64\n",
];

#[test]
fn config_survives_its_regressions_seeds_and_mutants() {
    let seeds = CONFIGS.iter().map(|c| c.as_bytes().to_vec()).collect();
    let dict = [
        "[redaction]\n",
        "[[evaluators]]\n",
        "[[error_classes]]\n",
        "patterns = [\"",
        "(((",
        "\\\\",
        "kind = \"contains\"\n",
        "= 1e400\n",
        "= -1\n",
        "\"\"\"",
    ];
    replay("config", config::check, seeds, &dict, 2_000);
}
