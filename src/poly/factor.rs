//! Factoring polynomials over the rationals, as far as cheap methods go.
//!
//! In order: the numeric content; the common monomial (`x^2*y` in `x^3*y + x^2*y^2`); the
//! content with respect to each atom in turn (`x*y + x + y + 1 = (x + 1)*(y + 1)`);
//! square-free decomposition by Yun's algorithm; and linear factors of univariate pieces from
//! their rational roots. What is left is returned unfactored: no Zassenhaus or Hensel lifting,
//! so `x^4 + 4` stays whole although it is `(x^2 + 2x + 2)(x^2 - 2x + 2)`.

use crate::num::Number;

use super::gcd::{content_in, gcd};
use super::poly::{Budget, Mono, Poly};

/// The largest degree at which rational roots are searched for.
const MAX_ROOT_SEARCH_DEGREE: i32 = 100;

/// The largest constant or leading coefficient whose divisors are enumerated.
const MAX_DIVISOR_SEARCH: u64 = 1_000_000_000_000;

/// The most candidate roots tried for one polynomial.
const MAX_CANDIDATES: usize = 4_000;

/// `unit * product(factor^multiplicity)`; every factor is normalised (coprime integer
/// coefficients, positive leading coefficient) and the factors are sorted and distinct.
#[derive(Debug, PartialEq)]
pub(crate) struct Factored {
    /// The numeric factor.
    pub(crate) unit: Number,
    /// The non-constant factors with their multiplicities.
    pub(crate) factors: Vec<(Poly, u32)>,
}

/// Factors `p` (exponents non-negative); `None` when the budget runs out.
pub(crate) fn factor_poly(p: &Poly, budget: &mut Budget) -> Option<Factored> {
    if let Some(c) = p.constant_value() {
        return Some(Factored {
            unit: c,
            factors: Vec::new(),
        });
    }
    let n = p.nvars();
    let mins = p.min_exponents();
    let mut factors: Vec<(Poly, u32)> = Vec::new();
    for (atom, &k) in mins.iter().enumerate() {
        if k > 0 {
            factors.push((Poly::atom_power(n, atom, 1), u32::try_from(k).ok()?));
        }
    }
    let rest = p
        .exact_div(&Poly::from_terms(n, [(mins, Number::one())]), budget)?
        .normalized();
    for piece in split_contents(rest, budget)? {
        for (square_free, multiplicity) in square_free_parts(&piece, budget)? {
            for f in split_rational_roots(&square_free, budget)? {
                factors.push((f, multiplicity));
            }
        }
    }
    let factors = merge(factors);
    let mut lead_product = Number::one();
    for (f, k) in &factors {
        lead_product = lead_product.mul(&f.leading_coeff().pow(&Number::int(i64::from(*k)))?);
    }
    // The leading monomial of a product is the product of the leading monomials, so the
    // leading coefficients alone give the numeric factor.
    let unit = p.leading_coeff().div(&lead_product)?;
    Some(Factored { unit, factors })
}

/// Sorts the factors and adds the multiplicities of equal ones.
fn merge(mut factors: Vec<(Poly, u32)>) -> Vec<(Poly, u32)> {
    factors.sort();
    let mut merged: Vec<(Poly, u32)> = Vec::with_capacity(factors.len());
    for (f, k) in factors {
        match merged.last_mut() {
            Some((g, m)) if *g == f => *m += k,
            _ => merged.push((f, k)),
        }
    }
    merged
}

/// Splits a polynomial into pieces that have no content with respect to any of their atoms,
/// by pulling out such contents repeatedly. Each piece is normalised and non-constant.
fn split_contents(p: Poly, budget: &mut Budget) -> Option<Vec<Poly>> {
    let mut done = Vec::new();
    let mut todo = vec![p];
    'pieces: while let Some(q) = todo.pop() {
        budget.spend(1)?;
        if q.is_constant() {
            continue;
        }
        for v in q.atoms() {
            let c = content_in(&q, v, budget)?;
            if !c.is_constant() {
                let rest = q.exact_div(&c, budget)?.normalized();
                todo.push(c);
                todo.push(rest);
                continue 'pieces;
            }
        }
        done.push(q.normalized());
    }
    Some(done)
}

