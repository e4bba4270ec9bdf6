// SPDX-License-Identifier: MIT OR Apache-2.0
//! Print the Criterion results of `cargo bench` as a Markdown table of
//! medians and ratios to Rust's System allocator, measured in the same run,
//! with the targets marked.
//!
//! Usage: `bench-summary [CRITERION_DIR]` (default: `$CARGO_TARGET_DIR/criterion`
//! or `target/criterion`).

use std::fs;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// The variants in the order of the table's columns.
const VARIANTS: [&str; 4] = ["system", "rtm_heap", "rtm_heap_nolock", "rtm_heap_direct"];

/// (group, target ratio of rtm_heap to system).
const TARGETS: [(&str, f64); 3] =
    [("trace_8-256B_50pct", 0.8), ("vec_u64_push_10000", 0.8), ("btreemap_u32_u64_10000", 0.95)];

/// The median point estimate (ns) in a Criterion estimates.json.
fn median_ns(file: &Path) -> Option<f64> {
    let text = fs::read_to_string(file).ok()?;
    let median = &text[text.find("\"median\"")?..];
    let value = &median[median.find("\"point_estimate\":")? + "\"point_estimate\":".len()..];
    let end = value.find([',', '}'])?;
    value[..end].trim().parse().ok()
}

fn fmt_ns(ns: f64) -> String {
    if ns >= 1e6 {
        format!("{:.2} ms", ns / 1e6)
    } else if ns >= 1e3 {
        format!("{:.2} µs", ns / 1e3)
    } else {
        format!("{ns:.1} ns")
    }
}

fn main() -> ExitCode {
    let dir = std::env::args().nth(1).map(PathBuf::from).unwrap_or_else(|| {
        let target = std::env::var("CARGO_TARGET_DIR").unwrap_or_else(|_| "target".into());
        Path::new(&target).join("criterion")
    });
    let Ok(entries) = fs::read_dir(&dir) else {
        eprintln!("bench-summary: no Criterion results in {} (run cargo bench first)", dir.display());
        return ExitCode::FAILURE;
    };
    let mut groups: Vec<String> = entries
        .flatten()
        .filter(|e| e.path().is_dir() && e.file_name() != "report")
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    groups.sort_by_key(|g| (!g.starts_with("trace"), !g.contains("10000"), g.len(), g.clone()));

    println!("| workload | {} |", VARIANTS.join(" | "));
    println!("|---|{}", "---|".repeat(VARIANTS.len()));
    let mut verdicts = Vec::new();
    for g in &groups {
        let times: Vec<Option<f64>> =
            VARIANTS.iter().map(|v| median_ns(&dir.join(g).join(v).join("new/estimates.json"))).collect();
        let Some(system) = times[0] else { continue };
        let cells: Vec<String> = times
            .iter()
            .enumerate()
            .map(|(i, t)| match t {
                None => "-".into(),
                Some(t) if i == 0 => fmt_ns(*t),
                Some(t) => format!("{} ({:.2})", fmt_ns(*t), t / system),
            })
            .collect();
        println!("| {g} | {} |", cells.join(" | "));
        if let (Some((_, target)), Some(heap)) = (TARGETS.iter().find(|(name, _)| name == g), times[1]) {
            let ratio = heap / system;
            let mark = if ratio <= *target { "meets" } else { "misses" };
            verdicts.push(format!("{g}: rtm_heap / system = {ratio:.2} ({mark} the target <= {target})"));
        }
    }
    println!("\nRatios are medians relative to `system` in the same run (lower is faster).");
    for v in verdicts {
        println!("- {v}");
    }
    ExitCode::SUCCESS
}
