//! Exact multivariate gcd over the rationals.
//!
//! The recursive algorithm: view each polynomial as univariate in its first atom `v` with
//! coefficients in the other atoms, split off the content (the gcd of those coefficients,
//! computed recursively), and run a primitive pseudo-remainder sequence on the primitive
//! parts. Every remainder is made primitive again, which keeps coefficients small at the
//! sizes met in simplification. The recursion depth is at most the number of atoms.
//!
//! Most gcds asked for in simplification are `1` (a square-free polynomial and its
//! derivative, a numerator and denominator with nothing to cancel), and proving that with the
//! remainder sequence is where its cost lies: multivariate coefficients grow at every step.
//! So each gcd first looks at images: both polynomials modulo a prime, every atom but one
//! replaced by a fixed number ([`gcd_from_images`] says why that is sound). Images coprime in
//! every shared atom prove the gcd is `1` without computing any content; otherwise, after
//! the contents, images coprime in `v` leave only the contents to compare, and images that
//! say one side divides the other are checked by one exact division.
//!
//! Results are normalised: coprime integer coefficients, positive leading coefficient.

use super::modular::{PRIME, add, inverse, mul};
use super::polynomial::{Budget, Poly};

/// The greatest common divisor, normalised; `None` when the budget runs out.
pub(crate) fn gcd(a: &Poly, b: &Poly, budget: &mut Budget) -> Option<Poly> {
    gcd_with(a, b, budget, Images::Tried)
}

/// Whether [`gcd`] looks at images first: always, except where tests compare the two ways.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Images {
    Tried,
    #[cfg(test)]
    Skipped,
}

