//! What is known about an expression's sign for every real value of its symbols.
//!
//! The guards of the rewrite rules ask these questions; an answer of `false` means "not
//! proved", never "proved false". A bare symbol proves nothing.

use std::cmp::Ordering;

use crate::eval::{constant_sign, small_range};
use crate::expr::{Constant, Expr, Func, Kind};
use crate::num::Number;

/// How deep the proofs look; deeper expressions are simply not proved anything.
const MAX_DEPTH: u32 = 64;

/// Proved facts about the sign of an expression, wherever it is defined.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Sign {
    /// `e > 0`.
    pub positive: bool,
    /// `e >= 0`.
    pub nonnegative: bool,
    /// `e != 0`.
    pub nonzero: bool,
}

impl Sign {
    const POSITIVE: Sign = Sign {
        positive: true,
        nonnegative: true,
        nonzero: true,
    };
    const UNKNOWN: Sign = Sign {
        positive: false,
        nonnegative: false,
        nonzero: false,
    };
    const NONNEGATIVE: Sign = Sign {
        positive: false,
        nonnegative: true,
        nonzero: false,
    };
}

/// The sign facts of `e`.
pub fn sign(e: &Expr) -> Sign {
    if e.depth() > MAX_DEPTH {
        return Sign::UNKNOWN;
    }
    let facts = structural_sign(e);
    let composite = !matches!(e.kind(), Kind::Num(_) | Kind::Const(_) | Kind::Sym(_));
    if facts.positive || !composite {
        return facts;
    }
    // A sum whose terms' signs differ (`cos(x) - 1`, `2 - sin(x)^2`), or a product of one,
    // by its range.
    let facts = match e.kind() {
        Kind::Add(_) | Kind::Mul(_) => by_range(e, facts),
        _ => facts,
    };
    // A constant that the structure does not decide (`cos(2)`, `pi - 4`) by its range.
    match constant_sign(e) {
        Some(Ordering::Greater) => Sign::POSITIVE,
        Some(Ordering::Less) => Sign {
            nonzero: true,
            ..facts
        },
        _ => facts,
    }
}

/// `facts` and what the range of a small `e` adds to them (`cos(x) - 1 <= 0`, `2 - sin(x)^2
/// > 0`): ranges hold every value an expression takes where it is defined, rounded outward.
fn by_range(e: &Expr, facts: Sign) -> Sign {
    let Some(r) = small_range(e) else {
        return facts;
    };
    Sign {
        positive: facts.positive || r.lo > 0.0,
        nonnegative: facts.nonnegative || r.lo >= 0.0,
        nonzero: facts.nonzero || r.lo > 0.0 || r.hi < 0.0,
    }
}

/// The sign facts of `e` from its parts' facts.
fn structural_sign(e: &Expr) -> Sign {
    match e.kind() {
        Kind::Num(n) => Sign {
            positive: n.is_positive(),
            nonnegative: !n.is_negative(),
            nonzero: !n.is_zero(),
        },
        Kind::Const(Constant::Pi | Constant::E) => Sign::POSITIVE,
        Kind::Sym(_) | Kind::Undef { .. } => Sign::UNKNOWN,
        Kind::Add(terms) if root_exceeds_other_term(terms) => Sign::POSITIVE,
        Kind::Add(terms) => {
            let signs: Vec<Sign> = terms.iter().map(sign).collect();
            let nonnegative = signs.iter().all(|s| s.nonnegative);
            let positive = nonnegative && signs.iter().any(|s| s.positive);
            Sign {
                positive,
                nonnegative,
                nonzero: positive,
            }
        }
        Kind::Mul(factors) => {
            let signs: Vec<Sign> = factors.iter().map(sign).collect();
            let nonzero = signs.iter().all(|s| s.nonzero);
            let positive = signs.iter().all(|s| s.positive);
            let nonnegative = signs.iter().all(|s| s.nonnegative);
            Sign {
                positive,
                nonnegative,
                nonzero,
            }
        }
        Kind::Pow(base, exp) => power_sign(sign(base), exp),
        Kind::Call(f, arg) => call_sign(*f, arg),
    }
}

