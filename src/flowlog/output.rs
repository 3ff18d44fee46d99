//! Part of `flowlog` (rank 4). A buffered output that only ever hands complete blocks (pcap
//! records, pcapng blocks, record lines) to the file, flushes when its buffer fills, on a short
//! wall-clock timer and on drop, and reports a write error once, naming the file.
//!
//! A file's writes happen off the forwarding path: a writer thread of its own takes full
//! buffers through a bounded queue ([`QUEUE`] buffers of about [`FLUSH_AT`] bytes), so the
//! engine loop only swaps buffers. Nothing is lost while the queue has room; a buffer that
//! finds it full is dropped and counted ([`BlockWriter::dropped_bytes`]). [`BlockWriter::flush`]
//! and [`BlockWriter::maybe_flush`] wait until everything handed over is written, so a file is
//! complete after `finish`, on shutdown (Ctrl-C, SIGTERM) and whenever the timer flushed it.
//! Streams (`flush_each`, e.g. a capture to stdout) are written directly, block by block.

use super::Error;
use std::io::Write;
use std::path::Path;
use std::sync::mpsc::{self, Receiver, SyncSender, TrySendError};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// Full buffers waiting for a file's writer thread; a buffer that finds the queue full is
/// dropped (counted).
pub const QUEUE: usize = 16;

/// What a writer thread is asked to do.
enum Job {
    /// Write these complete blocks (the buffer comes back for reuse).
    Data(Vec<u8>),
    /// Flush the file and answer once everything before has been written.
    Sync(mpsc::Sender<()>),
}

/// A writer thread and the queue to it.
struct Background {
    tx: Option<SyncSender<Job>>,
    /// Written buffers coming back, for reuse.
    back: Receiver<Vec<u8>>,
    /// The thread's first write error (it then drops what it gets).
    err: Arc<Mutex<Option<std::io::Error>>>,
    thread: Option<JoinHandle<()>>,
}

impl Background {
    /// Starts the thread writing to `out`.
    fn start(name: &str, mut out: Box<dyn Write + Send>) -> std::io::Result<Background> {
        let (tx, rx) = mpsc::sync_channel::<Job>(QUEUE);
        let (back_tx, back) = mpsc::channel();
        let err = Arc::new(Mutex::new(None));
        let e2 = err.clone();
        let thread = std::thread::Builder::new()
            .name(format!("flowlog {name}"))
            .spawn(move || {
                let mut failed = false;
                for job in rx {
                    match job {
                        Job::Data(mut b) => {
                            if !failed {
                                if let Err(e) = out.write_all(&b) {
                                    failed = true;
                                    *e2.lock().unwrap_or_else(|p| p.into_inner()) = Some(e);
                                }
                            }
                            b.clear();
                            let _ = back_tx.send(b);
                        }
                        Job::Sync(done) => {
                            if !failed {
                                if let Err(e) = out.flush() {
                                    failed = true;
                                    *e2.lock().unwrap_or_else(|p| p.into_inner()) = Some(e);
                                }
                            }
                            let _ = done.send(());
                        }
                    }
                }
                let _ = out.flush();
            })?;
        Ok(Background {
            tx: Some(tx),
            back,
            err,
            thread: Some(thread),
        })
    }

    /// The thread's write error, once.
    fn take_error(&self) -> Option<std::io::Error> {
        self.err.lock().unwrap_or_else(|p| p.into_inner()).take()
    }
}

