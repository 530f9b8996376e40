//! deriv: exact symbolic differentiation.
//!
//! Text in, exact derivative out: [`parse`] reads a formula into an [`Expr`] (exact
//! rationals, canonical form, shared subexpressions), [`diff`] differentiates it by rules,
//! [`simplify`] shortens the result by equality saturation with polynomial normal forms, and
//! [`to_text`] / [`to_latex`] print it. [`eval`], [`eval_dual`] and [`reverse_gradient`]
//! give numbers, for checking and for automatic differentiation; [`eval_precise`] gives
//! them with hundreds of bits, as a reference, and [`eval_settled`] with as many as an
//! `f64`'s accuracy takes. [`parse_program`] keeps a formula's bindings
//! as names, and [`Program::diff`] differentiates them one by one (forward mode), linear in
//! their number.
//!
//! ```
//! use deriv::{Expr, Limits, PrintLimits, diff, parse, simplify, to_latex};
//!
//! let f = parse("x^2*sin(x)")?;
//! let raw = diff(&f, "x", 1)?;
//! let d = simplify(&raw, &Limits::default()).expr;
//! assert_eq!(d.to_string(), "x*(x*cos(x) + 2*sin(x))");
//! assert_eq!(
//!     to_latex(&d, &PrintLimits::default())?,
//!     r"x \left(x \cos\left(x\right) + 2 \sin\left(x\right)\right)"
//! );
//!
//! // Building expressions in Rust:
//! let x = Expr::sym("x");
//! let g = x.clone().sin() * x.pow(2);
//! assert_eq!(g, f);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![warn(missing_docs)]

pub mod cli;
mod compare;
mod diff;
mod eval;
mod expr;
mod higher;
mod num;
mod parse;
mod plot;
mod poly;
mod prepare;
mod print;
mod program;
mod simplify;
mod syntax;

pub use compare::{
    CompareError, Comparison, MethodResult, SweepPoint, compare, difference_sweep, sweep_steps,
};
pub use diff::{
    DiffError, DiffLimits, INLINE_NODES, MAX_NODES, MAX_ORDER, derivative_of, diff,
    diff_with_limits, diff_wrt, gradient, hessian, jacobian,
};
pub use eval::{
    Conflict, Dual, Env, EvalError, EvalReason, Interval, MAX_PRECISION_BITS, Need, Precise,
    REFERENCE_BITS, SETTLE_TO_BITS, Undefined, central_difference, eval, eval_dual, eval_exact,
    eval_precise, eval_settled, forward_difference, reverse_gradient, undefined_subexpression,
};
pub use expr::{
    Constant, Expr, Func, Kind, MAX_CANCELLED, Symbol, recording_cancelled, term_order,
};
pub use higher::{SIMPLIFY_BETWEEN_AT, differentiate_simplifying};
pub use num::Number;
pub use parse::{
    MAX_DEPTH, MAX_EXPONENT_DIGITS, MAX_PRODUCT_BITS, ParseError, ParseErrorKind, ParseOptions,
    Parsed, ProgramRead, parse, parse_list, parse_list_with_cancelled, parse_program, parse_with,
    parse_with_cancelled,
};
pub use plot::{ERROR_FLOOR, error_plot_svg};
pub use poly::{cancel, expand, factor, smallest_normal_form, together};
pub use prepare::{check_derivative, prepare, prepare_parsed, prepare_parsed_list};
pub use print::{
    Format, PrintLimits, TooLarge, program_to_latex, program_to_text, to_cse, to_latex, to_text,
};
pub use program::{Binding, Program, ProgramError};
pub use simplify::{
    Limits, RULES, Report, Rule, Scope, Simplified, Step, StopReason, Topic, simplify,
    write_out_inverses,
};
