//! Sparse multivariate polynomials with exact rational coefficients, and the work budget
//! that keeps every operation on them bounded.
//!
//! A polynomial lives over a fixed table of `nvars` atoms (see `convert`). A monomial is a
//! dense exponent vector over that table. Exponents are signed so that `expand` can keep
//! Laurent terms (`x^-1`); the gcd and factoring code only ever sees non-negative ones.
//!
//! **Invariant:** no stored coefficient is zero, and every monomial has length `nvars`.

use std::borrow::Cow;
use std::collections::BTreeMap;

use crate::num::Number;

/// The most terms any intermediate polynomial may have before the caller gives up.
pub(crate) const MAX_TERMS: usize = 2_000;

/// The largest total degree any intermediate polynomial may have.
pub(crate) const MAX_DEGREE: i64 = 1_000;

/// The work one top-level call may do, counted in coefficient operations weighted by the
/// size of the coefficients (see [`Poly::limb_weight`]).
pub(crate) const WORK_LIMIT: u64 = 500_000;

/// The fewest term products from which [`Poly::mul`] multiplies the integer parts of
/// operands with fractions among their coefficients: taking the contents out costs a gcd per
/// term, and saves one per term product.
const SPLIT_CONTENTS_FROM: usize = 64;

/// The largest coefficient, in bits, that a product may produce.
const MAX_COEFF_BITS: u64 = 8_192;

/// A countdown of the work a call may still do. Every loop whose length depends on the input
/// spends from it, so that no input can make a normal form hang: when it runs out, the
/// operation returns `None` and the caller keeps the expression as it was.
#[derive(Debug)]
pub(crate) struct Budget {
    left: u64,
}

impl Budget {
    /// A fresh budget of [`WORK_LIMIT`].
    pub(crate) fn new() -> Budget {
        Budget { left: WORK_LIMIT }
    }

    /// A budget of `left` units: for checks that must stay cheaper than a normal form, and
    /// for tests that bound how much work something takes.
    pub(crate) fn with_limit(left: u64) -> Budget {
        Budget { left }
    }

    /// Takes `cost` units, or reports that the budget is exhausted (and stays so).
    pub(crate) fn spend(&mut self, cost: u64) -> Option<()> {
        match self.left.checked_sub(cost) {
            Some(left) => {
                self.left = left;
                Some(())
            }
            None => {
                self.left = 0;
                None
            }
        }
    }
}

/// An exponent vector, one entry per atom.
pub(crate) type Mono = Vec<i32>;

/// A polynomial: a map from monomials to non-zero coefficients. The map's order is the
/// lexicographic order of exponent vectors (atom 0 most significant), so the last entry is
/// the leading term.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Debug)]
pub(crate) struct Poly {
    nvars: usize,
    terms: BTreeMap<Mono, Number>,
}

impl Poly {
    /// The zero polynomial over `nvars` atoms.
    pub(crate) fn zero(nvars: usize) -> Poly {
        Poly {
            nvars,
            terms: BTreeMap::new(),
        }
    }

    /// The constant `c`.
    pub(crate) fn constant(nvars: usize, c: Number) -> Poly {
        let mut p = Poly::zero(nvars);
        if !c.is_zero() {
            p.terms.insert(vec![0; nvars], c);
        }
        p
    }

    /// The constant one.
    pub(crate) fn one(nvars: usize) -> Poly {
        Poly::constant(nvars, Number::one())
    }

    /// The monomial `atom^exp`.
    pub(crate) fn atom_power(nvars: usize, atom: usize, exp: i32) -> Poly {
        let mut mono = vec![0; nvars];
        if let Some(slot) = mono.get_mut(atom) {
            *slot = exp;
        }
        let mut p = Poly::zero(nvars);
        p.terms.insert(mono, Number::one());
        p
    }

