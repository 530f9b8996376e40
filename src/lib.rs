//! deriv: exact symbolic differentiation.
#![warn(missing_docs)]

mod expr;
mod num;
mod print;
mod syntax;

pub use expr::{Constant, Expr, Func, Kind, Symbol, term_order};
pub use num::Number;
pub use print::{Format, PrintLimits, TooLarge, to_latex, to_text};
