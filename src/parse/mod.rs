//! Reading formulas: text to [`Expr`].
//!
//! The grammar is written down in `grammar/README.md`, the single source of truth: every
//! production there is a method of the same name in `grammar.rs`, and every example there is
//! checked by `tests/grammar.rs`. nom stays inside this module: its errors are converted at
//! the boundary into the owned, positioned [`ParseError`].
//!
//! A formula is first read by `fast.rs`, which reads the plainest formulas (ASCII tokens, no
//! binding, no mistake) in a fraction of the grammar's steps and builds the same value; at
//! anything else it gives up, and the grammar reads the text from the start.
//!
//! Formulas are built with the recorder of cancelled operands on
//! ([`crate::recording_cancelled`]): [`parse_with_cancelled`] hands them on, so that
//! [`crate::prepare_parsed`] checks `tan(pi/2)` in `0*tan(pi/2)`, which reads as `0`.
//!
//! **Invariant:** reading is linear in the input and its recursion is bounded by
//! [`ParseOptions::max_depth`], so no input can overflow the stack or take quadratic time.
//! An input that could nest deeper than a few levels is read on a thread of its own whose
//! stack is sized from the limit ([`on_a_stack_for`]), so the bound holds whatever the
//! caller's stack and whatever the build's optimisation level.

mod error;
mod fast;
mod grammar;
mod names;
mod tokens;

#[cfg(test)]
mod tests;

use std::str::FromStr;
use std::sync::LazyLock;

pub use error::{ParseError, ParseErrorKind};
use grammar::Grammar;
use tokens::{Failure, PResult, describe, position};

use crate::expr::{Expr, Symbol, recording_cancelled};
use crate::program::Program;

/// The default nesting limit: parentheses, calls, signs and `^` each take one level.
///
/// Deep enough for any formula a person writes, shallow enough that reading (and every
/// recursive pass over the result) stays far from the stack's end.
pub const MAX_DEPTH: usize = 256;

/// The default bound on a number literal: at most this many digits (leading zeros aside),
/// and an exponent of at most this magnitude (`1e10000` reads, `1e10001` does not).
pub const MAX_EXPONENT_DIGITS: u32 = 10_000;

/// The most bits the numbers of one product may have together (about 39,000 digits; a
/// literal has at most 10,000): beyond it, reading stops with
/// [`ParseErrorKind::ProductTooLarge`] before multiplying anything.
pub const MAX_PRODUCT_BITS: u64 = 1 << 17;

/// Stack reserved per level of nesting: twice the most measured (about 11 KiB per nested
/// call without optimisations, 2 KiB with them).
const STACK_PER_LEVEL: usize = 24 * 1024;

/// Stack reserved besides the nesting levels.
const STACK_BASE: usize = 256 * 1024;

/// Nesting that any ordinary thread's stack takes (at most about 350 KiB even without
/// optimisations): inputs that cannot nest deeper are read in place, without a thread.
const IN_PLACE_DEPTH: usize = 32;

/// How to read a formula.
///
/// ```
/// use deriv::{Expr, ParseOptions, parse_with};
///
/// let options = ParseOptions::default().with_function("u");
/// let e = parse_with("u(x)^2", &options).unwrap();
/// assert_eq!(e, Expr::undef("u".into(), 0, Expr::sym("x")).pow(2));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseOptions {
    /// Names of undefined functions: `f(u)` reads as `Expr::undef("f", 0, u)` and `f'(u)` as
    /// order 1. A declared name without `(` is an ordinary variable. Default `f`, `g`, `h`.
    pub functions: Vec<Symbol>,
    /// Names that a binding may not bind, because the formula is differentiated by them.
    /// Default `x`.
    pub variables: Vec<Symbol>,
    /// The nesting limit ([`MAX_DEPTH`] by default). Reading reserves a stack of about
    /// 24 KiB per level, so limits in the tens of thousands cost that much memory.
    pub max_depth: usize,
    /// The bound on number literals ([`MAX_EXPONENT_DIGITS`] by default): no literal may
    /// have more digits (leading zeros aside), or a larger decimal exponent.
    pub max_exponent_digits: u32,
    /// Values of names: each use of the name reads as its value, as if the text said it
    /// (`deriv eval` reads `(x - 1)/(x - 1)` at `x = 1` as `0/0`, undefined, where reading `x`
    /// first would cancel it to 1). Empty by default.
    pub values: Vec<(Symbol, Expr)>,
}

