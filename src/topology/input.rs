//! Reading a file a user named, bounded before a byte is read: only regular files (a FIFO or a
//! device is refused, and the open uses `O_NONBLOCK` so a FIFO cannot block it), at most `cap`
//! bytes (checked against the size first, then enforced while reading in case the file grows).
//! Every reader of a user-named file (topologies, labs, flow logs, `apply` in the daemon) goes
//! through [`read_bounded`].

use std::fmt;
use std::fs::File;
use std::io::{self, Read};
use std::os::unix::fs::{FileTypeExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

/// Why a file was not read. Its `Display` names the path and, for a file too large, the limit;
/// it never contains the file's contents.
#[derive(Debug)]
pub enum InputError {
    /// Opening or reading failed (missing, permission denied, not UTF-8 text, ...).
    Io(PathBuf, io::Error),
    /// Not a regular file: what it is (`a FIFO`, `a character device`, `a directory`, ...).
    NotRegular(PathBuf, &'static str),
    /// More than the limit (bytes).
    TooLarge(PathBuf, u64),
}

impl InputError {
    /// The reason without the path (`a FIFO, not a regular file`), for messages that name the
    /// file themselves.
    pub fn reason(&self) -> String {
        match self {
            InputError::Io(_, e) => format!("cannot read the file: {e}"),
            InputError::NotRegular(_, what) => format!("{what}, not a regular file"),
            InputError::TooLarge(_, cap) => {
                format!("the file is larger than the {cap}-byte limit")
            }
        }
    }

    /// Whether the file does not exist.
    pub fn is_not_found(&self) -> bool {
        matches!(self, InputError::Io(_, e) if e.kind() == io::ErrorKind::NotFound)
    }
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let p = match self {
            InputError::Io(p, _) | InputError::NotRegular(p, _) | InputError::TooLarge(p, _) => p,
        };
        write!(f, "{}: {}", p.display(), self.reason())
    }
}

impl std::error::Error for InputError {}

/// What a file type that is not a regular file is, in words.
fn kind(t: std::fs::FileType) -> &'static str {
    if t.is_fifo() {
        "a FIFO"
    } else if t.is_char_device() {
        "a character device"
    } else if t.is_block_device() {
        "a block device"
    } else if t.is_socket() {
        "a socket"
    } else if t.is_dir() {
        "a directory"
    } else {
        "not a file"
    }
}

/// Reads all of `path` if it is a regular file of at most `cap` bytes. The file is opened
/// non-blocking (a FIFO's open returns at once; `fstat` then refuses it) and read through
/// `take(cap + 1)`, so neither a FIFO nor a file that keeps growing can hold or grow the
/// process. The buffer is sized from `fstat`, never from what a reader sends.
pub fn read_bounded(path: &Path, cap: u64) -> Result<Vec<u8>, InputError> {
    let io_err = |e| InputError::Io(path.to_path_buf(), e);
    let f = File::options()
        .read(true)
        .custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY)
        .open(path)
        .map_err(io_err)?;
    let meta = f.metadata().map_err(io_err)?;
    if !meta.file_type().is_file() {
        return Err(InputError::NotRegular(
            path.to_path_buf(),
            kind(meta.file_type()),
        ));
    }
    if meta.len() > cap {
        return Err(InputError::TooLarge(path.to_path_buf(), cap));
    }
    let mut buf = Vec::with_capacity(meta.len() as usize);
    f.take(cap + 1).read_to_end(&mut buf).map_err(io_err)?;
    if buf.len() as u64 > cap {
        return Err(InputError::TooLarge(path.to_path_buf(), cap));
    }
    Ok(buf)
}

/// [`read_bounded`], then UTF-8: text that is not UTF-8 is an `Io` error of kind
/// `InvalidData` (with the message `read_to_string` gives).
pub fn read_bounded_text(path: &Path, cap: u64) -> Result<String, InputError> {
    let bytes = read_bounded(path, cap)?;
    String::from_utf8(bytes).map_err(|_| {
        InputError::Io(
            path.to_path_buf(),
            io::Error::new(
                io::ErrorKind::InvalidData,
                "stream did not contain valid UTF-8",
            ),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_small_file_and_refuses_a_larger_one() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("f");
        std::fs::write(&p, b"hello").unwrap();
        assert_eq!(read_bounded(&p, 5).unwrap(), b"hello");
        let e = read_bounded(&p, 4).unwrap_err();
        assert!(matches!(e, InputError::TooLarge(_, 4)), "{e}");
        assert!(e.to_string().contains("4-byte limit"), "{e}");
        assert!(e.to_string().starts_with(&p.display().to_string()), "{e}");
    }

    #[test]
    fn refuses_fifos_devices_and_directories() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("pipe");
        let c = std::ffi::CString::new(p.display().to_string()).unwrap();
        // SAFETY: a valid NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        let e = read_bounded(&p, 10).unwrap_err();
        assert_eq!(e.reason(), "a FIFO, not a regular file");
        let e = read_bounded(Path::new("/dev/zero"), 10).unwrap_err();
        assert!(
            matches!(e, InputError::NotRegular(_, "a character device")),
            "{e}"
        );
        let e = read_bounded(d.path(), 10).unwrap_err();
        assert!(matches!(e, InputError::NotRegular(..)), "{e}");
    }

    #[test]
    fn a_missing_file_is_io_not_found() {
        let e = read_bounded(Path::new("/nonexistent/x"), 10).unwrap_err();
        assert!(e.is_not_found(), "{e}");
    }
}
