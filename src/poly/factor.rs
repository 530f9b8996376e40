//! Factoring polynomials over the rationals, as far as cheap methods go.
//!
//! In order: the numeric content; the common monomial (`x^2*y` in `x^3*y + x^2*y^2`); the
//! content with respect to each atom in turn (`x*y + x + y + 1 = (x + 1)*(y + 1)`);
//! square-free decomposition by Yun's algorithm; linear factors of univariate pieces from
//! their rational roots; and their quadratic and cubic factors by Kronecker's method. What is
//! left is returned unfactored: there is no Zassenhaus or Hensel lifting, so a univariate
//! polynomial that splits only into factors of degree four or more stays whole, and a
//! multivariate one is split only by contents.

use crate::num::Number;

use super::gcd::{content_in, gcd};
use super::modular::{PRIME, add, mul};
use super::polynomial::{Budget, Mono, Poly};

/// The largest degree at which rational roots are searched for.
const MAX_ROOT_SEARCH_DEGREE: i32 = 100;

/// The largest value at a sample point that Kronecker's method factors: its divisors are
/// found by trial division, once per point and degree, so this bounds the method's time.
const MAX_SAMPLE_VALUE: u64 = 100_000_000;

/// The largest constant or leading coefficient whose divisors are enumerated.
const MAX_DIVISOR_SEARCH: u64 = 10_000_000_000;

/// The most candidate roots (or candidate factors) tried for one polynomial.
const MAX_CANDIDATES: usize = 4_000;

/// The largest degree of a factor searched for by interpolation (Kronecker's method).
const MAX_KRONECKER_DEGREE: usize = 3;

/// The integer points at which Kronecker's method may sample, in order of preference.
const SAMPLE_POINTS: [i64; 13] = [0, 1, -1, 2, -2, 3, -3, 4, -4, 5, -5, 6, -6];

/// `unit * product(factor^multiplicity)`; every factor is normalised (coprime integer
/// coefficients, positive leading coefficient) and the factors are sorted and distinct.
#[derive(Debug, PartialEq)]
pub(crate) struct Factored {
    /// The numeric factor.
    pub(crate) unit: Number,
    /// The non-constant factors with their multiplicities.
    pub(crate) factors: Vec<(Poly, u32)>,
}

impl Factored {
    /// `p` itself as one factor (unfactored).
    pub(crate) fn whole(p: &Poly) -> Factored {
        Factored {
            unit: Number::one(),
            factors: vec![(p.clone(), 1)],
        }
    }
}

/// How far [`factor_poly_to`] splits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Depth {
    /// Monomials, contents and square-free parts: `(x^2 - 1)^2` stays whole.
    SquareFree,
    /// Also rational roots and small factors: `(x - 1)^2*(x + 1)^2`.
    Full,
}

/// Factors `p` (exponents non-negative) to the given depth ([`Depth::Full`]: as far as this
/// module can); `None` when the budget runs out.
pub(crate) fn factor_poly_to(p: &Poly, depth: Depth, budget: &mut Budget) -> Option<Factored> {
    let square_free = SquareFree::of(p, budget)?;
    square_free.to_depth(depth, budget)
}

/// The square-free factoring of a polynomial, the first and costlier part of factoring it
/// fully: computed once, it gives both depths ([`SquareFree::to_depth`]).
pub(crate) struct SquareFree {
    /// The polynomial factored: its leading coefficient gives the numeric factor.
    whole: Poly,
    /// The atoms that divide every term, with their powers: never split further.
    monomials: Vec<(Poly, u32)>,
    /// Square-free, pairwise coprime pieces with their multiplicities.
    parts: Vec<(Poly, u32)>,
}

impl SquareFree {
    /// Pulls out the common monomial, the contents with respect to each atom, and the
    /// square-free parts; `None` when the budget runs out.
    pub(crate) fn of(p: &Poly, budget: &mut Budget) -> Option<SquareFree> {
        let n = p.nvars();
        let mut square_free = SquareFree {
            whole: p.clone(),
            monomials: Vec::new(),
            parts: Vec::new(),
        };
        if p.is_constant() {
            return Some(square_free);
        }
        let mins = p.min_exponents();
        for (atom, &k) in mins.iter().enumerate() {
            if k > 0 {
                let power = u32::try_from(k).ok()?;
                square_free
                    .monomials
                    .push((Poly::atom_power(n, atom, 1), power));
            }
        }
        let rest = p
            .exact_div(&Poly::from_terms(n, [(mins, Number::one())]), budget)?
            .normalized();
        for piece in split_contents(rest, budget)? {
            square_free.parts.extend(square_free_parts(&piece, budget)?);
        }
        Some(square_free)
    }

