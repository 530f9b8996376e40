//! Products and powers of sines and cosines of whole multiples of one angle, multiplied out
//! into a sum of single sines and cosines: their Fourier form.
//!
//! The product rule leaves the derivative of a trigonometric product as a sum of products:
//! `d/dx cos(x)*cos(2*x)*cos(3*x)` is three products of three functions each, and equals
//! `-(sin(2*x) + 2*sin(4*x) + 3*sin(6*x))/2`. The pairwise rules (product to sum, power
//! reduction, double angles) each take one step of that way, and the steps in between are
//! larger, so an e-class whose best form is the smallest seen does not walk it. This module
//! takes the whole way at once: it reads the polynomial part of an expression (what sums,
//! products and whole powers reach) as a polynomial in `cos(k*u)` and `sin(k*u)` for one
//! angle `u` and whole `k`, and multiplies it out exactly with
//! `cos(a)*cos(b) = (cos(a + b) + cos(a - b))/2` and its two twins. The hyperbolic functions
//! work the same way with one sign changed (`sinh(a)*sinh(b) = (cosh(a + b) - cosh(a - b))/2`).
//!
//! Every identity used holds at every real angle and nothing is divided, so the form is
//! defined and equal wherever the expression is.

use std::collections::BTreeMap;

use crate::expr::{Expr, Func, Kind};
use crate::num::Number;

use super::rules::skeleton_calls_of;

/// The largest whole multiple of an angle's unit read or written (`sin(24*x)`): past it the
/// form has more terms than a reader wants, and multiplying out costs more.
const MAX_MULTIPLE: i64 = 24;

/// The largest power of a sum of waves multiplied out (`(1 + cos(x))^6`).
const MAX_POWER: i64 = 6;

/// The most products of two waves one form may take: a bound on the work and the size.
const MAX_PRODUCTS: usize = 2_000;

/// How many distinct angles of one expression are tried.
const MAX_ANGLES: usize = 4;

/// The Fourier forms of `e`, one for each angle its polynomial part has sines and cosines of
/// (none when it has none): `sin(x)*cos(x)*cos(2*x)` is `sin(4*x)/4`.
pub(super) fn forms(e: &Expr) -> Vec<Expr> {
    angles(e)
        .iter()
        .filter_map(|angle| fourier_form(e, angle))
        .collect()
}

/// Sines and cosines, or their hyperbolic twins.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Family {
    Circular,
    Hyperbolic,
}

impl Family {
    /// The family of `f` and whether `f` is its odd member (`sin`, `sinh`).
    fn of(f: Func) -> Option<(Family, bool)> {
        match f {
            Func::Sin => Some((Family::Circular, true)),
            Func::Cos => Some((Family::Circular, false)),
            Func::Sinh => Some((Family::Hyperbolic, true)),
            Func::Cosh => Some((Family::Hyperbolic, false)),
            _ => None,
        }
    }

    /// The family's odd or even member.
    fn func(self, odd: bool) -> Func {
        match (self, odd) {
            (Family::Circular, true) => Func::Sin,
            (Family::Circular, false) => Func::Cos,
            (Family::Hyperbolic, true) => Func::Sinh,
            (Family::Hyperbolic, false) => Func::Cosh,
        }
    }
}

/// The angles `k*unit*base` for whole `k`, of one family: `sin(x/2)` and `cos(3*x)` share
/// base `x` and unit `1/2`.
#[derive(Clone, Debug)]
struct Angle {
    family: Family,
    base: Expr,
    unit: Number,
}

impl Angle {
    /// `f(arg)` as a signed wave of this angle: `sin(-2*x)` is `-sin(2*x)`.
    fn wave(&self, f: Func, arg: &Expr) -> Option<(Wave, i64)> {
        let (family, odd) = Family::of(f)?;
        if family != self.family {
            return None;
        }
        let (multiple, base) = arg.split_coeff();
        if base != self.base {
            return None;
        }
        let k = multiple.div(&self.unit)?;
        let k = k.is_integer().then(|| k.to_i64()).flatten()?;
        let sign = if odd && k < 0 { -1 } else { 1 };
        // `sin(0)` and `cos(0)` are folded where they are built; a zero multiple is no wave.
        let k = u32::try_from(k.unsigned_abs()).ok().filter(|&k| k > 0)?;
        Some((Wave { odd, k }, sign))
    }

