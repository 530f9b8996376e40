//! Exact rational numbers: the only numbers in the symbolic path.
//!
//! `num-rational` stays inside this module. Every operation that could make a number
//! unboundedly large (powers) is checked against [`MAX_BITS`]; past it the caller keeps the
//! expression symbolic instead of computing a gigantic integer.

use std::fmt;
use std::hash::{Hash, Hasher};
use std::str::FromStr;

use num_bigint::{BigInt, Sign};
use num_integer::Integer;
use num_rational::BigRational;
use num_traits::{One, Signed, ToPrimitive, Zero};

/// The largest numerator or denominator, in bits, that an exact power may produce.
///
/// `2^4096` still folds; `10^10^10` stays symbolic.
pub const MAX_BITS: u64 = 4096;

/// An exact rational number, always in lowest terms with a positive denominator.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Debug)]
pub struct Number(BigRational);

impl Hash for Number {
    /// Hashes the numerator and denominator. `BigRational`'s own hash expands the fraction
    /// into a continued fraction (so that unreduced fractions hash alike), a division per
    /// step; a `Number` is always in lowest terms, so equal numbers have equal parts.
    fn hash<H: Hasher>(&self, state: &mut H) {
        match (self.0.numer().to_i64(), self.0.denom().to_u64()) {
            (Some(n), Some(d)) => {
                state.write_i64(n);
                state.write_u64(d);
            }
            _ => {
                self.0.numer().hash(state);
                self.0.denom().hash(state);
            }
        }
    }
}

impl Number {
    /// The integer `n`.
    pub fn int(n: i64) -> Number {
        Number(BigRational::from_integer(BigInt::from(n)))
    }

    /// The fraction `p/q`; `None` when `q` is zero.
    pub fn ratio(p: i64, q: i64) -> Option<Number> {
        (q != 0).then(|| Number(BigRational::new(BigInt::from(p), BigInt::from(q))))
    }

    /// Zero.
    pub fn zero() -> Number {
        Number(BigRational::zero())
    }

    /// One.
    pub fn one() -> Number {
        Number(BigRational::one())
    }

    /// Whether this is `0`.
    pub fn is_zero(&self) -> bool {
        self.0.is_zero()
    }

    /// Whether this is `1`.
    pub fn is_one(&self) -> bool {
        self.0.is_one()
    }

    /// Whether this is `-1`.
    pub fn is_minus_one(&self) -> bool {
        self.0.is_integer() && *self.0.numer() == BigInt::from(-1)
    }

    /// Whether this is strictly negative.
    pub fn is_negative(&self) -> bool {
        self.0.is_negative()
    }

    /// Whether this is strictly positive.
    pub fn is_positive(&self) -> bool {
        self.0.is_positive()
    }

    /// Whether the denominator is one.
    pub fn is_integer(&self) -> bool {
        self.0.is_integer()
    }

    /// The value as an `i64`, when it is an integer that fits.
    pub fn to_i64(&self) -> Option<i64> {
        if self.0.is_integer() {
            self.0.numer().to_i64()
        } else {
            None
        }
    }

    /// The nearest `f64` (infinite when the number is beyond `f64`'s range).
    pub fn to_f64(&self) -> f64 {
        if let (Some(n), Some(d)) = (self.0.numer().to_f64(), self.0.denom().to_f64())
            && n.is_finite()
            && d.is_finite()
        {
            return n / d;
        }
        // Huge numerator or denominator: scale both down by the same power of two.
        let shift = self
            .0
            .numer()
            .bits()
            .max(self.0.denom().bits())
            .saturating_sub(1000);
        let n = (self.0.numer() >> shift).to_f64().unwrap_or(f64::NAN);
        let d = (self.0.denom() >> shift).to_f64().unwrap_or(f64::NAN);
        n / d
    }

    /// The numerator, as a number.
    pub fn numer(&self) -> Number {
        Number(BigRational::from_integer(self.0.numer().clone()))
    }

    /// The denominator, as a number (always positive).
    pub fn denom(&self) -> Number {
        Number(BigRational::from_integer(self.0.denom().clone()))
    }

    /// The number of bits of the larger of numerator and denominator.
    pub fn bits(&self) -> u64 {
        self.0.numer().bits().max(self.0.denom().bits())
    }

    /// `-self`.
    pub fn neg(&self) -> Number {
        Number(-&self.0)
    }

    /// `|self|`.
    pub fn abs(&self) -> Number {
        Number(self.0.abs())
    }

    /// `-1`, `0` or `1`.
    pub fn signum(&self) -> Number {
        Number(self.0.signum())
    }

    /// `self + other`.
    pub fn add(&self, other: &Number) -> Number {
        if let Some((a, b)) = self.integers_with(other) {
            return Number(BigRational::from_integer(a + b));
        }
        Number(&self.0 + &other.0)
    }

