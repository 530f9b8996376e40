//! Rational functions: reduced fractions of polynomials over atoms.
//!
//! **Invariant:** `gcd(num, den) = 1`; `den` has coprime integer coefficients and a positive
//! leading coefficient (so every numeric factor lives in `num`); a zero `num` has `den = 1`.
//! Every operation restores it, so equal rational functions have equal representations.

use crate::num::Number;

use super::convert::Algebra;
use super::gcd::gcd;
use super::polynomial::{Budget, MAX_TERMS, Poly};

/// A reduced fraction `num / den`. See the module invariant.
#[derive(Clone, PartialEq, Eq, Debug)]
pub(crate) struct Frac {
    num: Poly,
    den: Poly,
}

impl Frac {
    /// The numerator.
    pub(crate) fn num(&self) -> &Poly {
        &self.num
    }

    /// The denominator (normalised, see the invariant).
    pub(crate) fn den(&self) -> &Poly {
        &self.den
    }

    /// `num / den` in lowest terms (`None` for a zero denominator or past the budget).
    pub(crate) fn new(num: Poly, den: Poly, budget: &mut Budget) -> Option<Frac> {
        Frac::reduced(num, den, budget)
    }

    /// `num / den` for coprime `num` and `den`: moves the denominator's numeric content into
    /// the numerator. `None` for a zero denominator.
    fn coprime(num: Poly, den: Poly) -> Option<Frac> {
        if den.is_zero() {
            return None;
        }
        if num.is_zero() {
            return Some(Frac {
                den: Poly::one(num.nvars()),
                num,
            });
        }
        let k = den.content().recip()?;
        Some(Frac {
            num: num.scale(&k),
            den: den.scale(&k),
        })
    }

    /// `num / den` in lowest terms.
    fn reduced(num: Poly, den: Poly, budget: &mut Budget) -> Option<Frac> {
        let g = gcd(&num, &den, budget)?;
        if g.is_constant() {
            return Frac::coprime(num, den);
        }
        Frac::coprime(num.exact_div(&g, budget)?, den.exact_div(&g, budget)?)
    }

    fn has_unit_den(&self) -> bool {
        self.den.is_constant()
    }
}

impl Algebra for Frac {
    fn constant(nvars: usize, c: &Number) -> Frac {
        Frac {
            num: Poly::constant(nvars, c.clone()),
            den: Poly::one(nvars),
        }
    }

    fn atom(nvars: usize, atom: usize, k: i32) -> Frac {
        if k >= 0 {
            Frac {
                num: Poly::atom_power(nvars, atom, k),
                den: Poly::one(nvars),
            }
        } else {
            Frac {
                num: Poly::one(nvars),
                den: Poly::atom_power(nvars, atom, -k),
            }
        }
    }

    fn plus(mut self, other: &Frac, budget: &mut Budget) -> Option<Frac> {
        budget.spend((other.num.len() as u64).saturating_mul(other.num.limb_weight()))?;
        if self.has_unit_den() && other.has_unit_den() {
            self.num.add_assign(&other.num);
            return (self.num.len() <= MAX_TERMS).then_some(self);
        }
        if self.den == other.den {
            return Frac::reduced(self.num.add(&other.num), self.den.clone(), budget);
        }
        // With g = gcd(b, d): a/b + c/d = (a*(d/g) + c*(b/g)) / (b*(d/g)); a common factor of
        // that numerator and denominator can only divide g.
        let g = gcd(&self.den, &other.den, budget)?;
        let b_rest = self.den.exact_div(&g, budget)?;
        let d_rest = other.den.exact_div(&g, budget)?;
        let num = self
            .num
            .mul(&d_rest, budget)?
            .add(&other.num.mul(&b_rest, budget)?);
        let den = self.den.mul(&d_rest, budget)?;
        if num.len() > MAX_TERMS {
            return None;
        }
        let h = gcd(&num, &g, budget)?;
        Frac::coprime(num.exact_div(&h, budget)?, den.exact_div(&h, budget)?)
    }

    fn times(&self, other: &Frac, budget: &mut Budget) -> Option<Frac> {
        // (a/b) * (c/d): cancel a against d and c against b; the rest is already coprime.
        let g1 = gcd(&self.num, &other.den, budget)?;
        let g2 = gcd(&other.num, &self.den, budget)?;
        let num = self
            .num
            .exact_div(&g1, budget)?
            .mul(&other.num.exact_div(&g2, budget)?, budget)?;
        let den = self
            .den
            .exact_div(&g2, budget)?
            .mul(&other.den.exact_div(&g1, budget)?, budget)?;
        Frac::coprime(num, den)
    }

    fn power(&self, n: u32, budget: &mut Budget) -> Option<Frac> {
        Frac::coprime(self.num.pow(n, budget)?, self.den.pow(n, budget)?)
    }

    fn reciprocal(&self, _budget: &mut Budget) -> Option<Frac> {
        Frac::coprime(self.den.clone(), self.num.clone())
    }
}