    /// Builds a polynomial from terms, adding like monomials and dropping zeros.
    pub(crate) fn from_terms(
        nvars: usize,
        terms: impl IntoIterator<Item = (Mono, Number)>,
    ) -> Poly {
        let mut p = Poly::zero(nvars);
        for (m, c) in terms {
            p.add_term(m, &c);
        }
        p
    }

    fn add_term(&mut self, mono: Mono, c: &Number) {
        if c.is_zero() {
            return;
        }
        match self.terms.entry(mono) {
            std::collections::btree_map::Entry::Vacant(slot) => {
                slot.insert(c.clone());
            }
            std::collections::btree_map::Entry::Occupied(mut slot) => {
                let sum = slot.get().add(c);
                if sum.is_zero() {
                    slot.remove();
                } else {
                    *slot.get_mut() = sum;
                }
            }
        }
    }

    /// The number of atoms the polynomial is over.
    pub(crate) fn nvars(&self) -> usize {
        self.nvars
    }

    /// The terms, in increasing monomial order.
    pub(crate) fn terms(&self) -> impl DoubleEndedIterator<Item = (&Mono, &Number)> {
        self.terms.iter()
    }

    /// The number of terms.
    pub(crate) fn len(&self) -> usize {
        self.terms.len()
    }

    /// Whether this is the zero polynomial.
    pub(crate) fn is_zero(&self) -> bool {
        self.terms.is_empty()
    }

    /// The value, if the polynomial is a constant (zero included).
    pub(crate) fn constant_value(&self) -> Option<Number> {
        match self.terms.iter().next() {
            None => Some(Number::zero()),
            Some((m, c)) if self.terms.len() == 1 && m.iter().all(|&e| e == 0) => Some(c.clone()),
            _ => None,
        }
    }

    /// Whether the polynomial is a constant (zero included).
    pub(crate) fn is_constant(&self) -> bool {
        self.constant_value().is_some()
    }

    /// The leading term in lexicographic order.
    pub(crate) fn leading(&self) -> Option<(&Mono, &Number)> {
        self.terms.last_key_value()
    }

    /// The leading coefficient (zero for the zero polynomial).
    pub(crate) fn leading_coeff(&self) -> Number {
        self.leading().map_or_else(Number::zero, |(_, c)| c.clone())
    }

    /// `self + other`.
    pub(crate) fn add(&self, other: &Poly) -> Poly {
        let mut sum = self.clone();
        sum.add_assign(other);
        sum
    }

    /// `self += other`, in place (linear in `other`'s size).
    pub(crate) fn add_assign(&mut self, other: &Poly) {
        for (m, c) in &other.terms {
            self.add_term(m.clone(), c);
        }
    }

    /// `self -= c * atoms^shift * other`, in place: the step of every division.
    fn sub_scaled(&mut self, other: &Poly, c: &Number, shift: &[i32]) {
        let minus_c = c.neg();
        for (m, k) in &other.terms {
            let mono: Mono = m.iter().zip(shift).map(|(a, b)| a + b).collect();
            self.add_term(mono, &k.mul(&minus_c));
        }
    }

    /// The cost of one coefficient operation on this polynomial, in budget units: the square
    /// of the number of 64-bit limbs of its largest coefficient, since the gcds inside
    /// rational arithmetic are quadratic in the size of their operands.
    pub(crate) fn limb_weight(&self) -> u64 {
        let limbs = 1 + self.terms.values().map(Number::bits).max().unwrap_or(0) / 64;
        limbs.saturating_mul(limbs)
    }

    /// `self - other`.
    pub(crate) fn sub(&self, other: &Poly) -> Poly {
        self.add(&other.scale(&Number::int(-1)))
    }

    /// `c * self`.
    pub(crate) fn scale(&self, c: &Number) -> Poly {
        if c.is_zero() {
            return Poly::zero(self.nvars);
        }
        let terms = self
            .terms
            .iter()
            .map(|(m, k)| (m.clone(), k.mul(c)))
            .collect();
        Poly {
            nvars: self.nvars,
            terms,
        }
    }

