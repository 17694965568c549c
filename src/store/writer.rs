//! The group-commit writer: one thread owns writes. Requests queue on a bounded
//! channel; the writer takes everything queued, writes it as one batch, flushes once,
//! then acknowledges every request in it and broadcasts the changed trace ids.
//!
//! A full queue is refused at once (`Overloaded`), so receivers answer
//! UNAVAILABLE / 503 instead of growing memory.

use std::sync::Arc;
use std::thread::JoinHandle;

use tokio::sync::{broadcast, mpsc, oneshot};

use super::{Evicted, IngestBatch, RetentionPolicy, StoreError, TraceStore};
use crate::model::TraceId;

/// Upper bound of spans merged into one group commit.
const MAX_SPANS_PER_COMMIT: usize = 50_000;

/// A change notification: ids only, never payloads. A lagged receiver refreshes.
#[derive(Debug, Clone, PartialEq)]
pub enum LiveEvent {
    TracesChanged(Arc<[TraceId]>),
}

#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error("write queue is full; retry later")]
    Overloaded,
    #[error("the writer has stopped")]
    Stopped,
    #[error("storage failed: {0}")]
    Store(String),
}

struct Job {
    batch: IngestBatch,
    ack: oneshot::Sender<Result<(), WriteError>>,
}

/// What the writer thread is asked to do: store a batch, or run a retention pass
/// (on the same thread, so it never races a write).
enum Request {
    Write(Job),
    Evict(
        RetentionPolicy,
        oneshot::Sender<Result<Evicted, WriteError>>,
    ),
}

/// Cheap, cloneable way to submit writes.
#[derive(Clone)]
pub struct WriterHandle {
    tx: mpsc::Sender<Request>,
    live: broadcast::Sender<LiveEvent>,
}

impl std::fmt::Debug for WriterHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("WriterHandle")
    }
}

impl WriterHandle {
    /// Queues a batch and waits until it is durable.
    pub async fn write(&self, batch: IngestBatch) -> Result<(), WriteError> {
        if batch.is_empty() {
            return Ok(());
        }
        let (ack, done) = oneshot::channel();
        self.tx
            .try_send(Request::Write(Job { batch, ack }))
            .map_err(|e| match e {
                mpsc::error::TrySendError::Full(_) => WriteError::Overloaded,
                mpsc::error::TrySendError::Closed(_) => WriteError::Stopped,
            })?;
        done.await.map_err(|_| WriteError::Stopped)?
    }

    /// Runs one retention pass on the writer thread, waiting for queue room.
    pub async fn evict(&self, policy: RetentionPolicy) -> Result<Evicted, WriteError> {
        let (ack, done) = oneshot::channel();
        self.tx
            .send(Request::Evict(policy, ack))
            .await
            .map_err(|_| WriteError::Stopped)?;
        done.await.map_err(|_| WriteError::Stopped)?
    }

    /// Change notifications of committed writes.
    pub fn subscribe(&self) -> broadcast::Receiver<LiveEvent> {
        self.live.subscribe()
    }

    /// The sender behind `subscribe`, for handing to other readers.
    pub fn live_sender(&self) -> broadcast::Sender<LiveEvent> {
        self.live.clone()
    }
}

/// A channel for change notifications, sized for bursts; slow readers lag and
/// refresh rather than block the writer.
pub fn live_channel() -> broadcast::Sender<LiveEvent> {
    broadcast::channel(1024).0
}

/// The writer thread.
pub struct Writer {
    thread: JoinHandle<()>,
}

impl std::fmt::Debug for Writer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Writer")
    }
}

impl Writer {
    /// Starts the writer over `store` with room for `queue_len` pending requests.
    pub fn spawn(store: Arc<dyn TraceStore>, queue_len: usize) -> (Writer, WriterHandle) {
        Self::spawn_with_live(store, queue_len, live_channel())
    }

    /// Like `spawn`, announcing commits on an existing channel (the TUI subscribes
    /// before the server starts).
    pub fn spawn_with_live(
        store: Arc<dyn TraceStore>,
        queue_len: usize,
        live: broadcast::Sender<LiveEvent>,
    ) -> (Writer, WriterHandle) {
        let (tx, rx) = mpsc::channel(queue_len.max(1));
        let live_tx = live.clone();
        let thread = std::thread::Builder::new()
            .name("spanlens-writer".into())
            .spawn(move || run(store, rx, live_tx))
            .expect("spawning the writer thread");
        (Writer { thread }, WriterHandle { tx, live })
    }

    /// Waits for the writer to finish: it stops once every handle is dropped and the
    /// queue is drained.
    pub fn join(self) {
        let _ = self.thread.join();
    }
}

fn run(
    store: Arc<dyn TraceStore>,
    mut rx: mpsc::Receiver<Request>,
    live: broadcast::Sender<LiveEvent>,
) {
    while let Some(first) = rx.blocking_recv() {
        let first = match first {
            Request::Write(job) => job,
            Request::Evict(policy, ack) => {
                evict(store.as_ref(), &policy, ack, &live);
                continue;
            }
        };
        let mut jobs = vec![first];
        let mut spans = jobs[0].batch.spans.len();
        let mut evictions = Vec::new();
        while spans < MAX_SPANS_PER_COMMIT {
            match rx.try_recv() {
                Ok(Request::Write(job)) => {
                    spans += job.batch.spans.len();
                    jobs.push(job);
                }
                Ok(Request::Evict(policy, ack)) => evictions.push((policy, ack)),
                Err(_) => break,
            }
        }
        let mut merged = IngestBatch::default();
        let mut acks = Vec::with_capacity(jobs.len());
        for job in jobs {
            merged.append(job.batch);
            acks.push(job.ack);
        }
        let result = commit(store.as_ref(), &merged);
        match result {
            Ok(changed) => {
                for ack in acks {
                    let _ = ack.send(Ok(()));
                }
                if !changed.is_empty() {
                    let _ = live.send(LiveEvent::TracesChanged(changed.into()));
                }
            }
            Err(e) => {
                tracing::error!(error = %e, "write failed; the batch was not acknowledged");
                let msg = e.to_string();
                for ack in acks {
                    let _ = ack.send(Err(WriteError::Store(msg.clone())));
                }
            }
        }
        for (policy, ack) in evictions {
            evict(store.as_ref(), &policy, ack, &live);
        }
    }
    if let Err(e) = store.flush() {
        tracing::error!(error = %e, "final flush failed");
    }
}

fn evict(
    store: &dyn TraceStore,
    policy: &RetentionPolicy,
    ack: oneshot::Sender<Result<Evicted, WriteError>>,
    live: &broadcast::Sender<LiveEvent>,
) {
    let result = store
        .evict(policy, crate::util::now_unix_nano())
        .map_err(|e| WriteError::Store(e.to_string()));
    if let Ok(out) = &result
        && out.traces > 0
    {
        // Readers showing deleted traces refresh (an empty id list means "reload").
        let _ = live.send(LiveEvent::TracesChanged(Arc::from(Vec::new())));
    }
    let _ = ack.send(result);
}

fn commit(store: &dyn TraceStore, batch: &IngestBatch) -> Result<Vec<TraceId>, StoreError> {
    let outcome = store.write(batch)?;
    store.flush()?;
    Ok(outcome.changed_traces)
}
