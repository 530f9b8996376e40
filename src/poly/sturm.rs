//! Real roots of polynomials in one variable, counted exactly with Sturm sequences, and
//! what they tell about a rational function of one atom: whether it stays on one side of a
//! number wherever it is defined.
//!
//! Interval bounds cannot see that the parts of `x/(x^2 + 1)` move together (they give all
//! reals; the values lie in `[-1/2, 1/2]`). Sturm's theorem counts the real roots of
//! `N - t*D` over the rationals, without approximating any of them: none means that
//! `N/D - t` keeps one sign, which one point tells.

use crate::expr::Expr;
use crate::num::Number;

use super::convert::{Roots, to_fraction};
use super::polynomial::{Budget, Poly};

/// The highest degree read: arguments people write have low degrees, and the coefficients
/// of the remainders grow with it.
const MAX_DEGREE: i32 = 16;

/// The work one [`OneAtomFraction`] may do, in the units of [`Poly::divided_in`] (a
/// coefficient operation weighted by the square of the coefficients' length in words). The
/// polynomial normal forms allow 2 million; this check runs on every function of every
/// input, before anything else, so it must stay well below a millisecond: a longer fraction
/// costs far more than its weight says (its gcds), and fifty calls on degree-16 arguments
/// with five-digit fractions take 8 ms in all with this budget (65 ms with 2,000). Degree-8
/// arguments with small coefficients fit.
const WORK: u64 = 400;

/// The largest coefficient of the polynomials read, in bits: the remainders' coefficients
/// grow from them.
const MAX_INPUT_BITS: u64 = 64;

/// The largest [`Poly::limb_weight`] of a remainder (two words, 128 bits) before the count
/// gives up.
const MAX_WEIGHT: u64 = 4;

/// The one atom of the polynomials here.
const ATOM: usize = 0;

/// `N(a)/D(a)` for one atom `a` (a symbol, or any subexpression read as a whole, such as
/// `sin(x)`), where `D` keeps one sign (its real roots, if any, of even multiplicity: `x^2`):
/// then `N/D - t` has the sign of `N - t*D` times that one, wherever it is defined.
pub(crate) struct OneAtomFraction {
    num: Poly,
    den: Poly,
    /// Whether `D` is positive (it keeps one sign).
    den_positive: bool,
    budget: Budget,
}

impl OneAtomFraction {
    /// `e` as a fraction of polynomials in one atom whose denominator keeps one sign; `None`
    /// for anything else (several atoms, a denominator that changes sign, a constant,
    /// degrees past [`MAX_DEGREE`], coefficients past [`MAX_INPUT_BITS`], or work past the
    /// budget).
    pub(crate) fn of(e: &Expr) -> Option<OneAtomFraction> {
        let mut budget = Budget::with_limit(WORK);
        let (atoms, f) = to_fraction(e, Roots::Opaque, &mut budget)?;
        if atoms.len() != 1 || !readable(f.num()) || !readable(f.den()) {
            return None;
        }
        let (num, den) = (f.num().clone(), f.den().clone());
        if num.degree_in(ATOM) == 0 && den.degree_in(ATOM) == 0 {
            return None;
        }
        let sturm = Sturm::of(&den, &mut budget)?;
        if sturm.roots != 0 && sign_changes(&den, sturm, &mut budget)? != 0 {
            return None;
        }
        // It keeps the sign it has far out.
        let den_positive = den.leading_coeff().is_positive();
        Some(OneAtomFraction {
            num,
            den,
            den_positive,
            budget,
        })
    }

    /// How the fraction compares with `t` for every real value of its atom (see [`Side`]);
    /// `None` when it crosses `t` (or the count runs out of budget).
    pub(crate) fn compared_with(&mut self, t: &Number) -> Option<Side> {
        // N - t*D: the fraction minus t, times D.
        let shifted = self.num.sub(&self.den.scale(t));
        if shifted.is_zero() {
            return None;
        }
        let sturm = Sturm::of(&shifted, &mut self.budget)?;
        // A root of `N - t*D` where `D` is 0 too is no value of the fraction (it is reduced,
        // so there is none); a root elsewhere is one, and `None` or the `...OrAt` sides
        // claim no more than that.
        let above = if sturm.roots == 0 {
            // No root: the sign at 0 is the sign everywhere.
            let at_zero = shifted.coeff_in(ATOM, 0).constant_value()?;
            at_zero.is_positive() == self.den_positive
        } else if sign_changes(&shifted, sturm, &mut self.budget)? == 0 {
            // Roots, each of even multiplicity: the sign of the leading coefficient elsewhere.
            let touching = shifted.leading_coeff().is_positive() == self.den_positive;
            return Some(if touching {
                Side::AboveOrAt
            } else {
                Side::BelowOrAt
            });
        } else {
            return None;
        };
        Some(if above { Side::Above } else { Side::Below })
    }
}

