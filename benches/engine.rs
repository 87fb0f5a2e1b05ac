//! The API engine on one pair of rustdoc JSON files, phase by phase: parsing, building the two
//! models, diffing them, and cargo-semver-checks' lints (wall and CPU time, to show they use
//! every core). The reference, measured in the same run, is a plain `serde_json::Value` parse of
//! the same two files: the least any tool that reads them must spend.
//!
//! Run through `bench/engine.sh`, which prepares the files; or directly:
//! `cargo bench --bench engine -- OLD.json NEW.json [RUNS]`.

use std::path::Path;
use std::time::{Duration, Instant};

use apicheck::rustdoc::read_rustdoc;
use apicheck::{ApiModel, diff, lints};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with("--")).collect();
    let [old, new, rest @ ..] = args.as_slice() else {
        eprintln!("usage: cargo bench --bench engine -- OLD.json NEW.json [RUNS]");
        std::process::exit(2);
    };
    let runs: usize = rest.first().and_then(|r| r.parse().ok()).unwrap_or(5);
    let (old, new) = (Path::new(old), Path::new(new));

    let reference = measure(runs, || {
        for path in [old, new] {
            let text = std::fs::read_to_string(path).unwrap();
            std::hint::black_box(serde_json::from_str::<serde_json::Value>(&text).unwrap());
        }
    });
    let parse = measure(runs, || {
        std::hint::black_box((read_rustdoc(old).unwrap(), read_rustdoc(new).unwrap()));
    });
    let (old_json, new_json) = (read_rustdoc(old).unwrap(), read_rustdoc(new).unwrap());
    let build = measure(runs, || {
        std::hint::black_box((ApiModel::from_rustdoc(&old_json.krate), ApiModel::from_rustdoc(&new_json.krate)));
    });
    let (old_model, new_model) = (ApiModel::from_rustdoc(&old_json.krate), ApiModel::from_rustdoc(&new_json.krate));
    let diffing = measure(runs, || {
        std::hint::black_box(diff::diff_models(&old_model, &new_model));
    });
    let catalog = lints::catalog().unwrap();
    let cpu_before = cpu_seconds();
    let lint_times = measure(runs, || {
        std::hint::black_box(lints::run(catalog, old, new).unwrap());
    });
    let lint_cpu = (cpu_seconds() - cpu_before) / runs as f64;

    let (_, mut lint_durations) = lints::run_timed(catalog, old, new).unwrap();
    lint_durations.sort_by(|a, b| b.1.cmp(&a.1));
    let query_total: Duration = lint_durations.iter().map(|(_, d)| *d).sum();
    let findings = diff::diff_models(&old_model, &new_model).len();
    println!("pair: {} ({} items) -> {} ({} items), {findings} model findings", old.display(), old_model.items.len(), new.display(), new_model.items.len());
    println!("files: {:.1} MB + {:.1} MB; {runs} runs each; median (min..max)", mb(old), mb(new));
    println!();
    println!("{:<34} {:>22} {:>10}", "phase", "time", "vs ref");
    let reference_median = median(&reference);
    for (name, times) in [
        ("reference: plain JSON parse (x2)", &reference),
        ("rustdoc-types parse (x2)", &parse),
        ("build models (x2)", &build),
        ("diff models", &diffing),
        ("cargo-semver-checks lints", &lint_times),
    ] {
        println!("{name:<34} {:>22} {:>9.2}x", span(times), median(times).as_secs_f64() / reference_median.as_secs_f64());
    }
    let model_and_diff = median(&build) + median(&diffing);
    println!();
    println!("model build + diff: {:.0} ms ({:.2}x the reference parse)", model_and_diff.as_secs_f64() * 1e3, model_and_diff.as_secs_f64() / reference_median.as_secs_f64());
    let lint_wall = median(&lint_times).as_secs_f64();
    println!(
        "lints: {:.0} ms wall, {:.0} ms CPU per run: {:.2} cores busy of {} ({} lints)",
        lint_wall * 1e3,
        lint_cpu * 1e3,
        lint_cpu / lint_wall,
        std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1),
        catalog.len()
    );
    println!("queries: {:.0} ms in total; slowest:", query_total.as_secs_f64() * 1e3);
    for (id, duration) in lint_durations.iter().take(5) {
        println!("  {id:<60} {:>8.1} ms", duration.as_secs_f64() * 1e3);
    }
}

fn measure(runs: usize, mut f: impl FnMut()) -> Vec<Duration> {
    (0..runs)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed()
        })
        .collect()
}

fn median(times: &[Duration]) -> Duration {
    let mut sorted = times.to_vec();
    sorted.sort();
    sorted[sorted.len() / 2]
}

fn span(times: &[Duration]) -> String {
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    let (min, max) = (times.iter().min().unwrap(), times.iter().max().unwrap());
    format!("{:.1} ms ({:.1}..{:.1})", ms(median(times)), ms(*min), ms(*max))
}

fn mb(path: &Path) -> f64 {
    std::fs::metadata(path).map(|m| m.len() as f64 / 1e6).unwrap_or(0.0)
}

/// User + system CPU time of this process so far (Linux), to tell how many cores the lints use.
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after_name = stat.rsplit_once(')').map(|(_, rest)| rest).unwrap_or_default();
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    let ticks = |i: usize| fields.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    // utime and stime are fields 14 and 15 of the stat line, 12 and 13 after the name.
    (ticks(11) + ticks(12)) / 100.0
}