impl Default for ParseOptions {
    fn default() -> Self {
        ParseOptions {
            functions: ["f", "g", "h"].into_iter().map(Symbol::from).collect(),
            variables: vec![Symbol::from("x")],
            max_depth: MAX_DEPTH,
            max_exponent_digits: MAX_EXPONENT_DIGITS,
            values: Vec::new(),
        }
    }
}

impl ParseOptions {
    /// Declares one more undefined function.
    pub fn with_function(mut self, name: &str) -> Self {
        self.functions.push(Symbol::from(name));
        self
    }

    /// Adds a variable of differentiation, which bindings may not bind.
    pub fn with_variable(mut self, name: &str) -> Self {
        self.variables.push(Symbol::from(name));
        self
    }

    /// Sets the nesting limit.
    pub fn with_max_depth(mut self, max_depth: usize) -> Self {
        self.max_depth = max_depth;
        self
    }
}

/// Reads a formula with the default options.
///
/// ```
/// use deriv::{Expr, parse};
///
/// let x = Expr::sym("x");
/// assert_eq!(parse("-x^2 + 3x").unwrap(), -(x.clone().pow(2)) + Expr::int(3) * x);
/// assert_eq!(parse("u = x + 1; u^2").unwrap(), parse("(x + 1)^2").unwrap());
/// assert!(parse("1.2.3").is_err());
/// ```
pub fn parse(text: &str) -> Result<Expr, ParseError> {
    parse_with(text, &DEFAULT_OPTIONS)
}

/// The default options, built once: [`parse`] reads many short lines, and building them per
/// line costs several allocations.
static DEFAULT_OPTIONS: LazyLock<ParseOptions> = LazyLock::new(ParseOptions::default);

/// Reads a formula: bindings `name = expression;` and then the formula itself.
///
/// What the constructors cancelled while building it is dropped: [`parse_with_cancelled`]
/// keeps it, for [`crate::prepare_parsed`].
pub fn parse_with(text: &str, options: &ParseOptions) -> Result<Expr, ParseError> {
    parse_with_cancelled(text, options).map(|parsed| parsed.value)
}

/// A value as read, with the operands that canonical construction dropped from it
/// ([`crate::recording_cancelled`]): `0*tan(pi/2)` reads as `0`, with `tan(pi/2)` cancelled.
#[derive(Clone, Debug, PartialEq)]
pub struct Parsed<T = Expr> {
    /// The formula (or list of formulas) in canonical form.
    pub value: T,
    /// The distinct operands its construction cancelled (at most [`crate::MAX_CANCELLED`]).
    pub cancelled: Vec<Expr>,
}

/// Reads a formula as [`parse_with`] does, keeping what construction cancelled.
///
/// The fast reader goes first (in place when the formula nests little, else on a stack sized
/// for it); the grammar reads whatever it leaves, errors included.
///
/// ```
/// use deriv::{Expr, ParseOptions, parse_with_cancelled};
///
/// let parsed = parse_with_cancelled("x + 0*ln(-1)", &ParseOptions::default()).unwrap();
/// assert_eq!(parsed.value, Expr::sym("x"));
/// assert_eq!(parsed.cancelled, vec![Expr::int(-1).ln()]);
/// ```
pub fn parse_with_cancelled(text: &str, options: &ParseOptions) -> Result<Parsed, ParseError> {
    // Most formulas nest a few levels: the fast reader tries them in place first, at a depth
    // any stack takes, before the scans that size a stack for the rest.
    // The fast reader knows nothing of values given to names.
    let fast = options.values.is_empty();
    if fast {
        let grammar = Grammar::new(options);
        let (value, cancelled) =
            recording_cancelled(|| fast::formula(&grammar, options, text, IN_PLACE_DEPTH));
        if let Some(value) = value {
            return Ok(Parsed { value, cancelled });
        }
    }
    let (value, cancelled) = on_a_stack_for(text, options, || {
        recording_cancelled(|| {
            let grammar = Grammar::new(options);
            if fast && let Some(value) = fast::formula(&grammar, options, text, options.max_depth) {
                return Ok(value);
            }
            finish(
                text,
                grammar.program(text, "an expression", Grammar::formula),
            )
        })
    });
    Ok(Parsed {
        value: value?,
        cancelled,
    })
}

