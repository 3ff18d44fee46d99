//! Emulated hosts that are not instances (rank 6): the AWS services of the emulated internet.
//! `aws` answers one HTTP request as a service would; `s3` is the tiny object store behind S3; `tls`
//! the per-topology CA and the certificates of HTTPS.
//! Pure functions over bytes and an in-memory store; the backends own sockets and threads.

pub mod alb;
pub mod aws;
pub mod http;
pub mod s3;
pub mod tls;
