//! deriv's in-process times next to SymPy's and SymEngine's, line by line, from the reference
//! JSON that the evaluation kit's `sympy_ref.py` writes for a corpus.
//!
//! ```text
//! cargo run --release --example versus -- REF.json
//! ```
//!
//! For each line of the reference: deriv's `diff` time (median of repeated batches, like
//! SymEngine's figure in the reference) against SymEngine's `diff`, and deriv's
//! `diff` + `simplify` against SymPy's `diff` + `simplify`; then medians, p99 and totals,
//! and the ratios. Only the ratios measured on one machine mean anything.

use std::error::Error;
use std::hint::black_box;
use std::time::{Duration, Instant};

use deriv::{Expr, Limits, diff, parse, simplify};
use serde_json::Value;

/// One line's times, in seconds.
struct Row {
    input: String,
    deriv_diff: f64,
    deriv_total: f64,
    symengine_diff: Option<f64>,
    sympy_total: Option<f64>,
}

fn main() -> Result<(), Box<dyn Error>> {
    let path = std::env::args()
        .nth(1)
        .ok_or("usage: versus REF.json (the output of sympy_ref.py)")?;
    let reference: Value = serde_json::from_str(&std::fs::read_to_string(&path)?)?;
    let lines = reference["lines"]
        .as_array()
        .ok_or("the reference has no `lines` array")?;
    let mut rows = Vec::new();
    for line in lines {
        let input = line["input"].as_str().ok_or("a line without `input`")?;
        match measure(input) {
            Ok((deriv_diff, deriv_total)) => rows.push(Row {
                input: input.to_owned(),
                deriv_diff,
                deriv_total,
                symengine_diff: line["symengine"]["time_s"].as_f64(),
                sympy_total: sympy_total(line),
            }),
            Err(e) => println!("skipped {input:?}: {e}"),
        }
    }
    print_rows(&rows);
    print_summary(&rows);
    Ok(())
}

/// SymPy's `diff` plus `simplify` time for a line whose simplification finished.
fn sympy_total(line: &Value) -> Option<f64> {
    if line["simplify"]["status"].as_str() != Some("ok") {
        return None;
    }
    Some(line["diff"]["time_s"].as_f64()? + line["simplify"]["time_s"].as_f64()?)
}

/// deriv's `diff` time (median of batches) and `diff` + `simplify` time (median of runs)
/// for one formula, parsed once, differentiated in `x`.
fn measure(input: &str) -> Result<(f64, f64), Box<dyn Error>> {
    let f = parse(input)?;
    diff(&f, "x", 1)?;
    let diff_time = median_batched(|| {
        black_box(diff(&f, "x", 1).ok());
    });
    let limits = Limits::default();
    let total = median_of((0..7).map(|_| {
        let clock = Instant::now();
        black_box(differentiate_and_simplify(&f, &limits));
        clock.elapsed().as_secs_f64()
    }));
    Ok((diff_time, total))
}

fn differentiate_and_simplify(f: &Expr, limits: &Limits) -> Option<Expr> {
    let raw = diff(f, "x", 1).ok()?;
    Some(simplify(&raw, limits).expr)
}

/// The median time of `run`, each sample a batch of calls long enough (about 2 ms) for the
/// clock to resolve a call of a microsecond.
fn median_batched(mut run: impl FnMut()) -> f64 {
    let clock = Instant::now();
    let mut calls = 0u32;
    while clock.elapsed() < Duration::from_millis(2) {
        run();
        calls += 1;
    }
    median_of((0..15).map(|_| {
        let clock = Instant::now();
        for _ in 0..calls {
            run();
        }
        clock.elapsed().as_secs_f64() / f64::from(calls)
    }))
}

fn median_of(samples: impl Iterator<Item = f64>) -> f64 {
    let mut v: Vec<f64> = samples.collect();
    v.sort_by(f64::total_cmp);
    v.get(v.len() / 2).copied().unwrap_or(f64::NAN)
}

/// The value at quantile `q` (nearest rank) of `values`.
fn quantile(values: &[f64], q: f64) -> f64 {
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    if v.is_empty() {
        return f64::NAN;
    }
    let rank = ((q * v.len() as f64).ceil() as usize).clamp(1, v.len());
    v[rank - 1]
}

fn print_rows(rows: &[Row]) {
    println!(
        "{:<42} {:>10} {:>10} {:>7}   {:>10} {:>10} {:>7}",
        "formula", "diff us", "SymEng us", "ratio", "d+s ms", "SymPy ms", "ratio"
    );
    for r in rows {
        let mut input = r.input.clone();
        if input.len() > 40 {
            input.truncate(input.floor_char_boundary(39));
            input.push('~');
        }
        println!(
            "{:<42} {:>10.2} {:>10} {:>7} | {:>10.3} {:>10} {:>7}",
            input,
            r.deriv_diff * 1e6,
            shown(r.symengine_diff.map(|t| t * 1e6), 2),
            shown(r.symengine_diff.map(|t| t / r.deriv_diff), 1),
            r.deriv_total * 1e3,
            shown(r.sympy_total.map(|t| t * 1e3), 1),
            shown(r.sympy_total.map(|t| t / r.deriv_total), 0),
        );
    }
}

fn shown(value: Option<f64>, decimals: usize) -> String {
    value.map_or("-".into(), |v| format!("{v:.decimals$}"))
}

fn print_summary(rows: &[Row]) {
    let column = |f: fn(&Row) -> Option<f64>| rows.iter().filter_map(f).collect::<Vec<f64>>();
    let deriv_diff = column(|r| Some(r.deriv_diff));
    let symengine = column(|r| r.symengine_diff);
    let deriv_total = column(|r| Some(r.deriv_total));
    let sympy = column(|r| r.sympy_total);
    let sum = |v: &[f64]| v.iter().sum::<f64>();
    println!();
    println!("lines: {}", rows.len());
    println!(
        "diff, median per line: deriv {:.2} us, SymEngine {:.2} us: deriv is {:.1}x faster",
        quantile(&deriv_diff, 0.5) * 1e6,
        quantile(&symengine, 0.5) * 1e6,
        quantile(&symengine, 0.5) / quantile(&deriv_diff, 0.5)
    );
    println!(
        "diff + simplify, total: deriv {:.1} ms, SymPy {:.0} ms: deriv is {:.0}x faster",
        sum(&deriv_total) * 1e3,
        sum(&sympy) * 1e3,
        sum(&sympy) / sum(&deriv_total)
    );
    println!(
        "diff + simplify per line: deriv median {:.2} ms, p99 {:.2} ms, max {:.2} ms; SymPy median {:.0} ms",
        quantile(&deriv_total, 0.5) * 1e3,
        quantile(&deriv_total, 0.99) * 1e3,
        quantile(&deriv_total, 1.0) * 1e3,
        quantile(&sympy, 0.5) * 1e3
    );
}
