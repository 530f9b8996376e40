//! deriv: exact symbolic differentiation.
#![warn(missing_docs)]

pub mod cli;
mod expr;
mod num;
mod parse;
mod poly;
mod print;
mod simplify;
mod syntax;

pub use expr::{Constant, Expr, Func, Kind, Symbol, term_order};
pub use num::Number;
pub use parse::{
    MAX_DEPTH, MAX_EXPONENT_DIGITS, ParseError, ParseErrorKind, ParseOptions, parse, parse_list,
    parse_with,
};
pub use print::{Format, PrintLimits, TooLarge, to_latex, to_text};
pub use simplify::{Limits, Report, Simplified, StopReason, simplify};
