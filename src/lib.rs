//! deriv: exact symbolic differentiation.
#![warn(missing_docs)]

mod diff;
mod eval;
mod expr;
mod num;
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

impl std::fmt::Display for Expr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "<expr>")
    }
}