/// A formula read twice: with its bindings kept as names, and substituted.
#[derive(Clone, Debug, PartialEq)]
pub struct ProgramRead {
    /// The bindings kept as names (none when they fold away once substituted).
    pub program: Program,
    /// The formula as [`parse_with_cancelled`] reads it: what [`crate::prepare_parsed`]
    /// checks.
    pub substituted: Parsed,
}

/// Reads a formula with its bindings kept as names: a [`Program`], whose
/// [`Program::diff`] is linear in the number of bindings.
///
/// The text is first read as [`parse_with_cancelled`] reads it (`substituted`), so errors
/// are the same and every check that sees bound values (depth, sizes of numbers, `1/0`
/// through a binding) is made. A name bound again is renamed from there on (`u_2`), since
/// a program binds each name once. When substituting folds away a symbol that a part uses
/// through the bindings ([`Program::folds_across_bindings`]: `u = x^2; sqrt(u - x^2) + x`),
/// the chain rule through the names would write `0/0`, so the program is the substituted
/// formula, without bindings.
///
/// ```
/// use deriv::{ParseOptions, parse, parse_program};
///
/// let text = "u = x^2 + 1; u = sin(u); u*exp(u)";
/// let read = parse_program(text, &ParseOptions::default())?;
/// assert_eq!(read.program.to_string(), "u = x^2 + 1; u_2 = sin(u); u_2*exp(u_2)");
/// assert_eq!(read.program.inline(), read.substituted.value);
/// assert_eq!(read.substituted.value, parse(text)?);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn parse_program(text: &str, options: &ParseOptions) -> Result<ProgramRead, ParseError> {
    let substituted = parse_with_cancelled(text, options)?;
    let value = on_a_stack_for(text, options, || {
        let grammar = Grammar::keeping(options);
        let result = finish(
            text,
            grammar.program(text, "an expression", Grammar::formula),
        )?;
        Ok((grammar.into_kept(), result))
    });
    let (bindings, result) = value?;
    let program = Program::from_parser(bindings, result);
    let program = match program.folds_across_bindings() {
        true => Program::of(substituted.value.clone()),
        false => program,
    };
    Ok(ProgramRead {
        program,
        substituted,
    })
}

/// Reads a bracketed list of formulas, `[x*y, x + y, sin(x)]`, after optional bindings.
///
/// ```
/// use deriv::{Expr, ParseOptions, parse_list};
///
/// let items = parse_list("u = x*y; [u, u^2]", &ParseOptions::default()).unwrap();
/// let u = Expr::sym("x") * Expr::sym("y");
/// assert_eq!(items, vec![u.clone(), u.pow(2)]);
/// ```
pub fn parse_list(text: &str, options: &ParseOptions) -> Result<Vec<Expr>, ParseError> {
    parse_list_with_cancelled(text, options).map(|parsed| parsed.value)
}

/// Reads a bracketed list as [`parse_list`] does, keeping what construction cancelled in
/// any of its formulas or bindings.
pub fn parse_list_with_cancelled(
    text: &str,
    options: &ParseOptions,
) -> Result<Parsed<Vec<Expr>>, ParseError> {
    let (value, cancelled) = on_a_stack_for(text, options, || {
        recording_cancelled(|| {
            let grammar = Grammar::new(options);
            finish(text, grammar.program(text, "a list `[...]`", Grammar::list))
        })
    });
    Ok(Parsed {
        value: value?,
        cancelled,
    })
}

impl FromStr for Expr {
    type Err = ParseError;

    /// Reads a formula with the default options, as [`parse`] does.
    fn from_str(text: &str) -> Result<Expr, ParseError> {
        parse(text)
    }
}

