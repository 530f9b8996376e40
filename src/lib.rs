//! deriv: exact symbolic differentiation.
#![warn(missing_docs)]

mod expr;
mod num;
mod poly;
mod syntax;

pub use expr::{Constant, Expr, Func, Kind, Symbol, term_order};
pub use num::Number;
pub use poly::{cancel, expand, factor, smallest_normal_form, together};

impl std::fmt::Display for Expr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "<expr>")
    }
}
