//! Dual numbers `re + eps * ε` with `ε² = 0`: evaluating with them carries the derivative in
//! one variable along with the value (forward-mode automatic differentiation).

use std::ops::{Add, Div, Mul, Neg, Sub};

use super::table::{apply, power, power_slope_in_base, power_slope_in_exponent, slope};
use super::{EvalError, EvalReason, Scalar, forward, value_of};
use crate::expr::{Expr, Func};

/// A value and its derivative in one chosen variable.
///
/// A derivative part of exactly `0` means "constant here": functions and powers then skip
/// their slope, so a constant subterm never fails for want of a derivative (`sqrt(0)` in a
/// term free of the variable).
///
/// ```
/// use deriv::{Dual, Func};
/// let x = Dual::variable(0.5);
/// let y = (x * x).apply(Func::Sin).unwrap();
/// assert_eq!(y.re, 0.25f64.sin());
/// assert_eq!(y.eps, 0.25f64.cos() * 2.0 * 0.5);
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Dual {
    /// The value.
    pub re: f64,
    /// The derivative.
    pub eps: f64,
}

impl Dual {
    /// A value with a derivative.
    pub fn new(re: f64, eps: f64) -> Dual {
        Dual { re, eps }
    }

    /// A constant: derivative `0`.
    pub fn constant(re: f64) -> Dual {
        Dual { re, eps: 0.0 }
    }

    /// The variable itself at `re`: derivative `1`.
    pub fn variable(re: f64) -> Dual {
        Dual { re, eps: 1.0 }
    }

    /// `f(self)` with the chain rule, or why it has no real value or derivative.
    pub fn apply(self, f: Func) -> Result<Dual, EvalReason> {
        let re = apply(f, self.re).ok_or(EvalReason::Domain)?;
        if self.eps == 0.0 {
            return Ok(Dual::constant(re));
        }
        let eps = slope(f, self.re).ok_or(EvalReason::NotDifferentiable)? * self.eps;
        Ok(Dual { re, eps })
    }

    /// `self ^ exp` on the real line (see [`crate::eval`] for which powers are real).
    pub fn pow(self, exp: Dual) -> Result<Dual, EvalReason> {
        let re = power(self.re, exp.re)?;
        let mut eps = 0.0;
        if self.eps != 0.0 {
            eps += power_slope_in_base(self.re, exp.re)? * self.eps;
        }
        if exp.eps != 0.0 {
            eps += power_slope_in_exponent(self.re, re)? * exp.eps;
        }
        Ok(Dual { re, eps })
    }
}

impl Add for Dual {
    type Output = Dual;
    fn add(self, rhs: Dual) -> Dual {
        Dual {
            re: self.re + rhs.re,
            eps: self.eps + rhs.eps,
        }
    }
}

impl Sub for Dual {
    type Output = Dual;
    fn sub(self, rhs: Dual) -> Dual {
        Dual {
            re: self.re - rhs.re,
            eps: self.eps - rhs.eps,
        }
    }
}

impl Mul for Dual {
    type Output = Dual;
    fn mul(self, rhs: Dual) -> Dual {
        Dual {
            re: self.re * rhs.re,
            eps: self.re * rhs.eps + self.eps * rhs.re,
        }
    }
}

impl Div for Dual {
    type Output = Dual;
    /// The quotient rule, with IEEE semantics: dividing by a zero value gives infinities.
    fn div(self, rhs: Dual) -> Dual {
        let re = self.re / rhs.re;
        Dual {
            re,
            eps: (self.eps - re * rhs.eps) / rhs.re,
        }
    }
}

impl Neg for Dual {
    type Output = Dual;
    fn neg(self) -> Dual {
        Dual {
            re: -self.re,
            eps: -self.eps,
        }
    }
}

impl Scalar for Dual {
    fn number(value: f64) -> Dual {
        Dual::constant(value)
    }

    fn add(self, other: Dual) -> Dual {
        self + other
    }

    fn mul(self, other: Dual) -> Dual {
        self * other
    }

    fn pow(self, exp: Dual) -> Result<Dual, EvalReason> {
        Dual::pow(self, exp)
    }

    fn call(self, f: Func) -> Result<Dual, EvalReason> {
        self.apply(f)
    }

    fn is_finite(self) -> bool {
        self.re.is_finite() && self.eps.is_finite()
    }
}

/// The value of `e` and its derivative in `var`, in one sweep with dual numbers.
///
/// ```
/// use deriv::{eval_dual, Env, Expr};
/// let x = Expr::sym("x");
/// let f = x.clone().pow(2) * x.sin();
/// let d = eval_dual(&f, &Env::new().with("x", 1.0), "x").unwrap();
/// assert!((d.eps - (2.0 * 1f64.sin() + 1f64.cos())).abs() < 1e-15);
/// ```
pub fn eval_dual(e: &Expr, env: &super::Env, var: &str) -> Result<Dual, EvalError> {
    let nodes = e.postorder();
    let leaf = |name: &str| {
        let seed = if name == var {
            Dual::variable
        } else {
            Dual::constant
        };
        env.get(name).map(seed)
    };
    let values = forward(&nodes, leaf)?;
    Ok(value_of(&values, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arithmetic_follows_the_rules_of_calculus() {
        let x = Dual::variable(3.0);
        let c = Dual::constant(2.0);
        assert_eq!(x * x, Dual::new(9.0, 6.0));
        assert_eq!(x + c, Dual::new(5.0, 1.0));
        assert_eq!(x - c, Dual::new(1.0, 1.0));
        assert_eq!(-x, Dual::new(-3.0, -1.0));
        assert_eq!(c / x, Dual::new(2.0 / 3.0, -2.0 / 9.0));
        assert_eq!(x.pow(c), Ok(Dual::new(9.0, 6.0)));
        let two_to_x = c.pow(x).unwrap_or(Dual::constant(f64::NAN));
        assert!((two_to_x.eps - 8.0 * 2f64.ln()).abs() < 1e-14);
    }

    #[test]
    fn constant_subterms_do_not_need_a_derivative() {
        let zero = Dual::constant(0.0);
        assert_eq!(zero.pow(Dual::constant(0.5)), Ok(zero));
        assert_eq!(
            Dual::variable(0.0).pow(Dual::constant(0.5)),
            Err(EvalReason::NotDifferentiable)
        );
        assert_eq!(
            Dual::constant(1.0).apply(Func::Asin).map(|d| d.eps),
            Ok(0.0)
        );
    }
}
