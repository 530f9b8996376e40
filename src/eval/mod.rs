//! Numbers: `f64` evaluation, dual numbers (forward-mode AD), reverse-mode AD, finite
//! differences, and high-precision evaluation (`precise.rs`, the reference that the others
//! are measured against). They check the symbolic derivatives and give values to the
//! command line.
//!
//! Every evaluator walks the expression's DAG in post-order ([`Expr::postorder`]), once per
//! distinct node, without recursion. The real functions and their slopes live in one table
//! (`table.rs`) that all of them read.
//!
//! Semantics are those of the real line: a value outside a function's real domain, a
//! division by zero or an overflow is an [`EvalError`] naming the subexpression that failed,
//! never a NaN or an infinity in the result.

mod bounds;
mod cells;
mod domain;
mod dual;
mod exact;
mod precise;
mod range;
mod reverse;
mod table;

pub(crate) use range::{constant_sign, small_range};

use std::collections::HashMap;

use crate::expr::{Expr, Func, Kind, Symbol};

pub use bounds::{Conflict, Interval, Need};
pub use domain::{Undefined, undefined_subexpression};
pub use dual::{Dual, eval_dual};
pub use exact::eval_exact;
pub use precise::{
    MAX_PRECISION_BITS, Precise, REFERENCE_BITS, SETTLE_TO_BITS, eval_precise, eval_settled,
};
pub use reverse::reverse_gradient;

/// Values for the free symbols of an expression.
///
/// ```
/// use deriv::{eval, Env, Expr};
/// let f = Expr::sym("x") * Expr::sym("y");
/// let env = Env::new().with("x", 3.0).with("y", 0.5);
/// assert_eq!(eval(&f, &env).unwrap(), 1.5);
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Env {
    values: HashMap<String, f64>,
}

impl Env {
    /// No values.
    pub fn new() -> Env {
        Env::default()
    }

    /// The same environment with `name` set to `value`.
    pub fn with(mut self, name: &str, value: f64) -> Env {
        self.set(name, value);
        self
    }

    /// Sets `name` to `value`, replacing any earlier value.
    pub fn set(&mut self, name: &str, value: f64) {
        self.values.insert(name.to_owned(), value);
    }

    /// The value of `name`, if it has one.
    pub fn get(&self, name: &str) -> Option<f64> {
        self.values.get(name).copied()
    }

    /// Each name with its value, in no particular order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (&str, f64)> {
        self.values
            .iter()
            .map(|(name, value)| (name.as_str(), *value))
    }
}

/// An expression that has no real value (or derivative) at the given point.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("cannot evaluate {expr}: {reason}")]
pub struct EvalError {
    /// The smallest subexpression that failed.
    pub expr: Expr,
    /// Why it failed.
    pub reason: EvalReason,
}

/// Why an evaluation failed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum EvalReason {
    /// A free symbol has no value in the [`Env`].
    #[error("the variable `{0}` has no value")]
    Unbound(Symbol),
    /// An argument outside the function's real domain (`ln(-1)`, `asin(2)`), or a power
    /// whose principal value is not real (`(-8)^(1/3)`).
    #[error("the value is not real")]
    Domain,
    /// A zero base with a negative exponent (`1/0`, `0^-1`).
    #[error("division by zero")]
    DivisionByZero,
    /// A function defined at the point but without a derivative there (`sqrt` or `acosh`
    /// at the end of its domain).
    #[error("no derivative at this point")]
    NotDifferentiable,
    /// An overflow (`exp(1000)`) or another result that is not a finite number.
    #[error("the result is not a finite number")]
    NonFinite,
    /// The value did not settle to `f64` accuracy at any precision up to this many bits
    /// ([`eval_settled`]), as when a sum cancels at every precision, which may be exactly 0.
    #[error(
        "the value does not settle to f64 accuracy with up to {0} bits: it may be exactly 0, or too sensitive to rounding"
    )]
    Unsettled(usize),
    /// An undefined function `f(u)` has no value.
    #[error("the undefined function `{0}` has no value")]
    UndefinedFunction(Symbol),
}

/// The value of `e` with its symbols taken from `env`.
///
/// ```
/// use deriv::{eval, Env, EvalReason, Expr};
/// let x = Expr::sym("x");
/// let env = Env::new().with("x", -1.0);
/// assert_eq!(eval(&x.clone().pow(2), &env).unwrap(), 1.0);
/// let failed = eval(&x.ln(), &env).unwrap_err();
/// assert_eq!(failed.reason, EvalReason::Domain);
/// ```
pub fn eval(e: &Expr, env: &Env) -> Result<f64, EvalError> {
    let nodes = e.postorder();
    let values = forward(&nodes, |s| env.get(s))?;
    Ok(value_of(&values, e))
}

