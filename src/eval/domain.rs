//! Inputs that are undefined everywhere: what the pipeline refuses before differentiating.
//!
//! The canonical constructors keep `1/0`, `ln(-2)` or `asin(pi)` unevaluated, and a
//! derivative can lose them (`d/dx cot(x - x)` is `-csc(0)^2*0 = 0`), so the command line asks
//! first. Two kinds are found, both read from the one table of real functions the evaluators
//! share (`table.rs`), so the domains are written down once:
//! - forms undefined as they stand: a number to a power that has no real value (`0^-1`,
//!   `(-1)^(1/2)`), a function at an integer where the table has no value (`ln(0)`,
//!   `cot(0)`, `atanh(1)`: integers are exact in `f64`), and the circular functions at
//!   their poles written as multiples of `pi` (`tan(pi/2)`, `csc(2*pi)`);
//! - constants outside a function's real domain, which take evaluating (`asin(pi)`,
//!   `acos(sinh(1))`, `ln(1 - e)`, `sqrt(2 - pi)`). The walk evaluates constants in `f64`;
//!   where that finds no value, the argument is evaluated again with [`REFERENCE_BITS`] and
//!   the constant is refused only when the table has no value a [`MARGIN`] either side of
//!   it: `asin(sqrt(2)*cos(pi/4))`, exactly `asin(1)`, is kept whatever rounding makes of
//!   it. Poles (`cot(pi - pi)`-like values that are zero only mathematically) cannot be told
//!   from small numbers by evaluating, so only their exact forms are refused.

use super::range::{Range, node_range};
use super::table::{apply, power};
use super::{Env, REFERENCE_BITS, Values, eval_precise, node_value};
use crate::expr::{Constant, Expr, Func, Kind};
use crate::num::Number;

/// How far outside a domain a constant must be to be refused. Far above the error of a
/// [`REFERENCE_BITS`] evaluation, far below any distance a formula means to be outside
/// (the ends of the real functions' domains are at 0 and 1 in size).
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
    // The f64 values of the constant nodes seen so far; a node is constant when it has a
    // value here, so a symbol anywhere below keeps it (and its parents) out.
    let mut constants: Values<f64> = Values::default();
    let mut ranges: Values<Range> = Values::default();
    for node in e.postorder() {
        if undefined_as_written(&node) || nowhere_in_range(&node, &ranges) {
            return Some(node);
        }
        ranges.insert(node.id(), node_range(&node, &ranges));
        let children = node.child_vec();
        if matches!(node.kind(), Kind::Sym(_) | Kind::Undef { .. })
            || !children.iter().all(|c| constants.contains_key(&c.id()))
        {
            continue;
        }
        let value = node_value(
            &node,
            |c| constants.get(&c.id()).copied().unwrap_or(f64::NAN),
            |_| None,
        );
        match value {
            Ok(v) if v.is_finite() => {
                constants.insert(node.id(), v);
            }
            Err(_) if clearly_outside(&node) => return Some(node),
            _ => {}
        }
    }
    None
}

/// Whether `node`, a function of an argument or a number power of a base, has no value for
/// any value its argument (or base) takes, by the argument's [`Range`]: `ln(-x^2 - 1)`,
/// `asin(x^4 + 3)`, `(-x^2 - 2)^(3/2)`.
///
/// Every domain in the function table ends at `-1`, `0` or `1` (a test checks it), so on
/// each piece of the line between and at those points a function is defined everywhere or
/// nowhere, and one point of each piece the range meets (widened by [`MARGIN`]) decides.
fn nowhere_in_range(node: &Expr, ranges: &Values<Range>) -> bool {
    let range = |c: &Expr| ranges.get(&c.id()).copied().unwrap_or(Range::ALL);
    match node.kind() {
        Kind::Call(f, a) => nowhere_on(range(a), |t| apply(*f, t).is_some()),
        Kind::Pow(b, x) => match x.as_num().filter(|x| !x.is_integer()) {
            Some(x) => nowhere_on(range(b), |t| power(t, x.to_f64()).is_ok()),
            None => false,
        },
        _ => false,
    }
}

/// The pieces of the line cut at `-1`, `0` and `1`, each with a point in it.
const PIECES: [(f64, f64, f64); 7] = [
    (f64::NEG_INFINITY, -1.0, -2.0),
    (-1.0, -1.0, -1.0),
    (-1.0, 0.0, -0.5),
    (0.0, 0.0, 0.0),
    (0.0, 1.0, 0.5),
    (1.0, 1.0, 1.0),
    (1.0, f64::INFINITY, 2.0),
];

/// Whether `defined` fails at the point of every piece that `r`, widened by [`MARGIN`],
/// meets (an open piece when it overlaps its inside, a point piece when it holds it).
fn nowhere_on(r: Range, defined: impl Fn(f64) -> bool) -> bool {
    let (lo, hi) = (r.lo - MARGIN, r.hi + MARGIN);
    PIECES.iter().all(|&(start, end, point)| {
        let meets = if start == end {
            lo <= start && start <= hi
        } else {
            lo < end && hi > start
        };
        !meets || !defined(point)
    })
}

