//! Benchmark: `vpclab import aws` of the largest snapshot of the shared corpus
//! (`batfish-aws/pybatfish-hybrid-cloud`, two regions), against reading its JSON alone (read
//! and parse every file as `serde_json::Value`), and the validation of the result. Plain `main`
//! (harness = false): `cargo bench --bench import`. Prints the median of 50 runs of each.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// The corpus folder, looked up as the tests do.
fn corpus() -> PathBuf {
    let mut c = Vec::new();
    if let Some(s) = std::env::var_os("VPCLAB_SHARED") {
        c.push(PathBuf::from(s).join("corpus/batfish-aws"));
    }
    c.push(PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/corpus/batfish-aws"
    )));
    c.push(PathBuf::from("/work/shared/corpus/batfish-aws"));
    c.into_iter()
        .find(|d| d.is_dir())
        .expect("the shared corpus (../shared/corpus or VPCLAB_SHARED)")
}

/// Every `.json` file under `dir`.
fn json_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut e: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("readable")
        .map(|e| e.unwrap().path())
        .collect();
    e.sort();
    for p in e {
        if p.is_dir() {
            json_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "json") {
            out.push(p);
        }
    }
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn main() {
    let dir = corpus().join("pybatfish-hybrid-cloud/aws_configs");
    let mut files = Vec::new();
    json_files(&dir, &mut files);
    let bytes: u64 = files
        .iter()
        .map(|f| std::fs::metadata(f).unwrap().len())
        .sum();
    let (mut read, mut import, mut validate) = (vec![], vec![], vec![]);
    for _ in 0..50 {
        let t0 = Instant::now();
        for f in &files {
            let text = std::fs::read_to_string(f).unwrap();
            let v: serde_json::Value = serde_json::from_str(&text).unwrap();
            std::hint::black_box(v);
        }
        let t1 = Instant::now();
        let i = vpclab::import::aws::import(std::slice::from_ref(&dir), None).expect("imports");
        let y = vpclab::import::yaml::to_yaml(&i.doc, "bench").expect("YAML");
        let t2 = Instant::now();
        let l = vpclab::load::load_str("bench.yaml", &y);
        std::hint::black_box(&l);
        let t3 = Instant::now();
        read.push(t1 - t0);
        import.push(t2 - t1);
        validate.push(t3 - t2);
    }
    let (r, i, v) = (median(read), median(import), median(validate));
    println!(
        "import aws of {} ({} files, {bytes} bytes), median of 50:",
        dir.display(),
        files.len()
    );
    println!("  read + parse the JSON alone: {r:?}");
    println!(
        "  import (read, map, write YAML): {i:?}  ({:.1}x the JSON alone)",
        i.as_secs_f64() / r.as_secs_f64()
    );
    println!("  validate the result (load_str): {v:?}");
}
