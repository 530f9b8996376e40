//! Shared test helpers: a proptest generator of random expressions.
//!
//! Expressions are over the symbols `x` and `y`, with every known function, small integer
//! and rational exponents, general powers `u^v`, small numbers and the constants `pi` and
//! `e`. They are built with the canonical constructors, so they are what the parser would
//! produce for the same text. Undefined functions are left out: they have no value, and the
//! numeric tests are the main users.

#![allow(dead_code)]

pub mod formulas;

use deriv::{Constant, Expr, Func, Number};
use proptest::prelude::*;
use proptest::sample::select;

/// The symbols the generator uses.
pub const SYMBOLS: &[&str] = &["x", "y"];

/// How the generator shapes an expression.
#[derive(Clone, Copy, Debug)]
pub struct Shape {
    /// Nesting levels of operations and calls above the leaves, at most.
    pub depth: u32,
    /// How many times likelier an operation is than a leaf below the top level.
    pub operation_weight: u32,
}

impl Default for Shape {
    fn default() -> Shape {
        Shape {
            depth: 4,
            operation_weight: 4,
        }
    }
}

/// Random expressions of the default [`Shape`].
pub fn expr() -> BoxedStrategy<Expr> {
    expr_with(Shape::default())
}

/// Random expressions of the given shape.
///
/// Built level by level rather than with `prop_recursive`, whose expressions are mostly
/// leaves once canonical construction has folded the numbers.
pub fn expr_with(shape: Shape) -> BoxedStrategy<Expr> {
    (0..shape.depth).fold(leaf(), |inner, _| {
        prop_oneof![
            1 => leaf(),
            shape.operation_weight => operation(inner),
        ]
        .boxed()
    })
}

/// One operation or function call on expressions from `inner`.
fn operation(inner: BoxedStrategy<Expr>) -> BoxedStrategy<Expr> {
    prop_oneof![
        3 => prop::collection::vec(inner.clone(), 2..=3).prop_map(Expr::sum),
        3 => prop::collection::vec(inner.clone(), 2..=3).prop_map(Expr::product),
        2 => (inner.clone(), inner.clone()).prop_map(|(a, b)| a / b),
        1 => inner.clone().prop_map(|a| -a),
        3 => (inner.clone(), exponent()).prop_map(|(base, exp)| base.pow(exp)),
        1 => (inner.clone(), inner.clone()).prop_map(|(base, exp)| base.pow(exp)),
        4 => (function(), inner).prop_map(|(f, arg)| Expr::call(f, arg)),
    ]
    .boxed()
}

/// A symbol, a small integer or fraction, or a constant.
pub fn leaf() -> BoxedStrategy<Expr> {
    prop_oneof![
        4 => select(SYMBOLS).prop_map(Expr::sym),
        2 => (-5i64..=5).prop_map(Expr::int),
        1 => (-5i64..=5, 2i64..=4).prop_map(|(p, q)| Expr::ratio(p, q)),
        1 => select(vec![Constant::Pi, Constant::E]).prop_map(Expr::constant),
    ]
    .boxed()
}

/// Any known function.
pub fn function() -> impl Strategy<Value = Func> {
    select(Func::ALL)
}

/// A small exponent: an integer from -3 to 3 or a fraction with denominator 2 or 3.
pub fn exponent() -> impl Strategy<Value = Expr> {
    prop_oneof![
        (-3i64..=3).prop_map(Expr::int),
        (-5i64..=5, 2i64..=3).prop_map(|(p, q)| Expr::ratio(p, q)),
    ]
}

/// A point `(x, y)` in a box around the origin where most functions are defined.
pub fn point() -> impl Strategy<Value = (f64, f64)> {
    (-3.0f64..3.0, -3.0f64..3.0)
}

/// The exact number `n`, for building expected expressions.
pub fn num(n: i64) -> Expr {
    Expr::num(Number::int(n))
}

/// The expression as an s-expression, for failure messages: `(+ (* 2 x) (sin y))`.
///
/// Printing proper belongs to the printer; this only has to be unambiguous. Recursive, for
/// the shallow expressions of tests.
pub fn sexpr(e: &Expr) -> String {
    use deriv::Kind;
    let list = |head: &str, xs: &[Expr]| {
        let parts: Vec<String> = xs.iter().map(sexpr).collect();
        format!("({head} {})", parts.join(" "))
    };
    match e.kind() {
        Kind::Num(n) => n.to_string(),
        Kind::Const(c) => c.name().to_owned(),
        Kind::Sym(s) => s.to_string(),
        Kind::Add(xs) => list("+", xs),
        Kind::Mul(xs) => list("*", xs),
        Kind::Pow(b, p) => list("^", &[b.clone(), p.clone()]),
        Kind::Call(f, a) => list(f.name(), std::slice::from_ref(a)),
        Kind::Undef { name, order, arg } => {
            format!("({name}{} {})", "'".repeat(*order as usize), sexpr(arg))
        }
    }
}

/// Snapshots live in the top-level `snapshots/` folder, named without the module prefix.
#[macro_export]
macro_rules! deriv_snapshot {
    ($name:expr, $value:expr) => {
        insta::with_settings!({
            snapshot_path => concat!(env!("CARGO_MANIFEST_DIR"), "/snapshots"),
            prepend_module_to_snapshot => false,
        }, {
            insta::assert_snapshot!($name, $value);
        })
    };
}

/// A central difference at `h = 1e-5`, when the function is smooth enough there for it to
/// mean something: the differences at `h = 1e-4` and `h = 1e-5` agree.
pub fn smooth_central_difference(f: &deriv::Expr, env: &deriv::Env, var: &str) -> Option<f64> {
    let coarse = deriv::central_difference(f, env, var, 1e-4).ok()?;
    let fine = deriv::central_difference(f, env, var, 1e-5).ok()?;
    let agree = (coarse - fine).abs() <= 1e-6 * (1.0 + fine.abs());
    (agree && fine.is_finite()).then_some(fine)
}
