//! Importers: real networks (Terraform) → the topology file format.

pub mod terraform;
