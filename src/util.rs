//! Small helpers shared across layers: clocks and duration parsing.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Wall-clock now, in Unix nanoseconds.
pub fn now_unix_nano() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(0)
}

/// Why a duration did not parse.
#[derive(Debug, thiserror::Error)]
#[error("not a duration: {0:?} (use e.g. 30s, 15m, 2h, 7d)")]
pub struct DurationError(String);

/// Parses `500ms`, `30s`, `15m`, `2h`, `7d`, `1w` (a bare number is seconds).
pub fn parse_duration(text: &str) -> Result<Duration, DurationError> {
    let t = text.trim();
    let split = t
        .find(|c: char| !c.is_ascii_digit() && c != '.')
        .unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let n: f64 = num.parse().map_err(|_| DurationError(text.to_string()))?;
    let secs = match unit.trim() {
        "ms" => n / 1000.0,
        "" | "s" | "sec" => n,
        "m" | "min" => n * 60.0,
        "h" => n * 3600.0,
        "d" => n * 86_400.0,
        "w" => n * 604_800.0,
        _ => return Err(DurationError(text.to_string())),
    };
    // Up to 500 years ("--since 100000d" means "everything"); beyond, it would
    // overflow nanosecond arithmetic (u64 nanoseconds end at 584 years).
    const MAX_SECS: f64 = 500.0 * 365.25 * 86_400.0;
    if !secs.is_finite() || !(0.0..=MAX_SECS).contains(&secs) {
        return Err(DurationError(text.to_string()));
    }
    Duration::try_from_secs_f64(secs).map_err(|_| DurationError(text.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_units_users_type() {
        assert_eq!(parse_duration("15m").unwrap(), Duration::from_secs(900));
        assert_eq!(parse_duration("2h").unwrap(), Duration::from_secs(7200));
        assert_eq!(parse_duration("500ms").unwrap(), Duration::from_millis(500));
        assert_eq!(parse_duration("90").unwrap(), Duration::from_secs(90));
        assert!(parse_duration("soon").is_err());
        assert!(parse_duration("5y").is_err());
    }

    #[test]
    fn absurd_durations_are_refused_not_a_panic() {
        // Found by the filter_query fuzz target: `duration>699…9` panicked in
        // Duration::from_secs_f64, taking the TUI down from the filter line.
        let huge = format!("{}s", "9".repeat(40));
        assert!(parse_duration(&huge).is_err());
        assert!(parse_duration("1e400").is_err());
        assert!(parse_duration("101y").is_err());
        assert!(parse_duration("200000d").is_err());
        assert_eq!(
            parse_duration("100000d").unwrap(),
            Duration::from_secs(100_000 * 86_400)
        );
    }
}

/// Makes untrusted text safe to print on a terminal: control characters (C0, DEL,
/// C1), and bidi overrides/isolates become visible escapes like `\x1b` or `\u{202e}`,
/// so no byte from the network can move the cursor, set a title or hide text.
pub fn sanitize_for_terminal(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\n' | '\t' => out.push(c),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                out.push_str(&format!("\\x{:02x}", c as u32));
            }
            c if (0x80..0xa0).contains(&(c as u32))
                || matches!(c as u32, 0x200e | 0x200f | 0x202a..=0x202e | 0x2066..=0x2069) =>
            {
                out.push_str(&format!("\\u{{{:x}}}", c as u32));
            }
            c => out.push(c),
        }
    }
    out
}

/// `2026-11-27 18:30:01Z` from Unix nanoseconds (UTC; no time-zone database needed).
pub fn format_utc(unix_nano: u64) -> String {
    let secs = (unix_nano / 1_000_000_000) as i64;
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    // Civil-from-days (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02}:{:02}Z",
        rem / 3600,
        (rem % 3600) / 60,
        rem % 60
    )
}

#[cfg(test)]
mod screen_tests {
    use super::*;

    #[test]
    fn escapes_never_reach_the_terminal_raw() {
        let evil = "a\x1b[2Jb\x1b]0;title\x07c\u{202e}d\u{9b}e\x7f";
        let safe = sanitize_for_terminal(evil);
        assert!(
            !safe
                .chars()
                .any(|c| c.is_control() && c != '\n' && c != '\t')
        );
        assert!(!safe.contains('\u{202e}'));
        assert_eq!(safe, "a\\x1b[2Jb\\x1b]0;title\\x07c\\u{202e}d\\u{9b}e\\x7f");
    }

    #[test]
    fn formats_utc_dates() {
        assert_eq!(format_utc(0), "1970-01-01 00:00:00Z");
        assert_eq!(
            format_utc(1_764_268_201_000_000_000),
            "2025-11-27 18:30:01Z"
        );
    }
}

/// RFC 3339 with milliseconds, `2026-11-27T18:30:01.123Z` (UTC).
pub fn format_rfc3339(unix_nano: u64) -> String {
    let plain = format_utc(unix_nano);
    let millis = (unix_nano / 1_000_000) % 1_000;
    format!(
        "{}.{millis:03}Z",
        plain.trim_end_matches('Z').replacen(' ', "T", 1)
    )
}

/// A size like `500MB`, `2GiB`, `1.5G`, `4096` (bytes). `K/M/G/T` and `KB/MB/…` are
/// powers of 1000; `KiB/MiB/…` powers of 1024.
pub fn parse_size(text: &str) -> Result<u64, String> {
    let t = text.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let n: f64 = num
        .parse()
        .map_err(|_| format!("{text:?} is not a size (e.g. 500MB, 2GiB)"))?;
    let mult: f64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1.0,
        "k" | "kb" => 1e3,
        "m" | "mb" => 1e6,
        "g" | "gb" => 1e9,
        "t" | "tb" => 1e12,
        "kib" => 1024.0,
        "mib" => 1024.0 * 1024.0,
        "gib" => 1024.0 * 1024.0 * 1024.0,
        "tib" => 1024.0 * 1024.0 * 1024.0 * 1024.0,
        other => {
            return Err(format!(
                "unknown size unit {other:?} in {text:?} (use MB, GiB, …)"
            ));
        }
    };
    let bytes = n * mult;
    if !bytes.is_finite() || bytes < 1.0 {
        return Err(format!("{text:?} is not a positive size"));
    }
    Ok(bytes as u64)
}

#[cfg(test)]
mod size_tests {
    use super::parse_size;

    #[test]
    fn sizes_parse_in_both_unit_systems_and_nonsense_is_refused() {
        assert_eq!(parse_size("500MB"), Ok(500_000_000));
        assert_eq!(parse_size("2GiB"), Ok(2 * 1024 * 1024 * 1024));
        assert_eq!(parse_size("1.5g"), Ok(1_500_000_000));
        assert_eq!(parse_size("4096"), Ok(4096));
        assert!(parse_size("lots").is_err());
        assert!(parse_size("5 parsecs").is_err());
        assert!(parse_size("0MB").is_err());
    }
}
