//! The real functions and their slopes: the one numeric table that every evaluator (plain
//! `f64`, dual numbers, reverse mode) reads, so they cannot disagree.
//!
//! Conventions match the symbolic side ([`crate::derivative_of`]) and SymPy on the real line:
//! `acot(x) = atan(1/x)` with `acot(0) = pi/2`, `asec(x) = acos(1/x)`, `sign(0) = 0`, and
//! the slope of `abs` at `0` is `sign(0) = 0`.

use std::f64::consts::{FRAC_2_SQRT_PI, FRAC_PI_2};

use super::EvalReason;
use crate::expr::Func;

/// `f(x)`, or `None` when `x` is outside the real domain of `f` (including its poles).
#[rustfmt::skip]
pub(crate) fn apply(f: Func, x: f64) -> Option<f64> {
    use Func::*;
    let value = match f {
        Sin   => x.sin(),
        Cos   => x.cos(),
        Tan   => x.tan(),
        Sec   => only(x.cos(), x.cos() != 0.0)?.recip(),
        Csc   => only(x.sin(), x.sin() != 0.0)?.recip(),
        Cot   => x.cos() / only(x.sin(), x.sin() != 0.0)?,
        Asin  => only(x, x.abs() <= 1.0)?.asin(),
        Acos  => only(x, x.abs() <= 1.0)?.acos(),
        Atan  => x.atan(),
        Acot  => if x == 0.0 { FRAC_PI_2 } else { x.recip().atan() },
        Asec  => only(x, x.abs() >= 1.0)?.recip().acos(),
        Acsc  => only(x, x.abs() >= 1.0)?.recip().asin(),
        Sinh  => x.sinh(),
        Cosh  => x.cosh(),
        Tanh  => x.tanh(),
        Sech  => x.cosh().recip(),
        Csch  => only(x, x != 0.0)?.sinh().recip(),
        Coth  => only(x, x != 0.0)?.tanh().recip(),
        Asinh => x.asinh(),
        Acosh => only(x, x >= 1.0)?.acosh(),
        Atanh => only(x, x.abs() < 1.0)?.atanh(),
        Acoth => only(x, x.abs() > 1.0)?.recip().atanh(),
        Asech => only(x, x > 0.0 && x <= 1.0)?.recip().acosh(),
        Acsch => only(x, x != 0.0)?.recip().asinh(),
        Exp   => x.exp(),
        Ln    => only(x, x > 0.0)?.ln(),
        Abs   => x.abs(),
        Sign  => if x == 0.0 { 0.0 } else { x.signum() },
        Erf   => libm::erf(x),
        Erfc  => libm::erfc(x),
    };
    Some(value)
}

/// `f'(x)`, or `None` when `f` has no derivative at `x` (outside its domain, at a pole, or
/// at an end of its domain where the slope is infinite, like `asin` at `1`).
///
/// Row for row the same formulas as [`crate::derivative_of`].
#[rustfmt::skip]
pub(crate) fn slope(f: Func, x: f64) -> Option<f64> {
    use Func::*;
    apply(f, x)?;
    let value = |g: Func| apply(g, x);
    let slope = match f {
        Sin   =>   x.cos(),
        Cos   =>  -x.sin(),
        Tan   =>   1.0 + x.tan().powi(2),
        Sec   =>   value(Sec)? * x.tan(),
        Csc   =>  -value(Csc)? * value(Cot)?,
        Cot   => -(1.0 + value(Cot)?.powi(2)),
        Asin  =>   rsqrt(1.0 - x * x)?,
        Acos  =>  -rsqrt(1.0 - x * x)?,
        Atan  =>   (1.0 + x * x).recip(),
        Acot  =>  -(1.0 + x * x).recip(),
        Asec  =>   rsqrt(x * x - 1.0)? / x.abs(),
        Acsc  =>  -rsqrt(x * x - 1.0)? / x.abs(),
        Sinh  =>   x.cosh(),
        Cosh  =>   x.sinh(),
        Tanh  =>   1.0 - x.tanh().powi(2),
        Sech  =>  -value(Sech)? * x.tanh(),
        Csch  =>  -value(Csch)? * value(Coth)?,
        Coth  =>   1.0 - value(Coth)?.powi(2),
        Asinh =>   rsqrt(x * x + 1.0)?,
        Acosh =>   rsqrt(x * x - 1.0)?,
        Atanh =>   (1.0 - x * x).recip(),
        Acoth =>   (1.0 - x * x).recip(),
        Asech =>  -rsqrt(1.0 - x * x)? / x,
        Acsch =>  -rsqrt(x * x + 1.0)? / x.abs(),
        Exp   =>   x.exp(),
        Ln    =>   x.recip(),
        Abs   =>   value(Sign)?,
        Sign  =>   0.0,
        Erf   =>   FRAC_2_SQRT_PI * (-x * x).exp(),
        Erfc  =>  -FRAC_2_SQRT_PI * (-x * x).exp(),
    };
    Some(slope)
}

