//! Exact rational numbers: the only numbers in the symbolic path.
//!
//! `num-rational` stays inside this module. Every operation that could make a number
//! unboundedly large (powers) is checked against [`MAX_BITS`]; past it the caller keeps the
//! expression symbolic instead of computing a gigantic integer.
//!
//! Almost every number in a formula is a small integer or a small fraction, so a [`Number`]
//! is two machine words when it fits in them and a boxed `BigRational` only when it does not.
//! The small path does its arithmetic in `i128` and falls back to big integers on overflow,
//! so the results are exactly those of `BigRational`; the representation is canonical (a
//! value that fits is always small), so equality and hashing look at the representation.

use std::borrow::Cow;
use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::str::FromStr;

use num_bigint::{BigInt, Sign};
use num_integer::Integer;
use num_rational::BigRational;
use num_traits::{One, PrimInt, Signed, ToPrimitive, Zero};

/// Primes below this come out of a radical by trial division ([`Number::radical_parts`]).
pub const TRIAL_PRIMES_BELOW: u32 = 1000;

/// The largest numerator or denominator, in bits, that an exact power may produce.
///
/// `2^4096` still folds; `10^10^10` stays symbolic.
pub const MAX_BITS: u64 = 4096;

/// An exact rational number, always in lowest terms with a positive denominator.
#[derive(Clone, PartialEq, Eq)]
pub struct Number(Repr);

/// The two forms of a number. **Invariant:** `Small` exactly when numerator and denominator
/// both lie within `±(2^63 - 1)`, so each value has one representation (derived equality is
/// value equality) and negating a small number cannot overflow.
#[derive(Clone, PartialEq, Eq)]
enum Repr {
    /// `numer / denom` in lowest terms, `denom >= 1`, `numer != i64::MIN`.
    Small { numer: i64, denom: i64 },
    /// Anything larger, in lowest terms.
    Big(Box<BigRational>),
}

/// Greatest common divisor of two non-negative integers, in 64-bit registers when both fit
/// (almost always).
fn gcd_u128(a: u128, b: u128) -> u128 {
    match (u64::try_from(a), u64::try_from(b)) {
        (Ok(a), Ok(b)) => u128::from(binary_gcd(a, b)),
        _ => binary_gcd(a, b),
    }
}

/// Stein's binary gcd: shifts and subtractions, no division (a 128-bit division is a
/// library call).
fn binary_gcd<T: PrimInt>(mut a: T, mut b: T) -> T {
    if a.is_zero() || b.is_zero() {
        return a | b;
    }
    let shift = (a | b).trailing_zeros() as usize;
    a = a >> a.trailing_zeros() as usize;
    loop {
        b = b >> b.trailing_zeros() as usize;
        if a > b {
            std::mem::swap(&mut a, &mut b);
        }
        b = b - a;
        if b.is_zero() {
            return a << shift;
        }
    }
}

/// The gcd of two big integers (non-negative): remainders while one is much longer than the
/// other, then Stein's binary gcd (`num-integer`'s). Stein's alone takes a subtraction and a
/// shift per bit of the difference in length, over the longer number: `gcd(n, 3)` for a
/// 4,000-bit `n` was thousands of passes over it, where one remainder settles it.
fn big_gcd(a: &BigInt, b: &BigInt) -> BigInt {
    let (mut a, mut b) = (a.magnitude().clone(), b.magnitude().clone());
    loop {
        if a < b {
            std::mem::swap(&mut a, &mut b);
        }
        if b.is_zero() {
            return BigInt::from(a);
        }
        if a.bits() <= b.bits() + 64 {
            return BigInt::from(a.gcd(&b));
        }
        a %= &b;
    }
}

/// `x * y` in lowest terms, both in lowest terms: each numerator is cancelled against the
/// other's denominator first (`num-rational` does the same, with Stein's gcd).
fn big_product(x: &BigRational, y: &BigRational) -> BigRational {
    if x.is_zero() || y.is_zero() {
        return BigRational::zero();
    }
    let g1 = big_gcd(x.numer(), y.denom());
    let g2 = big_gcd(y.numer(), x.denom());
    BigRational::new_raw(
        (x.numer() / &g1) * (y.numer() / &g2),
        (x.denom() / &g2) * (y.denom() / &g1),
    )
}

impl Number {
    /// The small form, when both parts (already in lowest terms, `denom > 0`) fit.
    fn small_reduced(numer: i128, denom: i128) -> Option<Number> {
        let fits = |v: i128| v.unsigned_abs() <= i64::MAX as u128;
        (fits(numer) && fits(denom)).then_some(Number(Repr::Small {
            numer: numer as i64,
            denom: denom as i64,
        }))
    }

    /// `numer / denom` for any `i128` parts with `denom != 0`: reduced, sign on the numerator,
    /// small when it fits and big otherwise.
    fn from_i128(numer: i128, denom: i128) -> Number {
        if denom == 1
            && let Some(small) = Number::small_reduced(numer, 1)
        {
            return small;
        }
        let sign_flip = denom < 0;
        // g >= 1 since denom != 0; dividing magnitudes avoids overflow at i128::MIN, and
        // dividing in 64 bits where they fit avoids the slow 128-bit division.
        let (n, d) = match (
            u64::try_from(numer.unsigned_abs()),
            u64::try_from(denom.unsigned_abs()),
        ) {
            (Ok(n), Ok(d)) => {
                let g = binary_gcd(n, d);
                (u128::from(n / g), u128::from(d / g))
            }
            _ => {
                let g = gcd_u128(numer.unsigned_abs(), denom.unsigned_abs());
                (numer.unsigned_abs() / g, denom.unsigned_abs() / g)
            }
        };
        let negative = (numer < 0) != sign_flip && n != 0;
        if n <= i64::MAX as u128 && d <= i64::MAX as u128 {
            let n = n as i64;
            return Number(Repr::Small {
                numer: if negative { -n } else { n },
                denom: d as i64,
            });
        }
        let n = BigInt::from(n);
        let n = if negative { -n } else { n };
        Number::from_big(BigRational::new_raw(n, BigInt::from(d)))
    }

