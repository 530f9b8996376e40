//! Canonical polynomial and rational-function normal forms over the rationals.
//!
//! The e-graph simplifier cannot find expansion, factoring or cancellation with binary
//! rewrite rules in reasonable time, so it asks this module for whole normal forms of an
//! e-class and lets extraction pick the smallest. Every form here is equal in value to its
//! input wherever the input is defined; cancelling a common factor of numerator and
//! denominator (`(x^2 - 4)/(x + 2) = x - 2`) is allowed, as in every CAS.
//!
//! An expression is read as a polynomial over its atoms (see `convert`): symbols,
//! constants, calls, powers with symbolic exponents. Atoms are never looked into; the
//! simplifier does that.
//!
//! **Invariant:** results depend only on the input (atoms are numbered in the canonical order
//! of expressions, never by address or hash).
//!
//! **Bounds:** every function gives up with `None` rather than work without limit: no
//! intermediate polynomial may exceed 2,000 terms, total degree 1,000 or 8,192-bit
//! coefficients, and one call does at most about two million coefficient operations. So
//! `expand((x+1)^100000)` is `None` at once.

mod convert;
mod factor;
mod frac;
mod gcd;
mod modular;
mod polynomial;
mod sturm;
#[cfg(test)]
mod tests;

use crate::expr::{Expr, Kind};
use crate::num::Number;

use convert::{Atoms, Roots, to_fraction, to_laurent};
use factor::{Depth, Factored, SquareFree, factor_poly_to};
use frac::Frac;
use polynomial::{Budget, Mono, Poly};
pub(crate) use sturm::{OneAtomFraction, Side};

/// The fully expanded form: products and positive integer powers of sums distributed, like
/// terms collected. Negative powers of sums stay as atoms (`(x + 1)^-1`); negative powers of
/// atoms stay as Laurent terms (`(x + 1)^2 / x = x + 2 + x^-1`). `None` past the bounds.
///
/// ```
/// use deriv::{Expr, expand};
/// let x = Expr::sym("x");
/// let square = (x.clone() + 1).pow(2);
/// assert_eq!(expand(&square), Some(x.clone().pow(2) + x * 2 + 1));
/// ```
pub fn expand(e: &Expr) -> Option<Expr> {
    let mut budget = Budget::new();
    let (atoms, p) = to_laurent(e, &mut budget)?;
    Some(atoms.poly_expr(&p))
}

/// The rational normal form `p * q^-1`: `p` and `q` expanded polynomials over the atoms with
/// no common factor, `q` with coprime integer coefficients and a positive leading
/// coefficient (its numeric content moved into `p`). `None` past the bounds.
///
/// ```
/// use deriv::{Expr, cancel};
/// let x = Expr::sym("x");
/// let quotient = (x.clone().pow(2) - 4) / (x.clone() + 2);
/// assert_eq!(cancel(&quotient), Some(x - 2));
/// ```
pub fn cancel(e: &Expr) -> Option<Expr> {
    let mut budget = Budget::new();
    let (atoms, f) = to_fraction(e, Roots::Opaque, &mut budget)?;
    Some(expanded_form(&atoms, &f))
}

/// Puts a sum of fractions over one denominator. The same normal form as [`cancel`]: exact
/// gcds make combining and cancelling one step.
pub fn together(e: &Expr) -> Option<Expr> {
    cancel(e)
}

/// The factored form of [`cancel`]'s normal form: a numeric factor times powers of
/// polynomials, numerator and denominator factored separately. Factors are found from the
/// numeric content, common monomials, contents with respect to each atom, square-free
/// decomposition, rational roots and (univariate) quadratic and cubic factors; a remaining
/// factor may still be reducible into factors of degree four or more.
/// `None` past the bounds.
///
/// ```
/// use deriv::{Expr, factor};
/// let x = Expr::sym("x");
/// let cubic = x.clone().pow(3) - x.clone();
/// assert_eq!(factor(&cubic), Some(Expr::product([x.clone() - 1, x.clone(), x + 1])));
/// ```
pub fn factor(e: &Expr) -> Option<Expr> {
    factor_to(e, Depth::Full)
}