/// `base ^ exp` on the real line: a negative base needs an integer exponent (the principal
/// value of `(-8)^(1/3)` is not real), and zero cannot be raised to a negative power.
pub(crate) fn power(base: f64, exp: f64) -> Result<f64, EvalReason> {
    if base == 0.0 && exp < 0.0 {
        return Err(EvalReason::DivisionByZero);
    }
    if base < 0.0 && exp.fract() != 0.0 {
        return Err(EvalReason::Domain);
    }
    Ok(if exp == 0.5 {
        base.sqrt()
    } else {
        base.powf(exp)
    })
}

/// `d(base^exp)/d(base) = exp * base^(exp - 1)`.
pub(crate) fn power_slope_in_base(base: f64, exp: f64) -> Result<f64, EvalReason> {
    if exp == 0.0 {
        return Ok(0.0);
    }
    // `sqrt` at `0` has a value but no derivative.
    power(base, exp - 1.0)
        .map(|p| exp * p)
        .map_err(|_| EvalReason::NotDifferentiable)
}

/// `d(base^exp)/d(exp) = base^exp * ln(base)`, given `value = base^exp`; real only for a
/// positive base.
pub(crate) fn power_slope_in_exponent(base: f64, value: f64) -> Result<f64, EvalReason> {
    if base > 0.0 {
        Ok(value * base.ln())
    } else if base == 0.0 && value == 0.0 {
        // `0^e = 0` for every `e > 0` (a zero value means `e > 0`): flat in the exponent.
        Ok(0.0)
    } else {
        Err(EvalReason::Domain)
    }
}

/// `x` when `ok` holds: a domain guard that reads as a condition in the tables.
fn only(x: f64, ok: bool) -> Option<f64> {
    ok.then_some(x)
}

/// `1/sqrt(r)` for positive `r`.
fn rsqrt(r: f64) -> Option<f64> {
    only(r, r > 0.0).map(|r| r.sqrt().recip())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_outside_the_domain_are_refused() {
        assert_eq!(apply(Func::Ln, -1.0), None);
        assert_eq!(apply(Func::Ln, 0.0), None);
        assert_eq!(apply(Func::Asin, 2.0), None);
        assert_eq!(apply(Func::Acosh, 0.5), None);
        assert_eq!(apply(Func::Atanh, 1.0), None);
        assert_eq!(apply(Func::Acoth, 0.5), None);
        assert_eq!(apply(Func::Asec, 0.5), None);
        assert_eq!(apply(Func::Csch, 0.0), None);
    }

    #[test]
    fn sign_and_abs_follow_sympy_at_zero() {
        assert_eq!(apply(Func::Sign, 0.0), Some(0.0));
        assert_eq!(apply(Func::Sign, -2.0), Some(-1.0));
        assert_eq!(slope(Func::Abs, 0.0), Some(0.0));
        assert_eq!(apply(Func::Acot, 0.0), Some(FRAC_PI_2));
        assert_eq!(apply(Func::Acot, -1.0), Some(-FRAC_PI_2 / 2.0));
    }

    #[test]
    fn slopes_are_refused_where_they_are_infinite() {
        assert_eq!(slope(Func::Asin, 1.0), None);
        assert_eq!(slope(Func::Acosh, 1.0), None);
        assert_eq!(slope(Func::Asec, -1.0), None);
        assert_eq!(slope(Func::Acosh, -2.0), None);
    }

    #[test]
    fn real_powers_need_an_integer_exponent_for_a_negative_base() {
        assert_eq!(power(-8.0, 1.0 / 3.0), Err(EvalReason::Domain));
        assert_eq!(power(-2.0, 3.0), Ok(-8.0));
        assert_eq!(power(0.0, -1.0), Err(EvalReason::DivisionByZero));
        assert_eq!(power(4.0, 0.5), Ok(2.0));
        assert_eq!(
            power_slope_in_base(0.0, 0.5),
            Err(EvalReason::NotDifferentiable)
        );
        assert_eq!(power_slope_in_exponent(-1.0, 1.0), Err(EvalReason::Domain));
    }
}
