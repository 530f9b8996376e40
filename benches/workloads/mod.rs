//! The inputs the benchmarks share: the textbook corpus, the logistic map, long sums and
//! products, generated formula files and a many-variable function.
//!
//! Everything is deterministic (a fixed-seed generator), so two runs time the same work.

#![allow(dead_code)] // each bench target uses its own subset

use deriv::{Expr, parse};

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

/// A small deterministic generator (splitmix64), so benches need no extra crate.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n`.
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    pub fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

/// A sum of `n` terms `c*x^k*y` with like terms among them (the shape of a long generated
/// polynomial), as text.
pub fn long_sum_text(n: usize) -> String {
    let mut rng = Rng::new(1);
    let terms: Vec<String> = (0..n)
        .map(|i| format!("{}*x^{}*y", 1 + rng.below(99), i % 50))
        .collect();
    terms.join(" + ")
}

/// A product of `n` distinct factors `(x + k)`, as text.
pub fn long_product_text(n: usize) -> String {
    let factors: Vec<String> = (1..=n).map(|k| format!("(x + {k})")).collect();
    factors.join("*")
}

/// One random formula of the kinds users send: polynomials, products and quotients of
/// elementary functions, nested calls, several symbols.
pub fn random_formula(rng: &mut Rng, depth: usize) -> String {
    const ATOMS: [&str; 8] = ["x", "y", "a", "2", "3", "1/2", "pi", "x^2"];
    const FUNCS: [&str; 8] = ["sin", "cos", "exp", "ln", "sqrt", "tan", "atan", "cosh"];
    const OPS: [&str; 5] = [" + ", " - ", "*", "/", "^"];
    if depth == 0 || rng.below(4) == 0 {
        return rng.pick(&ATOMS).to_string();
    }
    match rng.below(3) {
        0 => format!("{}({})", rng.pick(&FUNCS), random_formula(rng, depth - 1)),
        _ => {
            let op = rng.pick(&OPS);
            let left = random_formula(rng, depth - 1);
            if op == "^" {
                format!("({left})^{}", 2 + rng.below(4))
            } else {
                format!("({left}){op}({})", random_formula(rng, depth - 1))
            }
        }
    }
}

/// About `bytes` bytes of random formulas, one per line.
pub fn formula_file(bytes: usize) -> String {
    let mut rng = Rng::new(20261129);
    let mut text = String::with_capacity(bytes + 256);
    while text.len() < bytes {
        text.push_str(&random_formula(&mut rng, 4));
        text.push('\n');
    }
    text
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