/// Whether `terms` are `a` and `sqrt(a^2 + p)` with `p > 0` (`x + sqrt(x^2 + 1)`, the
/// argument of `ln` in `asinh`): the root exceeds `|a|`, so the sum is positive.
fn root_exceeds_other_term(terms: &[Expr]) -> bool {
    let [first, second] = terms else {
        return false;
    };
    [(first, second), (second, first)]
        .into_iter()
        .any(|(a, root)| {
            let Kind::Pow(radicand, half) = root.kind() else {
                return false;
            };
            let Kind::Add(parts) = radicand.kind() else {
                return false;
            };
            if half.as_num() != Number::ratio(1, 2).as_ref() {
                return false;
            }
            let square = a.clone().pow(2);
            let Some(i) = parts.iter().position(|u| *u == square) else {
                return false;
            };
            let rest = parts.iter().enumerate().filter(|&(j, _)| j != i);
            sign(&Expr::sum(rest.map(|(_, u)| u.clone()))).positive
        })
}

fn power_sign(base: Sign, exp: &Expr) -> Sign {
    if base.positive {
        return Sign::POSITIVE;
    }
    let Some(n) = exp.as_num() else {
        return Sign::UNKNOWN;
    };
    let even_numerator = n.numer().to_i64().is_some_and(|p| p % 2 == 0);
    let even_root = n.denom().to_i64().is_some_and(|q| q % 2 == 0);
    if even_numerator || even_root {
        // `u^2`, `u^(2/3)`, `sqrt(u)`: never negative where defined.
        return Sign {
            nonzero: base.nonzero,
            positive: base.nonzero,
            nonnegative: true,
        };
    }
    Sign {
        nonzero: base.nonzero,
        ..base
    }
}

fn call_sign(f: Func, arg: &Expr) -> Sign {
    match f {
        // `erfc(u) = 1 - erf(u)`, and `erf(u) < 1`.
        Func::Exp | Func::Cosh | Func::Erfc => Sign::POSITIVE,
        Func::Sech => Sign::POSITIVE,
        Func::Abs => {
            let inner = sign(arg);
            Sign {
                positive: inner.nonzero,
                nonnegative: true,
                nonzero: inner.nonzero,
            }
        }
        Func::Acos | Func::Acosh | Func::Asec | Func::Asech => Sign::NONNEGATIVE,
        // `sign(f(u)) = sign(u)`, for those of them defined at 0 too (not `csch`, `coth`,
        // `acsch`), so that `f(u)` is 0 exactly where `u` is.
        f if f.keeps_sign() && !matches!(f, Func::Csch | Func::Coth | Func::Acsch) => sign(arg),
        _ => Sign::UNKNOWN,
    }
}