/// How a function compares with a number `t` for every value of its argument.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Side {
    /// Above `t` everywhere.
    Above,
    /// Above `t`, or at it where the numerator of the difference has a root (at isolated
    /// values of the atom).
    AboveOrAt,
    /// Below `t`, or at it at isolated values of the atom.
    BelowOrAt,
    /// Below `t` everywhere.
    Below,
}

impl Side {
    /// Whether the function never takes the value `t`.
    pub(crate) fn is_strict(self) -> bool {
        matches!(self, Side::Above | Side::Below)
    }

    /// Whether the function is at least `t` everywhere.
    pub(crate) fn never_below(self) -> bool {
        matches!(self, Side::Above | Side::AboveOrAt)
    }

    /// Whether the function is at most `t` everywhere.
    pub(crate) fn never_above(self) -> bool {
        matches!(self, Side::Below | Side::BelowOrAt)
    }
}

/// Whether the count reads `p`: no negative power, degree at most [`MAX_DEGREE`],
/// coefficients of at most [`MAX_INPUT_BITS`].
fn readable(p: &Poly) -> bool {
    p.terms().all(|(mono, c)| {
        let k = mono.first().copied().unwrap_or(0);
        (0..=MAX_DEGREE).contains(&k) && c.bits() <= MAX_INPUT_BITS
    })
}

/// The Sturm sequence of a polynomial, as far as it is needed: the number of its distinct
/// real roots, and its last element, `gcd(p, p')` up to a constant factor.
struct Sturm {
    roots: usize,
    last: Poly,
}

impl Sturm {
    /// The sequence `p, p', -rem(p, p'), ...` of `p` (not zero): by Sturm's theorem, the sign
    /// changes of its leading coefficients at minus infinity less those at plus infinity
    /// count the distinct real roots of `p`, whatever their multiplicities. `None` past the
    /// budget or [`MAX_WEIGHT`].
    fn of(p: &Poly, budget: &mut Budget) -> Option<Sturm> {
        let mut sequence: Vec<Poly> = vec![p.clone(), p.derivative(ATOM)];
        sequence.retain(|q| !q.is_zero());
        while let [.., a, b] = &sequence[..] {
            if b.degree_in(ATOM) < 1 {
                break;
            }
            let (_, r) = a.divided_in(b, ATOM, budget)?;
            if r.is_zero() {
                break;
            }
            // -r scaled to a leading coefficient of -1: a positive factor keeps the signs.
            let r = r.scale(&r.leading_coeff().abs().recip()?.neg());
            if r.limb_weight() > MAX_WEIGHT {
                return None;
            }
            sequence.push(r);
        }
        let changes = |at_minus_infinity: bool| {
            let signs: Vec<bool> = sequence
                .iter()
                .map(|q| {
                    let odd = q.degree_in(ATOM) % 2 == 1;
                    q.leading_coeff().is_positive() != (at_minus_infinity && odd)
                })
                .collect();
            signs.windows(2).filter(|w| w[0] != w[1]).count()
        };
        let roots = changes(true).checked_sub(changes(false))?;
        let last = sequence.pop()?;
        Some(Sturm { roots, last })
    }
}

/// The number of distinct real roots of `p` (not zero); `None` past the budget.
#[cfg(test)]
fn real_roots(p: &Poly, budget: &mut Budget) -> Option<usize> {
    Some(Sturm::of(p, budget)?.roots)
}