    /// `f(k*unit*base)`, the wave written out.
    fn call(&self, wave: Wave) -> Expr {
        let multiple = self.unit.mul(&Number::int(i64::from(wave.k)));
        let arg = Expr::product([Expr::num(multiple), self.base.clone()]);
        Expr::call(self.family.func(wave.odd), arg)
    }
}

/// The angles whose sines and cosines the polynomial part of `e` holds, each with the
/// largest unit that makes every multiple whole; those needing a multiple past
/// [`MAX_MULTIPLE`] are left out.
fn angles(e: &Expr) -> Vec<Angle> {
    let mut found: Vec<(Angle, Number)> = Vec::new();
    let mut calls = Vec::new();
    skeleton_calls_of(
        e,
        &[Func::Sin, Func::Cos, Func::Sinh, Func::Cosh],
        &mut calls,
    );
    let calls = calls
        .into_iter()
        .filter_map(|(f, arg)| Some((Family::of(f)?.0, arg)));
    for (family, arg) in calls {
        let (multiple, base) = arg.split_coeff();
        // A number is no angle to expand in: `cos(2)^2` is a constant, not `(cos(4) + 1)/2`.
        if base.free_symbols().is_empty() {
            continue;
        }
        let largest = multiple.abs();
        let known = found
            .iter_mut()
            .find(|(a, _)| a.family == family && a.base == base);
        if let Some((angle, most)) = known {
            angle.unit = angle.unit.gcd(&multiple);
            if largest > *most {
                *most = largest;
            }
        } else if found.len() < MAX_ANGLES {
            let unit = largest.clone();
            found.push((Angle { family, base, unit }, largest));
        }
    }
    found
        .into_iter()
        .filter(|(angle, most)| {
            most.div(&angle.unit)
                .is_some_and(|k| k <= Number::int(MAX_MULTIPLE))
        })
        .map(|(angle, _)| angle)
        .collect()
}

/// `n` as an exponent that is multiplied out: a whole number from 2 to [`MAX_POWER`].
fn whole_power(n: &Expr) -> Option<u32> {
    let n = n.as_num()?.to_i64()?;
    u32::try_from(n)
        .ok()
        .filter(|_| (2..=MAX_POWER).contains(&n))
}

/// `e` in Fourier form for `angle`: the factors that hold no wave of it stay a cofactor of
/// the whole sum. `None` when `e` holds no wave of it or the form outgrows the bounds.
fn fourier_form(e: &Expr, angle: &Angle) -> Option<Expr> {
    let factors: &[Expr] = match e.kind() {
        Kind::Mul(fs) => fs,
        _ => std::slice::from_ref(e),
    };
    let mut budget = MAX_PRODUCTS;
    let mut cofactor = Vec::new();
    let mut series = Series::one();
    let mut waves = false;
    for f in factors {
        let s = Series::of(f, angle, &mut budget)?;
        // A number goes into the coefficients: `-(1/2 - cos(2*x)/2)` reads worse.
        if s.waves || f.as_num().is_some() {
            waves |= s.waves;
            series = series.times(&s, angle.family, &mut budget)?;
        } else {
            cofactor.push(f.clone());
        }
    }
    waves.then(|| Expr::product(cofactor.into_iter().chain([series.written(angle)])))
}

/// `cos(k*u)` or `sin(k*u)` (`cosh`, `sinh`) for `k >= 0`; `cos(0*u)` is 1, and `sin(0*u)`,
/// which is 0, is never kept.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Wave {
    odd: bool,
    k: u32,
}

/// A sum of coefficients (expressions without waves of the angle) times waves.
struct Series {
    terms: BTreeMap<Wave, Expr>,
    /// Whether any wave was read: a series without is an opaque expression.
    waves: bool,
}

impl Series {
    const ONE: Wave = Wave { odd: false, k: 0 };

    fn one() -> Series {
        Series::opaque(Expr::one())
    }

    fn zero() -> Series {
        Series {
            terms: BTreeMap::new(),
            waves: false,
        }
    }

