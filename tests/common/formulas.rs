//! Deterministic generators of formula text, for measuring the parser and for tests that
//! need much input.
//!
//! No dependencies beyond `std`, so that a benchmark can include this file on its own
//! (`#[path = "../tests/common/formulas.rs"] mod formulas;`). The same seed gives the same
//! text on every machine and every run.

#![allow(dead_code)]

/// A small, fast pseudo-random generator (SplitMix64): deterministic and good enough to vary
/// the shapes of formulas.
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    /// A generator started from `seed`.
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `low..=high`.
    pub fn range(&mut self, low: u64, high: u64) -> u64 {
        low + self.next_u64() % (high - low + 1)
    }

    /// One of `items`.
    pub fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[(self.next_u64() % items.len() as u64) as usize]
    }
}

/// The symbols formulas use.
const SYMBOLS: &[&str] = &["x", "x", "x", "y", "z", "a"];

/// The functions formulas call.
const FUNCTIONS: &[&str] = &[
    "sin", "cos", "tan", "exp", "ln", "sqrt", "atan", "sinh", "cosh", "sec", "asin",
];

/// One formula of the kinds people differentiate: a polynomial in one or more symbols, a
/// product with trigonometric, exponential or logarithmic factors, a quotient, nested
/// functions, or a sum of those; with integers, decimals (`1.5`, `2e-2`) and fractions.
pub fn formula(rng: &mut Rng) -> String {
    match rng.range(0, 5) {
        0 => polynomial(rng),
        1 => format!("{}*{}", monomial(rng), call(rng, 1)),
        2 => format!("({})/({})", polynomial(rng), polynomial(rng)),
        3 => call(rng, 3),
        4 => format!("{} - {}", product(rng), quotient(rng)),
        _ => format!("{}*{} + {}", call(rng, 2), call(rng, 1), polynomial(rng)),
    }
}

/// Formulas, one per line, until the text holds at least `bytes` bytes.
pub fn formulas(seed: u64, bytes: usize) -> String {
    let mut rng = Rng::new(seed);
    let mut text = String::with_capacity(bytes + 256);
    while text.len() < bytes {
        text.push_str(&formula(&mut rng));
        text.push('\n');
    }
    text
}

/// A number as people write them: mostly small integers, sometimes a decimal or a fraction.
fn number(rng: &mut Rng) -> String {
    match rng.range(0, 9) {
        0 => format!("{}.{}", rng.range(0, 20), rng.range(1, 99)),
        1 => format!("{}e-{}", rng.range(1, 9), rng.range(1, 3)),
        2 => format!("({}/{})", rng.range(1, 9), rng.range(2, 9)),
        _ => rng.range(1, 99).to_string(),
    }
}

/// `c*x^n*y`, `x`, `3*x^2`.
fn monomial(rng: &mut Rng) -> String {
    let mut text = String::new();
    if rng.range(0, 2) > 0 {
        text.push_str(&number(rng));
        text.push('*');
    }
    let factors = rng.range(1, 2);
    for k in 0..factors {
        if k > 0 {
            text.push('*');
        }
        text.push_str(rng.pick(SYMBOLS));
        if rng.range(0, 2) > 0 {
            text.push_str(&format!("^{}", rng.range(2, 9)));
        }
    }
    text
}

/// A sum of two to six monomials and maybe a constant, with `+` and `-`.
fn polynomial(rng: &mut Rng) -> String {
    let mut text = monomial(rng);
    for _ in 0..rng.range(1, 5) {
        text.push_str(rng.pick(&[" + ", " - "]));
        text.push_str(&monomial(rng));
    }
    if rng.range(0, 1) > 0 {
        text.push_str(&format!(" + {}", rng.range(1, 20)));
    }
    text
}

/// A function applied to a polynomial, or to another call up to `depth` levels deep.
fn call(rng: &mut Rng, depth: u32) -> String {
    let f = rng.pick(FUNCTIONS);
    let arg = if depth > 1 && rng.range(0, 1) > 0 {
        call(rng, depth - 1)
    } else if rng.range(0, 1) > 0 {
        monomial(rng)
    } else {
        polynomial(rng)
    };
    let power = if rng.range(0, 3) == 0 {
        format!("^{}", rng.range(2, 4))
    } else {
        String::new()
    };
    format!("{f}({arg}){power}")
}

/// A product of a monomial and a call, or of two parenthesised polynomials.
fn product(rng: &mut Rng) -> String {
    if rng.range(0, 1) > 0 {
        format!("{}*{}", monomial(rng), call(rng, 2))
    } else {
        format!("({})*({})", polynomial(rng), polynomial(rng))
    }
}

/// A quotient of a call by a polynomial.
fn quotient(rng: &mut Rng) -> String {
    format!("{}/({})", call(rng, 1), polynomial(rng))
}

/// One line: a sum of `terms` terms `c*x^k*y` (`c` in 1..=99, `k` cycling through 0..50).
pub fn long_sum(seed: u64, terms: usize) -> String {
    let mut rng = Rng::new(seed);
    let parts: Vec<String> = (0..terms)
        .map(|k| format!("{}*x^{}*y", rng.range(1, 99), k % 50))
        .collect();
    parts.join("+")
}

/// One line: a sum of `terms` distinct terms `c*x^k*y^j`, nothing to collect.
pub fn long_distinct_sum(seed: u64, terms: usize) -> String {
    let mut rng = Rng::new(seed);
    let parts: Vec<String> = (0..terms)
        .map(|k| format!("{}*x^{}*y^{}", rng.range(1, 99), k % 1000 + 1, k / 1000 + 1))
        .collect();
    parts.join("+")
}

/// One line: a product of `factors` factors `sin(x + k)`, all distinct.
pub fn long_product(factors: usize) -> String {
    let parts: Vec<String> = (1..=factors).map(|k| format!("sin(x + {k})")).collect();
    parts.join("*")
}

/// One line: `(x + 1)*(x + 2)*...*(x + n)`.
pub fn shifted_product(factors: usize) -> String {
    let parts: Vec<String> = (1..=factors).map(|k| format!("(x + {k})")).collect();
    parts.join("*")
}

/// One line: a product of `factors` powers `x^k*y^j` that collect into few bases.
pub fn long_power_product(factors: usize) -> String {
    let parts: Vec<String> = (0..factors)
        .map(|k| format!("{}^{}", ["x", "y", "z"][k % 3], k % 7 + 1))
        .collect();
    parts.join("*")
}