    /// The canonical form of a reduced `BigRational`.
    fn from_big(value: BigRational) -> Number {
        match (value.numer().to_i64(), value.denom().to_i64()) {
            (Some(numer), Some(denom)) if numer != i64::MIN => Number(Repr::Small { numer, denom }),
            _ => Number(Repr::Big(Box::new(value))),
        }
    }

    /// The value as a `BigRational`, borrowed when it is one already.
    fn big(&self) -> Cow<'_, BigRational> {
        match &self.0 {
            Repr::Small { numer, denom } => Cow::Owned(BigRational::new_raw(
                BigInt::from(*numer),
                BigInt::from(*denom),
            )),
            Repr::Big(value) => Cow::Borrowed(value),
        }
    }

    /// Both numbers' small parts, when both are small.
    fn both_small(&self, other: &Number) -> Option<((i128, i128), (i128, i128))> {
        match (&self.0, &other.0) {
            (Repr::Small { numer: a, denom: b }, Repr::Small { numer: c, denom: d }) => {
                Some(((*a as i128, *b as i128), (*c as i128, *d as i128)))
            }
            _ => None,
        }
    }

    /// The integer `n`.
    pub fn int(n: i64) -> Number {
        if n == i64::MIN {
            return Number(Repr::Big(Box::new(BigRational::from_integer(
                BigInt::from(n),
            ))));
        }
        Number(Repr::Small { numer: n, denom: 1 })
    }

    /// The fraction `p/q`; `None` when `q` is zero.
    pub fn ratio(p: i64, q: i64) -> Option<Number> {
        (q != 0).then(|| Number::from_i128(i128::from(p), i128::from(q)))
    }

    /// Zero.
    pub fn zero() -> Number {
        Number::int(0)
    }

    /// One.
    pub fn one() -> Number {
        Number::int(1)
    }

    /// The small parts, when small.
    fn small(&self) -> Option<(i64, i64)> {
        match self.0 {
            Repr::Small { numer, denom } => Some((numer, denom)),
            Repr::Big(_) => None,
        }
    }

    /// Whether this is `0`.
    pub fn is_zero(&self) -> bool {
        self.small() == Some((0, 1))
    }

    /// Whether this is `1`.
    pub fn is_one(&self) -> bool {
        self.small() == Some((1, 1))
    }

    /// Whether this is `-1`.
    pub fn is_minus_one(&self) -> bool {
        self.small() == Some((-1, 1))
    }

    /// Whether this is strictly negative.
    pub fn is_negative(&self) -> bool {
        match &self.0 {
            Repr::Small { numer, .. } => *numer < 0,
            Repr::Big(value) => value.is_negative(),
        }
    }

    /// Whether this is strictly positive.
    pub fn is_positive(&self) -> bool {
        match &self.0 {
            Repr::Small { numer, .. } => *numer > 0,
            Repr::Big(value) => value.is_positive(),
        }
    }

    /// Whether the denominator is one.
    pub fn is_integer(&self) -> bool {
        match &self.0 {
            Repr::Small { denom, .. } => *denom == 1,
            Repr::Big(value) => value.is_integer(),
        }
    }

    /// The value as an `i64`, when it is an integer that fits.
    pub fn to_i64(&self) -> Option<i64> {
        match &self.0 {
            Repr::Small { numer, denom: 1 } => Some(*numer),
            Repr::Small { .. } => None,
            Repr::Big(value) if value.is_integer() => value.numer().to_i64(),
            Repr::Big(_) => None,
        }
    }

    /// The nearest `f64` (infinite when the number is beyond `f64`'s range).
    pub fn to_f64(&self) -> f64 {
        let value = match &self.0 {
            Repr::Small { numer, denom } => return *numer as f64 / *denom as f64,
            Repr::Big(value) => value,
        };
        if let (Some(n), Some(d)) = (value.numer().to_f64(), value.denom().to_f64())
            && n.is_finite()
            && d.is_finite()
        {
            return n / d;
        }
        // A huge numerator or denominator: the integer quotient with 64 bits or more, times
        // the power of two it was scaled by. (Scaling both by one power of two lost a small
        // numerator over a huge denominator: `1/2^1049` was 0.)
        let k = value.denom().bits() as i64 - value.numer().bits() as i64 + 64;
        let quotient = match k >= 0 {
            true => (value.numer() << k as u64) / value.denom(),
            false => value.numer() / (value.denom() << k.unsigned_abs()),
        };
        let mut x = quotient.to_f64().unwrap_or(f64::NAN);
        let mut k = k;
        // `x * 2^-k` in steps that neither overflow nor underflow early.
        while k != 0 && x.is_finite() && x != 0.0 {
            let step = k.clamp(-1000, 1000);
            x *= 2f64.powi(-step as i32);
            k -= step;
        }
        x
    }

    /// The exact value of a finite `f64` (each is a fraction over a power of two); `None`
    /// for infinities and NaN.
    pub fn from_f64(x: f64) -> Option<Number> {
        if !x.is_finite() {
            return None;
        }
        let bits = x.to_bits();
        let biased = ((bits >> 52) & 0x7ff) as i64;
        let fraction = (bits & ((1 << 52) - 1)) as i64;
        let (mantissa, exponent) = match biased {
            0 => (fraction, -1074),
            _ => (fraction | (1 << 52), biased - 1075),
        };
        let signed = if x.is_sign_negative() {
            -mantissa
        } else {
            mantissa
        };
        let scale = Number::int(2).pow(&Number::int(exponent))?;
        Some(Number::int(signed).mul(&scale))
    }

    /// The numerator, as a number.
    pub fn numer(&self) -> Number {
        match &self.0 {
            Repr::Small { numer, .. } => Number::int(*numer),
            Repr::Big(value) => Number::from_big(BigRational::from_integer(value.numer().clone())),
        }
    }

    /// The denominator, as a number (always positive).
    pub fn denom(&self) -> Number {
        match &self.0 {
            Repr::Small { denom, .. } => Number::int(*denom),
            Repr::Big(value) => Number::from_big(BigRational::from_integer(value.denom().clone())),
        }
    }

    /// This number modulo the prime `p` (below 2^63): `numer * denom^-1 mod p`, or `None`
    /// when `p` divides the denominator.
    pub(crate) fn residue(&self, p: u64) -> Option<u64> {
        let reduce = |k: &BigInt| k.mod_floor(&BigInt::from(p)).to_u64();
        let (numer, denom) = match &self.0 {
            Repr::Small { numer, denom } => (
                i128::from(*numer).rem_euclid(i128::from(p)) as u64,
                i128::from(*denom).rem_euclid(i128::from(p)) as u64,
            ),
            Repr::Big(value) => (reduce(value.numer())?, reduce(value.denom())?),
        };
        if denom == 1 {
            return Some(numer);
        }
        let inverse = inverse_mod(denom, p)?;
        Some(mul_mod(numer, inverse, p))
    }

    /// The number of bits of the larger of numerator and denominator.
    pub fn bits(&self) -> u64 {
        match &self.0 {
            Repr::Small { numer, denom } => {
                u64::from(64 - (numer.unsigned_abs() | denom.unsigned_abs()).leading_zeros())
            }
            Repr::Big(value) => value.numer().bits().max(value.denom().bits()),
        }
    }

    /// `-self`.
    pub fn neg(&self) -> Number {
        match &self.0 {
            // The invariant keeps `numer` away from `i64::MIN`, so this cannot overflow.
            Repr::Small { numer, denom } => Number(Repr::Small {
                numer: -numer,
                denom: *denom,
            }),
            Repr::Big(value) => Number::from_big(-&**value),
        }
    }

    /// `|self|`.
    pub fn abs(&self) -> Number {
        if self.is_negative() {
            self.neg()
        } else {
            self.clone()
        }
    }

    /// `-1`, `0` or `1`.
    pub fn signum(&self) -> Number {
        if self.is_negative() {
            Number::int(-1)
        } else if self.is_zero() {
            Number::zero()
        } else {
            Number::one()
        }
    }

    /// `self + other`.
    pub fn add(&self, other: &Number) -> Number {
        if let Some(((a, b), (c, d))) = self.both_small(other) {
            // |a*d|, |c*b| < 2^126, so neither the products nor their sum overflow.
            return if b == d {
                Number::from_i128(a + c, b)
            } else {
                Number::from_i128(a * d + c * b, b * d)
            };
        }
        if let Some((a, b)) = self.integers_with(other) {
            return Number::from_big(BigRational::from_integer(&*a + &*b));
        }
        Number::from_big(&*self.big() + &*other.big())
    }

    /// `self - other`.
    pub fn sub(&self, other: &Number) -> Number {
        self.add(&other.neg())
    }

    /// `self * other`.
    pub fn mul(&self, other: &Number) -> Number {
        // Products start from one: a coefficient times its first number is that number.
        if self.is_one() {
            return other.clone();
        }
        if let Some(((a, b), (c, d))) = self.both_small(other) {
            if b == 1 && d == 1 {
                return Number::from_i128(a * c, 1);
            }
            // Cancel crosswise first, so the products are already in lowest terms. The parts
            // are i64s (the invariant), so the gcds and divisions run in 64 bits.
            let (a, b, c, d) = (a as i64, b as i64, c as i64, d as i64);
            let g1 = binary_gcd(a.unsigned_abs(), d.unsigned_abs()) as i64;
            let g2 = binary_gcd(c.unsigned_abs(), b.unsigned_abs()) as i64;
            let numer = i128::from(a / g1) * i128::from(c / g2);
            let denom = i128::from(b / g2) * i128::from(d / g1);
            return Number::small_reduced(numer, denom)
                .unwrap_or_else(|| Number::from_i128(numer, denom));
        }
        if let Some((a, b)) = self.integers_with(other) {
            return Number::from_big(BigRational::from_integer(&*a * &*b));
        }
        Number::from_big(big_product(&self.big(), &other.big()))
    }

    /// Both numerators, when both numbers are integers and one is big. `BigRational`
    /// arithmetic takes gcds with the denominators even when they are one, which costs a
    /// loop per bit (polynomial arithmetic over big integer coefficients spends most of its
    /// time there).
    fn integers_with<'a>(
        &'a self,
        other: &'a Number,
    ) -> Option<(Cow<'a, BigInt>, Cow<'a, BigInt>)> {
        fn numer(n: &Number) -> Option<Cow<'_, BigInt>> {
            match &n.0 {
                Repr::Small { numer, denom: 1 } => Some(Cow::Owned(BigInt::from(*numer))),
                Repr::Small { .. } => None,
                Repr::Big(value) => value.is_integer().then(|| Cow::Borrowed(value.numer())),
            }
        }
        Some((numer(self)?, numer(other)?))
    }

    /// `1 / self`; `None` for zero.
    pub fn recip(&self) -> Option<Number> {
        if self.is_zero() {
            return None;
        }
        Some(match &self.0 {
            Repr::Small { numer, denom } => Number(Repr::Small {
                numer: denom * numer.signum(),
                denom: numer.abs(),
            }),
            Repr::Big(value) => Number::from_big(value.recip()),
        })
    }

    /// `self / other`; `None` when `other` is zero.
    pub fn div(&self, other: &Number) -> Option<Number> {
        other.recip().map(|r| self.mul(&r))
    }

    /// The greatest common divisor of two rationals: `gcd(p/q, r/s) = gcd(p, r) / lcm(q, s)`.
    /// Always non-negative; `gcd(0, 0) = 0`.
    pub fn gcd(&self, other: &Number) -> Number {
        if let Some(((a, b), (c, d))) = self.both_small(other) {
            let n = gcd_u128(a.unsigned_abs(), c.unsigned_abs());
            let (b, d) = (b.unsigned_abs(), d.unsigned_abs());
            let lcm = b / gcd_u128(b, d) * d;
            // gcd(n, lcm) = 1: n divides both numerators, lcm's primes divide denominators.
            return Number::from_i128(n as i128, lcm as i128);
        }
        let (x, y) = (self.big(), other.big());
        let n = big_gcd(x.numer(), y.numer());
        if n.is_zero() {
            return Number::zero();
        }
        let (b, d) = (x.denom(), y.denom());
        let lcm = b / big_gcd(b, d) * d;
        // In lowest terms, as in the small case.
        Number::from_big(BigRational::new_raw(n, lcm))
    }

    /// `self ^ exp` exactly, when the result is rational and within `MAX_BITS`.
    ///
    /// Integer exponents always fold (within the bound; `0^-n` does not). Fractional exponents
    /// `p/q` fold when the base is a perfect `q`-th power (`8^(2/3) = 4`); a negative base with
    /// an even root, or any irrational result, returns `None`.
    pub fn pow(&self, exp: &Number) -> Option<Number> {
        let exp = exp.big();
        let base = self.root(exp.denom())?;
        base.pow_int(exp.numer())
    }

    fn pow_int(&self, exp: &BigInt) -> Option<Number> {
        if exp.is_zero() {
            return Some(Number::one());
        }
        if self.is_zero() {
            return (exp.sign() == Sign::Plus).then(Number::zero);
        }
        if self.is_one() || self.is_minus_one() {
            let odd = exp.is_odd();
            return Some(if self.is_negative() && odd {
                Number::int(-1)
            } else {
                Number::one()
            });
        }
        let e = exp.abs().to_u64()?;
        // A first power (a reciprocal, for `-1`) does not grow: any size folds, so that a
        // number printed as `p/q` reads back as the same number.
        if e > 1 && e.saturating_mul(self.bits()) > MAX_BITS.saturating_add(e) {
            return None;
        }
        let e = u32::try_from(e).ok()?;
        let powered = Number::from_big(num_traits::Pow::pow(&*self.big(), e));
        if exp.is_negative() {
            powered.recip()
        } else {
            Some(powered)
        }
    }

    /// `self ^ exp` for a positive `self` and a fraction `exp`, as the radicals every CAS
    /// writes: a rational coefficient times powers of integers whose exponents lie strictly
    /// between 0 and 1, one power per distinct exponent, bases in increasing order.
    /// `12^(1/2) = 2 * 3^(1/2)`, `2^(-1/2) = 1/2 * 2^(1/2)` (the denominator rationalised),
    /// `(3/2)^(1/2) = 1/2 * 6^(1/2)`, `72^(1/3) = 2 * 3^(2/3)`.
    ///
    /// Whole powers come out of every prime below `TRIAL_PRIMES_BELOW` and of a remaining
    /// cofactor that is a perfect power; a larger prime factor stays under the root with the
    /// cofactor. `None` when the coefficient would pass `MAX_BITS`, or for a base of more
    /// than `MAX_BITS` bits.
    pub fn radical_parts(&self, exp: &Number) -> Option<(Number, Vec<(Number, Number)>)> {
        if !self.is_positive() || exp.is_integer() || self.bits() > MAX_BITS {
            return None;
        }
        let (base, exp) = (self.big(), exp.big());
        let mut coeff = Number::one();
        let mut groups: Vec<(Number, BigInt)> = Vec::new();
        let sides = [
            (base.numer(), exp.numer().clone()),
            (base.denom(), -exp.numer()),
        ];
        for (side, p) in sides {
            for (factor, multiplicity) in factor_powers(side) {
                // factor ^ (multiplicity * p / q) = factor^whole * factor^(rem / q).
                let (whole, rem) = (p.clone() * multiplicity).div_mod_floor(exp.denom());
                let factor = Number::from_big(BigRational::from_integer(factor));
                let whole = Number::from_big(BigRational::from_integer(whole));
                // `pow` refuses a whole power past `MAX_BITS`; the product is bounded here.
                coeff = coeff.mul(&factor.pow(&whole)?);
                if coeff.bits() > MAX_BITS {
                    return None;
                }
                if rem.is_zero() {
                    continue;
                }
                let frac = Number::from_big(BigRational::new(rem, exp.denom().clone()));
                match groups.iter_mut().find(|(f, _)| *f == frac) {
                    Some((_, product)) => *product *= factor.big().numer(),
                    None => groups.push((frac, factor.big().numer().clone())),
                }
            }
        }
        let mut radicals: Vec<(Number, Number)> = groups
            .into_iter()
            .map(|(frac, base)| (Number::from_big(BigRational::from_integer(base)), frac))
            .collect();
        radicals.sort();
        Some((coeff, radicals))
    }

    /// The integer `k` with `base^k = self`, for an integer `base > 1`: `8` is `2^3`, `1/9` is
    /// `3^-2`, `1` is `b^0`; `None` when there is none.
    pub fn exact_log(&self, base: &Number) -> Option<i64> {
        let b = base.big();
        if !b.is_integer() || b.numer() <= &BigInt::one() || !self.is_positive() {
            return None;
        }
        let value = self.big();
        let (whole, sign) = match (value.numer().is_one(), value.denom().is_one()) {
            (_, true) => (value.numer().clone(), 1),
            (true, false) => (value.denom().clone(), -1),
            (false, false) => return None,
        };
        let mut rest = whole;
        let mut k = 0i64;
        while !rest.is_one() {
            let (q, r) = rest.div_rem(b.numer());
            if !r.is_zero() {
                return None;
            }
            rest = q;
            k += 1;
        }
        Some(sign * k)
    }

    /// The rational `k = p/q` (`q` at most 12) with `base^k = self` exactly, if there is one
    /// (`self` and `base` positive, `base` not 1): `8` is `4^(3/2)`, `2` is `8^(1/3)`. For
    /// each `q` the candidate `p` is the integer nearest to `q*ln(self)/ln(base)` in `f64`,
    /// checked exactly, so a wrong estimate (a base within `1e-12` of 1) only misses one.
    /// [`Number::exact_log`] is the exact whole-number case for integer bases.
    pub fn rational_log(&self, base: &Number) -> Option<Number> {
        // Past this size `f64` has no estimate.
        const MAX_BITS: u64 = 1000;
        const MAX_DENOMINATOR: i64 = 12;
        let sizes_fit = self.bits() <= MAX_BITS && base.bits() <= MAX_BITS;
        if !self.is_positive() || !base.is_positive() || base.is_one() || !sizes_fit {
            return None;
        }
        let estimate = self.to_f64().ln() / base.to_f64().ln();
        if !estimate.is_finite() || estimate.abs() > MAX_BITS as f64 {
            return None;
        }
        (1..=MAX_DENOMINATOR).find_map(|q| {
            // In range: the estimate is at most `MAX_BITS` in size.
            let p = (estimate * q as f64).round() as i64;
            let k = Number::ratio(p, q)?;
            (base.pow(&k)? == *self).then_some(k)
        })
    }

    /// The exact `q`-th root, when it exists in the rationals and is real.
    fn root(&self, q: &BigInt) -> Option<Number> {
        if q.is_one() {
            return Some(self.clone());
        }
        let q = q.to_u32()?;
        // The principal root of a negative number is not real: keep `(-8)^(1/3)` symbolic.
        if self.is_negative() {
            return None;
        }
        let value = self.big();
        let n = value.numer().nth_root(q);
        let d = value.denom().nth_root(q);
        let candidate = BigRational::new(n, d);
        (num_traits::Pow::pow(&candidate, q) == *value).then(|| Number::from_big(candidate))
    }

    /// Splits `p/q` into its integer numerator and denominator as numbers.
    pub fn parts(&self) -> (Number, Number) {
        (self.numer(), self.denom())
    }

    /// Reads a decimal literal exactly: `3`, `0.1` (one tenth), `2.5e-3`, `1E6`.
    ///
    /// Returns `None` for malformed text, or for an exponent whose magnitude exceeds
    /// `max_exponent` (so `1e1000000` cannot allocate a million-digit integer).
    pub fn from_decimal(text: &str, max_exponent: u32) -> Option<Number> {
        let (mantissa, exponent) = match text.find(['e', 'E']) {
            Some(i) => (&text[..i], text[i + 1..].parse::<i64>().ok()?),
            None => (text, 0),
        };
        let (int_part, frac_part) = match mantissa.find('.') {
            Some(i) => (&mantissa[..i], &mantissa[i + 1..]),
            None => (mantissa, ""),
        };
        if int_part.is_empty() && frac_part.is_empty() {
            return None;
        }
        if !int_part
            .bytes()
            .chain(frac_part.bytes())
            .all(|b| b.is_ascii_digit())
        {
            return None;
        }
        let scale = exponent.checked_sub(frac_part.len() as i64)?;
        if scale.unsigned_abs() > u64::from(max_exponent) + frac_part.len() as u64 {
            return None;
        }
        if let Some(value) = Number::small_decimal(int_part, frac_part, scale) {
            return Some(value);
        }
        let digits = format!("{int_part}{frac_part}");
        let numer = BigInt::from_str(if digits.is_empty() { "0" } else { &digits }).ok()?;
        let ten = BigInt::from(10);
        let factor = num_traits::Pow::pow(&ten, scale.unsigned_abs() as u32);
        let value = if scale >= 0 {
            BigRational::from_integer(numer * factor)
        } else {
            BigRational::new(numer, factor)
        };
        Some(Number::from_big(value))
    }

    /// `digits * 10^scale` without big integers, when the digits (at most 18) and the power
    /// of ten (at most `10^18`) fit in machine words: nearly every literal people write.
    fn small_decimal(int_part: &str, frac_part: &str, scale: i64) -> Option<Number> {
        if int_part.len() + frac_part.len() > 18 || scale.unsigned_abs() > 18 {
            return None;
        }
        let digits = int_part
            .bytes()
            .chain(frac_part.bytes())
            .fold(0i128, |n, b| n * 10 + i128::from(b - b'0'));
        let power = 10i128.pow(scale.unsigned_abs() as u32);
        Some(if scale >= 0 {
            Number::from_i128(digits * power, 1)
        } else {
            Number::from_i128(digits, power)
        })
    }
}

