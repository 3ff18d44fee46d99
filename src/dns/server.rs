//! Loopback listener.