/// [`factor`] as far as square-free parts only: `(x^2 - 1)^2` stays whole, which is all the
/// simplifier needs to see the even powers in a root's radicand.
pub(crate) fn factor_square_free(e: &Expr) -> Option<Expr> {
    factor_to(e, Depth::SquareFree)
}

fn factor_to(e: &Expr, depth: Depth) -> Option<Expr> {
    let mut budget = Budget::new();
    let (atoms, f) = to_fraction(e, Roots::Opaque, &mut budget)?;
    let num = factor_poly_to(f.num(), depth, &mut budget)?;
    let den = factor_poly_to(f.den(), depth, &mut budget)?;
    Some(Expr::product([
        factored_expr(&atoms, &num),
        factored_expr(&atoms, &den).recip(),
    ]))
}

/// The smallest of the input and its `normal_forms`, by [`Expr::simpler`]. Never fails: a
/// form past the bounds is skipped, and the input itself is always a candidate.
pub fn smallest_normal_form(e: &Expr) -> Expr {
    normal_forms(e)
        .into_iter()
        .fold(e.clone(), |best, candidate| {
            match candidate.simpler(&best) {
                std::cmp::Ordering::Less => candidate,
                _ => best,
            }
        })
}

/// Every normal form of `e` this module knows, equal in value to `e`: [`expand`], [`cancel`]
/// (also with the numerator's content pulled out), and factored forms (numerator,
/// denominator or both; square-free only and as far as possible). When `e` has roots of
/// sums, each fraction form comes twice: with the roots as they are, and with whole powers
/// of the sums taken out of them (`3*x^2/sqrt(u) - x^4/u^(3/2)` for `u = x^2 + 4` is
/// `2*x^2*(x^2 + 6)/u^(3/2)` only then; `x^4*u^(5/2)` reads best with `u^(3/2)` kept).
/// Sorted by [`Expr::simpler`], without duplicates; empty for a leaf. Each form has its own
/// work budget, so the whole call is bounded by a few times one of them; a form past its
/// budget is left out.
pub fn normal_forms(e: &Expr) -> Vec<Expr> {
    if is_atomic(e) {
        return Vec::new();
    }
    let mut forms: Vec<Expr> = expand(e)
        .into_iter()
        .chain(rational_part_combined(e))
        .collect();
    // The second reading only where the first met a root of a sum, and its forms only where
    // it read one differently.
    let mut budget = Budget::new();
    let Some((atoms, f)) = to_fraction(e, Roots::Opaque, &mut budget) else {
        return sorted(forms);
    };
    fraction_forms(&atoms, &f, &mut forms);
    if atoms.has_roots_of_sums() {
        let mut budget = Budget::new();
        if let Some((atoms, f)) = to_fraction(e, Roots::Reduced, &mut budget)
            && atoms.took_powers_out()
        {
            fraction_forms(&atoms, &f, &mut forms);
        }
    }
    sorted(forms)
}

/// The most terms, numerator and denominator together, that [`forms_modulo`] reads further.
const MAX_MODULO_TERMS: usize = 64;

/// Two atoms bound by `b^2 = 1 + sign*a^2`: `sin(u)` and `cos(u)` with `sign = -1`,
/// `sinh(u)` and `cosh(u)` with `sign = 1`. The simplifier finds them; this module only
/// uses the relation.
#[derive(Clone, Debug)]
pub(crate) struct Pythagorean {
    pub(crate) a: Expr,
    pub(crate) b: Expr,
    pub(crate) sign: i64,
}