/// `(f(x + h) - f(x)) / h`, where `x` is the value of `var` in `env`.
pub fn forward_difference(e: &Expr, env: &Env, var: &str, h: f64) -> Result<f64, EvalError> {
    let x = bound_value(env, var)?;
    let at = |t: f64| eval(e, &env.clone().with(var, t));
    Ok((at(x + h)? - at(x)?) / h)
}

/// `(f(x + h) - f(x - h)) / (2 h)`, where `x` is the value of `var` in `env`.
///
/// ```
/// use deriv::{central_difference, Env, Expr};
/// let f = Expr::sym("x").pow(3);
/// let slope = central_difference(&f, &Env::new().with("x", 2.0), "x", 1e-5).unwrap();
/// assert!((slope - 12.0).abs() < 1e-6);
/// ```
pub fn central_difference(e: &Expr, env: &Env, var: &str, h: f64) -> Result<f64, EvalError> {
    let x = bound_value(env, var)?;
    let at = |t: f64| eval(e, &env.clone().with(var, t));
    Ok((at(x + h)? - at(x - h)?) / (2.0 * h))
}

fn bound_value(env: &Env, var: &str) -> Result<f64, EvalError> {
    env.get(var).ok_or_else(|| EvalError {
        expr: Expr::sym(var),
        reason: EvalReason::Unbound(var.into()),
    })
}

/// A number the evaluators compute with: `f64` or [`Dual`]. The sweep is written once over
/// this trait, so values and dual numbers follow the same rules.
trait Scalar: Copy {
    fn number(value: f64) -> Self;
    fn add(self, other: Self) -> Self;
    fn mul(self, other: Self) -> Self;
    fn pow(self, exp: Self) -> Result<Self, EvalReason>;
    fn call(self, f: Func) -> Result<Self, EvalReason>;
    fn is_finite(self) -> bool;
}

impl Scalar for f64 {
    fn number(value: f64) -> f64 {
        value
    }

    fn add(self, other: f64) -> f64 {
        self + other
    }

    fn mul(self, other: f64) -> f64 {
        self * other
    }

    fn pow(self, exp: f64) -> Result<f64, EvalReason> {
        table::power(self, exp)
    }

    fn call(self, f: Func) -> Result<f64, EvalReason> {
        table::apply(f, self).ok_or(EvalReason::Domain)
    }

    fn is_finite(self) -> bool {
        f64::is_finite(self)
    }
}

/// Node values keyed by node identity.
type Values<T> = rustc_hash::FxHashMap<usize, T>;

/// Evaluates every node of `nodes` (a post-order, children first), symbols through `leaf`.
fn forward<T: Scalar>(
    nodes: &[Expr],
    leaf: impl Fn(&str) -> Option<T>,
) -> Result<Values<T>, EvalError> {
    let mut values: Values<T> = Values::with_capacity_and_hasher(nodes.len(), Default::default());
    for node in nodes {
        let value = node_value(node, |c| value_of(&values, c), &leaf)
            .and_then(|v| {
                if v.is_finite() {
                    Ok(v)
                } else {
                    Err(EvalReason::NonFinite)
                }
            })
            .map_err(|reason| EvalError {
                expr: node.clone(),
                reason,
            })?;
        values.insert(node.id(), value);
    }
    Ok(values)
}

/// The `f64` values of every node of an expression at a few points: see [`values_at_points`].
pub(crate) struct PointValues {
    /// Node identity to its position in `values`.
    index: Values<usize>,
    points: usize,
    /// One run of `points` values per node; `None` where the node is undefined or not finite.
    values: Vec<Option<f64>>,
}

impl PointValues {
    /// The values of a node of the expression at the points, or `None` for another node.
    pub(crate) fn of(&self, node: &Expr) -> Option<&[Option<f64>]> {
        let i = *self.index.get(&node.id())?;
        self.values.get(i * self.points..(i + 1) * self.points)
    }
}

/// The `f64` value of every node of `e` at each of `points`: `None` at a point where the node
/// (or a node below it) is undefined or not finite. Children first, each node once however
/// often it is shared.
pub(crate) fn values_at_points(e: &Expr, points: &[Env]) -> PointValues {
    let nodes = e.postorder();
    let p = points.len();
    let mut index: Values<usize> =
        Values::with_capacity_and_hasher(nodes.len(), Default::default());
    let mut values: Vec<Option<f64>> = Vec::with_capacity(nodes.len() * p);
    for (i, node) in nodes.iter().enumerate() {
        for (k, env) in points.iter().enumerate() {
            let child = |c: &Expr| index.get(&c.id()).and_then(|&j| values[j * p + k]);
            let value = node
                .children()
                .all(|c| child(c).is_some())
                .then(|| node_value(node, |c| child(c).unwrap_or(f64::NAN), |s| env.get(s)))
                .and_then(Result::ok)
                .filter(|v| v.is_finite());
            values.push(value);
        }
        index.insert(node.id(), i);
    }
    PointValues {
        index,
        points: p,
        values,
    }
}