/// Runs `read` on a stack large enough for the deepest nesting `text` may reach.
///
/// [`nesting_bound`] bounds the depth the grammar can reach on `text`. When it is small,
/// `read` runs in place; otherwise on a scoped thread whose stack has room for
/// [`ParseOptions::max_depth`] levels (reserved, not touched, so it costs address space and a
/// thread start of some microseconds). Should the thread not start, `read` runs in place.
fn on_a_stack_for<T: Send>(text: &str, options: &ParseOptions, read: impl Fn() -> T + Sync) -> T {
    // Most lines have fewer bytes that can take a level than the stack holds in place: they
    // skip the finer scan (a tenth of the time of reading a short formula).
    if level_bytes(text) <= IN_PLACE_DEPTH {
        return read();
    }
    let depth = nesting_bound(text).min(options.max_depth);
    if depth <= IN_PLACE_DEPTH {
        return read();
    }
    let size = depth
        .saturating_add(1)
        .saturating_mul(STACK_PER_LEVEL)
        .saturating_add(STACK_BASE);
    let read = &read;
    std::thread::scope(|scope| {
        let thread = std::thread::Builder::new()
            .name("deriv-parse".to_owned())
            .stack_size(size);
        match thread.spawn_scoped(scope, read) {
            Ok(handle) => handle
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
            Err(_) => read(),
        }
    })
}

/// A crude upper bound on the nesting depth that reading `text` can reach: the count of the
/// bytes at which the grammar may take a level (`(`, `[`, `|`, signs, `^`, each `*` of `**`, and
/// the first byte `0xE2` of the typeset `−` and `√`, which other signs share).
/// Every level is taken at one of them, a different one for each level, so there are never
/// more levels than these bytes. One simple pass, which the compiler vectorises.
fn level_bytes(text: &str) -> usize {
    text.bytes()
        .filter(|b| matches!(b, b'(' | b'[' | b'|' | b'+' | b'-' | b'^' | b'*' | 0xE2))
        .count()
}

/// An upper bound on the nesting depth that reading `text` can reach, in one pass.
///
/// Only `(`, `[`, signs and `^`/`**` take a level ([`grammar`]'s `deeper`). A bracket's level
/// lasts until it closes; a sign's or a `^`'s lasts until its operand ends, which is at the
/// latest at the next binary operator, `,`, `;`, `=`, or a factor juxtaposed to it (a name or
/// number right after an operand), all of which return to the level of the enclosing bracket.
/// The scan mirrors the tokens (numbers with their exponents, names with their digits) so
/// that the `-` of `2e-3` is not taken for an operator. Where it cannot tell (`a(`, a call or
/// a factor), it assumes the deeper reading. So the bound never undercounts, and a sum of a
/// million terms is bounded by the few levels of one term, not by its million operators.
fn nesting_bound(text: &str) -> usize {
    let bytes = text.as_bytes();
    // The enclosing brackets: the levels outside each, and whether it is a pair of bars.
    let mut enclosing: Vec<(usize, usize, bool)> = Vec::new();
    // The levels of the enclosing brackets, and those opened since by signs and `^`.
    let (mut base, mut chain, mut most) = (0usize, 0usize, 0usize);
    let mut after_operand = false;
    // Whether the last token (white space aside) is a known function's name, after which
    // a `|` opens its argument (`ln|x|`), as the grammar reads it.
    let mut after_function = false;
    let mut k = 0;
    while k < bytes.len() {
        let byte = bytes[k];
        let mut next = k + 1;
        let (mut function, mut space) = (false, false);
        match byte {
            // A `|` closes the innermost bracket when that is a pair of bars and an operand
            // (not a function's name) is before it; otherwise it opens a pair.
            b'|' if after_operand
                && !after_function
                && enclosing.last().is_some_and(|&(_, _, bars)| bars) =>
            {
                (base, chain, _) = enclosing.pop().unwrap_or((0, 0, false));
                after_operand = true;
            }
            b'(' | b'[' | b'|' => {
                enclosing.push((base, chain, byte == b'|'));
                base = base.saturating_add(chain).saturating_add(1);
                chain = 0;
                after_operand = false;
            }
            b')' | b']' => {
                (base, chain, _) = enclosing.pop().unwrap_or((0, 0, false));
                after_operand = true;
            }
            b'+' | b'-' if after_operand => {
                chain = 0;
                after_operand = false;
            }
            b'+' | b'-' | b'^' => {
                chain = chain.saturating_add(1);
                after_operand = false;
            }
            b'*' if bytes.get(k + 1) == Some(&b'*') => {
                chain = chain.saturating_add(1);
                after_operand = false;
                next = k + 2;
            }
            b'*' | b'/' | b',' | b';' | b'=' => {
                chain = 0;
                after_operand = false;
            }
            b'0'..=b'9' | b'.' => {
                next = number_end(bytes, k);
                chain = if after_operand { 0 } else { chain };
                after_operand = true;
            }
            _ => {
                let first = text.get(k..).and_then(|rest| rest.chars().next());
                let first = first.unwrap_or(' ');
                next = k + first.len_utf8();
                match first {
                    // The typeset minus, as `-`.
                    '−' if after_operand => {
                        chain = 0;
                        after_operand = false;
                    }
                    // A sign, or a root, which takes a level as a sign does.
                    '−' | '√' => {
                        chain = chain.saturating_add(1);
                        after_operand = false;
                    }
                    '×' | '·' | '⋅' | '÷' => {
                        chain = 0;
                        after_operand = false;
                    }
                    _ if first.is_alphabetic() => {
                        next = name_end(text, k);
                        chain = if after_operand { 0 } else { chain };
                        after_operand = true;
                        function = text
                            .get(k..next)
                            .and_then(names::Known::from_name)
                            .is_some();
                    }
                    _ => space = first.is_whitespace(),
                }
            }
        }
        if !space {
            after_function = function;
        }
        most = most.max(base.saturating_add(chain));
        k = next;
    }
    most
}