/// The fraction forms of `e` (as [`normal_forms`] makes them) once each relation has
/// lowered every power of `b`, and once every power of `a`, below 2 in the numerator (and
/// in the denominator, or not), and the two have been cancelled again: `(sin(u)^2 - 1)/cos(u)` is
/// `-cos(u)`, `(cos(u) - cos(u)^3)/sin(u)` is `sin(u)*cos(u)`. Remainders modulo the
/// relations are normal forms, so what cancels only through them is found. Empty when no
/// relation has both atoms in `e`, or past the bounds.
pub(crate) fn forms_modulo(e: &Expr, relations: &[Pythagorean]) -> Vec<Expr> {
    let mut budget = Budget::new();
    let Some((atoms, f)) = to_fraction(e, Roots::Opaque, &mut budget) else {
        return Vec::new();
    };
    // Five readings, each factored, of a long expansion cost more than a whole e-graph run,
    // and a fraction that long does not cancel to anything a reader wants.
    if f.num().len() + f.den().len() > MAX_MODULO_TERMS {
        return Vec::new();
    }
    let n = atoms.len();
    let pairs: Vec<(usize, usize, i64)> = relations
        .iter()
        .filter_map(|r| Some((atoms.plain(&r.a)?, atoms.plain(&r.b)?, r.sign)))
        .collect();
    if pairs.is_empty() {
        return Vec::new();
    }
    let mut forms = Vec::new();
    // Lowering the denominator too gives the normal form, but a reader would rather see
    // `sinh(u)/cosh(u)^3` than `sinh(u)/((sinh(u)^2 + 1)*cosh(u))`: both are offered.
    for (lower_b, lower_den) in [(true, true), (false, true), (true, false), (false, false)] {
        let mut budget = Budget::new();
        let lowered = |p: &Poly, budget: &mut Budget| {
            pairs.iter().try_fold(p.clone(), |p, &(a, b, sign)| {
                // b^2 = 1 + sign*a^2, and a^2 = sign*b^2 - sign (sign is 1 or -1).
                let (atom, other, c0, c2) = match lower_b {
                    true => (b, a, 1, sign),
                    false => (a, b, -sign, sign),
                };
                let r = Poly::constant(n, Number::int(c0))
                    .add(&Poly::atom_power(n, other, 2).scale(&Number::int(c2)));
                p.lowered(atom, &r, budget)
            })
        };
        let reduced = lowered(f.num(), &mut budget).and_then(|num| {
            let den = match lower_den {
                true => lowered(f.den(), &mut budget)?,
                false => f.den().clone(),
            };
            Some((num, den))
        });
        push_fraction_forms(&atoms, reduced, &mut budget, &mut forms);
    }
    // Homogeneous in each pair instead, where the parities allow: `(1 + 2*s*c)/(s + c)` is
    // `(s + c)^2/(s + c)`, which no lowering shows.
    let mut budget = Budget::new();
    let homogeneous = |p: &Poly, budget: &mut Budget| {
        pairs.iter().try_fold(p.clone(), |p, &(a, b, sign)| {
            // 1 = b^2 - sign*a^2.
            let r = Poly::atom_power(n, b, 2)
                .add(&Poly::atom_power(n, a, 2).scale(&Number::int(-sign)));
            Some(p.homogenized(a, b, &r, budget).unwrap_or(p))
        })
    };
    let reduced = homogeneous(f.num(), &mut budget)
        .and_then(|num| Some((num, homogeneous(f.den(), &mut budget)?)));
    push_fraction_forms(&atoms, reduced, &mut budget, &mut forms);
    sorted(forms)
}

/// The [`fraction_forms`] of `num/den` (a reading of [`forms_modulo`]) cancelled again,
/// when the reading and the cancelling stayed within the budget.
fn push_fraction_forms(
    atoms: &Atoms,
    reading: Option<(Poly, Poly)>,
    budget: &mut Budget,
    forms: &mut Vec<Expr>,
) {
    if let Some(f) = reading.and_then(|(num, den)| Frac::new(num, den, budget)) {
        fraction_forms(atoms, &f, forms);
    }
}

