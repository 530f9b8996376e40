//! deriv: exact symbolic differentiation.
#![warn(missing_docs)]

mod expr;
mod num;
mod parse;
mod syntax;

pub use expr::{Constant, Expr, Func, Kind, Symbol, term_order};
pub use num::Number;
pub use parse::{
    MAX_DEPTH, MAX_EXPONENT_DIGITS, ParseError, ParseErrorKind, ParseOptions, parse, parse_list,
    parse_with,
};

impl std::fmt::Display for Expr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "<expr>")
    }
}