/// Whether `node` is undefined by its form alone (see the module documentation).
fn undefined_as_written(node: &Expr) -> bool {
    match node.kind() {
        Kind::Pow(b, x) => match (b.as_num(), x.as_num()) {
            (Some(b), Some(x)) => {
                (b.is_zero() && x.is_negative()) || (b.is_negative() && !x.is_integer())
            }
            (Some(b), None) => b.is_zero() && x.is_negative_term(),
            _ => false,
        },
        Kind::Call(f, a) => match a.as_num().filter(|n| n.is_integer()) {
            Some(n) => n.to_i64().is_some_and(|k| apply(*f, k as f64).is_none()),
            None => at_a_pole_of_pi(*f, a),
        },
        _ => false,
    }
}

/// `tan` and `sec` at odd multiples of `pi/2`, `cot` and `csc` at multiples of `pi`, with the
/// multiple written exactly (`pi`, `3*pi/2`).
fn at_a_pole_of_pi(f: Func, a: &Expr) -> bool {
    let multiple = match a.kind() {
        Kind::Const(Constant::Pi) => Number::one(),
        Kind::Mul(xs) => match &xs[..] {
            [q, pi] if matches!(pi.kind(), Kind::Const(Constant::Pi)) => match q.as_num() {
                Some(q) => q.clone(),
                None => return false,
            },
            _ => return false,
        },
        _ => return false,
    };
    let twice = multiple.mul(&Number::int(2));
    match f {
        Func::Tan | Func::Sec => twice.is_integer() && !multiple.is_integer(),
        Func::Cot | Func::Csc => multiple.is_integer(),
        _ => false,
    }
}

/// Whether a constant `node` (a call or a power) that has no `f64` value is outside the
/// real domain by more than [`MARGIN`]: no value either side of its argument, or of its
/// base, evaluated with [`REFERENCE_BITS`].
fn clearly_outside(node: &Expr) -> bool {
    let value = |e: &Expr| {
        eval_precise(e, &Env::new(), REFERENCE_BITS)
            .ok()
            .map(|v| v.to_f64())
    };
    let either_side =
        |v: f64, defined: &dyn Fn(f64) -> bool| !defined(v - MARGIN) && !defined(v + MARGIN);
    match node.kind() {
        Kind::Call(f, a) => value(a).is_some_and(|v| either_side(v, &|t| apply(*f, t).is_some())),
        Kind::Pow(b, x) => match (value(b), value(x)) {
            (Some(b), Some(x)) => either_side(b, &|t| power(t, x).is_ok()),
            _ => false,
        },
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
            ("csch(0) + x", "csch(0)"),
            ("acsch(0)*x", "acsch(0)"),
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
            ("asech(2)*x", "asech(2)"),
            ("acoth(1/2) + x", "acoth(1/2)"),
        ] {
            assert_eq!(culprit(text).as_deref(), Some(bad), "{text}");
        }
    }

    #[test]
    fn formulas_without_a_real_value_anywhere_are_found() {
        for (text, bad) in [
            ("ln(-x^2 - 1)", "ln(-x^2 - 1)"),
            ("x + ln((-x^2 - 2)^(3/2))", "(-x^2 - 2)^(3/2)"),
            ("asin(exp(9) + x^4)", "asin(x^4 + exp(9))"),
            ("acosh(-cosh(x))*y", "acosh(-cosh(x))"),
            ("sqrt(-exp(x) - y^2 - 1)", "sqrt(-y^2 - exp(x) - 1)"),
            ("atanh(2 + x^2)", "atanh(x^2 + 2)"),
            ("ln(sin(x) - 2)", "ln(sin(x) - 2)"),
        ] {
            assert_eq!(culprit(text).as_deref(), Some(bad), "{text}");
        }
    }

    /// The pieces argument of [`nowhere_on`]: on each piece between and at `-1`, `0`, `1`,
    /// every function of the table (and a real power) is defined everywhere or nowhere.
    #[test]
    fn every_domain_ends_at_minus_one_zero_or_one() {
        // The circular functions' poles are single points inside the pieces; they are
        // defined at every piece's point, so never refused.
        let functions = Func::ALL
            .iter()
            .filter(|f| !matches!(f, Func::Tan | Func::Sec | Func::Cot | Func::Csc));
        let defined: Vec<Box<dyn Fn(f64) -> bool>> = functions
            .map(|&f| Box::new(move |t| apply(f, t).is_some()) as Box<dyn Fn(f64) -> bool>)
            .chain(
                [0.5, -0.5, 1.5, -5.0 / 3.0]
                    .map(|x| Box::new(move |t| power(t, x).is_ok()) as Box<dyn Fn(f64) -> bool>),
            )
            .collect();
        for &(start, end, point) in &PIECES {
            let samples: Vec<f64> = match start == end {
                true => vec![start],
                false => {
                    let (a, b) = (start.max(-50.0), end.min(50.0));
                    (1..200)
                        .map(|k| a + (b - a) * f64::from(k) / 200.0)
                        .collect()
                }
            };
            for (n, defined) in defined.iter().enumerate() {
                for &t in &samples {
                    assert_eq!(defined(t), defined(point), "domain {n} at {t} and {point}");
                }
            }
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
            "asech(1)*x",
            "acsc(-1)*x",
            "exp(1000)*x",
            "asin(x^2 - 1)",
            "ln(x^2)",
            "acosh(cosh(x))",
            "sqrt(-x^2)*y",
            "asin(sin(x) + 1)",
            "atanh(tanh(x))",
            "(x - 3)^(1/2) + ln(-x)",
            "asin(exp(-x^2))",
        ] {
            assert_eq!(culprit(text), None, "{text}");
        }
    }
}