/// `forms` sorted by [`Expr::simpler`], without duplicates, each [`tidied`].
fn sorted(forms: Vec<Expr>) -> Vec<Expr> {
    let mut forms: Vec<Expr> = forms.iter().map(tidied).collect();
    forms.sort_by(Expr::simpler);
    forms.dedup();
    forms
}

/// The forms of the fraction `f`: expanded, with its content pulled out, and factored.
fn fraction_forms(atoms: &Atoms, f: &Frac, forms: &mut Vec<Expr>) {
    forms.push(expanded_form(atoms, f));
    forms.push(content_form(atoms, f));
    let num_expanded = root_sums_out(atoms, Factored::whole(f.num()));
    let den_expanded = root_sums_out(atoms, Factored::whole(f.den()));
    // The square-free factorings are the first part of the full ones: computed once,
    // on a budget of their own, and each depth splits them on another.
    let mut budget = Budget::new();
    let num_square_free = SquareFree::of(f.num(), &mut budget);
    let den_square_free = SquareFree::of(f.den(), &mut budget);
    for depth in [Depth::SquareFree, Depth::Full] {
        let mut budget = Budget::new();
        let num = written_factoring(atoms, num_square_free.as_ref(), depth, &mut budget);
        let den = written_factoring(atoms, den_square_free.as_ref(), depth, &mut budget);
        if depth == Depth::Full {
            let den = den.as_ref().unwrap_or(&den_expanded);
            forms.extend(collected_form(atoms, f.num(), den));
        }
        let pairs = [
            (num.as_ref(), Some(&den_expanded)),
            (Some(&num_expanded), den.as_ref()),
            (num.as_ref(), den.as_ref()),
        ];
        for (n, d) in pairs {
            if let (Some(n), Some(d)) = (n, d) {
                let den = factored_expr(atoms, d).recip();
                forms.push(Expr::product([factored_expr(atoms, n), den.clone()]));
                if let Some(n) = sign_absorbed(n) {
                    forms.push(Expr::product([factored_expr(atoms, &n), den]));
                }
            }
        }
    }
}

/// `e` read as a fraction whose denominator is a polynomial in one atom and whose numerator
/// is of at least its degree, as a polynomial plus a proper fraction (`(x^2 + 1)/(x + 1) =
/// x - 1 + 2/(x + 1)`), over the denominator expanded and factored: `1 - 25/(3*(7*x -
/// 6)^2)` where the numerator over one denominator, `(49*x^2 - 84*x + 83/3)/(7*x - 6)^2`,
/// is longer. Empty when `e` is not such a fraction, the division is exact, or past the
/// bounds.
pub(crate) fn proper_fractions(e: &Expr) -> Vec<Expr> {
    if is_atomic(e) {
        return Vec::new();
    }
    let mut budget = Budget::new();
    let Some((atoms, f)) = to_fraction(e, Roots::Opaque, &mut budget) else {
        return Vec::new();
    };
    let Some(atom) = f.den().atoms().into_iter().next() else {
        return Vec::new();
    };
    let Some((quotient, rest)) = f.num().divided_in(f.den(), atom, &mut budget) else {
        return Vec::new();
    };
    if quotient.is_zero() || rest.is_zero() {
        return Vec::new();
    }
    let quotient = atoms.poly_expr(&quotient);
    let rest = atoms.poly_expr(&rest);
    let square_free = SquareFree::of(f.den(), &mut Budget::new());
    let factorings = [Depth::SquareFree, Depth::Full]
        .map(|depth| written_factoring(&atoms, square_free.as_ref(), depth, &mut Budget::new()));
    let expanded = root_sums_out(&atoms, Factored::whole(f.den()));
    let mut dens: Vec<Expr> = Vec::with_capacity(3);
    for den in std::iter::once(expanded).chain(factorings.into_iter().flatten()) {
        let den = factored_expr(&atoms, &den);
        if !dens.contains(&den) {
            dens.push(den);
        }
    }
    dens.into_iter()
        .map(|den| quotient.clone() + rest.clone() * den.recip())
        .collect()
}

