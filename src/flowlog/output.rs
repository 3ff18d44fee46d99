//! Part of `flowlog` (rank 4). A buffered output that only ever hands complete blocks (pcap
//! records, pcapng blocks, record lines) to the file, flushes when its buffer fills, on a short
//! wall-clock timer and on drop, and reports a write error once, naming the file. Memory is bounded
//! by `FLUSH_AT`.

use super::Error;
use std::io::Write;
use std::path::Path;
use std::time::{Duration, Instant};

/// Buffered bytes (64 KiB) at or past which the next complete block triggers a write.
pub const FLUSH_AT: usize = 64 * 1024;
/// Longest time buffered data waits before `maybe_flush` writes it.
pub const FLUSH_EVERY: Duration = Duration::from_millis(200);

/// A block-oriented output: what reaches the file is always a whole number of blocks.
pub struct BlockWriter {
    name: String,
    out: Box<dyn Write + Send>,
    /// Complete blocks not yet written, in order.
    pub buf: Vec<u8>,
    last_flush: Instant,
    failed: bool,
    flush_each: bool,
    blocks: u32,
}

impl BlockWriter {
    /// Creates (truncates) a file for the user vpclab runs for, making its parent folders, by
    /// the rule of `files` (no symbolic link of another user followed, no file of theirs
    /// truncated).
    pub fn create(path: &Path) -> Result<Self, Error> {
        let name = path.display().to_string();
        let f = crate::files::Writer::for_requester()
            .with_parents()
            .create(path)
            .map_err(|source| Error::Io {
                path: name.clone(),
                source,
            })?;
        Ok(Self::new(name, Box::new(f), false))
    }

    /// Wraps any writer; `flush_each` writes after every block (streams such as stdout).
    pub fn new(name: String, out: Box<dyn Write + Send>, flush_each: bool) -> Self {
        BlockWriter {
            name,
            out,
            buf: Vec::with_capacity(FLUSH_AT + 4096),
            last_flush: Instant::now(),
            failed: false,
            flush_each,
            blocks: 0,
        }
    }

    /// The file's name as used in errors: the path as given, or the name passed to `new`.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// True after a write error (the writer then drops everything).
    pub fn failed(&self) -> bool {
        self.failed
    }

    /// Call after appending one complete block to `buf`.
    pub fn block_done(&mut self) -> Result<(), Error> {
        self.blocks = self.blocks.wrapping_add(1);
        if self.flush_each || self.buf.len() >= FLUSH_AT {
            self.flush()
        } else if self.blocks.is_multiple_of(64) {
            // The clock is read every 64 blocks only: slow traffic still reaches the file
            // within about FLUSH_EVERY even when the caller rarely calls `tick`.
            self.maybe_flush()
        } else {
            Ok(())
        }
    }

    /// Flushes when data has waited longer than `FLUSH_EVERY`.
    pub fn maybe_flush(&mut self) -> Result<(), Error> {
        if !self.buf.is_empty() && self.last_flush.elapsed() >= FLUSH_EVERY {
            self.flush()
        } else {
            Ok(())
        }
    }

    /// Writes every buffered block. After an error the writer is marked failed, the buffer is
    /// dropped (memory stays bounded) and later calls do nothing.
    pub fn flush(&mut self) -> Result<(), Error> {
        self.last_flush = Instant::now();
        if self.failed {
            self.buf.clear();
            return Ok(());
        }
        let r = self.out.write_all(&self.buf).and_then(|_| self.out.flush());
        self.buf.clear();
        r.map_err(|source| {
            self.failed = true;
            Error::Io {
                path: self.name.clone(),
                source,
            }
        })
    }
}

impl Drop for BlockWriter {
    fn drop(&mut self) {
        // Best effort: complete blocks reach the file even when `finish` was not called.
        let _ = self.flush();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Full;
    impl Write for Full {
        fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
            Err(std::io::Error::new(
                std::io::ErrorKind::StorageFull,
                "No space left on device",
            ))
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn write_error_names_the_file_once() {
        let mut w = BlockWriter::new("flows/x.pcap".into(), Box::new(Full), true);
        w.buf.extend_from_slice(b"abc");
        let e = w.block_done().unwrap_err().to_string();
        assert!(e.contains("flows/x.pcap") && e.contains("No space"), "{e}");
        assert!(w.failed());
        w.buf.extend_from_slice(b"abc");
        assert!(w.block_done().is_ok());
        assert!(w.buf.is_empty());
    }
}
