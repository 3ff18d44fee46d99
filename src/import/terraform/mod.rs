//! `vpclab import terraform`: Terraform's JSON (a state or plan from `terraform show -json`, or
//! a raw `terraform.tfstate`) read, its references resolved, and mapped onto the topology format.

pub mod address;
pub mod config;
pub mod resolve;
pub mod shape;
