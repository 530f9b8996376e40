//! The inputs the benchmarks share: the textbook corpus, the logistic map, long sums and
//! products, generated formula files and a many-variable function.
//!
//! Everything is deterministic (fixed seeds), so two runs time the same work.

#![allow(dead_code)] // each bench target uses its own subset

use deriv::{Expr, ParseOptions, Program, parse, parse_program};

/// The formulas of the textbook test corpus (comments and blank lines dropped).
pub fn textbook() -> Vec<&'static str> {
    include_str!("../../tests/data/diff/textbook.txt")
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect()
}

/// The textbook corpus, parsed.
pub fn textbook_parsed() -> Vec<Expr> {
    textbook()
        .into_iter()
        .map(|line| parse(line).unwrap_or_else(|e| panic!("{line}: {e}")))
        .collect()
}

/// The logistic map `l(n)`, `l(1) = x`, `l(k+1) = 4*l(k)*(1 - l(k))`, written with bindings
/// so that it parses to a DAG of size linear in `n` (its tree has about 2^n nodes).
pub fn logistic_text(n: usize) -> String {
    let mut text = String::from("l1 = x; ");
    for k in 2..=n {
        text.push_str(&format!("l{k} = 4*l{}*(1 - l{}); ", k - 1, k - 1));
    }
    text.push_str(&format!("l{n}"));
    text
}

/// [`logistic_text`], parsed.
pub fn logistic(n: usize) -> Expr {
    parse(&logistic_text(n)).unwrap_or_else(|e| panic!("l({n}): {e}"))
}

/// [`logistic_text`], parsed with its bindings kept as names.
pub fn logistic_program(n: usize) -> Program {
    let text = logistic_text(n);
    parse_program(&text, &ParseOptions::default())
        .unwrap_or_else(|e| panic!("l({n}): {e}"))
        .program
}

/// The formula generators the tests use too (`formulas(seed, bytes)`, `long_sum`,
/// `shifted_product`, ...), so benchmarks and tests read the same shapes.
#[path = "../../tests/common/formulas.rs"]
pub mod formulas;

/// About `bytes` bytes of random formulas of the corpus's kinds, one per line.
pub fn formula_file(bytes: usize) -> String {
    formulas::formulas(20261129, bytes)
}

/// A sum of `n` terms `c*x^k*y` with like terms among them, as text.
pub fn long_sum_text(n: usize) -> String {
    formulas::long_sum(1, n)
}

/// A product of `n` distinct factors `(x + k)`, as text.
pub fn long_product_text(n: usize) -> String {
    formulas::shifted_product(n)
}

/// `sum_i x_i^2*exp(x_(i+1)) + sin(x_i*x_(i+1))` over `n` variables `x0..x(n-1)` (cyclic):
/// every partial derivative is non-trivial and the gradient shares much work.
pub fn chain_function(n: usize) -> (Expr, Vec<String>) {
    let names: Vec<String> = (0..n).map(|i| format!("x{i}")).collect();
    let terms = (0..n).map(|i| {
        let a = Expr::sym(&names[i]);
        let b = Expr::sym(&names[(i + 1) % n]);
        a.clone().pow(2) * b.clone().exp() + (a * b).sin()
    });
    (Expr::sum(terms), names)
}