impl PartialOrd for Number {
    fn partial_cmp(&self, other: &Number) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Number {
    /// By value.
    fn cmp(&self, other: &Number) -> Ordering {
        if let Some(((a, b), (c, d))) = self.both_small(other) {
            return (a * d).cmp(&(c * b));
        }
        self.big().cmp(&other.big())
    }
}

impl Hash for Number {
    /// Hashes the numerator and denominator. `BigRational`'s own hash expands the fraction
    /// into a continued fraction (so that unreduced fractions hash alike), a division per
    /// step; a `Number` is always in lowest terms, so equal numbers have equal parts.
    fn hash<H: Hasher>(&self, state: &mut H) {
        match &self.0 {
            Repr::Small { numer, denom } => {
                state.write_i64(*numer);
                state.write_u64(*denom as u64);
            }
            Repr::Big(value) => {
                value.numer().hash(state);
                value.denom().hash(state);
            }
        }
    }
}

impl fmt::Display for Number {
    /// `3`, `-3`, `1/2`, `-7/3`: the form the parser reads back.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Repr::Small { numer, denom: 1 } => write!(f, "{numer}"),
            Repr::Small { numer, denom } => write!(f, "{numer}/{denom}"),
            Repr::Big(value) if value.is_integer() => write!(f, "{}", value.numer()),
            Repr::Big(value) => write!(f, "{}/{}", value.numer(), value.denom()),
        }
    }
}