/// Where the name that starts at byte `start` (with a letter) ends: after its letters, digits
/// and `_`, Unicode ones included but raised digits (`x²` is a power), as the grammar reads
/// names. ASCII is read byte by byte, the rest by characters.
fn name_end(text: &str, start: usize) -> usize {
    let bytes = text.as_bytes();
    let ascii = bytes.get(start..).map_or(0, |rest| {
        rest.iter()
            .take_while(|b| b.is_ascii_alphanumeric() || **b == b'_')
            .count()
    });
    let k = start + ascii;
    match (bytes.get(k), text.get(k..)) {
        (Some(b), Some(rest)) if !b.is_ascii() => {
            k + rest
                .find(|c: char| !tokens::is_name_char(c))
                .unwrap_or(rest.len())
        }
        _ => k,
    }
}

/// Where the number token that starts at byte `start` ends: digits, a point and digits, and
/// an exponent `e`, sign, digits when digits follow (as `tokens::number` reads it).
fn number_end(bytes: &[u8], start: usize) -> usize {
    let digits_from = |k: usize| {
        k + bytes.get(k..).map_or(0, |rest| {
            rest.iter().take_while(|b| b.is_ascii_digit()).count()
        })
    };
    let mut k = digits_from(start);
    if bytes.get(k) == Some(&b'.') {
        k = digits_from(k + 1);
    }
    if matches!(bytes.get(k), Some(b'e' | b'E')) {
        let sign = usize::from(matches!(bytes.get(k + 1), Some(b'+' | b'-')));
        let end = digits_from(k + 1 + sign);
        if end > k + 1 + sign {
            k = end;
        }
    }
    k.max(start + 1)
}

/// Converts nom's outcome into ours: the value, or an owned, positioned error.
fn finish<T>(text: &str, result: PResult<'_, T>) -> Result<T, ParseError> {
    let failure = match result {
        Ok((_, value)) => return Ok(value),
        Err(nom::Err::Error(failure) | nom::Err::Failure(failure)) => failure,
        Err(nom::Err::Incomplete(_)) => {
            let end = tokens::skip(text, text.len());
            Failure {
                at: end,
                kind: None,
            }
        }
    };
    let at = failure.at;
    let kind = failure.kind.map_or_else(
        || ParseErrorKind::Unexpected {
            expected: "an expression".to_owned(),
            found: describe(&at),
        },
        |kind| *kind,
    );
    let (offset, line, column) = position(text, at);
    Err(ParseError::new(
        kind,
        offset,
        line,
        column,
        line_around(text, offset),
    ))
}

/// The whole line of `text` that holds byte `offset`, without its line break.
///
/// Taken from the text rather than the span, whose fragment may end before the line does.
fn line_around(text: &str, offset: usize) -> &str {
    let offset = offset.min(text.len());
    let start = text
        .get(..offset)
        .and_then(|before| before.rfind('\n'))
        .map_or(0, |k| k + 1);
    let end = text
        .get(offset..)
        .and_then(|after| after.find('\n'))
        .map_or(text.len(), |k| offset + k);
    text.get(start..end).unwrap_or("")
}
