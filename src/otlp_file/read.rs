//! Reading an OTLP file: format detection and parsing, bad records reported with
//! their line numbers (untrusted input: never panics).

use std::io::Read;

use opentelemetry_proto::tonic::collector::logs::v1::ExportLogsServiceRequest;
use opentelemetry_proto::tonic::collector::metrics::v1::ExportMetricsServiceRequest;
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use prost::Message;
use serde_json::Value;

use super::OtlpRequest;

/// Largest inflated size of a gzip file.
const MAX_INFLATED: u64 = 4 << 30;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileFormat {
    Protobuf,
    OtlpJson,
    JsonLines,
}

impl FileFormat {
    pub fn as_str(&self) -> &'static str {
        match self {
            FileFormat::Protobuf => "protobuf",
            FileFormat::OtlpJson => "OTLP/JSON",
            FileFormat::JsonLines => "JSON Lines",
        }
    }
}

/// A record that could not be read: its 1-based line (0 for a binary file) and why.
#[derive(Debug, Clone, PartialEq)]
pub struct BadRecord {
    pub line: usize,
    pub reason: String,
}

/// What a file held.
#[derive(Debug, Default)]
pub struct ParsedFile {
    pub format: Option<FileFormat>,
    pub requests: Vec<OtlpRequest>,
    pub bad: Vec<BadRecord>,
}

/// Parses a file's bytes; `name` (the file name) hints the signal of protobuf files.
pub fn parse_file(name: &str, bytes: &[u8]) -> ParsedFile {
    if bytes.starts_with(&[0x1f, 0x8b]) {
        let mut out = Vec::new();
        let mut dec = flate2::read::GzDecoder::new(bytes).take(MAX_INFLATED);
        return match dec.read_to_end(&mut out) {
            Ok(_) => parse_file(name.trim_end_matches(".gz"), &out),
            Err(e) => ParsedFile {
                bad: vec![bad(0, format!("not valid gzip: {e}"))],
                ..Default::default()
            },
        };
    }
    let text_start = bytes
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .map(|i| &bytes[i..]);
    match text_start {
        None => ParsedFile::default(),
        Some(rest) if rest.first() == Some(&b'{') => parse_json(bytes),
        Some(_) => parse_protobuf(name, bytes),
    }
}

fn bad(line: usize, reason: impl Into<String>) -> BadRecord {
    BadRecord {
        line,
        reason: crate::util::sanitize_for_terminal(&reason.into()),
    }
}

fn parse_json(bytes: &[u8]) -> ParsedFile {
    let text = String::from_utf8_lossy(bytes);
    let first = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    let one_per_line = serde_json::from_str::<Value>(first).is_ok_and(|v| v.is_object());
    let mut out = ParsedFile::default();
    if one_per_line {
        out.format = Some(FileFormat::JsonLines);
        for (i, line) in text.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            match serde_json::from_str::<Value>(line) {
                Ok(v) => match request_from_json(v) {
                    Ok(Some(r)) => out.requests.push(r),
                    Ok(None) => {}
                    Err(e) => out.bad.push(bad(i + 1, e)),
                },
                Err(e) => out.bad.push(bad(i + 1, format!("not JSON: {e}"))),
            }
        }
        return out;
    }
    out.format = Some(FileFormat::OtlpJson);
    let mut stream = serde_json::Deserializer::from_slice(bytes).into_iter::<Value>();
    loop {
        let at = line_of(bytes, stream.byte_offset());
        match stream.next() {
            None => break,
            Some(Ok(v)) => match request_from_json(v) {
                Ok(Some(r)) => out.requests.push(r),
                Ok(None) => {}
                Err(e) => out.bad.push(bad(at, e)),
            },
            Some(Err(e)) => {
                // The rest of the stream cannot be re-synchronised.
                out.bad
                    .push(bad(e.line().max(at), format!("not JSON: {e}")));
                break;
            }
        }
    }
    out
}

/// 1-based line of the first non-blank byte at or after `offset`.
fn line_of(bytes: &[u8], offset: usize) -> usize {
    let offset = offset.min(bytes.len());
    let skip = bytes[offset..]
        .iter()
        .take_while(|b| b.is_ascii_whitespace())
        .count();
    bytes[..offset + skip]
        .iter()
        .filter(|b| **b == b'\n')
        .count()
        + 1
}

/// One JSON value as a request; `Ok(None)` for an empty object.
fn request_from_json(v: Value) -> Result<Option<OtlpRequest>, String> {
    let Some(obj) = v.as_object() else {
        return Err("not a JSON object".into());
    };
    if obj.is_empty() {
        return Ok(None);
    }
    let signal = ["resourceSpans", "resourceLogs", "resourceMetrics"]
        .into_iter()
        .find(|k| obj.contains_key(*k));
    let parsed = match signal {
        Some("resourceSpans") => serde_json::from_value(v).map(OtlpRequest::Traces),
        Some("resourceLogs") => serde_json::from_value(v).map(OtlpRequest::Logs),
        Some("resourceMetrics") => serde_json::from_value(v).map(OtlpRequest::Metrics),
        _ => {
            return Err(
                "not an OTLP export request (no resourceSpans, resourceLogs or resourceMetrics)"
                    .into(),
            );
        }
    };
    parsed
        .map(Some)
        .map_err(|e| format!("malformed OTLP/JSON: {e}"))
}