/// A square-free factoring split to `depth` (on `budget`), with whole powers of roots of
/// sums taken out ([`root_sums_out`]): a numerator or denominator factored as the forms
/// write it.
fn written_factoring(
    atoms: &Atoms,
    square_free: Option<&SquareFree>,
    depth: Depth,
    budget: &mut Budget,
) -> Option<Factored> {
    let factored = square_free?.to_depth(depth, budget)?;
    Some(root_sums_out(atoms, factored))
}

/// `form` with each sum of polynomials that has a sum among its factors (`2*x*(x + 1) +
/// 5*x`, where a form kept a sum whole as an atom of its reading) replaced by the smallest
/// of it, its expansion and its square-free factoring (`x*(2*x + 7)`). A form's parts are
/// not normalised again by the simplifier when they are not where a polynomial region
/// begins.
fn tidied(form: &Expr) -> Expr {
    form.rewrite_bottom_up(|_, now| {
        let Kind::Add(terms) = now.kind() else {
            return None;
        };
        if !terms.iter().any(has_sum_factor) || !is_polynomial(now) {
            return None;
        }
        smaller_form(now, [expand(now), factor_to(now, Depth::SquareFree)])
    })
}

/// The simplest of `candidates` (those computed within their bounds), if it is simpler than
/// `e`.
fn smaller_form(e: &Expr, candidates: [Option<Expr>; 2]) -> Option<Expr> {
    candidates
        .into_iter()
        .flatten()
        .min_by(Expr::simpler)
        .filter(|best| best.simpler(e).is_lt())
}

/// Whether the term `t` is a sum, or a product or power with a sum among its factors.
fn has_sum_factor(t: &Expr) -> bool {
    let is_sum = |f: &Expr| match f.kind() {
        Kind::Pow(base, _) => matches!(base.kind(), Kind::Add(_)),
        kind => matches!(kind, Kind::Add(_)),
    };
    match t.kind() {
        Kind::Mul(factors) => factors.iter().any(is_sum),
        _ => is_sum(t),
    }
}

/// Whether `e` is a polynomial in its symbols and constants (whole non-negative powers).
fn is_polynomial(e: &Expr) -> bool {
    is_rational_with(e, false)
}

/// Whether `e` is a polynomial (`negative_powers` false) or a rational function (true) in
/// its symbols and constants.
fn is_rational_with(e: &Expr, negative_powers: bool) -> bool {
    match e.kind() {
        Kind::Num(_) | Kind::Const(_) | Kind::Sym(_) => true,
        Kind::Add(xs) | Kind::Mul(xs) => xs.iter().all(|x| is_rational_with(x, negative_powers)),
        Kind::Pow(b, k) => {
            k.as_num()
                .is_some_and(|k| k.is_integer() && (negative_powers || !k.is_negative()))
                && is_rational_with(b, negative_powers)
        }
        Kind::Call(..) | Kind::Undef { .. } => false,
    }
}

/// A sum with its terms that are rational functions of the symbols put over one
/// denominator, the other terms as they are: `2*x/(x + 1) + 1/(x + 1) + ln(x^2 + x)` is
/// `(2*x + 1)/(x + 1) + ln(x^2 + x)`. The whole sum's fraction forms would take the
/// logarithm into the numerator too. `None` when that changes nothing.
fn rational_part_combined(e: &Expr) -> Option<Expr> {
    let Kind::Add(terms) = e.kind() else {
        return None;
    };
    let (rational, others): (Vec<Expr>, Vec<Expr>) = terms
        .iter()
        .cloned()
        .partition(|t| is_rational_with(t, true));
    if rational.len() < 2 || others.is_empty() {
        return None;
    }
    let part = Expr::sum(rational);
    let best = smaller_form(&part, [cancel(&part), factor_to(&part, Depth::SquareFree)])?;
    Some(Expr::sum(others.into_iter().chain([best])))
}