/// Whether `e` is analytic for every real value of its symbols: built from numbers,
/// constants and symbols by sums, products, whole non-negative powers, powers of a positive
/// constant, and functions analytic on the whole line. Such an expression is zero on no
/// interval unless it is zero everywhere; one with `abs`, `sign` or an inverse of a periodic
/// function in it may be (`x - abs(x)` is 0 for every `x >= 0`, `asin(sin(x)) - x` on
/// `[-pi/2, pi/2]`).
pub fn is_analytic(e: &Expr) -> bool {
    if e.depth() > MAX_DEPTH {
        return false;
    }
    match e.kind() {
        Kind::Num(_) | Kind::Const(_) | Kind::Sym(_) => true,
        Kind::Add(xs) | Kind::Mul(xs) => xs.iter().all(is_analytic),
        Kind::Pow(base, exp) => {
            let whole = exp
                .as_num()
                .is_some_and(|n| n.is_integer() && !n.is_negative());
            let positive_constant = base.free_symbols().is_empty() && sign(base).positive;
            (whole && is_analytic(base)) || (positive_constant && is_analytic(exp))
        }
        Kind::Call(f, arg) => f.is_entire() && is_analytic(arg),
        Kind::Undef { .. } => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bare_symbol_proves_nothing() {
        let x = Expr::sym("x");
        assert_eq!(sign(&x), Sign::UNKNOWN);
        assert!(sign(&(x.clone().pow(2) + 1)).positive);
        assert!(sign(&x.clone().exp()).positive);
        assert!(!sign(&x.clone().pow(2)).nonzero);
        assert!(sign(&x.clone().pow(2)).nonnegative);
        assert!(!sign(&(x.clone().pow(2) - 1)).nonnegative);
        assert!(!sign(&x.pow(3)).nonnegative);
    }

    /// Sums whose terms' signs differ are read by their range: `cos(x) - 1` is never
    /// positive, `2 - sin(x)^2` always is; a range that may reach 0 proves no `nonzero`.
    #[test]
    fn sums_of_mixed_signs_by_their_range() {
        let sign_of = |text: &str| {
            let e = crate::parse::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"));
            sign(&e)
        };
        assert_eq!(sign_of("2 - sin(x)^2"), Sign::POSITIVE);
        assert_eq!(sign_of("x^2 + 2*x + 2"), Sign::POSITIVE);
        assert_eq!(sign_of("-(sin(x) - 2)"), Sign::POSITIVE);
        assert_eq!(sign_of("1 - cos(x)"), Sign::NONNEGATIVE);
        assert_eq!(sign_of("cos(x) - 1"), Sign::UNKNOWN);
        assert!(sign_of("sin(x) - 2").nonzero && !sign_of("sin(x) - 2").nonnegative);
        assert_eq!(sign_of("x^2 - 2*x"), Sign::UNKNOWN);
        assert_eq!(sign_of("sin(x) + cos(x)"), Sign::UNKNOWN);
    }

    #[test]
    fn a_root_of_a_square_plus_a_positive_number_exceeds_the_term() {
        let positive = |text: &str| {
            let e = crate::parse::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"));
            sign(&e).positive
        };
        assert!(positive("x + sqrt(x^2 + 1)"));
        assert!(positive("sqrt(4*x^2 + 3) - 2*x"));
        assert!(positive("sin(x) + sqrt(sin(x)^2 + exp(y))"));
        assert!(!positive("x + sqrt(x^2)"));
        assert!(!positive("x + sqrt(x^2 - 1)"));
        assert!(!positive("x - sqrt(x^2 + 1)"));
        assert!(!positive("2*x + sqrt(x^2 + 1)"));
    }

    #[test]
    fn odd_increasing_functions_defined_everywhere_keep_the_sign() {
        let sign_of = |text: &str| {
            let e = crate::parse::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"));
            sign(&e)
        };
        for f in ["sinh", "tanh", "asinh", "atan", "erf", "sign"] {
            assert_eq!(sign_of(&format!("{f}(x^2 + 1)")), Sign::POSITIVE, "{f}");
            let square = sign_of(&format!("{f}(x^2)"));
            assert!(square.nonnegative && !square.nonzero, "{f}");
            assert_eq!(sign_of(&format!("{f}(x)")), Sign::UNKNOWN, "{f}");
        }
    }

    #[test]
    fn constants_are_signed_by_their_bounds() {
        let sign_of = |text: &str| {
            let e = crate::parse::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"));
            sign(&e)
        };
        let negative = Sign {
            nonzero: true,
            ..Sign::UNKNOWN
        };
        assert_eq!(sign_of("cos(2)"), negative);
        assert_eq!(sign_of("-cos(2)"), Sign::POSITIVE);
        assert_eq!(sign_of("pi - 3"), Sign::POSITIVE);
        assert_eq!(sign_of("ln(2) - 1"), negative);
        assert_eq!(sign_of("tan(1)*cos(2) + 1"), Sign::POSITIVE);
        // Zero, or too close to it to tell: nothing is proved.
        assert_eq!(sign_of("sin(1)^2 + cos(1)^2 - 1"), Sign::UNKNOWN);
        assert_eq!(sign_of("cos(pi/2 + 1/10^12)"), Sign::UNKNOWN);
        assert_eq!(sign_of("sinh(1) - (e - 1/e)/2"), Sign::UNKNOWN);
        assert_eq!(sign_of("cos(2)*x"), Sign::UNKNOWN);
    }

    #[test]
    fn analytic_expressions_are_those_zero_on_no_interval() {
        let analytic = |text: &str| {
            let e = crate::parse::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"));
            is_analytic(&e)
        };
        assert!(analytic(
            "x^2 - 2*x*y + exp(sin(x)) + 2^x + atan(x)*cosh(y)"
        ));
        assert!(!analytic("x - abs(x)"));
        assert!(!analytic("asin(sin(x)) - x"));
        assert!(!analytic("sign(x)*x"));
        assert!(!analytic("sqrt(x)"));
        assert!(!analytic("1/x"));
        assert!(!analytic("x^x"));
    }
}