/// Yun's square-free decomposition of a polynomial that is primitive in its first atom:
/// `p = product(a_i ^ i)` with every `a_i` square-free and the `a_i` pairwise coprime.
fn square_free_parts(p: &Poly, budget: &mut Budget) -> Option<Vec<(Poly, u32)>> {
    let Some(&v) = p.atoms().first() else {
        return Some(Vec::new());
    };
    let dp = p.derivative(v);
    let a0 = gcd(p, &dp, budget)?;
    let mut b = p.exact_div(&a0, budget)?;
    let mut d = dp.exact_div(&a0, budget)?.sub(&b.derivative(v));
    let mut parts = Vec::new();
    let mut i = 1u32;
    loop {
        budget.spend(1)?;
        let a = gcd(&b, &d, budget)?;
        if !a.is_constant() {
            parts.push((a.clone(), i));
        }
        b = b.exact_div(&a, budget)?;
        if b.is_constant() {
            return Some(parts);
        }
        let c = d.exact_div(&a, budget)?;
        d = c.sub(&b.derivative(v));
        i += 1;
    }
}

/// Splits off the linear factors `q*x - p` of a square-free univariate polynomial, found by
/// trying every rational `±p/q` with `p` dividing the constant and `q` the leading
/// coefficient. Multivariate or too large inputs come back whole.
fn split_rational_roots(f: &Poly, budget: &mut Budget) -> Option<Vec<Poly>> {
    let whole = Some(vec![f.normalized()]);
    let atoms = f.atoms();
    let [v] = atoms[..] else { return whole };
    let degree = f.degree_in(v);
    if !(2..=MAX_ROOT_SEARCH_DEGREE).contains(&degree) {
        return whole;
    }
    let mut rest = f.normalized();
    let constant = rest.coeff_in(v, 0).constant_value()?;
    let leading = rest.leading_coeff();
    let (Some(ps), Some(qs)) = (divisors(&constant), divisors(&leading)) else {
        return whole;
    };
    if ps.len().saturating_mul(qs.len()) > MAX_CANDIDATES {
        return whole;
    }
    let mut found = Vec::new();
    for &q in &qs {
        for &p in &ps {
            if gcd_u64(p, q) != 1 || rest.degree_in(v) < 2 {
                continue;
            }
            for sign in [1, -1] {
                let root = Number::ratio(sign * i64::try_from(p).ok()?, i64::try_from(q).ok()?)?;
                if !vanishes_at(&rest, v, &root, budget)? {
                    continue;
                }
                let n = f.nvars();
                let q = Number::int(i64::try_from(q).ok()?);
                let linear = Poly::from_terms(
                    n,
                    [
                        (unit_mono(n, v), q.clone()),
                        (vec![0; n], root.mul(&q).neg()),
                    ],
                );
                rest = rest.exact_div(&linear, budget)?.normalized();
                found.push(linear.normalized());
            }
        }
    }
    if !rest.is_constant() {
        found.push(rest);
    }
    Some(found)
}

fn unit_mono(n: usize, v: usize) -> Mono {
    let mut m = vec![0; n];
    m[v] = 1;
    m
}

/// Whether the univariate `f` is zero at `x = root`, by Horner's rule on its coefficients.
fn vanishes_at(f: &Poly, v: usize, root: &Number, budget: &mut Budget) -> Option<bool> {
    let degree = f.degree_in(v);
    budget.spend(u64::try_from(degree).ok()?.saturating_add(1))?;
    let mut dense = vec![Number::zero(); usize::try_from(degree).ok()? + 1];
    for (m, c) in f.terms() {
        dense[usize::try_from(m[v]).ok()?] = c.clone();
    }
    let value = dense
        .iter()
        .rev()
        .fold(Number::zero(), |acc, c| acc.mul(root).add(c));
    Some(value.is_zero())
}

/// The positive divisors of a non-zero integer within [`MAX_DIVISOR_SEARCH`], by trial
/// division.
fn divisors(n: &Number) -> Option<Vec<u64>> {
    let n = n.abs().to_i64().and_then(|n| u64::try_from(n).ok())?;
    if n == 0 || n > MAX_DIVISOR_SEARCH {
        return None;
    }
    let mut small = Vec::new();
    let mut large = Vec::new();
    let mut d = 1u64;
    while d * d <= n {
        if n % d == 0 {
            small.push(d);
            if d * d != n {
                large.push(n / d);
            }
        }
        d += 1;
    }
    small.extend(large.into_iter().rev());
    Some(small)
}

fn gcd_u64(mut a: u64, mut b: u64) -> u64 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}