/// Whether `e` is a leaf, which every normal form returns unchanged.
fn is_atomic(e: &Expr) -> bool {
    e.child_vec().is_empty()
}

/// `p * q^-1` with both expanded.
fn expanded_form(atoms: &Atoms, f: &Frac) -> Expr {
    Expr::product([atoms.poly_expr(f.num()), atoms.poly_expr(f.den()).recip()])
}

/// `c * p' * q^-1` with the numerator's numeric content `c` pulled out.
fn content_form(atoms: &Atoms, f: &Frac) -> Expr {
    let c = f.num().content();
    let primitive = match c.recip() {
        Some(r) => f.num().scale(&r),
        None => f.num().clone(),
    };
    Expr::product([
        Expr::num(c),
        atoms.poly_expr(&primitive),
        atoms.poly_expr(f.den()).recip(),
    ])
}

/// The same product with a negative unit's sign moved into a simple factor:
/// `-(2*s - c)*e` becomes `(c - 2*s)*e`, one minus sign (and often one node) fewer.
fn sign_absorbed(f: &Factored) -> Option<Factored> {
    if !f.unit.is_negative() {
        return None;
    }
    let i = f.factors.iter().position(|(p, k)| *k == 1 && p.len() > 1)?;
    let mut factors = f.factors.clone();
    factors[i].0 = factors[i].0.scale(&Number::int(-1));
    Some(Factored {
        unit: f.unit.neg(),
        factors,
    })
}

/// The most groups [`collected_form`] makes: past it, the form reads worse than expanded.
const MAX_GROUPS: usize = 6;

/// The most terms a numerator [`collected_form`] collects: the gcds and divisions it takes
/// grow fast with the terms, and a numerator this long does not read well collected either
/// (on generated multivariate derivatives, collecting all of them cost a fifth more time).
const MAX_COLLECTED_TERMS: usize = 24;

/// `num` collected by its atoms that are not symbols or constants (calls, powers with a
/// symbolic exponent), each coefficient factored (square-free), with the common numeric and
/// monomial factor in front, over `den`: `x^2*cos(x) - x*cos(x) + 2*x*sin(x) - sin(x)` is
/// `x*(x - 1)*cos(x) + (2*x - 1)*sin(x)`. `None` without such atoms, with one group or more
/// than [`MAX_GROUPS`], or past the budget.
fn collected_form(atoms: &Atoms, num: &Poly, den: &Factored) -> Option<Expr> {
    let by = atoms.collected_by();
    if !by.contains(&true) || !by.contains(&false) || num.len() > MAX_COLLECTED_TERMS {
        return None;
    }
    let (content, common, primitive) = num.common_factors()?;
    let mut groups: std::collections::BTreeMap<Mono, Vec<(Mono, Number)>> = Default::default();
    for (mono, c) in primitive.terms() {
        let (mut key, mut rest) = (vec![0; mono.len()], vec![0; mono.len()]);
        for (i, k) in mono.iter().enumerate() {
            let slot = if by[i] { &mut key } else { &mut rest };
            slot[i] = *k;
        }
        groups.entry(key).or_default().push((rest, c.clone()));
    }
    if groups.len() < 2 || groups.len() > MAX_GROUPS {
        return None;
    }
    let mut budget = Budget::new();
    let coefficients: Vec<(Mono, Poly)> = groups
        .into_iter()
        .map(|(key, group)| (key, Poly::from_terms(num.nvars(), group)))
        .collect();
    // The coefficients' common factor goes in front too: `(5*x + 2)^2*((5*x + 2)*cosh(x) +
    // 15*sinh(x))`, not `(5*x + 2)^3*cosh(x) + 15*(5*x + 2)^2*sinh(x)`.
    let mut shared = coefficients[0].1.clone();
    for (_, c) in &coefficients[1..] {
        shared = gcd::gcd(&shared, c, &mut budget)?;
    }
    let mut terms = Vec::with_capacity(coefficients.len());
    for (key, coefficient) in coefficients {
        let rest = coefficient.exact_div(&shared, &mut budget)?;
        terms.push(coefficient_expr(atoms, &rest, &mut budget)? * atoms.monomial_expr(&key));
    }
    Some(Expr::product([
        Expr::num(content),
        atoms.monomial_expr(&common),
        coefficient_expr(atoms, &shared, &mut budget)?,
        Expr::sum(terms),
        factored_expr(atoms, den).recip(),
    ]))
}