impl fmt::Debug for Number {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Number({self})")
    }
}

impl FromStr for Number {
    type Err = String;

    /// Reads `3`, `-3`, `1/2` (the form [`Display`](fmt::Display) writes) or a decimal.
    fn from_str(text: &str) -> Result<Number, String> {
        let (negative, body) = match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text),
        };
        let value = match body.split_once('/') {
            Some((p, q)) => {
                let p = BigInt::from_str(p).map_err(|e| e.to_string())?;
                let q = BigInt::from_str(q).map_err(|e| e.to_string())?;
                if q.is_zero() {
                    return Err("zero denominator".into());
                }
                Number::from_big(BigRational::new(p, q))
            }
            None => Number::from_decimal(body, 10_000).ok_or("not a number")?,
        };
        Ok(if negative { value.neg() } else { value })
    }
}

impl From<i64> for Number {
    fn from(n: i64) -> Number {
        Number::int(n)
    }
}
/// `a * b mod p`, for residues below `p < 2^63`.
fn mul_mod(a: u64, b: u64, p: u64) -> u64 {
    (u128::from(a) * u128::from(b) % u128::from(p)) as u64
}

/// `a^e mod p`, by squaring.
fn pow_mod(mut a: u64, mut e: u64, p: u64) -> u64 {
    let mut result = 1 % p;
    while e > 0 {
        if e & 1 == 1 {
            result = mul_mod(result, a, p);
        }
        a = mul_mod(a, a, p);
        e >>= 1;
    }
    result
}