    /// The largest total degree of a term, counting negative exponents by magnitude.
    pub(crate) fn total_degree(&self) -> i64 {
        self.terms
            .keys()
            .map(|m| m.iter().map(|&e| i64::from(e).abs()).sum::<i64>())
            .max()
            .unwrap_or(0)
    }

    /// `self * other`, or `None` past [`MAX_TERMS`], [`MAX_DEGREE`], the coefficient bound or
    /// the budget.
    pub(crate) fn mul(&self, other: &Poly, budget: &mut Budget) -> Option<Poly> {
        let weight = self.limb_weight() + other.limb_weight();
        budget.spend(
            (self.len() as u64)
                .saturating_mul(other.len() as u64)
                .saturating_mul(weight),
        )?;
        if self.total_degree() + other.total_degree() > MAX_DEGREE {
            return None;
        }
        if self.len().saturating_mul(other.len()) >= SPLIT_CONTENTS_FROM
            && (self.has_big_coefficients() || other.has_big_coefficients())
            && let Some((contents, parts)) = Poly::split_contents(self, other)
        {
            let scaled = parts
                .0
                .mul_terms(&parts.1)?
                .scale(&contents.0.mul(&contents.1));
            return scaled.within_coefficient_bound().then_some(scaled);
        }
        self.mul_terms(other)
    }

    /// `self * other` term by term, or `None` past [`MAX_TERMS`] or the coefficient bound.
    fn mul_terms(&self, other: &Poly) -> Option<Poly> {
        let mut product = Poly::zero(self.nvars);
        for (m1, c1) in &self.terms {
            for (m2, c2) in &other.terms {
                let mono: Mono = m1.iter().zip(m2).map(|(a, b)| a + b).collect();
                product.add_term(mono, &c1.mul(c2));
            }
            if product.len() > MAX_TERMS {
                return None;
            }
        }
        product.within_coefficient_bound().then_some(product)
    }

    /// `self ^ n`, by repeated multiplication (cheaper than squaring for sparse inputs).
    pub(crate) fn pow(&self, n: u32, budget: &mut Budget) -> Option<Poly> {
        if let Some(c) = self.constant_value() {
            return Some(Poly::constant(
                self.nvars,
                c.pow(&Number::int(i64::from(n)))?,
            ));
        }
        if self.total_degree().saturating_mul(i64::from(n)) > MAX_DEGREE {
            return None;
        }
        let mut result = Poly::one(self.nvars);
        for done in 0..n {
            if result.has_big_coefficients()
                && let Some((content, parts)) = Poly::split_contents(&result, self)
            {
                // From here on in integers: `parts.0 * parts.1^rest`, scaled once.
                let rest = n - done;
                let mut power = parts.0.into_owned();
                for _ in 0..rest {
                    power = power.mul(&parts.1, budget)?;
                }
                let c = content
                    .0
                    .mul(&content.1.pow(&Number::int(i64::from(rest)))?);
                let scaled = power.scale(&c);
                return scaled.within_coefficient_bound().then_some(scaled);
            }
            result = result.mul(self, budget)?;
        }
        Some(result)
    }