/// A coefficient of [`collected_form`]: factored (square-free) when it is in one atom, where
/// that is cheap and reads best (`x*(x - 1)`); otherwise with its numeric and monomial
/// factors in front only, since square-free factoring of a polynomial in several symbols
/// costs gcds of its derivatives, and collected forms are made for every normal form.
fn coefficient_expr(atoms: &Atoms, p: &Poly, budget: &mut Budget) -> Option<Expr> {
    if p.atoms().len() <= 1 {
        let factored = factor_poly_to(p, Depth::SquareFree, budget)?;
        return Some(factored_expr(atoms, &factored));
    }
    let (content, monomial, rest) = p.common_factors()?;
    Some(Expr::product([
        Expr::num(content),
        atoms.monomial_expr(&monomial),
        atoms.poly_expr(&rest),
    ]))
}

/// `f` with the sums under roots ([`Atoms::root_sums`]) divided out of its factors as often
/// as they go: `9*x^4 - 13*x^2 + 4` is `(1 - x^2)*(4 - 9*x^2)` next to `sqrt(1 - x^2)`, and
/// the product collects `(1 - x^2)^(3/2)`. Past the budget it divides no further (what it
/// took out is exact); without such sums `f` comes back as it is.
fn root_sums_out(atoms: &Atoms, f: Factored) -> Factored {
    let sums = atoms.root_sums();
    if sums.is_empty() {
        return f;
    }
    let mut budget = Budget::new();
    let mut out = Factored {
        unit: f.unit,
        factors: Vec::new(),
    };
    for (mut rest, k) in f.factors {
        // A constant radicand (`sqrt(1 - u^2)` with `u` identically 0) divides everything
        // forever: each division must lower the degree.
        for u in sums.iter().filter(|u| u.total_degree() > 0) {
            while rest.total_degree() >= u.total_degree() {
                match rest.exact_div(u, &mut budget) {
                    Some(q) => {
                        out.factors.push((u.clone(), k));
                        rest = q;
                    }
                    None => break,
                }
            }
        }
        match rest
            .constant_value()
            .and_then(|c| c.pow(&Number::int(i64::from(k))))
        {
            Some(c) => out.unit = out.unit.mul(&c),
            None => out.factors.push((rest, k)),
        }
    }
    out
}

/// `unit * product(factor^k)` as an expression.
///
/// A factor whose negation is the base of a root among the atoms is written as that base
/// (the unit taking the sign for an odd power), so that the two collect:
/// `(x^2 - 1)*sqrt(1 - x^2)` is `-(1 - x^2)^(3/2)`.
fn factored_expr(atoms: &Atoms, factored: &Factored) -> Expr {
    let mut unit = factored.unit.clone();
    let mut powers = Vec::with_capacity(factored.factors.len() + 1);
    let roots = atoms.has_roots_of_sums();
    for (f, k) in &factored.factors {
        let negated = roots.then(|| atoms.poly_expr(&f.scale(&Number::int(-1))));
        let base = match negated {
            Some(negated) if atoms.is_root_base(&negated) => {
                if k % 2 == 1 {
                    unit = unit.neg();
                }
                negated
            }
            _ => atoms.poly_expr(f),
        };
        powers.push(base.pow(i64::from(*k)));
    }
    powers.push(Expr::num(unit));
    Expr::product(powers)
}
