//! Interval bounds on an expression's values over every real value of its symbols: enough to
//! tell that `ln(-x^2 - 1)` or `(-x^2 - 2)^(3/2)` has no real value anywhere.
//!
//! Bounds are conservative: each [`Range`] holds every value the expression takes where it is
//! defined (it may hold more). They are computed in `f64` and widened outward at every step,
//! so rounding never makes them too narrow; a symbol may take any real value.

use std::f64::consts::{FRAC_PI_2, PI};

use super::Values;
use crate::expr::{Expr, Func, Kind};

/// A closed interval `[lo, hi]`, ends possibly infinite, holding every value of an expression.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Range {
    pub lo: f64,
    pub hi: f64,
}

impl Range {
    /// Every real number: what is known of a symbol, and the answer whenever unsure.
    pub const ALL: Range = Range {
        lo: f64::NEG_INFINITY,
        hi: f64::INFINITY,
    };

    /// `[lo, hi]` widened outward past any rounding of the computation that gave it; `ALL`
    /// when an end is not a number (`0 * inf`, `inf - inf`).
    fn new(lo: f64, hi: f64) -> Range {
        if lo.is_nan() || hi.is_nan() {
            return Range::ALL;
        }
        let out = |v: f64| v.abs() * 1e-12 + 1e-300;
        Range {
            lo: lo - out(lo),
            hi: hi + out(hi),
        }
    }

    fn contains_zero(self) -> bool {
        self.lo <= 0.0 && self.hi >= 0.0
    }

    fn add(self, other: Range) -> Range {
        Range::new(self.lo + other.lo, self.hi + other.hi)
    }

    fn mul(self, other: Range) -> Range {
        let corners = [
            self.lo * other.lo,
            self.lo * other.hi,
            self.hi * other.lo,
            self.hi * other.hi,
        ];
        if corners.iter().any(|c| c.is_nan()) {
            return Range::ALL;
        }
        let lo = corners.iter().copied().fold(f64::INFINITY, f64::min);
        let hi = corners.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        Range::new(lo, hi)
    }

    /// `1/u` where `u` is not 0.
    fn recip(self) -> Range {
        match (self.lo >= 0.0, self.hi <= 0.0) {
            (true, true) => Range::ALL,
            (true, false) => Range::new(1.0 / self.hi, 1.0 / self.lo),
            (false, true) => Range::new(1.0 / self.hi, 1.0 / self.lo),
            (false, false) => Range::ALL,
        }
    }

    /// `f(u)` for `f` increasing on this range (clamped to where `f` is defined by the caller).
    fn increasing(self, f: impl Fn(f64) -> f64) -> Range {
        Range::new(f(self.lo), f(self.hi))
    }

    /// `u^n` for a whole `n`.
    fn whole_power(self, n: i64) -> Range {
        let Ok(k) = i32::try_from(n.unsigned_abs()) else {
            return Range::ALL;
        };
        let magnitude = if k % 2 == 1 {
            self.increasing(|v| v.powi(k))
        } else if self.contains_zero() {
            Range::new(0.0, self.lo.abs().max(self.hi.abs()).powi(k))
        } else {
            let (a, b) = (self.lo.abs().powi(k), self.hi.abs().powi(k));
            Range::new(a.min(b), a.max(b))
        };
        if n < 0 { magnitude.recip() } else { magnitude }
    }

    /// `u^e` for a number `e` that is not whole: defined only where `u >= 0`.
    fn real_power(self, e: f64) -> Range {
        let lo = self.lo.max(0.0);
        if self.hi < lo {
            return Range::ALL;
        }
        if e > 0.0 {
            Range::new(lo.powf(e), self.hi.powf(e))
        } else {
            Range::new(self.hi.powf(e), lo.powf(e))
        }
    }

    /// Intersection with `[lo, hi]`, or `ALL` when they do not meet (the node is then
    /// undefined everywhere, which the caller reports; any bound will do meanwhile).
    fn clamp(self, lo: f64, hi: f64) -> Range {
        let clamped = Range {
            lo: self.lo.max(lo),
            hi: self.hi.min(hi),
        };
        if clamped.lo > clamped.hi {
            Range::ALL
        } else {
            clamped
        }
    }
}