/// [`gcd`], looking at images first or not.
pub(crate) fn gcd_with(a: &Poly, b: &Poly, budget: &mut Budget, images: Images) -> Option<Poly> {
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
    if images == Images::Tried && coprime_by_images(a, b) {
        // No contents to compare either: the images answer for every atom at once.
        return Some(Poly::one(a.nvars()));
    }
    let content_a = content_in(a, v, budget)?;
    let content_b = content_in(b, v, budget)?;
    let common_content = gcd_with(&content_a, &content_b, budget, images)?;
    let mut p = a.exact_div(&content_a, budget)?;
    let mut q = b.exact_div(&content_b, budget)?;
    if images == Images::Tried
        && let Some(g) = gcd_from_images(&p, &q, v, budget)
    {
        return Some(common_content.mul(&g, budget)?.normalized());
    }
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
    let mut coeffs = p.coeffs_in(v);
    // A constant coefficient makes the content 1 at once; otherwise the smallest
    // coefficients go first, since the gcd can only shrink and small ones are cheap to
    // take it with. (The gcd is the same in any order: every result is normalised.)
    if coeffs.iter().any(Poly::is_constant) {
        return Some(Poly::one(p.nvars()));
    }
    coeffs.sort_by_key(|c| (c.len(), c.total_degree()));
    let mut g = Poly::zero(p.nvars());
    for c in coeffs {
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

/// The gcd of `p` and `q` (primitive in `v`) when their images settle it: `1` when the
/// images are coprime, and the one when it divides the other; `None` when the images leave
/// it open (the caller then runs the exact sequence).
///
/// Both are mapped to univariate polynomials over the integers modulo [`PRIME`], every other
/// atom replaced by a fixed residue. The map is a ring homomorphism on polynomials whose
/// coefficients' denominators it does not divide, so a common factor `g` of `p` and `q` maps
/// to a common factor of the images; and when the image of `p` (or `q`) keeps its degree in
/// `v`, its leading coefficient, a multiple of `g`'s, does not vanish, so `g`'s image keeps
/// `g`'s degree. Coprime images then mean `g` has degree zero in `v`, and a factor of
/// degree zero in `v` of a primitive polynomial is a constant. An unlucky image (a lost
/// degree, a common root modulo the prime) only leaves the question open.
///
/// The second case is met all the time in factoring (a polynomial and a multiple of it):
/// when the images say the gcd has the whole degree of one side, one exact division proves
/// it.
fn gcd_from_images(p: &Poly, q: &Poly, v: usize, budget: &mut Budget) -> Option<Poly> {
    let images = ImagePair::of(p, q, v)?;
    if images.prove_coprime() {
        return Some(Poly::one(p.nvars()));
    }
    if images.q_divides_p() && p.exact_div(q, budget).is_some() {
        return Some(q.normalized());
    }
    if images.p_divides_q() && q.exact_div(p, budget).is_some() {
        return Some(p.normalized());
    }
    None
}

/// Whether `a` and `b` are coprime by their images alone: for every atom they share, the
/// images in that atom prove (as in [`gcd_from_images`]) that a common factor has degree
/// zero in it; a common factor free of every atom is a number, so the gcd is `1`. This
/// skips the contents, whose gcds recurse through every atom in turn.
fn coprime_by_images(a: &Poly, b: &Poly) -> bool {
    let in_b = b.atoms();
    let shared: Vec<usize> = a.atoms().into_iter().filter(|v| in_b.contains(v)).collect();
    if shared.is_empty() {
        return true;
    }
    // Each side's terms are evaluated at every atom's point once; each atom's image then
    // takes that atom's point back out of them (a pass over the terms, not over the terms'
    // atoms): sums of many roots share dozens of atoms.
    let (Some(at_a), Some(at_b)) = (Evaluated::of(a), Evaluated::of(b)) else {
        return false;
    };
    shared.into_iter().all(|v| {
        let images = at_a.image(v).zip(at_b.image(v));
        images
            .and_then(|(image_a, image_b)| ImagePair::from_images(a, b, v, image_a, image_b))
            .is_some_and(|images| images.prove_coprime())
    })
}

/// What the images of two polynomials `p` and `q` in one atom say ([`gcd_from_images`]).
struct ImagePair {
    /// The image of `p` (of `q`) kept its degree: its leading coefficient did not vanish.
    keeps_p: bool,
    keeps_q: bool,
    /// The images' degrees, and that of their gcd.
    degree_p: usize,
    degree_q: usize,
    degree_gcd: usize,
}

impl ImagePair {
    /// The images of `p` and `q` in `v`; `None` when one cannot be taken or both are zero (a
    /// zero image keeps no degree, so what it says is never used).
    fn of(p: &Poly, q: &Poly, v: usize) -> Option<ImagePair> {
        ImagePair::from_images(p, q, v, image(p, v)?, image(q, v)?)
    }

    /// [`ImagePair::of`] from the images, taken already.
    fn from_images(
        p: &Poly,
        q: &Poly,
        v: usize,
        image_p: Vec<u64>,
        image_q: Vec<u64>,
    ) -> Option<ImagePair> {
        let keeps = |image: &[u64], poly: &Poly| {
            usize::try_from(poly.degree_in(v)).is_ok_and(|d| image.len() == d + 1)
        };
        Some(ImagePair {
            keeps_p: keeps(&image_p, p),
            keeps_q: keeps(&image_q, q),
            degree_p: image_p.len().saturating_sub(1),
            degree_q: image_q.len().saturating_sub(1),
            degree_gcd: univariate_gcd_degree(image_p, image_q)?,
        })
    }

    /// A common factor of `p` and `q` has degree zero in the atom.
    fn prove_coprime(&self) -> bool {
        self.degree_gcd == 0 && (self.keeps_p || self.keeps_q)
    }

    /// The images suggest (an exact division must prove) that `q` divides `p`.
    fn q_divides_p(&self) -> bool {
        self.keeps_q && self.degree_gcd == self.degree_q
    }

    /// The images suggest that `p` divides `q`.
    fn p_divides_q(&self) -> bool {
        self.keeps_p && self.degree_gcd == self.degree_p
    }
}

/// The residue that atom `k` is replaced by in images: fixed, so results do not vary, and
/// spread over the field so that distinct atoms rarely collide.
fn point(k: usize) -> u64 {
    (k as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15) % PRIME
}

/// `p`'s image as dense coefficients modulo [`PRIME`] by power of `v`, trailing zeros
/// trimmed; `None` when an exponent is negative or the prime divides a denominator.
pub(super) fn image(p: &Poly, v: usize) -> Option<Vec<u64>> {
    let degrees = p.degrees();
    let mut coeffs = vec![0u64; usize::try_from(*degrees.get(v)?).ok()? + 1];
    // The powers of each atom's point that the terms use, computed once.
    let powers: Vec<Vec<u64>> = (0..p.nvars())
        .map(|k| point_powers(k, if k == v { 0 } else { degrees[k] }))
        .collect();
    for (mono, c) in p.terms() {
        let mut value = c.residue(PRIME)?;
        for (k, &e) in mono.iter().enumerate() {
            if k != v && e != 0 {
                value = mul(value, *powers.get(k)?.get(usize::try_from(e).ok()?)?);
            }
        }
        let slot = coeffs.get_mut(usize::try_from(mono[v]).ok()?)?;
        *slot = add(*slot, value);
    }
    trim(&mut coeffs);
    Some(coeffs)
}

/// Atom `k`'s point to the powers `0..=top` (just `1` for a `top` below 1).
fn point_powers(k: usize, top: i32) -> Vec<u64> {
    std::iter::successors(Some(1), |&x| Some(mul(x, point(k))))
        .take(usize::try_from(top).unwrap_or(0) + 1)
        .collect()
}

/// A polynomial's terms evaluated modulo [`PRIME`] with every atom at its [`point`], from
/// which [`image`] in any one atom is a pass over the terms.
pub(super) struct Evaluated<'a> {
    poly: &'a Poly,
    /// Each term's coefficient times every atom's point to its exponent, in term order.
    values: Vec<u64>,
}

impl<'a> Evaluated<'a> {
    /// `None` where [`image`] is `None` in every atom: an exponent is negative or the prime
    /// divides a denominator.
    pub(super) fn of(p: &'a Poly) -> Option<Evaluated<'a>> {
        let degrees = p.degrees();
        let powers: Vec<Vec<u64>> = degrees
            .iter()
            .enumerate()
            .map(|(k, &top)| point_powers(k, top))
            .collect();
        let values = p
            .terms()
            .map(|(mono, c)| {
                mono.iter()
                    .enumerate()
                    .try_fold(c.residue(PRIME)?, |value, (k, &e)| {
                        let power = powers.get(k)?.get(usize::try_from(e).ok()?)?;
                        Some(mul(value, *power))
                    })
            })
            .collect::<Option<_>>()?;
        Some(Evaluated { poly: p, values })
    }

    /// [`image`]`(p, v)`, the same residues: each term's value with `v`'s point taken back
    /// out (times its inverse to the term's exponent of `v`).
    pub(super) fn image(&self, v: usize) -> Option<Vec<u64>> {
        let Some(back) = inverse(point(v)) else {
            return image(self.poly, v);
        };
        let mut coeffs: Vec<u64> = Vec::new();
        let mut back_powers = vec![1u64];
        for ((mono, _), &value) in self.poly.terms().zip(&self.values) {
            let e = usize::try_from(*mono.get(v)?).ok()?;
            while back_powers.len() <= e {
                let last = *back_powers.last()?;
                back_powers.push(mul(last, back));
            }
            if coeffs.len() <= e {
                coeffs.resize(e + 1, 0);
            }
            coeffs[e] = add(coeffs[e], mul(value, back_powers[e]));
        }
        trim(&mut coeffs);
        Some(coeffs)
    }
}

/// Drops leading zero coefficients (at the end of the dense vector).
fn trim(coeffs: &mut Vec<u64>) {
    while coeffs.last() == Some(&0) {
        coeffs.pop();
    }
}

/// The degree of the gcd of two univariate polynomials modulo [`PRIME`] (Euclid's
/// algorithm); `None` when both are zero.
fn univariate_gcd_degree(mut a: Vec<u64>, mut b: Vec<u64>) -> Option<usize> {
    while !b.is_empty() {
        reduce(&mut a, &b)?;
        std::mem::swap(&mut a, &mut b);
    }
    a.len().checked_sub(1)
}

/// Replaces `a` by its remainder modulo `b` (non-zero, trimmed).
fn reduce(a: &mut Vec<u64>, b: &[u64]) -> Option<()> {
    let lead_inverse = inverse(*b.last()?)?;
    while a.len() >= b.len() {
        let Some(&lead) = a.last() else { break };
        let factor = mul(lead, lead_inverse);
        let shift = a.len() - b.len();
        for (k, &c) in b.iter().enumerate() {
            let slot = &mut a[shift + k];
            *slot = add(*slot, PRIME - mul(factor, c));
        }
        // The leading coefficient is now zero by construction.
        a.pop();
        trim(a);
    }
    Some(())
}