/// The number of real roots of odd multiplicity of `p`, whose Sturm sequence is `sturm`:
/// where `p` changes sign. The roots of `g1 = gcd(p, p')` are those of `p` of multiplicity
/// at least 2, those of `g2 = gcd(g1, g1')` of multiplicity at least 3, and so on, so the
/// alternating sum of their counts counts each root of odd multiplicity once.
fn sign_changes(p: &Poly, sturm: Sturm, budget: &mut Budget) -> Option<usize> {
    let (mut count, mut sturm) = (sturm.roots as i64, sturm);
    let mut sign = -1;
    let mut degree = p.degree_in(ATOM);
    while sturm.last.degree_in(ATOM) > 0 {
        // The gcd has a lower degree each time, so this ends.
        if sturm.last.degree_in(ATOM) >= degree {
            return None;
        }
        degree = sturm.last.degree_in(ATOM);
        sturm = Sturm::of(&sturm.last, budget)?;
        count += sign * sturm.roots as i64;
        sign = -sign;
    }
    usize::try_from(count).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse;

    /// The polynomial with coefficients `cs`, lowest degree first.
    fn poly(cs: &[Number]) -> Poly {
        cs.iter().enumerate().fold(Poly::zero(1), |p, (k, c)| {
            p.add(&Poly::atom_power(1, ATOM, k as i32).scale(c))
        })
    }

    fn ints(cs: &[i64]) -> Poly {
        poly(&cs.iter().map(|&c| Number::int(c)).collect::<Vec<_>>())
    }

    fn roots(cs: &[i64]) -> Option<usize> {
        real_roots(&ints(cs), &mut Budget::with_limit(WORK))
    }

    #[test]
    fn sturm_sequences_count_distinct_real_roots() {
        assert_eq!(roots(&[1, 0, 1]), Some(0)); // x^2 + 1
        assert_eq!(roots(&[-1, 0, 1]), Some(2)); // x^2 - 1
        assert_eq!(roots(&[1, -2, 1]), Some(1)); // (x - 1)^2
        assert_eq!(roots(&[0, 0, 0, 1]), Some(1)); // x^3
        assert_eq!(roots(&[-6, 11, -6, 1]), Some(3)); // (x - 1)(x - 2)(x - 3)
        assert_eq!(roots(&[3, 0, -2, 0, 1]), Some(0)); // x^4 - 2x^2 + 3
        assert_eq!(roots(&[1, 0, -2, 0, 1]), Some(2)); // (x^2 - 1)^2
        assert_eq!(roots(&[5]), Some(0));
        // (x - 1)(x - 1/2)(x^2 + 1), with fractions.
        let p = poly(&[
            Number::ratio(1, 2).expect("a fraction"),
            Number::ratio(-3, 2).expect("a fraction"),
            Number::ratio(3, 2).expect("a fraction"),
            Number::ratio(-3, 2).expect("a fraction"),
            Number::one(),
        ]);
        assert_eq!(real_roots(&p, &mut Budget::with_limit(WORK)), Some(2));
    }

    /// Products of known linear factors and of quadratics without a real root have as many
    /// real roots as linear factors.
    #[test]
    fn counts_agree_with_constructed_roots() {
        for roots_wanted in 0..5usize {
            for extra_quadratics in 0..3 {
                // (x - 1)(x - 2)...(x - r) * (x^2 + 1)^q
                let mut budget = Budget::new();
                let mut p = ints(&[1]);
                for r in 1..=roots_wanted as i64 {
                    p = p.mul(&ints(&[-r, 1]), &mut budget).expect("small");
                }
                for _ in 0..extra_quadratics {
                    p = p.mul(&ints(&[1, 0, 1]), &mut budget).expect("small");
                }
                assert_eq!(
                    real_roots(&p, &mut Budget::with_limit(WORK)),
                    Some(roots_wanted)
                );
            }
        }
    }

    fn compared(text: &str, t: i64) -> Option<Side> {
        let e = parse(text).expect("the formula parses");
        OneAtomFraction::of(&e)?.compared_with(&Number::int(t))
    }

    #[test]
    fn fractions_of_one_atom_are_compared_with_numbers() {
        use Side::*;
        // x/(x^2 + 1) lies in [-1/2, 1/2].
        assert_eq!(compared("x/(x^2 + 1)", 1), Some(Below));
        assert_eq!(compared("x/(x^2 + 1)", -1), Some(Above));
        assert_eq!(compared("x/(x^2 + 1)", 0), None);
        // (x^2 + 3)/(x^2 + 1) lies in (1, 3], at 3 only where x = 0.
        assert_eq!(compared("(x^2 + 3)/(x^2 + 1)", 1), Some(Above));
        assert_eq!(compared("(x^2 + 3)/(x^2 + 1)", 3), Some(BelowOrAt));
        assert_eq!(compared("(x^2 + 3)/(x^2 + 1)", 2), None);
        // A negative denominator turns the sides.
        assert_eq!(compared("x/(-x^2 - 1)", 1), Some(Below));
        assert_eq!(compared("(x^2 + 3)/(-x^2 - 1)", -1), Some(Below));
        // Polynomials of degree 4, touching or not, and an atom that is not a symbol.
        assert_eq!(compared("x^4 - 2*x^2 + 3", 1), Some(Above));
        assert_eq!(compared("x^4 - 2*x^2 + 2", 1), Some(AboveOrAt));
        assert_eq!(compared("-(x - 1)^2*(x + 2)^4", 0), Some(BelowOrAt));
        assert_eq!(compared("(x - 1)^3*(x + 2)^2", 0), None);
        assert_eq!(compared("sin(x)^2 + 1", 0), Some(Above));
        assert_eq!(compared("sin(x)^2 + 1", 1), Some(AboveOrAt));
        // A denominator that keeps its sign though it has a root: `(x^2 + 1)/x^2 > 1`.
        assert_eq!(compared("(x^2 + 1)/x^2", 1), Some(Above));
        assert_eq!(compared("-1/x^2", 0), Some(Below));
        // Not read: a denominator that changes sign, two atoms, a constant.
        assert_eq!(compared("1/x", 0), None);
        assert_eq!(compared("x/(y^2 + 1)", 1), None);
        assert_eq!(compared("x*y", 1), None);
        assert!(OneAtomFraction::of(&parse("2").expect("parses")).is_none());
        // Past the bounds it gives up rather than work long: degree 17, coefficients of more
        // than 64 bits.
        assert!(OneAtomFraction::of(&parse("x^17 + 1").expect("parses")).is_none());
        let wide = parse("(12345678901234567890123*x^2 + 1)/(x^2 + 1)").expect("parses");
        assert!(OneAtomFraction::of(&wide).is_none());
    }
}
