//! `vpclab import aws`: every Batfish snapshot of the shared corpus imports without a panic
//! into a topology that validates (`corpus`), three hand-checked snapshots against golden
//! files (`golden`), the quirks of real describe-* files on small inline JSON (`quirks`,
//! `mapping`), and the command line's exit codes and files (`cli`); `terraform`: the same for
//! `vpclab import terraform`.

mod batfish_flows;
mod batfish_onprem;
mod cli;
mod corpus;
mod endpoints;
mod golden;
mod ipv6;
mod load_balancer_flows;
mod mapping;
mod quirks;
mod robust;
mod support;
mod terraform;
mod transit;