    /// `a` and `b` as their contents times their primitive parts (coprime integer
    /// coefficients), when some coefficient of either is not an integer. Rational arithmetic
    /// reduces every product and sum by a gcd, which past 64 bits costs more than the
    /// product; integer arithmetic does not: the 61st power of `31*x/5 + pi + 37` takes a
    /// twentieth of the time in integers, scaled once.
    #[allow(clippy::type_complexity)]
    fn split_contents<'a>(
        a: &'a Poly,
        b: &'a Poly,
    ) -> Option<((Number, Number), (Cow<'a, Poly>, Cow<'a, Poly>))> {
        let split = |p: &'a Poly| -> Option<(Number, Cow<'a, Poly>)> {
            if p.terms.values().all(Number::is_integer) {
                return Some((Number::one(), Cow::Borrowed(p)));
            }
            let content = p.content();
            Some((content.clone(), Cow::Owned(p.scale(&content.recip()?))))
        };
        let ((ca, pa), (cb, pb)) = (split(a)?, split(b)?);
        let both_integral = matches!((&pa, &pb), (Cow::Borrowed(_), Cow::Borrowed(_)));
        (!both_integral).then_some(((ca, cb), (pa, pb)))
    }

    /// Whether some coefficient needs more than 64 bits.
    fn has_big_coefficients(&self) -> bool {
        self.terms.values().any(|c| c.bits() > 63)
    }

    /// Whether no coefficient is past the coefficient bound.
    fn within_coefficient_bound(&self) -> bool {
        self.terms.values().all(|c| c.bits() <= MAX_COEFF_BITS)
    }

    /// The exact quotient `self / divisor`, or `None` when the division leaves a remainder
    /// (or the budget runs out). Exponents must be non-negative.
    ///
    /// If `self = q * divisor` then the leading term of every partial remainder is divisible
    /// by the divisor's leading term, so one pass of leading-term division finds `q`.
    pub(crate) fn exact_div(&self, divisor: &Poly, budget: &mut Budget) -> Option<Poly> {
        if let Some(c) = divisor.constant_value() {
            return Some(self.scale(&c.recip()?));
        }
        let (dm, dc) = divisor.leading()?;
        let (dm, dc) = (dm.clone(), dc.clone());
        let weight = divisor.limb_weight();
        let mut quotient = Poly::zero(self.nvars);
        let mut rest = self.clone();
        while let Some((rm, rc)) = rest.leading() {
            let cost = (divisor.len() as u64).saturating_mul(weight + rest.limb_weight());
            budget.spend(cost)?;
            let shift: Mono = rm.iter().zip(&dm).map(|(a, b)| a - b).collect();
            if shift.iter().any(|&e| e < 0) {
                return None;
            }
            let c = rc.div(&dc)?;
            rest.sub_scaled(divisor, &c, &shift);
            quotient.add_term(shift, &c);
            if rest.len() > MAX_TERMS {
                return None;
            }
        }
        Some(quotient)
    }

    /// `(q, r)` with `self = q*divisor + r` and `r` of lower degree in `atom` than
    /// `divisor`, for a divisor in `atom` alone: its coefficients are numbers, so the
    /// division is exact over the rationals whatever other atoms `self` holds. `None` when
    /// the divisor has other atoms or is a number, or past the budget. Exponents must be
    /// non-negative.
    pub(crate) fn divided_in(
        &self,
        divisor: &Poly,
        atom: usize,
        budget: &mut Budget,
    ) -> Option<(Poly, Poly)> {
        let only_atom = |m: &Mono| m.iter().enumerate().all(|(i, &e)| i == atom || e == 0);
        let d = divisor.degree_in(atom);
        if d < 1 || !divisor.terms.keys().all(only_atom) {
            return None;
        }
        let lead = divisor.coeff_in(atom, d).constant_value()?;
        let weight = divisor.limb_weight();
        let mut quotient = Poly::zero(self.nvars);
        let mut rest = self.clone();
        loop {
            let k = rest.degree_in(atom);
            if rest.is_zero() || k < d {
                return Some((quotient, rest));
            }
            let top: Vec<(Mono, Number)> = rest
                .terms
                .iter()
                .filter(|(m, _)| m[atom] == k)
                .map(|(m, c)| (m.clone(), c.clone()))
                .collect();
            for (mut shift, c) in top {
                budget.spend((divisor.len() as u64).saturating_mul(weight + rest.limb_weight()))?;
                shift[atom] -= d;
                let c = c.div(&lead)?;
                rest.sub_scaled(divisor, &c, &shift);
                quotient.add_term(shift, &c);
            }
            if rest.len() > MAX_TERMS {
                return None;
            }
        }
    }

    /// The highest exponent of `atom` (zero for a polynomial free of it).
    pub(crate) fn degree_in(&self, atom: usize) -> i32 {
        self.terms.keys().map(|m| m[atom]).max().unwrap_or(0)
    }

    /// [`Poly::degree_in`] of every atom, in one walk over the terms: a walk per atom costs
    /// as many walks as there are atoms, and sums of many roots have dozens.
    pub(crate) fn degrees(&self) -> Mono {
        let mut monos = self.terms.keys();
        let Some(first) = monos.next() else {
            return vec![0; self.nvars];
        };
        monos.fold(first.clone(), |mut top, m| {
            top.iter_mut().zip(m).for_each(|(t, &e)| *t = (*t).max(e));
            top
        })
    }

    /// The coefficient of `atom^k`, as a polynomial free of `atom`.
    pub(crate) fn coeff_in(&self, atom: usize, k: i32) -> Poly {
        let terms = self
            .terms
            .iter()
            .filter(|(m, _)| m[atom] == k)
            .map(|(m, c)| {
                let mut m = m.clone();
                m[atom] = 0;
                (m, c.clone())
            });
        Poly {
            nvars: self.nvars,
            terms: terms.collect(),
        }
    }

    /// The coefficients of every power of `atom` that occurs, free of `atom`.
    pub(crate) fn coeffs_in(&self, atom: usize) -> Vec<Poly> {
        let mut by_power: BTreeMap<i32, Poly> = BTreeMap::new();
        for (m, c) in &self.terms {
            let mut rest = m.clone();
            rest[atom] = 0;
            by_power
                .entry(m[atom])
                .or_insert_with(|| Poly::zero(self.nvars))
                .terms
                .insert(rest, c.clone());
        }
        by_power.into_values().collect()
    }

    /// `self * atom^k`.
    pub(crate) fn shift(&self, atom: usize, k: i32) -> Poly {
        let terms = self.terms.iter().map(|(m, c)| {
            let mut m = m.clone();
            m[atom] += k;
            (m, c.clone())
        });
        Poly {
            nvars: self.nvars,
            terms: terms.collect(),
        }
    }

    /// `self` with every `atom^k`, `k >= 2`, written `atom^(k mod 2) * r^(k div 2)`: the
    /// remainder of `self` modulo `atom^2 - r` when `r` is free of `atom` (how the relation
    /// `cos(u)^2 = 1 - sin(u)^2` lowers powers of `cos(u)`). `None` past the bounds.
    pub(crate) fn lowered(&self, atom: usize, r: &Poly, budget: &mut Budget) -> Option<Poly> {
        let mut by_half: BTreeMap<i32, Poly> = BTreeMap::new();
        for (m, c) in &self.terms {
            let mut rest = m.clone();
            let k = rest.get(atom).copied().unwrap_or(0).max(0);
            if let Some(slot) = rest.get_mut(atom) {
                *slot = k % 2;
            }
            by_half
                .entry(k / 2)
                .or_insert_with(|| Poly::zero(self.nvars))
                .add_term(rest, c);
        }
        Poly::horner(by_half, r, budget)
    }

    /// The sum of `parts[j] * r^j`, by Horner's rule.
    fn horner(parts: BTreeMap<i32, Poly>, r: &Poly, budget: &mut Budget) -> Option<Poly> {
        let top = parts.keys().next_back().copied().unwrap_or(0);
        let mut out = Poly::zero(r.nvars);
        for j in (0..=top).rev() {
            out = out.mul(r, budget)?;
            if let Some(p) = parts.get(&j) {
                out.add_assign(p);
            }
            if out.len() > MAX_TERMS {
                return None;
            }
        }
        Some(out)
    }

    /// `self` with each term of degree `d` in `a` and `b` together multiplied by
    /// `r^((top - d)/2)`, `top` the highest such degree, so that every term has degree `top`:
    /// with `r = a^2 + b^2 = 1` this is `self` again, written homogeneous (`1 + 2*a*b` is
    /// `(a + b)^2`). `None` when the degrees differ in parity, or past the bounds.
    pub(crate) fn homogenized(
        &self,
        a: usize,
        b: usize,
        r: &Poly,
        budget: &mut Budget,
    ) -> Option<Poly> {
        let degree = |m: &Mono| m.get(a).copied().unwrap_or(0) + m.get(b).copied().unwrap_or(0);
        let top = self.terms.keys().map(degree).max()?;
        let mut by_step: BTreeMap<i32, Poly> = BTreeMap::new();
        for (m, c) in &self.terms {
            let gap = top - degree(m);
            if gap % 2 != 0 {
                return None;
            }
            by_step
                .entry(gap / 2)
                .or_insert_with(|| Poly::zero(self.nvars))
                .add_term(m.clone(), c);
        }
        Poly::horner(by_step, r, budget)
    }

    /// `d self / d atom`.
    pub(crate) fn derivative(&self, atom: usize) -> Poly {
        let terms = self
            .terms
            .iter()
            .filter(|(m, _)| m[atom] != 0)
            .map(|(m, c)| {
                let mut m = m.clone();
                let k = m[atom];
                m[atom] -= 1;
                (m, c.mul(&Number::int(i64::from(k))))
            });
        Poly {
            nvars: self.nvars,
            terms: terms.collect(),
        }
    }

    /// The atoms that occur, in index order.
    pub(crate) fn atoms(&self) -> Vec<usize> {
        (0..self.nvars)
            .filter(|&i| self.terms.keys().any(|m| m[i] != 0))
            .collect()
    }

    /// The smallest exponent of each atom over all terms (the largest monomial dividing
    /// every term).
    pub(crate) fn min_exponents(&self) -> Mono {
        let mut mins: Option<Mono> = None;
        for m in self.terms.keys() {
            mins = Some(match mins {
                None => m.clone(),
                Some(prev) => prev.iter().zip(m).map(|(a, b)| *a.min(b)).collect(),
            });
        }
        mins.unwrap_or_else(|| vec![0; self.nvars])
    }

    /// `self` as `content * monomial * rest`: the [`Poly::content`], the
    /// [`Poly::min_exponents`], and what is left; `None` for zero.
    pub(crate) fn common_factors(&self) -> Option<(Number, Mono, Poly)> {
        let content = self.content();
        let inverse = content.recip()?;
        let monomial = self.min_exponents();
        let rest = self.terms.iter().map(|(m, c)| {
            let m = m
                .iter()
                .zip(&monomial)
                .map(|(k, least)| k - least)
                .collect();
            (m, c.mul(&inverse))
        });
        let rest = Poly {
            nvars: self.nvars,
            terms: rest.collect(),
        };
        Some((content, monomial, rest))
    }

    /// The rational content, signed like the leading coefficient, so that
    /// `self / content()` has coprime integer coefficients and a positive leading one.
    pub(crate) fn content(&self) -> Number {
        let mut g = Number::zero();
        for c in self.terms.values() {
            // Once the gcd is one, integers cannot lower it: skip their (costly) gcds.
            if !(g.is_one() && c.is_integer()) {
                g = g.gcd(c);
            }
        }
        if self.leading_coeff().is_negative() {
            g.neg()
        } else {
            g
        }
    }

    /// The associate with coprime integer coefficients and a positive leading coefficient
    /// (zero stays zero).
    pub(crate) fn normalized(&self) -> Poly {
        let content = self.content();
        if content.is_one() {
            return self.clone();
        }
        match content.recip() {
            Some(r) => self.scale(&r),
            None => self.clone(),
        }
    }
}
