//! deriv: exact symbolic differentiation.
#![warn(missing_docs)]

pub mod cli;
mod diff;
mod eval;
mod expr;
mod num;
mod parse;
mod poly;
mod print;
mod simplify;
mod syntax;

pub use diff::{
    DiffError, DiffLimits, MAX_NODES, MAX_ORDER, derivative_of, diff, diff_with_limits, diff_wrt,
};
pub use eval::{
    Dual, Env, EvalError, EvalReason, central_difference, eval, eval_dual, forward_difference,
    reverse_gradient,
};
pub use expr::{Constant, Expr, Func, Kind, Symbol, term_order};
pub use num::Number;
pub use parse::{
    MAX_DEPTH, MAX_EXPONENT_DIGITS, ParseError, ParseErrorKind, ParseOptions, parse, parse_list,
    parse_with,
};
pub use poly::{cancel, expand, factor, smallest_normal_form, together};
pub use print::{Format, PrintLimits, TooLarge, to_latex, to_text};
pub use simplify::{
    Limits, RULES, Report, Rule, Scope, Simplified, Step, StopReason, Topic, simplify,
};