/// The range of `node`, given its children's ranges.
pub(crate) fn node_range(node: &Expr, ranges: &Values<Range>) -> Range {
    let of = |c: &Expr| ranges.get(&c.id()).copied().unwrap_or(Range::ALL);
    match node.kind() {
        Kind::Num(n) => {
            let v = n.to_f64();
            match v.is_finite() {
                true => Range::new(v, v),
                // Beyond `f64`: only its sign is sure.
                false if v > 0.0 => Range::new(f64::MAX, f64::INFINITY),
                false => Range::new(f64::NEG_INFINITY, -f64::MAX),
            }
        }
        Kind::Const(c) => Range::new(c.value(), c.value()),
        Kind::Sym(_) | Kind::Undef { .. } => Range::ALL,
        Kind::Add(terms) => terms.iter().map(of).fold(Range::new(0.0, 0.0), Range::add),
        Kind::Mul(factors) => factors
            .iter()
            .map(of)
            .fold(Range::new(1.0, 1.0), Range::mul),
        Kind::Pow(base, exp) => match exp.as_num() {
            // A whole exponent beyond `i64` may be odd or even: nothing is sure.
            Some(n) if n.is_integer() => n.to_i64().map_or(Range::ALL, |k| of(base).whole_power(k)),
            Some(n) => of(base).real_power(n.to_f64()),
            None if of(base).lo > 0.0 => Range::new(0.0, f64::INFINITY),
            None => Range::ALL,
        },
        Kind::Call(f, arg) => call_range(*f, of(arg)),
    }
}

/// The range of `f(u)` for `u` in `r`.
fn call_range(f: Func, r: Range) -> Range {
    use Func::*;
    let within = |lo: f64, hi: f64| Range::new(lo, hi);
    match f {
        Exp => r.increasing(f64::exp),
        Sinh => r.increasing(f64::sinh),
        Tanh => r.increasing(f64::tanh),
        Atan => r.increasing(f64::atan),
        Asinh => r.increasing(f64::asinh),
        Ln => r.clamp(0.0, f64::INFINITY).increasing(f64::ln),
        Asin => r.clamp(-1.0, 1.0).increasing(f64::asin),
        Acos => {
            let r = r.clamp(-1.0, 1.0);
            Range::new(r.hi.acos(), r.lo.acos())
        }
        Acosh => r.clamp(1.0, f64::INFINITY).increasing(f64::acosh),
        Atanh => r.clamp(-1.0, 1.0).increasing(f64::atanh),
        Cosh if r.contains_zero() => within(1.0, r.lo.abs().max(r.hi.abs()).cosh()),
        Cosh => {
            let (a, b) = (r.lo.cosh(), r.hi.cosh());
            within(a.min(b), a.max(b))
        }
        Abs if r.contains_zero() => within(0.0, r.lo.abs().max(r.hi.abs())),
        Abs => within(r.lo.abs().min(r.hi.abs()), r.lo.abs().max(r.hi.abs())),
        Sin | Cos | Sign => within(-1.0, 1.0),
        Sech => within(0.0, 1.0),
        Acot | Acsc => within(-FRAC_PI_2, FRAC_PI_2),
        Asec => within(0.0, PI),
        Asech => within(0.0, f64::INFINITY),
        Tan | Cot | Sec | Csc | Csch | Coth | Acoth | Acsch => Range::ALL,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eval::{Env, eval};
    use crate::parse;

    /// Every value at many points lies in the range of each subexpression.
    #[test]
    fn ranges_hold_every_value() {
        for text in [
            "-x^2 - 2",
            "x^4 + exp(9) - 3*y",
            "cosh(x - 1)*sinh(y)",
            "sqrt(x^2 + 1)/(x - 3)",
            "(x^2 - 4)^(3/2) + atan(x)*acos(x/9)",
            "ln(x^2 + 1/4) - asinh(x*y) + tanh(y)^3",
            "abs(x - 2)*sign(y) + sech(x)^(-2)",
            "exp(-x^2)*(x + 1)^(-3)",
        ] {
            let e = parse(text).unwrap_or_else(|err| panic!("{text}: {err}"));
            let mut ranges: Values<Range> = Values::default();
            let nodes = e.postorder();
            for node in &nodes {
                let r = node_range(node, &ranges);
                ranges.insert(node.id(), r);
            }
            for i in 0..400 {
                let t = f64::from(i) / 400.0;
                let mut env = Env::new();
                env.set("x", -20.0 + 40.0 * t);
                env.set("y", 7.0 * (t * 97.0).sin());
                for node in &nodes {
                    if let Ok(v) = eval(node, &env) {
                        let r = ranges[&node.id()];
                        assert!(
                            r.lo <= v && v <= r.hi,
                            "{node} = {v} outside {r:?} ({text})"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn a_whole_exponent_beyond_i64_proves_nothing() {
        // Odd or even? `x^(10^20 + 1)` is negative for negative `x`.
        let e = parse("x^100000000000000000001").expect("parses");
        let mut ranges: Values<Range> = Values::default();
        for node in e.postorder() {
            let r = node_range(&node, &ranges);
            ranges.insert(node.id(), r);
        }
        assert_eq!(ranges[&e.id()], Range::ALL);
    }
}
