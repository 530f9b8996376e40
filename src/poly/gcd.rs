//! Exact multivariate gcd over the rationals.
//!
//! The recursive algorithm: view each polynomial as univariate in its first atom `v` with
//! coefficients in the other atoms, split off the content (the gcd of those coefficients,
//! computed recursively), and run a primitive pseudo-remainder sequence on the primitive
//! parts. Every remainder is made primitive again, which keeps coefficients small at the
//! sizes met in simplification. The recursion depth is at most the number of atoms.
//!
//! Results are normalised: coprime integer coefficients, positive leading coefficient.

use super::polynomial::{Budget, Poly};

/// The greatest common divisor, normalised; `None` when the budget runs out.
pub(crate) fn gcd(a: &Poly, b: &Poly, budget: &mut Budget) -> Option<Poly> {
    budget.spend(1)?;
    if a.is_zero() {
        return Some(b.normalized());
    }
    if b.is_zero() {
        return Some(a.normalized());
    }
    if a.is_constant() || b.is_constant() {
        return Some(Poly::one(a.nvars()));
    }
    if a.len() == 1 || b.len() == 1 {
        return Some(monomial_gcd(a, b));
    }
    if a == b {
        return Some(a.normalized());
    }
    let Some(v) = first_common_atom(a, b) else {
        // No atom in common: a common factor would have to be free of every atom.
        return Some(Poly::one(a.nvars()));
    };
    let content_a = content_in(a, v, budget)?;
    let content_b = content_in(b, v, budget)?;
    let common_content = gcd(&content_a, &content_b, budget)?;
    let mut p = a.exact_div(&content_a, budget)?;
    let mut q = b.exact_div(&content_b, budget)?;
    if p.degree_in(v) < q.degree_in(v) {
        std::mem::swap(&mut p, &mut q);
    }
    while !q.is_zero() {
        let r = pseudo_remainder(&p, &q, v, budget)?;
        p = q;
        q = if r.is_zero() {
            r
        } else {
            primitive_in(&r, v, budget)?
        };
    }
    let g = primitive_in(&p, v, budget)?;
    Some(common_content.mul(&g, budget)?.normalized())
}

/// The first atom that occurs in both polynomials. A common factor divides both, so it is
/// free of every atom that only one of them has: with no atom in common the gcd is `1`.
fn first_common_atom(a: &Poly, b: &Poly) -> Option<usize> {
    let in_b = b.atoms();
    a.atoms().into_iter().find(|v| in_b.contains(v))
}

/// The gcd when one side is a single term: the monomial of smallest exponents shared by
/// every term of both (over a field the coefficients do not matter).
fn monomial_gcd(a: &Poly, b: &Poly) -> Poly {
    let mins: Vec<i32> = a
        .min_exponents()
        .iter()
        .zip(b.min_exponents())
        .map(|(x, y)| (*x).min(y).max(0))
        .collect();
    Poly::from_terms(a.nvars(), [(mins, crate::num::Number::one())])
}

/// The content of `p` as a polynomial in `v`: the normalised gcd of its coefficients.
pub(crate) fn content_in(p: &Poly, v: usize, budget: &mut Budget) -> Option<Poly> {
    let mut g = Poly::zero(p.nvars());
    for c in p.coeffs_in(v) {
        g = gcd(&g, &c, budget)?;
        if g.is_constant() && !g.is_zero() {
            return Some(Poly::one(p.nvars()));
        }
    }
    Some(g)
}

/// `p` divided by its content in `v`, normalised.
pub(crate) fn primitive_in(p: &Poly, v: usize, budget: &mut Budget) -> Option<Poly> {
    let content = content_in(p, v, budget)?;
    Some(p.exact_div(&content, budget)?.normalized())
}

/// A pseudo-remainder of `p` by `q` in `v`: `r = lc(q)^k p - s q` with `deg_v r < deg_v q`.
/// The power of `lc(q)` differs from the textbook one, which is harmless because the
/// remainder sequence only uses primitive parts.
fn pseudo_remainder(p: &Poly, q: &Poly, v: usize, budget: &mut Budget) -> Option<Poly> {
    let dq = q.degree_in(v);
    let lq = q.coeff_in(v, dq);
    let mut r = p.clone();
    while !r.is_zero() && r.degree_in(v) >= dq {
        let dr = r.degree_in(v);
        let lr = r.coeff_in(v, dr);
        let scaled = lq.mul(&r, budget)?;
        let cancel = lr.shift(v, dr - dq).mul(q, budget)?;
        r = scaled.sub(&cancel);
    }
    Some(r)
}