    /// `self - other`.
    pub fn sub(&self, other: &Number) -> Number {
        if let Some((a, b)) = self.integers_with(other) {
            return Number(BigRational::from_integer(a - b));
        }
        Number(&self.0 - &other.0)
    }

    /// `self * other`.
    pub fn mul(&self, other: &Number) -> Number {
        if let Some((a, b)) = self.integers_with(other) {
            return Number(BigRational::from_integer(a * b));
        }
        Number(&self.0 * &other.0)
    }

    /// Both numerators, when both numbers are integers. `BigRational` arithmetic takes gcds
    /// with the denominators even when they are one, which costs a loop per bit (polynomial
    /// arithmetic over big integer coefficients spends most of its time there).
    fn integers_with<'a>(&'a self, other: &'a Number) -> Option<(&'a BigInt, &'a BigInt)> {
        (self.0.is_integer() && other.0.is_integer()).then(|| (self.0.numer(), other.0.numer()))
    }

    /// `1 / self`; `None` for zero.
    pub fn recip(&self) -> Option<Number> {
        (!self.is_zero()).then(|| Number(self.0.recip()))
    }

    /// `self / other`; `None` when `other` is zero.
    pub fn div(&self, other: &Number) -> Option<Number> {
        other.recip().map(|r| self.mul(&r))
    }

    /// The greatest common divisor of two rationals: `gcd(p/q, r/s) = gcd(p, r) / lcm(q, s)`.
    /// Always non-negative; `gcd(0, 0) = 0`.
    pub fn gcd(&self, other: &Number) -> Number {
        let n = self.0.numer().gcd(other.0.numer());
        let d = self.0.denom().lcm(other.0.denom());
        Number(BigRational::new(n, d))
    }

    /// `self ^ exp` exactly, when the result is rational and within [`MAX_BITS`].
    ///
    /// Integer exponents always fold (within the bound; `0^-n` does not). Fractional exponents
    /// `p/q` fold when the base is a perfect `q`-th power (`8^(2/3) = 4`); a negative base with
    /// an even root, or any irrational result, returns `None`.
    pub fn pow(&self, exp: &Number) -> Option<Number> {
        let base = self.root(exp.0.denom())?;
        base.pow_int(exp.0.numer())
    }

    fn pow_int(&self, exp: &BigInt) -> Option<Number> {
        if exp.is_zero() {
            return Some(Number::one());
        }
        if self.is_zero() {
            return (exp.sign() == Sign::Plus).then(Number::zero);
        }
        if self.0.numer().magnitude().is_one() && self.0.denom().is_one() {
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
        if e > 1 && e.saturating_mul(self.bits()) > MAX_BITS + e {
            return None;
        }
        let e = u32::try_from(e).ok()?;
        let powered = Number(num_traits::Pow::pow(&self.0, e));
        if exp.is_negative() {
            powered.recip()
        } else {
            Some(powered)
        }
    }

    /// The exact `q`-th root, when it exists in the rationals and is real.
    fn root(&self, q: &BigInt) -> Option<Number> {
        if q.is_one() {
            return Some(self.clone());
        }
        let q = q.to_u32()?;
        if self.is_negative() && q % 2 == 0 {
            return None;
        }
        // The principal root of a negative number is not real: keep `(-8)^(1/3)` symbolic.
        if self.is_negative() {
            return None;
        }
        let n = self.0.numer().nth_root(q);
        let d = self.0.denom().nth_root(q);
        let candidate = BigRational::new(n, d);
        (num_traits::Pow::pow(&candidate, q) == self.0).then_some(Number(candidate))
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
        // Most literals are short integers: read them without the general path's string
        // building and big-integer parsing.
        if (1..=18).contains(&text.len()) && text.bytes().all(|b| b.is_ascii_digit()) {
            return text.parse::<i64>().ok().map(Number::int);
        }
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
        let digits = format!("{int_part}{frac_part}");
        let numer = BigInt::from_str(if digits.is_empty() { "0" } else { &digits }).ok()?;
        let scale = exponent.checked_sub(frac_part.len() as i64)?;
        if scale.unsigned_abs() > u64::from(max_exponent) + frac_part.len() as u64 {
            return None;
        }
        let ten = BigInt::from(10);
        let factor = num_traits::Pow::pow(&ten, scale.unsigned_abs() as u32);
        let value = if scale >= 0 {
            BigRational::from_integer(numer * factor)
        } else {
            BigRational::new(numer, factor)
        };
        Some(Number(value))
    }
}

impl fmt::Display for Number {
    /// `3`, `-3`, `1/2`, `-7/3`: the form the parser reads back.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_integer() {
            write!(f, "{}", self.0.numer())
        } else {
            write!(f, "{}/{}", self.0.numer(), self.0.denom())
        }
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
                Number(BigRational::new(p, q))
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
}
