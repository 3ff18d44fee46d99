//! `vpclab import aws PATH... [-o FILE] [--name NAME] [--strict] [--report FILE]`: build a
//! topology from AWS describe-* JSON (`vpclab::import`), write it as YAML (stdout or `-o`),
//! print the report of what was not imported on stderr (and as JSON with `--report`). Files
//! are written with `files::Writer::for_requester` (no link of another user followed). The
//! written topology is validated; a failure there is the importer's bug and is printed as a
//! warning. Exit 0; 2 on unreadable input, and with `--strict` when the report is not empty.

use super::{common, CmdResult, Fail};
use clap::{Args, Subcommand};
use std::path::{Path, PathBuf};
use vpclab::files::Writer;
use vpclab::import::{yaml, ImportError, Imported};

/// `vpclab import SOURCE`.
#[derive(Subcommand, Debug)]
pub enum ImportCommand {
    /// From the JSON of `aws ec2 describe-*` (files, or folders searched recursively).
    ///
    /// Each file is recognised by its top-level key (Vpcs, Subnets, RouteTables, NetworkAcls,
    /// SecurityGroups, Reservations, NetworkInterfaces, InternetGateways, NatGateways,
    /// Addresses, VpcPeeringConnections, PrefixLists, ...), so any layout works, Batfish's
    /// `aws_configs/[accounts/ACCOUNT/]REGION/*.json` included. Several accounts and regions
    /// merge into one topology; AWS ids are kept as `aws_id`, Name tags as `description`.
    /// What cannot be imported (transit gateways, VPN, endpoints, load balancers, IPv6,
    /// deleted or failed objects) is listed on stderr.
    #[command(verbatim_doc_comment)]
    Aws(ImportAwsArgs),
    /// From Terraform: `terraform show -json` of a state or a saved plan, or a terraform.tfstate.
    ///
    /// The shape is recognised by its keys. Child modules are read; in a plan, values known
    /// only after apply are resolved through the plan's configuration (references, count and
    /// for_each by index, module inputs and outputs) or allocated as vpclab would, and every
    /// guess is listed on stderr (--strict: exit 2 when there is any). Terraform's defaults
    /// hold: a security group without `egress` has no outbound rule, aws_default_* adopt the
    /// VPC's default objects with exactly the rules written. Non-network resources are
    /// ignored; network resources vpclab cannot express yet are listed with their issue.
    #[command(verbatim_doc_comment)]
    Terraform(ImportTerraformArgs),
}

/// `import terraform`.
#[derive(Args, Debug)]
pub struct ImportTerraformArgs {
    /// The JSON file (`terraform show -json [PLAN] > FILE`, or terraform.tfstate).
    pub file: PathBuf,
    /// Write the topology here instead of stdout.
    #[arg(short = 'o', long = "output")]
    pub output: Option<PathBuf>,
    /// The topology's name (default: derived from the file name, at most 12 characters).
    #[arg(long)]
    pub name: Option<String>,
    /// Exit 2 when anything was guessed, skipped or not imported as it was.
    #[arg(long)]
    pub strict: bool,
    /// Also write the report as JSON to this file.
    #[arg(long)]
    pub report: Option<PathBuf>,
}

/// `import aws`.
#[derive(Args, Debug)]
pub struct ImportAwsArgs {
    /// describe-* JSON files or folders.
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// Write the topology here instead of stdout.
    #[arg(short = 'o', long = "output")]
    pub output: Option<PathBuf>,
    /// The topology's name (default: derived from the first path, at most 12 characters).
    #[arg(long)]
    pub name: Option<String>,
    /// Exit 2 when anything was not imported as it was.
    #[arg(long)]
    pub strict: bool,
    /// Also write the report as JSON to this file.
    #[arg(long)]
    pub report: Option<PathBuf>,
}

/// Runs `import SOURCE`.
pub fn run(c: &ImportCommand) -> CmdResult {
    match c {
        ImportCommand::Aws(a) => aws(a),
        ImportCommand::Terraform(a) => terraform(a),
    }
}

/// `ImportError` → exit 2 with its message.
fn input(e: ImportError) -> Fail {
    Fail::input(format!("error: {e}"))
}

/// Writes `text` to `path` for the user running vpclab.
fn write(path: &Path, text: &str) -> Result<(), Fail> {
    Writer::for_requester()
        .write(path, text)
        .map_err(|e| Fail::input(format!("error: {}: cannot write: {e}", path.display())))
}

fn aws(a: &ImportAwsArgs) -> CmdResult {
    if let Some(n) = &a.name {
        if !vpclab::topology::parse::is_valid_name(n) || n.len() > 12 {
            return Err(Fail::input(format!(
                "error: --name `{n}` is not a topology name ([a-z0-9-], at most 12 characters)"
            )));
        }
    }
    let imported = vpclab::import::aws::import(&a.paths, a.name.as_deref()).map_err(input)?;
    finish(
        &imported,
        "vpclab import aws",
        a.output.as_deref(),
        a.report.as_deref(),
        a.strict,
    )
}

fn terraform(a: &ImportTerraformArgs) -> CmdResult {
    if let Some(n) = &a.name {
        if !vpclab::topology::parse::is_valid_name(n) || n.len() > 12 {
            return Err(Fail::input(format!(
                "error: --name `{n}` is not a topology name ([a-z0-9-], at most 12 characters)"
            )));
        }
    }
    let imported = vpclab::import::terraform::import(&a.file, a.name.as_deref()).map_err(input)?;
    finish(
        &imported,
        "vpclab import terraform",
        a.output.as_deref(),
        a.report.as_deref(),
        a.strict,
    )
}

/// What every importer does with its result: write the YAML and the report, check that the
/// topology validates, pick the exit code.
pub fn finish(
    imported: &Imported,
    source: &str,
    output: Option<&Path>,
    report: Option<&Path>,
    strict: bool,
) -> CmdResult {
    let text = yaml::to_yaml(&imported.doc, source).map_err(Fail::other)?;
    let label = output
        .map(|p| p.display().to_string())
        .unwrap_or_else(|| format!("{}.yaml", imported.doc.name));
    if let Err(r) = vpclab::load::load_str(&label, &text) {
        eprintln!(
            "import: warning: the topology written does not validate (please report this):\n{r}"
        );
    }
    match output {
        Some(p) => write(p, &text)?,
        None => print!("{text}"),
    }
    eprint!("{}", imported.report.to_text());
    if let Some(p) = report {
        write(p, &imported.report.to_json())?;
    }
    if strict && !imported.report.is_empty() {
        return Ok(common::EXIT_INPUT);
    }
    Ok(common::EXIT_OK)
}
