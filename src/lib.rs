//! deriv: exact symbolic differentiation.
#![warn(missing_docs)]

pub mod cli;
mod expr;
mod num;
mod poly;
mod simplify;
mod syntax;

pub use expr::{Constant, Expr, Func, Kind, Symbol, term_order};
pub use num::Number;
pub use simplify::{Limits, Report, Simplified, StopReason, simplify};

impl std::fmt::Display for Expr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "<expr>")
    }
}