    /// `e` as a coefficient of 1.
    fn opaque(e: Expr) -> Series {
        Series {
            terms: BTreeMap::from([(Series::ONE, e)]),
            waves: false,
        }
    }

    /// `e` read as a series in `angle`'s waves; `None` past the bounds.
    fn of(e: &Expr, angle: &Angle, budget: &mut usize) -> Option<Series> {
        let opaque = || Some(Series::opaque(e.clone()));
        match e.kind() {
            Kind::Call(f, arg) => match angle.wave(*f, arg) {
                // Within the bound: the angle's unit was chosen so (see `angles`).
                Some((wave, sign)) => Some(Series {
                    terms: BTreeMap::from([(wave, Expr::int(sign))]),
                    waves: true,
                }),
                None => opaque(),
            },
            Kind::Add(terms) => {
                let mut sum = Series::zero();
                for t in terms.iter() {
                    sum.add(Series::of(t, angle, budget)?);
                }
                Some(sum)
            }
            Kind::Mul(factors) => {
                let mut product = Series::one();
                for f in factors.iter() {
                    product =
                        product.times(&Series::of(f, angle, budget)?, angle.family, budget)?;
                }
                match product.waves {
                    true => Some(product),
                    false => opaque(),
                }
            }
            Kind::Pow(base, n) => match whole_power(n) {
                Some(n) => {
                    let base = Series::of(base, angle, budget)?;
                    if !base.waves {
                        return opaque();
                    }
                    let mut power = Series::one();
                    for _ in 0..n {
                        power = power.times(&base, angle.family, budget)?;
                    }
                    Some(power)
                }
                None => opaque(),
            },
            _ => opaque(),
        }
    }

    /// Adds `other`'s terms to this series'.
    fn add(&mut self, other: Series) {
        self.waves |= other.waves;
        for (wave, c) in other.terms {
            self.add_term(wave, c);
        }
    }

    fn add_term(&mut self, wave: Wave, c: Expr) {
        match self.terms.remove(&wave) {
            Some(old) => {
                let sum = Expr::sum([old, c]);
                if !sum.is_int(0) {
                    self.terms.insert(wave, sum);
                }
            }
            None if !c.is_int(0) => {
                self.terms.insert(wave, c);
            }
            None => {}
        }
    }

    /// The product of two series, multiplied out; `None` once `budget` products of two
    /// waves are spent or a multiple passes [`MAX_MULTIPLE`].
    fn times(&self, other: &Series, family: Family, budget: &mut usize) -> Option<Series> {
        let mut out = Series {
            terms: BTreeMap::new(),
            waves: self.waves || other.waves,
        };
        for (&a, ca) in &self.terms {
            for (&b, cb) in &other.terms {
                *budget = budget.checked_sub(1)?;
                let coefficient = Expr::product([ca.clone(), cb.clone()]);
                for (wave, sign) in wave_product(a, b, family) {
                    if i64::from(wave.k) > MAX_MULTIPLE {
                        return None;
                    }
                    out.add_term(
                        wave,
                        Expr::product([Expr::ratio(sign, 2), coefficient.clone()]),
                    );
                }
            }
        }
        Some(out)
    }

    /// The series as an expression: the sum of its coefficients times its waves, with the
    /// numbers' common factor (negative when every number is) taken out, as a reader writes
    /// halves and quarters: `(cos(x) + 3*cos(3*x))/4`, not `cos(x)/4 + 3*cos(3*x)/4`.
    fn written(&self, angle: &Angle) -> Expr {
        let numbers: Vec<Number> = self.terms.values().map(|c| c.split_coeff().0).collect();
        let mut content = numbers.iter().fold(Number::zero(), |g, n| g.gcd(n));
        if numbers.iter().all(Number::is_negative) {
            content = content.neg();
        }
        let Some(scale) = content.recip().filter(|_| !content.is_one()) else {
            return self.sum(angle, |c| c.clone());
        };
        let scale = Expr::num(scale);
        Expr::product([
            Expr::num(content),
            self.sum(angle, |c| Expr::product([scale.clone(), c.clone()])),
        ])
    }