/// The value of an evaluated node. Post-order guarantees it is there; were it missing, NaN
/// would surface as [`EvalReason::NonFinite`] rather than as a wrong number.
fn value_of<T: Scalar>(values: &Values<T>, node: &Expr) -> T {
    values
        .get(&node.id())
        .copied()
        .unwrap_or(T::number(f64::NAN))
}

/// The value of one node from its children's values `v`.
fn node_value<T: Scalar>(
    node: &Expr,
    v: impl Fn(&Expr) -> T,
    leaf: impl Fn(&str) -> Option<T>,
) -> Result<T, EvalReason> {
    let value = match node.kind() {
        Kind::Num(n) => T::number(n.to_f64()),
        Kind::Const(c) => T::number(c.value()),
        Kind::Sym(s) => leaf(s).ok_or_else(|| EvalReason::Unbound(s.clone()))?,
        Kind::Add(terms) => terms
            .iter()
            .map(&v)
            .reduce(T::add)
            .unwrap_or(T::number(0.0)),
        Kind::Mul(factors) => factors
            .iter()
            .map(&v)
            .reduce(T::mul)
            .unwrap_or(T::number(1.0)),
        Kind::Pow(base, exp) => v(base).pow(v(exp))?,
        Kind::Call(f, u) => v(u).call(*f)?,
        Kind::Undef { name, .. } => return Err(EvalReason::UndefinedFunction(name.clone())),
    };
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn x() -> Expr {
        Expr::sym("x")
    }

    fn at(value: f64) -> Env {
        Env::new().with("x", value)
    }

    fn reason(e: &Expr, env: &Env) -> Option<EvalReason> {
        eval(e, env).err().map(|err| err.reason)
    }

    #[test]
    fn evaluates_functions_powers_and_constants() {
        let f = x().sin().pow(2) + x().cos().pow(2);
        assert!((eval(&f, &at(0.7)).unwrap_or(f64::NAN) - 1.0).abs() < 1e-15);
        assert_eq!(eval(&Expr::pi(), &Env::new()), Ok(std::f64::consts::PI));
        assert_eq!(eval(&Expr::ratio(1, 4), &Env::new()), Ok(0.25));
    }

    #[test]
    fn failures_name_the_subexpression_and_the_reason() {
        let inner = (x() - 2).ln();
        let f = inner.clone() + x();
        let err = eval(&f, &at(1.0));
        assert_eq!(
            err,
            Err(EvalError {
                expr: inner,
                reason: EvalReason::Domain
            })
        );
        assert_eq!(
            reason(&x().recip(), &at(0.0)),
            Some(EvalReason::DivisionByZero)
        );
        assert_eq!(reason(&x().sqrt(), &at(-1.0)), Some(EvalReason::Domain));
        assert_eq!(
            reason(&x().pow(Expr::ratio(1, 3)), &at(-8.0)),
            Some(EvalReason::Domain)
        );
        assert_eq!(reason(&x().asin(), &at(2.0)), Some(EvalReason::Domain));
        assert_eq!(reason(&x().exp(), &at(1000.0)), Some(EvalReason::NonFinite));
        assert_eq!(
            reason(&x(), &Env::new()),
            Some(EvalReason::Unbound("x".into()))
        );
        let f = Expr::undef("f".into(), 0, x());
        assert_eq!(
            reason(&f, &at(1.0)),
            Some(EvalReason::UndefinedFunction("f".into()))
        );
        let zero_to_minus_one = Expr::int(0).pow(-1);
        assert_eq!(
            reason(&zero_to_minus_one, &Env::new()),
            Some(EvalReason::DivisionByZero)
        );
    }

    #[test]
    fn negative_bases_with_integer_exponents_are_real() {
        assert_eq!(eval(&x().pow(3), &at(-2.0)), Ok(-8.0));
        assert_eq!(eval(&x().pow(-2), &at(-2.0)), Ok(0.25));
        assert_eq!(eval(&x().sign(), &at(0.0)), Ok(0.0));
        assert_eq!(eval(&x().abs(), &at(-3.0)), Ok(3.0));
    }

    #[test]
    fn finite_differences_approximate_the_slope() {
        let f = x().exp();
        let forward = forward_difference(&f, &at(0.0), "x", 1e-7).unwrap_or(f64::NAN);
        let central = central_difference(&f, &at(0.0), "x", 1e-5).unwrap_or(f64::NAN);
        assert!((forward - 1.0).abs() < 1e-6);
        assert!((central - 1.0).abs() < 1e-9);
        assert!(central_difference(&f, &Env::new(), "x", 1e-5).is_err());
    }
}
