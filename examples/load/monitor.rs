//! Progress of a load run over time: acknowledged spans, the rate over the last
//! interval, back-pressure answers, and (when given) the server's resident memory and
//! the data directory's size on disk. Printed as a table and optionally written as
//! CSV, so a soak's RSS and disk curves can be kept and plotted.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// What the clients share with the monitor.
#[derive(Default)]
pub struct Counters {
    /// Next request number (the pacing schedule and the ids derive from it).
    pub next_seq: AtomicU64,
    /// Spans acknowledged so far.
    pub acked: AtomicU64,
    /// Answers that were UNAVAILABLE (retried).
    pub unavailable: AtomicU64,
}

/// Where to look and where to write.
pub struct MonitorOptions {
    pub every: Duration,
    pub server_pid: Option<u32>,
    pub watch_dir: Option<PathBuf>,
    pub csv: Option<PathBuf>,
}

/// One sample line.
struct Sample {
    t: f64,
    acked: u64,
    rate: f64,
    unavailable: u64,
    rss_kib: Option<u64>,
    hwm_kib: Option<u64>,
    disk_bytes: Option<u64>,
}

/// Samples every `opts.every` until aborted; prints each sample and appends it to the
/// CSV file.
pub async fn run(counters: Arc<Counters>, start: Instant, opts: MonitorOptions) {
    let mut csv = opts.csv.as_ref().and_then(|p| {
        let mut f = std::fs::File::create(p)
            .map_err(|e| eprintln!("cannot write {}: {e}", p.display()))
            .ok()?;
        let _ = writeln!(
            f,
            "seconds,acked_spans,spans_per_s,unavailable,server_rss_mib,server_peak_rss_mib,disk_mib"
        );
        Some(f)
    });
    eprintln!(
        "  {:>6}  {:>11}  {:>8}  {:>7}  {:>8}  {:>8}  {:>9}",
        "t (s)", "acked", "spans/s", "503s", "RSS MiB", "peak MiB", "disk MiB"
    );
    let (mut last_acked, mut last_t) = (0u64, 0f64);
    for k in 1u32.. {
        tokio::time::sleep_until((start + opts.every * k).into()).await;
        let t = start.elapsed().as_secs_f64();
        let acked = counters.acked.load(Ordering::Relaxed);
        let mem = opts.server_pid.and_then(memory_kib);
        let s = Sample {
            t,
            acked,
            rate: (acked - last_acked) as f64 / (t - last_t),
            unavailable: counters.unavailable.load(Ordering::Relaxed),
            rss_kib: mem.map(|m| m.0),
            hwm_kib: mem.map(|m| m.1),
            disk_bytes: opts.watch_dir.as_deref().map(disk_usage),
        };
        (last_acked, last_t) = (acked, t);
        let mib =
            |v: Option<u64>, div: f64| v.map_or("-".into(), |v| format!("{:.0}", v as f64 / div));
        let cells = [
            format!("{:.0}", s.t),
            s.acked.to_string(),
            format!("{:.0}", s.rate),
            s.unavailable.to_string(),
            mib(s.rss_kib, 1024.0),
            mib(s.hwm_kib, 1024.0),
            mib(s.disk_bytes, 1048576.0),
        ];
        eprintln!(
            "  {:>6}  {:>11}  {:>8}  {:>7}  {:>8}  {:>8}  {:>9}",
            cells[0], cells[1], cells[2], cells[3], cells[4], cells[5], cells[6]
        );
        if let Some(f) = csv.as_mut() {
            let _ = writeln!(f, "{}", cells.join(","));
            let _ = f.flush();
        }
    }
}

/// (VmRSS, VmHWM) of a process in KiB.
fn memory_kib(pid: u32) -> Option<(u64, u64)> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
    };
    Some((field("VmRSS:")?, field("VmHWM:")?))
}

/// Bytes allocated on disk under `dir` (like `du -s`: blocks, not apparent size).
pub fn disk_usage(dir: &Path) -> u64 {
    use std::os::unix::fs::MetadataExt;
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    entries
        .flatten()
        .map(|e| match e.metadata() {
            Ok(m) if m.is_dir() => disk_usage(&e.path()),
            Ok(m) => m.blocks() * 512,
            Err(_) => 0,
        })
        .sum()
}
