//! Each stage of the pipeline on the workloads of the speed issue: parse, diff, simplify,
//! and the whole batch through the real binary on one thread and on all of them.
//!
//! `cargo bench --bench pipeline`; one group: `cargo bench --bench pipeline -- diff/`.

mod workloads;

/// The allocator the `deriv` binary uses, so that in-process times are the binary's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::hint::black_box;
use std::io::Write;
use std::process::{Command, Stdio};
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use deriv::{Limits, diff, parse, simplify};
use rayon::prelude::*;

/// Parsing: the textbook corpus line by line, a generated file of formulas at two sizes
/// (MB/s should not fall as the file grows) and on all cores, and one long sum.
fn parse_group(c: &mut Criterion) {
    let mut group = c.benchmark_group("parse");
    let corpus = workloads::textbook();
    let bytes: usize = corpus.iter().map(|l| l.len() + 1).sum();
    group.throughput(Throughput::Bytes(bytes as u64));
    group.bench_function("textbook", |b| {
        b.iter(|| {
            for line in &corpus {
                black_box(parse(line).ok());
            }
        })
    });
    group.sample_size(10);
    for megabytes in [1, 10] {
        let file = workloads::formula_file(megabytes << 20);
        group.throughput(Throughput::Bytes(file.len() as u64));
        group.bench_function(BenchmarkId::new("generated_file_mb", megabytes), |b| {
            b.iter(|| {
                for line in file.lines() {
                    black_box(parse(line).ok());
                }
            })
        });
    }
    // The 10 MB file's lines parsed on every core, as the batch mode reads them: lines are
    // independent, so throughput should scale with the cores.
    let file = workloads::formula_file(10 << 20);
    let lines: Vec<&str> = file.lines().collect();
    group.throughput(Throughput::Bytes(file.len() as u64));
    group.bench_function("generated_file_10mb_all_cores", |b| {
        b.iter(|| {
            lines.par_iter().for_each(|line| {
                black_box(parse(line).ok());
            })
        })
    });
    let sum = workloads::long_sum_text(100_000);
    group.throughput(Throughput::Bytes(sum.len() as u64));
    group.bench_function("sum_100000_terms", |b| {
        b.iter(|| black_box(parse(&sum).ok()))
    });
    group.finish();
}

/// Differentiation of parsed input: per corpus formula, the logistic map (its DAG is linear in
/// n, its canonical products hold about n factors each; kept as a program of bindings, it
/// stays linear), a long sum and a long product.
fn diff_group(c: &mut Criterion) {
    let mut group = c.benchmark_group("diff");
    let corpus = workloads::textbook_parsed();
    group.throughput(Throughput::Elements(corpus.len() as u64));
    group.bench_function("textbook", |b| {
        b.iter(|| {
            for f in &corpus {
                black_box(diff(f, "x", 1).ok());
            }
        })
    });
    for n in [10, 20, 30, 60] {
        let l = workloads::logistic(n);
        group.throughput(Throughput::Elements(1));
        group.bench_with_input(BenchmarkId::new("logistic", n), &l, |b, l| {
            b.iter(|| black_box(diff(l, "x", 1).ok()))
        });
    }
    // The same bindings kept as names: forward mode over them, linear in n.
    for n in [10, 20, 30, 60] {
        let l = workloads::logistic_program(n);
        group.bench_with_input(BenchmarkId::new("logistic_program", n), &l, |b, l| {
            b.iter(|| black_box(l.diff("x").ok()))
        });
    }
    let sum = parse(&workloads::long_sum_text(100_000)).expect("the sum parses");
    group.bench_function("sum_100000_terms", |b| {
        b.iter(|| black_box(diff(&sum, "x", 1).ok()))
    });
    let product = parse(&workloads::long_product_text(1000)).expect("the product parses");
    group.sample_size(10);
    group.bench_function("product_1000_factors", |b| {
        b.iter(|| black_box(diff(&product, "x", 1).ok()))
    });
    group.finish();
}

/// Simplification of the raw derivatives of the corpus, with default limits.
fn simplify_group(c: &mut Criterion) {
    let mut group = c.benchmark_group("simplify");
    let raw: Vec<_> = workloads::textbook_parsed()
        .iter()
        .filter_map(|f| diff(f, "x", 1).ok())
        .collect();
    let limits = Limits::default();
    group.sample_size(10);
    group.throughput(Throughput::Elements(raw.len() as u64));
    group.bench_function("textbook_derivatives", |b| {
        b.iter(|| {
            for d in &raw {
                black_box(simplify(d, &limits));
            }
        })
    });
    // Larger formulas of the generated kinds, most in several symbols: their normal forms
    // need multivariate gcds and factoring, which the textbook lines barely touch.
    let generated: Vec<_> = workloads::formula_file(64 << 10)
        .lines()
        .filter_map(|line| diff(&parse(line).ok()?, "x", 1).ok())
        .take(100)
        .collect();
    group.throughput(Throughput::Elements(generated.len() as u64));
    group.bench_function("generated_derivatives_100", |b| {
        b.iter(|| {
            for d in &generated {
                black_box(simplify(d, &limits));
            }
        })
    });
    // High powers of sums with fractions among their coefficients: the normal forms expand
    // them, with coefficients of hundreds of bits (found by the fuzzer at about 1 s).
    group.throughput(Throughput::Elements(1));
    for text in ["(pi + 6 + 6.2*(5 + x))^62", "(0.3*x + 1.7)^90*(x/7 + 2)^30"] {
        let d = diff(&parse(text).expect("the power parses"), "x", 1).expect("it differentiates");
        group.bench_with_input(BenchmarkId::new("fractional_power", text), &d, |b, d| {
            b.iter(|| black_box(simplify(d, &limits)))
        });
    }
    group.finish();
}

/// The real binary answering a batch (parse, diff, simplify, print): one thread against
/// all cores, same input, same run.
fn batch_group(c: &mut Criterion) {
    let corpus = workloads::textbook();
    let input: String = corpus
        .iter()
        .cycle()
        .take(2000)
        .map(|l| format!("{l}\n"))
        .collect();
    let mut group = c.benchmark_group("batch");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(20));
    group.throughput(Throughput::Elements(2000));
    for jobs in ["1", "2", "4"] {
        group.bench_function(BenchmarkId::new("textbook_2000_lines_jobs", jobs), |b| {
            b.iter(|| run_batch(&input, jobs))
        });
    }
    group.finish();
}

/// Runs `deriv --jobs JOBS -` on `input`, returning the bytes it printed.
fn run_batch(input: &str, jobs: &str) -> usize {
    let mut child = Command::new(env!("CARGO_BIN_EXE_deriv"))
        .args(["--jobs", jobs, "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the binary starts");
    let mut stdin = child.stdin.take().expect("stdin is piped");
    let text = input.to_owned();
    let writer = std::thread::spawn(move || stdin.write_all(text.as_bytes()));
    let output = child.wait_with_output().expect("the binary finishes");
    let _ = writer.join();
    output.stdout.len()
}

criterion_group!(
    benches,
    parse_group,
    diff_group,
    simplify_group,
    batch_group
);
criterion_main!(benches);
