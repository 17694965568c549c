//! `--forward URL` and its companions, taken by `spanlens serve` and by `spanlens`
//! (receiver + TUI): turned into the server's [`ForwardOptions`].

use clap::Args;

use super::CliError;
use crate::forward::{DEFAULT_QUEUE_BYTES, DEFAULT_QUEUE_LEN, ForwardOptions, ForwardTarget};

#[derive(Debug, Clone, Default, Args)]
pub struct ForwardArgs {
    /// Re-export everything received to this OTLP receiver: grpc://host:4317 or
    /// http://host:4318/v1/traces (a Collector, another spanlens, …)
    #[arg(long, value_name = "URL")]
    pub forward: Option<String>,
    /// Bearer token sent to the --forward receiver
    #[arg(long, value_name = "TOKEN", hide_env_values = true)]
    pub forward_token: Option<String>,
    /// Requests waiting to be forwarded before new ones are dropped (and counted)
    #[arg(long, value_name = "N", default_value_t = DEFAULT_QUEUE_LEN)]
    pub forward_queue: usize,
    /// Largest total size (MiB, protobuf) of the requests waiting to be forwarded
    #[arg(long, value_name = "MIB", default_value_t = DEFAULT_QUEUE_BYTES >> 20)]
    pub forward_queue_mb: u64,
}

/// Refuses a target that is this process's own receiver (it would loop forever).
pub fn check_not_self(
    opts: Option<&ForwardOptions>,
    grpc: &[String],
    http: &[String],
) -> Result<(), CliError> {
    let own: Vec<String> = grpc.iter().chain(http).cloned().collect();
    match opts {
        Some(o) if o.target.points_at(&own) => Err(CliError::Usage(format!(
            "--forward {} points at this spanlens's own receiver; that would loop forever",
            o.target
        ))),
        _ => Ok(()),
    }
}

impl ForwardArgs {
    /// The server's forwarding options, or `None` without `--forward`. The counters
    /// are registered for this process's status bar.
    pub fn options(&self) -> Result<Option<ForwardOptions>, CliError> {
        let Some(url) = &self.forward else {
            return Ok(None);
        };
        let target = ForwardTarget::parse(url).map_err(|e| CliError::Usage(e.to_string()))?;
        let mut opts = ForwardOptions::new(target);
        opts.token = self.forward_token.clone();
        opts.queue_len = self.forward_queue.max(1);
        opts.queue_bytes = self.forward_queue_mb.max(1) << 20;
        crate::forward::register_active(opts.stats.clone());
        Ok(Some(opts))
    }
}
