//! `cargo bench`: the time of `slsx expand` (read, parse, variables, compile, emit JSON) on
//! - `seed`: the seed service (fixtures/seed-s3-trigger),
//! - `fixtures/<case>`: every fixture that expands without errors,
//! - `generated/<N>`: services of N functions + N state machines written by
//!   `scripts/gen-service N DIR` (N = 10, 100, 1000).
//!
//! `cargo bench -- generated` runs one group. The comparison with the real tool chain is
//! `scripts/bench-vs-sls`; figures are in the README ("Hardening and speed").

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use slsx::{Input, Options};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn options() -> Options {
    Options {
        env: Some(Default::default()),
        ..Options::default()
    }
}

/// One `slsx expand DIR` without the process: the template text, or panics on errors.
fn expand(dir: &Path, opts: &Options) -> String {
    let r = slsx::expand(&Input::Path(dir.to_path_buf()), opts);
    let t = r
        .template
        .expect("the benchmark services expand without errors");
    let mut out = Vec::new();
    slsx::emit::write_template(&t, slsx::emit::Format::Json, &mut out).expect("written to memory");
    String::from_utf8(out).expect("JSON text is UTF-8")
}

fn config_size(dir: &Path) -> u64 {
    std::fs::metadata(dir.join("serverless.yml"))
        .map(|m| m.len())
        .unwrap_or(0)
}

fn seed(c: &mut Criterion) {
    let dir = root().join("fixtures/seed-s3-trigger");
    let opts = options();
    c.bench_function("seed", |b| b.iter(|| expand(black_box(&dir), &opts)));
}

fn fixtures(c: &mut Criterion) {
    let opts = options();
    let mut cases: Vec<PathBuf> = std::fs::read_dir(root().join("fixtures"))
        .expect("fixtures/")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.join("expected.json").exists() && !p.join("args").exists())
        .filter(|p| !p.join("env").exists())
        .collect();
    cases.sort();
    let mut g = c.benchmark_group("fixtures");
    g.sample_size(20)
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(1));
    for dir in cases {
        // fixtures the compile passes do not handle yet fail; they are not benchmarked
        if slsx::expand(&Input::Path(dir.clone()), &opts)
            .template
            .is_none()
        {
            continue;
        }
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        g.throughput(Throughput::Bytes(config_size(&dir)));
        g.bench_with_input(BenchmarkId::from_parameter(name), &dir, |b, dir| {
            b.iter(|| expand(black_box(dir), &opts))
        });
    }
    g.finish();
}

fn generated(c: &mut Criterion) {
    let opts = options();
    let base = std::env::temp_dir().join(format!("slsx-bench-{}", std::process::id()));
    let mut g = c.benchmark_group("generated");
    g.sample_size(10);
    for n in [10usize, 100, 1000] {
        let dir = base.join(format!("gen-{n}"));
        let ok = std::process::Command::new("python3")
            .arg(root().join("scripts/gen-service"))
            .arg(n.to_string())
            .arg(&dir)
            .status()
            .is_ok_and(|s| s.success());
        assert!(ok, "scripts/gen-service {n} failed (needs python3)");
        g.throughput(Throughput::Bytes(config_size(&dir)));
        g.bench_with_input(BenchmarkId::from_parameter(n), &dir, |b, dir| {
            b.iter(|| expand(black_box(dir), &opts))
        });
    }
    g.finish();
    let _ = std::fs::remove_dir_all(&base);
}

criterion_group!(benches, seed, generated, fixtures);
criterion_main!(benches);