impl Drop for Background {
    fn drop(&mut self) {
        self.tx = None;
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// Where a [`BlockWriter`]'s blocks go.
enum Out {
    /// Written by the caller's thread (streams).
    Direct(Box<dyn Write + Send>),
    /// Handed to a writer thread (files).
    Thread(Background),
}

/// Buffered bytes (1 MiB) at or past which the next complete block triggers a write: large
/// writes cost the kernel about a quarter less per byte than 64 KiB ones (`docs/datapath.md`).
/// With [`QUEUE`] that bounds a file's backlog to about 17 MiB.
pub const FLUSH_AT: usize = 1024 * 1024;
/// Longest time buffered data waits before `maybe_flush` writes it.
pub const FLUSH_EVERY: Duration = Duration::from_millis(200);

/// A block-oriented output: what reaches the file is always a whole number of blocks.
pub struct BlockWriter {
    name: String,
    out: Out,
    /// Complete blocks not yet written, in order.
    pub buf: Vec<u8>,
    last_flush: Instant,
    failed: bool,
    flush_each: bool,
    blocks: u32,
    /// Bytes of complete blocks dropped because the writer thread's queue was full.
    dropped: u64,
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
        let out = Background::start(&name, Box::new(f)).map_err(|source| Error::Io {
            path: name.clone(),
            source,
        })?;
        let mut w = Self::new(name, Box::new(std::io::sink()), false);
        w.out = Out::Thread(out);
        Ok(w)
    }

    /// Wraps any writer, written by the caller's thread; `flush_each` writes after every block
    /// (streams such as stdout).
    pub fn new(name: String, out: Box<dyn Write + Send>, flush_each: bool) -> Self {
        BlockWriter {
            name,
            out: Out::Direct(out),
            buf: Vec::with_capacity(FLUSH_AT + 4096),
            last_flush: Instant::now(),
            failed: false,
            flush_each,
            blocks: 0,
            dropped: 0,
        }
    }

    /// Bytes of complete blocks dropped because the writer thread fell behind by more than
    /// [`QUEUE`] buffers.
    pub fn dropped_bytes(&self) -> u64 {
        self.dropped
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
        if self.flush_each {
            self.flush()
        } else if self.buf.len() >= FLUSH_AT {
            self.hand_over(false)
        } else if self.blocks.is_multiple_of(64) && self.last_flush.elapsed() >= FLUSH_EVERY {
            // The clock is read every 64 blocks only: slow traffic still reaches the file
            // within about FLUSH_EVERY even when the caller rarely calls `tick`.
            self.hand_over(false)
        } else {
            Ok(())
        }
    }

    /// Gives the buffered blocks to the writer thread (a direct writer writes them), without
    /// waiting when `wait` is false (the forwarding path: a full queue drops them, counted),
    /// else waiting for room and then for everything handed over to be written.
    fn hand_over(&mut self, wait: bool) -> Result<(), Error> {
        self.last_flush = Instant::now();
        if self.failed {
            self.buf.clear();
            return Ok(());
        }
        let r = match &mut self.out {
            Out::Direct(out) => {
                let r = out.write_all(&self.buf).and_then(|_| out.flush());
                self.buf.clear();
                r
            }
            Out::Thread(bg) => {
                if !self.buf.is_empty() {
                    let next = bg
                        .back
                        .try_recv()
                        .unwrap_or_else(|_| Vec::with_capacity(FLUSH_AT + 4096));
                    let full = std::mem::replace(&mut self.buf, next);
                    if let Some(tx) = &bg.tx {
                        let sent = if wait {
                            tx.send(Job::Data(full)).map_err(|e| e.0)
                        } else {
                            tx.try_send(Job::Data(full)).map_err(|e| match e {
                                TrySendError::Full(j) | TrySendError::Disconnected(j) => j,
                            })
                        };
                        if let Err(Job::Data(b)) = sent {
                            self.dropped += b.len() as u64;
                        }
                    }
                }
                if wait {
                    if let Some(tx) = &bg.tx {
                        let (done, answered) = mpsc::channel();
                        if tx.send(Job::Sync(done)).is_ok() {
                            let _ = answered.recv();
                        }
                    }
                }
                match bg.take_error() {
                    Some(e) => Err(e),
                    None => Ok(()),
                }
            }
        };
        r.map_err(|source| {
            self.failed = true;
            self.buf.clear();
            Error::Io {
                path: self.name.clone(),
                source,
            }
        })
    }

    /// Flushes when data has waited longer than `FLUSH_EVERY`.
    pub fn maybe_flush(&mut self) -> Result<(), Error> {
        if !self.buf.is_empty() && self.last_flush.elapsed() >= FLUSH_EVERY {
            self.flush()
        } else {
            Ok(())
        }
    }

    /// Writes every buffered block and waits until the writer thread has written everything
    /// handed to it. After an error the writer is marked failed, the buffer is dropped
    /// (memory stays bounded) and later calls do nothing.
    pub fn flush(&mut self) -> Result<(), Error> {
        self.hand_over(true)
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

    /// A file written through a gate: each write waits for a token (or for the gate's
    /// sender to go), into a shared buffer.
    struct Gate(mpsc::Receiver<()>, Arc<Mutex<Vec<u8>>>);
    impl Write for Gate {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            let _ = self.0.recv();
            self.1.lock().unwrap().extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    /// The forwarding path never waits for the file: with the writer thread stuck, buffers
    /// queue up to the bound, the rest are dropped and counted; `flush` then writes all that
    /// was queued, in order, and nothing else is lost.
    #[test]
    fn a_slow_file_queues_to_the_bound_then_drops_and_counts() {
        let (open, gate) = mpsc::channel();
        let file = Arc::new(Mutex::new(Vec::new()));
        let mut w = BlockWriter::new("slow.pcap".into(), Box::new(std::io::sink()), false);
        w.out = Out::Thread(
            Background::start("slow.pcap", Box::new(Gate(gate, file.clone()))).unwrap(),
        );
        let block = vec![7u8; FLUSH_AT];
        let n = QUEUE + 10;
        let t0 = Instant::now();
        for i in 0..n {
            w.buf.extend_from_slice(&block[..FLUSH_AT - 1]);
            w.buf.push(i as u8);
            w.block_done().unwrap();
        }
        assert!(
            t0.elapsed() < Duration::from_secs(5),
            "block_done never waits"
        );
        let dropped = w.dropped_bytes();
        assert!(dropped >= 9 * FLUSH_AT as u64, "dropped {dropped}");
        assert!(dropped <= 10 * FLUSH_AT as u64, "dropped {dropped}");
        drop(open);
        w.flush().unwrap();
        let got = file.lock().unwrap().len() as u64;
        assert_eq!(got + dropped, (n * FLUSH_AT) as u64);
        // The first buffers kept their order (block i ends with byte i).
        let f = file.lock().unwrap();
        assert_eq!(f[FLUSH_AT - 1], 0);
        assert_eq!(f[2 * FLUSH_AT - 1], 1);
    }

    /// A file made by `create` holds every block after `flush` (the writer thread's work is
    /// waited for).
    #[test]
    fn flush_waits_for_the_writer_thread() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("x.log");
        let mut w = BlockWriter::create(&p).unwrap();
        for i in 0..5000u32 {
            w.buf.extend_from_slice(format!("line {i}\n").as_bytes());
            w.block_done().unwrap();
        }
        w.flush().unwrap();
        let text = std::fs::read_to_string(&p).unwrap();
        assert_eq!(text.lines().count(), 5000);
        assert!(text.ends_with("line 4999\n"));
        assert_eq!(w.dropped_bytes(), 0);
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
