//! Reverse-mode AD against the symbolic gradient for a function of many variables.
//!
//! One backward sweep gives all partial derivatives; evaluating the symbolic gradient costs
//! one evaluation per entry. `cargo bench --bench gradient`.

mod workloads;

/// The allocator the `deriv` binary uses, so that in-process times are the binary's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use deriv::{Env, eval, gradient, reverse_gradient};

fn gradient_group(c: &mut Criterion) {
    let mut group = c.benchmark_group("gradient");
    group.sample_size(20);
    for n in [100, 1000] {
        let (f, names) = workloads::chain_function(n);
        let vars: Vec<&str> = names.iter().map(String::as_str).collect();
        let env = names.iter().enumerate().fold(Env::new(), |env, (i, name)| {
            env.with(name, 0.1 + (i % 7) as f64 / 10.0)
        });
        let symbolic = gradient(&f, &vars).expect("the gradient exists");
        group.bench_function(BenchmarkId::new("reverse_mode", n), |b| {
            b.iter(|| black_box(reverse_gradient(&f, &env, &vars).ok()))
        });
        group.bench_function(BenchmarkId::new("symbolic_entry_by_entry", n), |b| {
            b.iter(|| {
                for entry in &symbolic {
                    black_box(eval(entry, &env).ok());
                }
            })
        });
        group.bench_function(BenchmarkId::new("symbolic_gradient_then_eval", n), |b| {
            b.iter(|| {
                let g = gradient(&f, &vars).expect("the gradient exists");
                for entry in &g {
                    black_box(eval(entry, &env).ok());
                }
            })
        });
    }
    group.finish();
}

criterion_group!(benches, gradient_group);
criterion_main!(benches);
