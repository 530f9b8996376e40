//! The derivative of every known function: one row per [`Func`].
//!
//! The formulas follow SymPy's conventions for the real line. Where SymPy writes a form that
//! is only equal to ours for real arguments (`asec`, `acsc`, `acsch`, `acosh`), the comment on
//! the row says so; every row is checked numerically against dual numbers and central
//! differences in `tests/numeric.rs`.

use crate::expr::{Expr, Func};

/// `f'(u)`: the derivative of `f` evaluated at `u` (without the chain factor `u'`).
///
/// - `abs'(u) = sign(u)`, which is `0` at `u = 0`, where `abs` has no derivative: we pick the
///   subgradient `0`, like SymPy's `sign(0) = 0`.
/// - `sign'(u) = 0`, which is wrong only at `u = 0`, where `sign` jumps and has no derivative.
/// - `acot` uses SymPy's branch `acot(u) = atan(1/u)`, whose derivative is `-1/(1+u^2)`
///   everywhere except at the jump `u = 0`.
///
/// ```
/// use deriv::{derivative_of, Expr, Func};
/// let x = Expr::sym("x");
/// assert_eq!(derivative_of(Func::Sin, &x), x.clone().cos());
/// assert_eq!(derivative_of(Func::Ln, &x), x.recip());
/// ```
#[rustfmt::skip]
pub fn derivative_of(f: Func, u: &Expr) -> Expr {
    use Func::*;
    let call = |g: Func| Expr::call(g, u.clone());
    let one = Expr::one;
    let square = || u.clone().pow(2);
    // `1/sqrt(r)` and `1/r`, the shapes of the inverse functions' derivatives.
    let rsqrt = |r: Expr| r.pow(Expr::ratio(-1, 2));
    let recip = |r: Expr| r.recip();
    match f {
        Sin   =>   call(Cos),
        Cos   => -(call(Sin)),
        Tan   =>   one() + call(Tan).pow(2),
        Sec   =>   call(Sec) * call(Tan),
        Csc   => -(call(Csc) * call(Cot)),
        Cot   => -(one() + call(Cot).pow(2)),
        Asin  =>   rsqrt(one() - square()),
        Acos  => -(rsqrt(one() - square())),
        Atan  =>   recip(one() + square()),
        Acot  => -(recip(one() + square())),
        // SymPy: 1/(u^2*sqrt(1 - 1/u^2)), equal to this for real |u| > 1.
        Asec  =>   recip(call(Abs)) * rsqrt(square() - one()),
        Acsc  => -(recip(call(Abs)) * rsqrt(square() - one())),
        Sinh  =>   call(Cosh),
        Cosh  =>   call(Sinh),
        Tanh  =>   one() - call(Tanh).pow(2),
        Sech  => -(call(Sech) * call(Tanh)),
        Csch  => -(call(Csch) * call(Coth)),
        Coth  =>   one() - call(Coth).pow(2),
        Asinh =>   rsqrt(square() + one()),
        // SymPy: 1/(sqrt(u - 1)*sqrt(u + 1)), equal to this for real u > 1.
        Acosh =>   rsqrt(square() - one()),
        Atanh =>   recip(one() - square()),
        Acoth =>   recip(one() - square()),
        Asech => -(recip(u.clone()) * rsqrt(one() - square())),
        // SymPy: -1/(u^2*sqrt(1 + 1/u^2)), equal to this for real u != 0.
        Acsch => -(recip(call(Abs)) * rsqrt(square() + one())),
        Exp   =>   call(Exp),
        Ln    =>   recip(u.clone()),
        Abs   =>   call(Sign),
        Sign  =>   Expr::zero(),
        // 2/sqrt(pi)*exp(-u^2), the Gaussian the error function integrates.
        Erf   =>   Expr::int(2) / Expr::pi().sqrt() * (-square()).exp(),
        Erfc  =>   Expr::int(-2) / Expr::pi().sqrt() * (-square()).exp(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_function_has_a_row_that_mentions_its_argument_or_is_zero() {
        let x = Expr::sym("x");
        for &f in Func::ALL {
            let d = derivative_of(f, &x);
            assert!(
                d.contains_sym("x") || (f == Func::Sign && d.is_int(0)),
                "{f:?}"
            );
        }
    }

    #[test]
    fn derivatives_of_exp_and_ln_are_the_textbook_ones() {
        let x = Expr::sym("x");
        assert_eq!(derivative_of(Func::Exp, &x), x.clone().exp());
        assert_eq!(
            derivative_of(Func::Atan, &x),
            (x.clone().pow(2) + 1).recip()
        );
        assert_eq!(derivative_of(Func::Abs, &x), x.sign());
    }
}