    /// The factoring to `depth`: these pieces as they are, or each split further by its
    /// rational roots and small factors; `None` when the budget runs out.
    pub(crate) fn to_depth(&self, depth: Depth, budget: &mut Budget) -> Option<Factored> {
        if let Some(c) = self.whole.constant_value() {
            return Some(Factored {
                unit: c,
                factors: Vec::new(),
            });
        }
        let mut factors = self.monomials.clone();
        for (square_free, multiplicity) in &self.parts {
            if depth == Depth::SquareFree {
                factors.push((square_free.clone(), *multiplicity));
                continue;
            }
            for f in split_rational_roots(square_free, budget)? {
                for g in split_small_factors(&f, budget)? {
                    factors.push((g, *multiplicity));
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
        let unit = self.whole.leading_coeff().div(&lead_product)?;
        Some(Factored { unit, factors })
    }
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
    let (Some(ps), Some(qs)) = (divisors(&constant, budget), divisors(&leading, budget)) else {
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

/// Splits off the factors of degree 2 to [`MAX_KRONECKER_DEGREE`] of a univariate
/// polynomial without rational roots, by Kronecker's method: a factor `g` of degree `d` takes
/// at `d + 1` integer points values that divide `f`'s values there, so interpolating every
/// choice of divisors finds every such `g`. The points with the fewest divisors are used,
/// and the search gives up (keeping `f` whole) past [`MAX_CANDIDATES`] choices.
fn split_small_factors(f: &Poly, budget: &mut Budget) -> Option<Vec<Poly>> {
    let atoms = f.atoms();
    let [v] = atoms[..] else {
        return Some(vec![f.clone()]);
    };
    let mut rest = f.clone();
    let mut found = Vec::new();
    for d in 2..=MAX_KRONECKER_DEGREE {
        while usize::try_from(rest.degree_in(v)).ok()? >= 2 * d {
            let Some(g) = find_factor_of_degree(&rest, v, d, budget)? else {
                break;
            };
            rest = rest.exact_div(&g, budget)?.normalized();
            found.push(g);
        }
    }
    found.push(rest);
    Some(found)
}

/// A factor of degree `d` of the univariate `f`, `Some(None)` when there is none (or the
/// search would be too large), `None` when the budget runs out.
fn find_factor_of_degree(
    f: &Poly,
    v: usize,
    d: usize,
    budget: &mut Budget,
) -> Option<Option<Poly>> {
    let mut samples: Vec<(i64, Vec<u64>)> = Vec::new();
    for t in SAMPLE_POINTS {
        let value = value_at(f, v, &Number::int(t), budget)?;
        if let Some(ds) = divisors_up_to(&value, MAX_SAMPLE_VALUE, budget) {
            samples.push((t, ds));
        }
    }
    if samples.len() <= d {
        return Some(None);
    }
    samples.sort_by_key(|(_, ds)| ds.len());
    samples.truncate(d + 1);
    let mut count: usize = 1 << d;
    for (_, ds) in &samples {
        count = count.saturating_mul(ds.len());
    }
    if count > MAX_CANDIDATES {
        return Some(None);
    }
    let points: Vec<i64> = samples.iter().map(|(t, _)| *t).collect();
    let basis = lagrange_basis(&points)?;
    let n = f.nvars();
    let lead = f.leading_coeff();
    for index in 0..count {
        budget.spend(1)?;
        // Mixed radix: a divisor per point, and a sign per point but the first (the sign of
        // `g` itself is free).
        let mut rest = index;
        let mut values = Vec::with_capacity(points.len());
        for (i, (_, ds)) in samples.iter().enumerate() {
            let divisor = ds[rest % ds.len()];
            rest /= ds.len();
            let negative = i > 0 && rest % 2 == 1;
            if i > 0 {
                rest /= 2;
            }
            let value = Number::int(i64::try_from(divisor).ok()?);
            values.push(if negative { value.neg() } else { value });
        }
        let coeffs = interpolate(&basis, &values);
        let degree_ok = coeffs.last().is_some_and(|c| !c.is_zero());
        if !degree_ok || !coeffs.iter().all(Number::is_integer) {
            continue;
        }
        let divides_lead = coeffs
            .last()
            .and_then(|c| lead.div(c))
            .is_some_and(|q| q.is_integer());
        if !divides_lead {
            continue;
        }
        let terms = coeffs.iter().enumerate().map(|(k, c)| {
            let mut m = vec![0; n];
            m[v] = i32::try_from(k).unwrap_or(0);
            (m, c.clone())
        });
        let g = Poly::from_terms(n, terms);
        if f.exact_div(&g, budget).is_some() {
            return Some(Some(g.normalized()));
        }
    }
    Some(None)
}

/// The Lagrange basis polynomials of the points, as coefficient vectors (constant first).
fn lagrange_basis(points: &[i64]) -> Option<Vec<Vec<Number>>> {
    let mut basis = Vec::with_capacity(points.len());
    for (i, &ti) in points.iter().enumerate() {
        let mut coeffs = vec![Number::one()];
        let mut scale = Number::one();
        for (j, &tj) in points.iter().enumerate() {
            if i == j {
                continue;
            }
            // Multiply by (X - tj).
            let mut next = vec![Number::zero(); coeffs.len() + 1];
            for (k, c) in coeffs.iter().enumerate() {
                next[k + 1] = next[k + 1].add(c);
                next[k] = next[k].sub(&c.mul(&Number::int(tj)));
            }
            coeffs = next;
            scale = scale.mul(&Number::int(ti - tj));
        }
        let inverse = scale.recip()?;
        basis.push(coeffs.iter().map(|c| c.mul(&inverse)).collect());
    }
    Some(basis)
}

/// The coefficients of the polynomial taking `values` at the basis' points.
fn interpolate(basis: &[Vec<Number>], values: &[Number]) -> Vec<Number> {
    let len = basis.first().map_or(0, Vec::len);
    let mut coeffs = vec![Number::zero(); len];
    for (l, y) in basis.iter().zip(values) {
        for (c, b) in coeffs.iter_mut().zip(l) {
            *c = c.add(&b.mul(y));
        }
    }
    coeffs
}

fn unit_mono(n: usize, v: usize) -> Mono {
    let mut m = vec![0; n];
    m[v] = 1;
    m
}

/// Whether the univariate `f` is zero at `x = root`.
///
/// Most candidate roots are not roots, and exact evaluation at `p/q` grows fractions of
/// hundreds of digits for a polynomial of high degree; so the value modulo a prime comes first:
/// a root of `f` is a root of its image, and a non-zero residue rules the candidate out. Only
/// candidates that pass (roots, and rare accidents) are evaluated exactly.
fn vanishes_at(f: &Poly, v: usize, root: &Number, budget: &mut Budget) -> Option<bool> {
    budget.spend(1)?;
    if residue_at(f, v, root).is_some_and(|r| r != 0) {
        return Some(false);
    }
    Some(value_at(f, v, root, budget)?.is_zero())
}

/// The value of the univariate `f` at `x = point` modulo [`PRIME`], by Horner's rule; `None`
/// when the prime divides a denominator (of a coefficient or of the point).
fn residue_at(f: &Poly, v: usize, point: &Number) -> Option<u64> {
    let x = point.residue(PRIME)?;
    let mut dense = vec![0u64; usize::try_from(f.degree_in(v)).ok()? + 1];
    for (m, c) in f.terms() {
        *dense.get_mut(usize::try_from(m[v]).ok()?)? = c.residue(PRIME)?;
    }
    Some(dense.iter().rev().fold(0, |acc, &c| add(mul(acc, x), c)))
}

/// The value of the univariate `f` at `x = point`, by Horner's rule on its coefficients.
fn value_at(f: &Poly, v: usize, point: &Number, budget: &mut Budget) -> Option<Number> {
    let degree = f.degree_in(v);
    let steps = u64::try_from(degree).ok()?.saturating_add(1);
    // The running value grows to about `degree` times the point's size.
    let weight = f.limb_weight() + steps.saturating_mul(point.bits()) / 64;
    budget.spend(steps.saturating_mul(weight))?;
    let mut dense = vec![Number::zero(); usize::try_from(degree).ok()? + 1];
    for (m, c) in f.terms() {
        dense[usize::try_from(m[v]).ok()?] = c.clone();
    }
    Some(
        dense
            .iter()
            .rev()
            .fold(Number::zero(), |acc, c| acc.mul(point).add(c)),
    )
}

/// The positive divisors of a non-zero integer within [`MAX_DIVISOR_SEARCH`], by trial
/// division; `None` for zero, larger numbers or an exhausted budget.
fn divisors(n: &Number, budget: &mut Budget) -> Option<Vec<u64>> {
    divisors_up_to(n, MAX_DIVISOR_SEARCH, budget)
}

/// [`divisors`] of numbers up to `limit` only.
fn divisors_up_to(n: &Number, limit: u64, budget: &mut Budget) -> Option<Vec<u64>> {
    let n = n.abs().to_i64().and_then(|n| u64::try_from(n).ok())?;
    if n == 0 || n > limit {
        return None;
    }
    // Trial division to the square root: charge one unit per 64 candidates.
    budget.spend(n.isqrt() / 64 + 1)?;
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