/// The factors of a positive integer `n` with their multiplicities, found by trial division
/// by the primes below [`TRIAL_PRIMES_BELOW`]; what is left is one more factor, or its root
/// with the matching multiplicity when it is a perfect power (`1009^2` gives `(1009, 2)`).
fn factor_powers(n: &BigInt) -> Vec<(BigInt, u64)> {
    let mut factors = Vec::new();
    let mut rest = n.clone();
    let mut d = 2u32;
    while d < TRIAL_PRIMES_BELOW && BigInt::from(u64::from(d) * u64::from(d)) <= rest {
        let mut multiplicity = 0;
        loop {
            let (q, r) = rest.div_rem(&BigInt::from(d));
            if !r.is_zero() {
                break;
            }
            rest = q;
            multiplicity += 1;
        }
        if multiplicity > 0 {
            factors.push((BigInt::from(d), multiplicity));
        }
        d += if d == 2 { 1 } else { 2 };
    }
    if rest.is_one() {
        return factors;
    }
    // No factor below the trial bound is left, so a root `r` of `rest` has `r >= 1000`, and
    // `rest = r^j` needs `j <= bits / 9`. Past 1024 bits the search is not worth its time.
    let largest = if rest.bits() > 1024 {
        0
    } else {
        rest.bits() / 9
    };
    let perfect = (2..=largest.min(u64::from(u32::MAX))).rev().find_map(|j| {
        let j = j as u32;
        let r = rest.nth_root(j);
        (num_traits::Pow::pow(&r, j) == rest).then_some((r, u64::from(j)))
    });
    factors.push(perfect.unwrap_or((rest, 1)));
    factors
}

