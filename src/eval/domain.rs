//! Inputs that are undefined everywhere: what the pipeline refuses before differentiating.
//!
//! The canonical constructors keep `1/0`, `ln(-2)` or `asin(pi)` unevaluated, and a
//! derivative can lose them (`d/dx cot(x - x)` is `-csc(0)^2*0 = 0`), so the command line asks
//! first. Two kinds are found: forms undefined as they stand (`crate::expr::undefined_by_form`:
//! `0^-1`, `cot(0)`, `tan(pi/2)`), and constants outside a function's real domain, which take
//! evaluating (`asin(pi)`, `acos(sinh(1))`, `ln(1 - e)`, `sqrt(2 - pi)`).
//!
//! A constant is refused only when it is outside the domain by a clear margin at
//! [`REFERENCE_BITS`] of precision: `asin(sqrt(2)*cos(pi/4))`, exactly `asin(1)`, is kept,
//! whatever rounding makes of it. Poles (`cot(pi - pi)`-like values that are zero only
//! mathematically) cannot be told from small numbers by evaluating, so only their exact
//! forms are refused.

use std::collections::HashMap;

use super::{Env, REFERENCE_BITS, eval_precise};
use crate::expr::{Expr, Func, Kind, undefined_by_form};

/// How far outside a domain a constant must be, relative to the domain's end, to be refused.
/// Far above the error of a [`REFERENCE_BITS`] evaluation, far below any value a formula
/// means to be outside.
const MARGIN: f64 = 1e-9;

/// The first subexpression (children before parents) that is undefined for every value of
/// the symbols: `1/0`, `ln(-2)`, `(-1)^(1/2)`, `cot(0)`, `asin(pi)`, `acosh(cos(1))`.
///
/// ```
/// use deriv::{parse, undefined_subexpression};
/// let bad = |text: &str| undefined_subexpression(&parse(text).unwrap()).map(|e| e.to_string());
/// assert_eq!(bad("x + 1/(x - x)"), Some("1/0".to_string()));
/// assert_eq!(bad("cos(x)/cos(asin(pi))"), Some("asin(pi)".to_string()));
/// assert_eq!(bad("asin(x) + acos(1/sqrt(2))"), None);
/// ```
pub fn undefined_subexpression(e: &Expr) -> Option<Expr> {
    let mut constant: HashMap<usize, bool> = HashMap::new();
    for node in e.postorder() {
        let is_constant = match node.kind() {
            Kind::Num(_) | Kind::Const(_) => true,
            Kind::Sym(_) | Kind::Undef { .. } => false,
            _ => node
                .child_vec()
                .iter()
                .all(|c| constant.get(&c.id()).copied().unwrap_or(false)),
        };
        if undefined_by_form(&node) || (is_constant && constant_outside_domain(&node)) {
            return Some(node);
        }
        constant.insert(node.id(), is_constant);
    }
    None
}

/// Whether a constant `node` is a function of a value clearly outside the function's real
/// domain, or a negative value to a fractional power.
fn constant_outside_domain(node: &Expr) -> bool {
    match node.kind() {
        Kind::Call(f, a) => has_domain_ends(*f) && value_of(a).is_some_and(|v| outside(*f, v)),
        Kind::Pow(b, x) => {
            x.as_num().is_some_and(|x| !x.is_integer()) && value_of(b).is_some_and(|v| v < -MARGIN)
        }
        _ => false,
    }
}

/// The value of a constant, or `None` when it has none (the caller's children are checked
/// first, so that is an overflow, not a domain error).
fn value_of(constant: &Expr) -> Option<f64> {
    eval_precise(constant, &Env::new(), REFERENCE_BITS)
        .ok()
        .map(|v| v.to_f64())
}

/// Whether [`outside`] can refuse a value for `f` (so its argument is worth evaluating).
fn has_domain_ends(f: Func) -> bool {
    use Func::*;
    matches!(
        f,
        Asin | Acos | Asec | Acsc | Acosh | Atanh | Acoth | Asech | Ln
    )
}

/// Whether `v` is outside the real domain of `f` by more than [`MARGIN`].
fn outside(f: Func, v: f64) -> bool {
    use Func::*;
    let above = |end: f64| v > end + MARGIN;
    let below = |end: f64| v < end - MARGIN;
    match f {
        Asin | Acos => above(1.0) || below(-1.0),
        Asec | Acsc => below(1.0) && above(-1.0),
        Acosh => below(1.0),
        Atanh => above(1.0) || below(-1.0),
        Acoth => below(1.0) && above(-1.0),
        Asech => below(0.0) || above(1.0),
        Ln => below(0.0),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse;

    fn culprit(text: &str) -> Option<String> {
        let e = parse(text).unwrap_or_else(|e| panic!("{text}: {e}"));
        undefined_subexpression(&e).map(|bad| bad.to_string())
    }

    #[test]
    fn forms_undefined_as_they_stand_are_found() {
        for (text, bad) in [
            ("0/0", "1/0"),
            ("x + 1/(x - x)", "1/0"),
            ("ln(0) + x", "ln(0)"),
            ("ln(-2)*x", "ln(-2)"),
            ("(-1)^(1/2) + x", "sqrt(-1)"),
            ("cot(x - x)", "cot(0)"),
            ("x*csc(0)", "csc(0)"),
            ("tan(pi/2) + x", "tan(pi/2)"),
            ("sec(3*pi/2)*x", "sec(3*pi/2)"),
            ("cot(2*pi)", "cot(2*pi)"),
            ("atanh(1) + x", "atanh(1)"),
            ("acoth(-1)", "acoth(1)"),
            ("coth(0)*x", "coth(0)"),
        ] {
            assert_eq!(culprit(text).as_deref(), Some(bad), "{text}");
        }
    }

    #[test]
    fn constants_outside_a_domain_are_found() {
        for (text, bad) in [
            ("cos(x)/cos(asin(pi))", "asin(pi)"),
            ("acos(6)*x", "acos(6)"),
            ("acos(sinh(1)) + x", "acos(sinh(1))"),
            ("x + ln(1 - e)", "ln(1 - e)"),
            ("sqrt(2 - pi)*x", "sqrt(2 - pi)"),
            ("acosh(cos(1)) + x", "acosh(cos(1))"),
            ("asec(1/2)*x", "asec(1/2)"),
            ("atanh(pi/2)", "atanh(pi/2)"),
        ] {
            assert_eq!(culprit(text).as_deref(), Some(bad), "{text}");
        }
    }

    #[test]
    fn defined_inputs_and_domain_ends_pass() {
        for text in [
            "x",
            "asin(x) + acos(2)*0",
            "asin(1) + acos(-1) + x",
            "asin(sqrt(2)*cos(pi/4))*x",
            "acos(2*sin(pi/6)) + x",
            "acosh(cosh(0)) + x",
            "ln(e)*x",
            "tan(pi)*x",
            "cot(pi/2) + x",
            "sqrt(pi - 3)*x",
            "asin(x - 40)",
            "ln(x - 5)",
            "(-8)^2*x",
        ] {
            assert_eq!(culprit(text), None, "{text}");
        }
    }
}
