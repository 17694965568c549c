//! `spanlens export [--trace ID] [--since DUR] [--format otlp-json|jsonl] [-o FILE]`:
//! stored traces (spans and the log records joined to them) as OTLP files that
//! `spanlens import` — or any OTLP/JSON reader — reads back. Reads the live owner's
//! API when one runs, else the store.

use std::io::Write;
use std::path::PathBuf;

use clap::Args;

use super::{CliError, CommonArgs};
use crate::model::{LogRecord, TraceId};
use crate::otlp_file::from_model::{logs_request, trace_request};
use crate::otlp_file::{ExportFormat, OtlpRequest};
use crate::query::TraceDetail;
use crate::store::TraceQuery;
use crate::util::{now_unix_nano, parse_duration};

#[derive(Debug, Args)]
pub struct ExportArgs {
    #[command(flatten)]
    pub tls: super::ClientTlsArgs,
    /// Only this trace (32 hex digits)
    #[arg(long, value_name = "ID")]
    pub trace: Option<String>,
    /// Only traces that started within this long ago (e.g. 15m, 2h, 7d)
    #[arg(long, value_name = "DUR")]
    pub since: Option<String>,
    /// otlp-json: pretty OTLP/JSON documents; jsonl: one request per line (Collector file exporter)
    #[arg(long, value_enum, default_value = "otlp-json")]
    pub format: ExportFormat,
    /// Write here instead of standard output (created readable by this user only, 0600)
    #[arg(short = 'o', long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// The requests that carry one stored trace: its spans, then its log records.
pub fn trace_requests(detail: &TraceDetail) -> Vec<OtlpRequest> {
    let mut out = vec![OtlpRequest::Traces(trace_request(&detail.spans))];
    let mut logs: Vec<LogRecord> = detail
        .logs
        .iter()
        .flatten()
        .chain(&detail.unjoined_logs)
        .cloned()
        .collect();
    logs.sort_by_key(LogRecord::timestamp);
    if !logs.is_empty() {
        out.push(OtlpRequest::Logs(logs_request(&logs)));
    }
    out
}

pub fn export(common: &CommonArgs, args: &ExportArgs) -> Result<(), CliError> {
    let ids: Vec<TraceId> = match &args.trace {
        Some(t) => vec![t.parse().map_err(|e| CliError::Usage(format!("{e}")))?],
        None => Vec::new(),
    };
    let since = args
        .since
        .as_deref()
        .map(|t| {
            parse_duration(t)
                .map(|d| now_unix_nano().saturating_sub(d.as_nanos() as u64))
                .map_err(|e| CliError::Usage(e.to_string()))
        })
        .transpose()?;
    let source = super::query_cmds::open_typed_source(common)?;
    let ids = if args.trace.is_some() {
        ids
    } else {
        let mut list = source.list(&TraceQuery {
            limit: Some(usize::MAX >> 1),
            since_unix_nano: since,
            ..Default::default()
        })?;
        // Oldest first, so a re-import replays history in order.
        list.reverse();
        list.into_iter().map(|s| s.trace_id).collect()
    };
    let mut sink: Box<dyn Write> = match &args.output {
        // Stored prompts: readable by this user only, like the store.
        Some(p) => Box::new(std::io::BufWriter::new(
            crate::private_files::create_private(p, false)?,
        )),
        None => Box::new(std::io::BufWriter::new(std::io::stdout().lock())),
    };
    let (mut traces, mut spans, mut logs) = (0u64, 0u64, 0u64);
    for id in ids {
        let Some(detail) = source.detail(id)? else {
            if args.trace.is_some() {
                return Err(CliError::NotFound(id.to_string()));
            }
            continue;
        };
        traces += 1;
        for req in trace_requests(&detail) {
            match &req {
                OtlpRequest::Logs(_) => logs += req.item_count(),
                _ => spans += req.item_count(),
            }
            let bytes = req
                .encode(args.format)
                .map_err(|e| CliError::Usage(format!("cannot encode trace {id}: {e}")))?;
            sink.write_all(&bytes)?;
        }
    }
    sink.flush()?;
    if let Some(p) = &args.output {
        eprintln!(
            "spanlens: exported {traces} traces ({spans} spans, {logs} log records) to {}",
            p.display()
        );
    }
    Ok(())
}