    /// The sum of the terms' coefficients, each mapped by `coefficient`, times their waves.
    fn sum(&self, angle: &Angle, coefficient: impl Fn(&Expr) -> Expr) -> Expr {
        Expr::sum(
            self.terms
                .iter()
                .map(|(&wave, c)| match wave == Series::ONE {
                    true => coefficient(c),
                    false => Expr::product([coefficient(c), angle.call(wave)]),
                }),
        )
    }
}

/// The product of two waves as a sum of waves, each with its coefficient's sign (the
/// coefficients are `1/2` or `-1/2`; both halves may be one wave):
/// `cos(a)*cos(b) = (cos(a + b) + cos(a - b))/2`,
/// `sin(a)*sin(b) = (cos(a - b) - cos(a + b))/2`,
/// `sin(a)*cos(b) = (sin(a + b) + sin(a - b))/2`, and for the hyperbolic family
/// `sinh(a)*sinh(b) = (cosh(a + b) - cosh(a - b))/2`.
fn wave_product(a: Wave, b: Wave, family: Family) -> Vec<(Wave, i64)> {
    let (m, n) = (a.k, b.k);
    let (sum, difference) = (m + n, m.abs_diff(n));
    let even = |k| Wave { odd: false, k };
    let odd = |k| Wave { odd: true, k };
    match (a.odd, b.odd) {
        (false, false) => vec![(even(sum), 1), (even(difference), 1)],
        (true, true) => {
            let (with_sum, with_difference) = match family {
                Family::Circular => (-1, 1),
                Family::Hyperbolic => (1, -1),
            };
            vec![(even(sum), with_sum), (even(difference), with_difference)]
        }
        (true, false) | (false, true) => {
            // `sin(s)*cos(c) = (sin(s + c) + sin(s - c))/2`, and `sin(s - c)` is
            // `-sin(c - s)` when `c > s`; `sin(0) = 0`.
            let (s, c) = if a.odd { (m, n) } else { (n, m) };
            let mut out = vec![(odd(sum), 1)];
            match s.cmp(&c) {
                std::cmp::Ordering::Greater => out.push((odd(difference), 1)),
                std::cmp::Ordering::Less => out.push((odd(difference), -1)),
                std::cmp::Ordering::Equal => {}
            }
            out
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse;

    fn form(text: &str) -> Vec<String> {
        let e = parse(text).expect("test formula parses");
        forms(&e).iter().map(|f| f.to_string()).collect()
    }

    #[test]
    fn products_of_multiple_angles_multiply_out() {
        assert_eq!(form("sin(x)*cos(x)*cos(2*x)"), ["sin(4*x)/4"]);
        assert_eq!(form("cos(x)^4 + sin(x)^4"), ["(cos(4*x) + 3)/4"]);
        assert_eq!(form("(1 - 3*sin(x)^2)*cos(x)"), ["(cos(x) + 3*cos(3*x))/4"]);
        assert_eq!(
            form("(1 - 4*sin(x)^2)*cos(x)*exp(cos(2*x))"),
            ["cos(3*x)*exp(cos(2*x))"]
        );
        assert_eq!(form("sin(x)^2 + cos(x)^2"), ["1"]);
    }

    #[test]
    fn hyperbolic_products_change_one_sign() {
        assert_eq!(form("sinh(x)^2"), ["(cosh(2*x) - 1)/2"]);
        assert_eq!(
            form("(4*sinh(x)^2 + 1)*cosh(x)*exp(cosh(2*x))"),
            ["cosh(3*x)*exp(cosh(2*x))"]
        );
    }

    #[test]
    fn units_and_signs_of_angles() {
        assert_eq!(form("sin(x/2)*cos(x/2)"), ["sin(x)/2"]);
        assert_eq!(form("sin(-x)*sin(x)"), ["(cos(2*x) - 1)/2"]);
        assert!(form("cos(2)^2*x").is_empty());
    }

    #[test]
    fn bounds_leave_large_forms_alone() {
        assert!(form("sin(x)^7").is_empty());
        assert!(form("sin(x)*cos(100*x)").is_empty());
        assert!(form("exp(x)*tan(x)").is_empty());
    }
}