/// Tries the signals in the order the file name suggests; the first that decodes to
/// something plausible wins.
fn parse_protobuf(name: &str, bytes: &[u8]) -> ParsedFile {
    let lower = name.to_ascii_lowercase();
    let order: [u8; 3] = if lower.contains("log") {
        [1, 0, 2]
    } else if lower.contains("metric") {
        [2, 0, 1]
    } else {
        [0, 1, 2]
    };
    for signal in order {
        let found = match signal {
            0 => ExportTraceServiceRequest::decode(bytes)
                .ok()
                .filter(plausible_traces)
                .map(OtlpRequest::Traces),
            1 => ExportLogsServiceRequest::decode(bytes)
                .ok()
                .filter(|r| {
                    r.resource_logs
                        .iter()
                        .flat_map(|r| &r.scope_logs)
                        .any(|s| !s.log_records.is_empty())
                })
                .map(OtlpRequest::Logs),
            _ => ExportMetricsServiceRequest::decode(bytes)
                .ok()
                .filter(|r| {
                    r.resource_metrics
                        .iter()
                        .flat_map(|r| &r.scope_metrics)
                        .flat_map(|s| &s.metrics)
                        .any(|m| !m.name.is_empty())
                })
                .map(OtlpRequest::Metrics),
        };
        if let Some(r) = found {
            return ParsedFile {
                format: Some(FileFormat::Protobuf),
                requests: vec![r],
                bad: Vec::new(),
            };
        }
    }
    ParsedFile {
        format: Some(FileFormat::Protobuf),
        requests: Vec::new(),
        bad: vec![bad(
            0,
            "neither OTLP/JSON nor an OTLP protobuf export request with spans, log records or metrics",
        )],
    }
}

fn plausible_traces(r: &ExportTraceServiceRequest) -> bool {
    let mut spans = r
        .resource_spans
        .iter()
        .flat_map(|r| &r.scope_spans)
        .flat_map(|s| &s.spans)
        .peekable();
    spans.peek().is_some() && spans.all(|s| s.trace_id.len() == 16 && s.span_id.len() == 8)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::otlp_file::ExportFormat;

    fn fixture(path: &str) -> Vec<u8> {
        std::fs::read(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("tests/fixtures")
                .join(path),
        )
        .unwrap()
    }

    #[test]
    fn protobuf_files_are_recognised_by_content() {
        let p = parse_file("x.bin", &fixture("openai-v2-events/001-logs.pb"));
        assert!(matches!(p.requests[..], [OtlpRequest::Logs(_)]), "{p:?}");
        let p = parse_file("x.bin", &fixture("openai-v2/001-traces.pb"));
        assert!(matches!(p.requests[..], [OtlpRequest::Traces(_)]));
        let p = parse_file("junk", b"\x08\x96\x01garbage");
        assert!(p.requests.is_empty() && p.bad.len() == 1);
    }

    #[test]
    fn json_documents_and_json_lines_with_bad_lines() {
        let doc = fixture("plain/001-traces.json");
        let p = parse_file("a.json", &doc);
        assert_eq!(p.format, Some(FileFormat::OtlpJson));
        assert_eq!(p.requests.len(), 1);
        // Two documents one after another.
        let mut two = doc.clone();
        two.extend_from_slice(&fixture("openai-v2-events/001-logs.json"));
        let p = parse_file("a.json", &two);
        assert_eq!(p.requests.len(), 2, "{:?}", p.bad);

        let line = p.requests[0].encode(ExportFormat::Jsonl).unwrap();
        let mut jsonl = line.clone();
        jsonl.extend_from_slice(b"{not json\n\n{\"hello\": 1}\n");
        jsonl.extend_from_slice(&line);
        let p = parse_file("a.jsonl", &jsonl);
        assert_eq!(p.format, Some(FileFormat::JsonLines));
        assert_eq!(p.requests.len(), 2);
        let lines: Vec<usize> = p.bad.iter().map(|b| b.line).collect();
        assert_eq!(lines, vec![2, 4], "{:?}", p.bad);
        assert!(p.bad[1].reason.contains("not an OTLP export request"));
    }

    #[test]
    fn a_broken_document_names_its_line() {
        let text = b"{\n \"resourceSpans\": []\n}\n{\n  \"resourceSpans\": [\n  oops\n";
        let p = parse_file("a.json", text);
        assert_eq!(p.format, Some(FileFormat::OtlpJson));
        assert_eq!(p.bad.len(), 1);
        assert_eq!(p.bad[0].line, 6, "{:?}", p.bad);
    }

    #[test]
    fn gzip_is_inflated() {
        use std::io::Write;
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        e.write_all(&fixture("plain/001-traces.json")).unwrap();
        let p = parse_file("a.json.gz", &e.finish().unwrap());
        assert_eq!(p.requests.len(), 1);
    }
}
