//! The ordered key-value backends the store runs on: sled on disk, a `BTreeMap`
//! in memory. One atomic batch per write; prefix and range scans for reads.

use std::collections::BTreeMap;
use std::ops::Bound;
use std::path::Path;
use std::sync::RwLock;
use std::sync::atomic::{AtomicU64, Ordering};

use super::StoreError;

/// One atomic set of puts and deletes.
#[derive(Debug, Default)]
pub struct KvBatch {
    pub ops: Vec<(Vec<u8>, Option<Vec<u8>>)>,
}

impl KvBatch {
    pub fn put(&mut self, key: Vec<u8>, value: Vec<u8>) {
        self.ops.push((key, Some(value)));
    }
    pub fn delete(&mut self, key: Vec<u8>) {
        self.ops.push((key, None));
    }
}

/// An ordered byte-key store with atomic batches.
pub trait Backend: Send + Sync {
    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError>;
    fn contains(&self, key: &[u8]) -> Result<bool, StoreError>;
    fn apply(&self, batch: KvBatch) -> Result<(), StoreError>;
    fn flush(&self) -> Result<(), StoreError>;
    /// Keys and values in `[start, end)`, ascending, or descending when `rev`; at most
    /// `limit` pairs and stopping when `visit` returns false.
    fn scan(
        &self,
        start: &[u8],
        end: &[u8],
        rev: bool,
        visit: &mut dyn FnMut(&[u8], &[u8]) -> bool,
    ) -> Result<(), StoreError>;
    /// A process-unique increasing number (for log and metric keys).
    fn next_id(&self) -> Result<u64, StoreError>;
    fn size_on_disk(&self) -> Result<u64, StoreError>;
}

/// sled settings we expose.
#[derive(Debug, Clone)]
pub struct SledOptions {
    /// Cap on sled's page cache, in bytes.
    pub cache_bytes: u64,
}

impl Default for SledOptions {
    fn default() -> Self {
        SledOptions {
            cache_bytes: 256 * 1024 * 1024,
        }
    }
}

/// sled on disk. All data lives in one tree so a batch is atomic.
pub struct SledBackend {
    db: sled::Db,
    tree: sled::Tree,
}

impl SledBackend {
    /// Opens (creating if needed) the store in `dir`. Fails if another process holds it.
    pub fn open(dir: &Path, opts: &SledOptions) -> Result<Self, StoreError> {
        let db = sled::Config::new()
            .path(dir)
            .cache_capacity(opts.cache_bytes)
            .mode(sled::Mode::HighThroughput)
            // The writer flushes every commit itself; sled's flusher thread is kept
            // for the segment cleaning it does between flushes (space reuse).
            .flush_every_ms(Some(500))
            .open()?;
        let tree = db.open_tree("spanlens")?;
        Ok(SledBackend { db, tree })
    }
}

impl Backend for SledBackend {
    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self.tree.get(key)?.map(|v| v.to_vec()))
    }
    fn contains(&self, key: &[u8]) -> Result<bool, StoreError> {
        Ok(self.tree.contains_key(key)?)
    }
    fn apply(&self, batch: KvBatch) -> Result<(), StoreError> {
        let mut b = sled::Batch::default();
        for (k, v) in batch.ops {
            match v {
                Some(v) => b.insert(k, v),
                None => b.remove(k),
            }
        }
        self.tree.apply_batch(b)?;
        Ok(())
    }
    fn flush(&self) -> Result<(), StoreError> {
        self.db.flush()?;
        Ok(())
    }
    fn scan(
        &self,
        start: &[u8],
        end: &[u8],
        rev: bool,
        visit: &mut dyn FnMut(&[u8], &[u8]) -> bool,
    ) -> Result<(), StoreError> {
        let items = self
            .tree
            .range(start..end)
            .map(|item| item.map_err(StoreError::from));
        visit_in_order(items, rev, visit)
    }
    fn next_id(&self) -> Result<u64, StoreError> {
        Ok(self.db.generate_id()?)
    }
    fn size_on_disk(&self) -> Result<u64, StoreError> {
        Ok(self.db.size_on_disk()?)
    }
}

/// In memory, for unit tests.
#[derive(Default)]
pub struct MemoryBackend {
    map: RwLock<BTreeMap<Vec<u8>, Vec<u8>>>,
    ids: AtomicU64,
}

impl Backend for MemoryBackend {
    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self
            .map
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(key)
            .cloned())
    }
    fn contains(&self, key: &[u8]) -> Result<bool, StoreError> {
        Ok(self
            .map
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .contains_key(key))
    }
    fn apply(&self, batch: KvBatch) -> Result<(), StoreError> {
        let mut map = self.map.write().unwrap_or_else(|e| e.into_inner());
        for (k, v) in batch.ops {
            match v {
                Some(v) => map.insert(k, v),
                None => map.remove(&k),
            };
        }
        Ok(())
    }
    fn flush(&self) -> Result<(), StoreError> {
        Ok(())
    }
    fn scan(
        &self,
        start: &[u8],
        end: &[u8],
        rev: bool,
        visit: &mut dyn FnMut(&[u8], &[u8]) -> bool,
    ) -> Result<(), StoreError> {
        let map = self.map.read().unwrap_or_else(|e| e.into_inner());
        let items = map
            .range::<[u8], _>((Bound::Included(start), Bound::Excluded(end)))
            .map(|(k, v)| Ok((k.as_slice(), v.as_slice())));
        visit_in_order(items, rev, visit)
    }
    fn next_id(&self) -> Result<u64, StoreError> {
        Ok(self.ids.fetch_add(1, Ordering::Relaxed))
    }
    fn size_on_disk(&self) -> Result<u64, StoreError> {
        Ok(0)
    }
}

/// Feeds pairs to `visit`, forwards or backwards, until it returns false.
fn visit_in_order<K: AsRef<[u8]>, V: AsRef<[u8]>>(
    items: impl DoubleEndedIterator<Item = Result<(K, V), StoreError>>,
    rev: bool,
    visit: &mut dyn FnMut(&[u8], &[u8]) -> bool,
) -> Result<(), StoreError> {
    let mut step = |item: Result<(K, V), StoreError>| -> Result<bool, StoreError> {
        let (k, v) = item?;
        Ok(visit(k.as_ref(), v.as_ref()))
    };
    if rev {
        for item in items.rev() {
            if !step(item)? {
                break;
            }
        }
    } else {
        for item in items {
            if !step(item)? {
                break;
            }
        }
    }
    Ok(())
}