/// The inverse of `a` modulo the prime `p` (Fermat: `a^(p-2)`), `None` for `a = 0 mod p`.
pub(crate) fn inverse_mod(a: u64, p: u64) -> Option<u64> {
    let a = a % p;
    (a != 0).then(|| pow_mod(a, p - 2, p))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(text: &str) -> Number {
        text.parse().expect("test literal")
    }

    #[test]
    fn decimals_are_exact() {
        assert_eq!(n("0.1"), Number::ratio(1, 10).unwrap());
        assert_eq!(n("2.5e-3"), Number::ratio(1, 400).unwrap());
        assert_eq!(n("1e6"), Number::int(1_000_000));
        assert_eq!(n(".5"), Number::ratio(1, 2).unwrap());
        assert_eq!(Number::from_decimal("1e1000000", 10_000), None);
        assert_eq!(Number::from_decimal("1.2.3", 10_000), None);
    }

    #[test]
    fn every_finite_f64_is_read_exactly() {
        assert_eq!(Number::from_f64(0.5), Number::ratio(1, 2));
        assert_eq!(Number::from_f64(-3.0), Some(Number::int(-3)));
        assert_eq!(Number::from_f64(0.0), Some(Number::zero()));
        assert_eq!(Number::from_f64(f64::NAN), None);
        assert_eq!(Number::from_f64(f64::INFINITY), None);
        // 0.1 is not one tenth, but the dyadic fraction nearest to it.
        let tenth = Number::from_f64(0.1).expect("finite");
        assert_ne!(tenth, n("0.1"));
        assert_eq!(
            tenth.denom(),
            Number::int(2).pow(&Number::int(55)).expect("small")
        );
        for x in [
            0.1,
            -1e300,
            1e-300,
            5e-324,
            f64::MAX,
            1.0 / 3.0,
            f64::MIN_POSITIVE,
        ] {
            let exact = Number::from_f64(x).expect("finite");
            assert_eq!(exact.to_f64(), x, "{x}");
        }
    }

    #[test]
    fn radicals_split_into_whole_powers_and_rationalised_roots() {
        let parts = |b: &str, e: &str| {
            let (c, rs) = n(b).radical_parts(&n(e)).expect("a radical");
            let rs: Vec<String> = rs.iter().map(|(b, e)| format!("{b}^{e}")).collect();
            format!("{c} {}", rs.join(" "))
        };
        assert_eq!(parts("12", "1/2"), "2 3^1/2");
        assert_eq!(parts("2", "-1/2"), "1/2 2^1/2");
        assert_eq!(parts("3/2", "1/2"), "1/2 6^1/2");
        assert_eq!(parts("72", "1/3"), "2 3^2/3");
        assert_eq!(parts("2", "7/2"), "8 2^1/2");
        assert_eq!(parts("12", "1/3"), "1 2^2/3 3^1/3");
        assert_eq!(parts("3", "-5/3"), "1/9 3^1/3");
        // A prime past the trial bound, squared, still comes out as a perfect power.
        assert_eq!(parts("2036162", "1/2"), "1009 2^1/2");
        assert_eq!(n("-2").radical_parts(&n("1/2")), None);
        assert_eq!(n("8").exact_log(&n("2")), Some(3));
        assert_eq!(n("1/9").exact_log(&n("3")), Some(-2));
        assert_eq!(n("1").exact_log(&n("5")), Some(0));
        assert_eq!(n("12").exact_log(&n("2")), None);
        assert_eq!(n("2/3").exact_log(&n("2")), None);
        assert_eq!(n("4").exact_log(&n("1")), None);
        // Rational logarithms, checked exactly.
        let log = |x: &str, b: &str| n(x).rational_log(&n(b)).map(|k| k.to_string());
        assert_eq!(log("8", "4").as_deref(), Some("3/2"));
        assert_eq!(log("2", "8").as_deref(), Some("1/3"));
        assert_eq!(log("1/8", "2").as_deref(), Some("-3"));
        assert_eq!(log("4/9", "27/8").as_deref(), Some("-2/3"));
        assert_eq!(log("1", "5").as_deref(), Some("0"));
        assert_eq!(log("12", "2"), None);
        assert_eq!(log("3", "2"), None);
        assert_eq!(log("4", "1"), None);
        assert_eq!(log("-8", "2"), None);
        assert_eq!(log("8", "-2"), None);
        // Every power b^(p/q) with a rational value is found again.
        for b in 2..=12 {
            for q in 1..=4 {
                for p in -9..=9 {
                    let k = Number::ratio(p, q).unwrap();
                    if let Some(x) = n(&b.to_string()).pow(&k) {
                        assert_eq!(x.rational_log(&n(&b.to_string())), Some(k), "{b}^{p}/{q}");
                    }
                }
            }
        }
        assert_eq!(n("2").radical_parts(&n("2")), None);
        assert_eq!(n("2").radical_parts(&n("100001/2")), None);
        // Every split has the value it splits, at f64 precision.
        for (b, e) in [
            ("12", "1/2"),
            ("3/2", "1/2"),
            ("72", "-4/3"),
            ("1000/27", "5/6"),
        ] {
            let (c, rs) = n(b).radical_parts(&n(e)).expect("a radical");
            let value = rs
                .iter()
                .fold(c.to_f64(), |v, (b, e)| v * b.to_f64().powf(e.to_f64()));
            let expected = n(b).to_f64().powf(n(e).to_f64());
            assert!((value - expected).abs() < 1e-12 * expected, "{b}^{e}");
        }
    }

    #[test]
    fn powers_fold_only_when_exact_and_bounded() {
        assert_eq!(n("8").pow(&n("2/3")), Some(n("4")));
        assert_eq!(n("1/4").pow(&n("1/2")), Some(n("1/2")));
        assert_eq!(n("2").pow(&n("1/2")), None);
        assert_eq!(n("-8").pow(&n("1/3")), None);
        assert_eq!(n("2").pow(&n("-2")), Some(n("1/4")));
        assert_eq!(n("0").pow(&n("-1")), None);
        assert_eq!(n("10").pow(&n("10000000000")), None);
        assert_eq!(n("-1").pow(&n("10000000001")), Some(n("-1")));
    }

    #[test]
    fn gcd_of_rationals() {
        assert_eq!(n("4/3").gcd(&n("2/9")), n("2/9"));
        assert_eq!(n("6").gcd(&n("-4")), n("2"));
    }

    /// The small path must give exactly what `BigRational` gives, at the edges of `i64` too.
    mod against_big {
        use super::*;
        use proptest::prelude::*;

        fn edge() -> impl Strategy<Value = i64> {
            prop_oneof![
                -20i64..20,
                any::<i64>(),
                (0i64..4).prop_map(|k| i64::MAX - k),
                (0i64..4).prop_map(|k| i64::MIN + k),
                (0u32..63).prop_map(|b| 1i64 << b),
                (0u32..63).prop_map(|b| -(1i64 << b)),
            ]
        }

        fn number() -> impl Strategy<Value = (Number, BigRational)> {
            (edge(), edge().prop_filter("nonzero", |d| *d != 0)).prop_map(|(p, q)| {
                let big = BigRational::new(BigInt::from(p), BigInt::from(q));
                (Number::from_big(big.clone()), big)
            })
        }

        /// The canonical form: small exactly when both parts fit.
        fn canonical(n: &Number) -> bool {
            match &n.0 {
                Repr::Small { numer, denom } => {
                    *denom >= 1
                        && *numer != i64::MIN
                        && n.big().numer().gcd(n.big().denom()).is_one()
                }
                Repr::Big(v) => {
                    !(v.numer().to_i64().is_some_and(|n| n != i64::MIN)
                        && v.denom().to_i64().is_some())
                }
            }
        }

        fn same(n: &Number, big: &BigRational) -> bool {
            canonical(n) && *n.big() == *big && *n == Number::from_big(big.clone())
        }

        /// Numbers past `i64`: products of a few edge values over products of a few.
        fn big_number() -> impl Strategy<Value = (Number, BigRational)> {
            let part = |n| prop::collection::vec(edge().prop_filter("nonzero", |v| *v != 0), 1..=n);
            (part(4), part(3), any::<bool>()).prop_map(|(ps, qs, zero)| {
                let product = |vs: Vec<i64>| vs.into_iter().map(BigInt::from).product::<BigInt>();
                let numer = if zero { BigInt::zero() } else { product(ps) };
                let big = BigRational::new(numer, product(qs));
                (Number::from_big(big.clone()), big)
            })
        }

        proptest! {
            #[test]
            fn big_products_agree((a, x) in big_number(), (b, y) in prop_oneof![big_number(), number()]) {
                prop_assert!(same(&a.mul(&b), &(&x * &y)));
                prop_assert!(same(&b.mul(&a), &(&y * &x)));
                let g = a.gcd(&b);
                prop_assert!(same(&g, &BigRational::new(x.numer().gcd(y.numer()), x.denom().lcm(y.denom()))));
                if !y.is_zero() {
                    let quotient = a.div(&b);
                    prop_assert!(quotient.is_some_and(|q| same(&q, &(&x / &y))));
                }
            }

            #[test]
            fn arithmetic_agrees((a, x) in number(), (b, y) in number()) {
                prop_assert!(same(&a.add(&b), &(&x + &y)));
                prop_assert!(same(&a.sub(&b), &(&x - &y)));
                prop_assert!(same(&a.mul(&b), &(&x * &y)));
                prop_assert!(same(&a.neg(), &-&x));
                if !y.is_zero() {
                    let quotient = a.div(&b);
                    prop_assert!(quotient.is_some_and(|q| same(&q, &(&x / &y))));
                }
                prop_assert_eq!(a.cmp(&b), x.cmp(&y));
                prop_assert_eq!(a == b, x == y);
                let g = a.gcd(&b);
                prop_assert!(same(&g, &BigRational::new(x.numer().gcd(y.numer()), x.denom().lcm(y.denom()))));
                prop_assert_eq!(a.bits(), x.numer().bits().max(x.denom().bits()));
                prop_assert_eq!(a.to_string(), Number::from_big(x.clone()).to_string());
                prop_assert_eq!(a.to_i64(), if x.is_integer() { x.numer().to_i64() } else { None });
            }

            #[test]
            fn residues_are_a_ring_map((a, x) in number(), (b, _) in number()) {
                // Modulo 2^61 - 1, as polynomial gcds use it: sums and products of residues
                // are residues of sums and products, for small and big numbers alike.
                const P: u64 = (1 << 61) - 1;
                let (Some(ra), Some(rb)) = (a.residue(P), b.residue(P)) else {
                    return Ok(());
                };
                prop_assert!(ra < P && rb < P);
                prop_assert_eq!(a.add(&b).residue(P), Some((ra + rb) % P));
                prop_assert_eq!(a.mul(&b).residue(P), Some(mul_mod(ra, rb, P)));
                // The numerator's residue, taken the long way.
                let p = BigInt::from(P);
                let numer = x.numer().mod_floor(&p).to_u64();
                let denom = x.denom().mod_floor(&p).to_u64().and_then(|d| inverse_mod(d, P));
                let expected = numer.zip(denom).map(|(n, d)| mul_mod(n, d, P));
                prop_assert_eq!(Some(ra), expected);
            }

            #[test]
            fn decimals_agree(int in 0u64..1_000_000_000_000, frac in "[0-9]{0,9}", exp in -25i32..25) {
                let text = format!("{int}.{frac}e{exp}");
                let digits = BigInt::from_str(&format!("{int}{frac}")).unwrap_or_default();
                let scale = i64::from(exp) - frac.len() as i64;
                let ten = BigInt::from(10);
                let power = num_traits::Pow::pow(&ten, scale.unsigned_abs() as u32);
                let expected = if scale >= 0 {
                    BigRational::from_integer(digits * power)
                } else {
                    BigRational::new(digits, power)
                };
                let read = Number::from_decimal(&text, 10_000);
                prop_assert!(read.is_some_and(|n| same(&n, &expected)));
            }
        }

        #[test]
        fn the_largest_exponents_are_refused_without_overflow() {
            // Found by fuzzing: `9999000000^18446744073709551615` overflowed the size check.
            let huge = Number::from_big(BigRational::from_integer(BigInt::from(u64::MAX)));
            assert_eq!(Number::int(9_999_000_000).pow(&huge), None);
            assert_eq!(Number::int(3).pow(&huge.neg()), None);
            assert_eq!(Number::int(-1).pow(&huge), Some(Number::int(-1)));
        }

        #[test]
        fn modular_inverses_invert() {
            const P: u64 = (1 << 61) - 1;
            for a in [1, 2, 3, 12345, P - 1, 1 << 60] {
                let inverse = inverse_mod(a, P).unwrap_or_default();
                assert_eq!(mul_mod(a, inverse, P), 1, "{a}");
            }
            assert_eq!(inverse_mod(0, P), None);
            assert_eq!(inverse_mod(P, P), None);
            assert_eq!(Number::ratio(-1, 2).and_then(|h| h.residue(P)), Some(P / 2));
        }

        #[test]
        fn overflow_moves_to_big_and_back() {
            let max = Number::int(i64::MAX);
            let big = max.add(&Number::one());
            assert!(matches!(big.0, Repr::Big(_)));
            assert!(matches!(big.sub(&Number::one()).0, Repr::Small { .. }));
            assert_eq!(
                Number::int(i64::MIN).neg().to_string(),
                "9223372036854775808"
            );
            assert!(matches!(
                Number::int(i64::MIN).add(&Number::one()).0,
                Repr::Small { .. }
            ));
            assert_eq!(max.mul(&max).div(&max), Some(max.clone()));
        }
    }
}
