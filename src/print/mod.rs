//! Printers: plain text that the parser reads back, and LaTeX for people.
//!
//! Both printers share one iterative driver ([`render`]): a layout turns one node into a few
//! [`Piece`]s (literal text, or child nodes still to print), and the driver writes them from
//! an explicit stack. Nothing here recurses on the expression, so any depth prints, and the
//! driver stops as soon as the output passes [`PrintLimits::max_chars`].
//!
//! **Invariant:** the text printer writes only forms that the parser turns back into the same
//! canonical [`Expr`]. Where a pretty form might not (a factor moved to a denominator), the
//! layout checks with the canonical constructors before choosing it ([`denominator_form`]).

mod cse;
mod latex;
mod program;
mod text;

use std::borrow::Cow;

use thiserror::Error;

use crate::expr::{Expr, Kind};
use crate::num::Number;
use crate::syntax::{Prec, Side};

pub use cse::to_cse;
pub use latex::to_latex;
pub use program::{program_to_latex, program_to_text};
pub use text::to_text;

/// How much output a printer may produce.
///
/// ```
/// use deriv::{Expr, PrintLimits, to_text};
///
/// let limits = PrintLimits::default().with_max_chars(6);
/// assert_eq!(to_text(&Expr::sym("x").sin(), &limits).unwrap(), "sin(x)");
/// assert!(to_text(&Expr::sym("x").sin().cos(), &limits).is_err());
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PrintLimits {
    /// The longest output, in bytes, a printer writes before giving up with [`TooLarge`].
    pub max_chars: usize,
}

impl Default for PrintLimits {
    /// A million characters: far more than anyone reads, far less than memory allows.
    fn default() -> PrintLimits {
        PrintLimits {
            max_chars: 1_000_000,
        }
    }
}

impl PrintLimits {
    /// These limits with a different [`PrintLimits::max_chars`].
    pub fn with_max_chars(self, max_chars: usize) -> PrintLimits {
        PrintLimits { max_chars }
    }
}

/// A printer refused an expression whose output would pass [`PrintLimits::max_chars`].
///
/// An expression shared as a DAG can stand for a tree of 10^9 nodes; such a one is refused
/// from its cached tree size before any work, the others as soon as the output passes the
/// limit.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
#[error(
    "expression too large to print: {nodes} nodes as a tree, at least {chars} characters, \
     over the limit of {limit} characters"
)]
pub struct TooLarge {
    /// The expression's size as a tree (saturating).
    pub nodes: u64,
    /// A lower bound on the length of the output.
    pub chars: u64,
    /// The limit that was passed.
    pub limit: usize,
}

/// Limits for the rest of the output once `used` bytes are written: printers that write
/// several expressions (bindings) bound the whole.
fn remaining(limits: &PrintLimits, used: usize) -> PrintLimits {
    PrintLimits {
        max_chars: limits.max_chars.saturating_sub(used),
    }
}

/// The output formats, so that a caller picks one by value.
///
/// ```
/// use deriv::{Expr, Format, PrintLimits};
///
/// let e = Expr::sym("x").pow(Expr::ratio(1, 2));
/// let limits = PrintLimits::default();
/// assert_eq!(Format::Text.render(&e, &limits).unwrap(), "sqrt(x)");
/// assert_eq!(Format::Latex.render(&e, &limits).unwrap(), r"\sqrt{x}");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Format {
    /// Plain text that the parser reads back ([`to_text`]).
    Text,
    /// LaTeX math-mode source ([`to_latex`]).
    Latex,
}

impl Format {
    /// Prints `e` in this format.
    pub fn render(self, e: &Expr, limits: &PrintLimits) -> Result<String, TooLarge> {
        match self {
            Format::Text => to_text(e, limits),
            Format::Latex => to_latex(e, limits),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The driver shared by both printers.

/// One step of output: text to write, or a node still to lay out.
enum Piece {
    /// Literal text.
    Str(&'static str),
    /// Computed text (a number, a name).
    Owned(String),
    /// `text` written `count` times (the primes of `f'''(x)`); checked against the limit
    /// before it is built, so a huge derivative order cannot allocate.
    Repeat(&'static str, u32),
    /// A node to lay out; `true` prints its negation (a term after ` - `).
    Node(Expr, bool),
}

/// How one format lays out one node: the pieces it is made of, in reading order.
trait Layout {
    /// Appends the pieces of `e` (negated when `negate`) to `out`.
    fn expand(&self, e: &Expr, negate: bool, out: &mut Vec<Piece>);
}

/// Writes `e` with `layout`, iteratively, refusing output past `limits`.
fn render(layout: &impl Layout, e: &Expr, limits: &PrintLimits) -> Result<String, TooLarge> {
    refuse_obviously_too_large(e, limits)?;
    let too_large = |chars: u64| TooLarge {
        nodes: e.tree_size(),
        chars,
        limit: limits.max_chars,
    };
    let mut out = String::new();
    let mut stack = vec![Piece::Node(e.clone(), false)];
    let mut pieces = Vec::new();
    while let Some(piece) = stack.pop() {
        let text = match piece {
            Piece::Str(s) => Cow::Borrowed(s),
            Piece::Owned(s) => Cow::Owned(s),
            Piece::Repeat(s, count) => {
                let total = (out.len() as u64)
                    .saturating_add((s.len() as u64).saturating_mul(u64::from(count)));
                if total > limits.max_chars as u64 {
                    return Err(too_large(total));
                }
                Cow::Owned(s.repeat(count as usize))
            }
            Piece::Node(node, negate) => {
                layout.expand(&node, negate, &mut pieces);
                stack.extend(pieces.drain(..).rev());
                continue;
            }
        };
        out.push_str(&text);
        if out.len() > limits.max_chars {
            return Err(too_large(out.len() as u64));
        }
    }
    Ok(out)
}

/// Refuses, in constant time, an expression whose tree is so large that its output must pass
/// the limit.
///
/// Every node of the tree shows in the output: a leaf as at least one character (a
/// coefficient `-1` as the minus sign, an exponent `-1` as the `/` or `*` around its
/// factor), a function as its name and parentheses, a sum or product as the operators between
/// its operands. The worst case, `-x` or the `x*` of `1/(x*y)`, writes two characters for
/// three nodes, so the output has at least `tree_size / 2` characters.
fn refuse_obviously_too_large(e: &Expr, limits: &PrintLimits) -> Result<(), TooLarge> {
    let chars = min_chars(e);
    if chars > limits.max_chars as u64 {
        return Err(TooLarge {
            nodes: e.tree_size(),
            chars,
            limit: limits.max_chars,
        });
    }
    Ok(())
}

/// The lower bound on the output length used by [`refuse_obviously_too_large`].
fn min_chars(e: &Expr) -> u64 {
    e.tree_size() / 2
}

// ---------------------------------------------------------------------------------------------
// Layout decisions shared by both printers.

/// A factor of a printed product: a positive integer from the coefficient, or an expression.
enum Factor {
    /// The numerator or denominator of the coefficient (never 1).
    Int(Number),
    /// A factor of the product (in a denominator, with its exponent negated).
    Expr(Expr),
}

/// A product laid out as a signed fraction: `-3*x*y/(2*z)` is negative, numerator
/// `[3, x, y]`, denominator `[2, z]`.
struct Quotient {
    negative: bool,
    numer: Vec<Factor>,
    denom: Vec<Factor>,
}

/// Lays out a product, or a power with a negative exponent, as a fraction; `None` for any
/// other node. `negate` flips the sign (for a term after ` - `).
fn quotient(e: &Expr, negate: bool) -> Option<Quotient> {
    let (coeff, factors): (Number, &[Expr]) = match e.kind() {
        Kind::Mul(xs) => match xs[0].as_num() {
            Some(c) => (c.clone(), &xs[1..]),
            None => (Number::one(), &xs[..]),
        },
        Kind::Pow(..) if denominator_form(e).is_some() => (Number::one(), std::slice::from_ref(e)),
        _ => return None,
    };
    let coeff = if negate { coeff.neg() } else { coeff };
    let (p, q) = coeff.abs().parts();
    let mut flipped: Vec<Option<Expr>> = factors.iter().map(denominator_form).collect();
    let denominator_len = flipped.iter().flatten().count() + usize::from(!q.is_one());
    if denominator_len > 1 {
        // `1/(2*0)` would read back as `1/0`: a number (only ever a zero, `0^-1` flipped)
        // stays in the numerator when it would share the denominator.
        flipped
            .iter_mut()
            .filter(|f| f.as_ref().is_some_and(|f| f.as_num().is_some()))
            .for_each(|f| *f = None);
    }
    let mut numer = Vec::with_capacity(factors.len() + 1);
    let mut denom = Vec::new();
    if !p.is_one() {
        numer.push(Factor::Int(p));
    }
    if !q.is_one() {
        denom.push(Factor::Int(q));
    }
    for (factor, flipped) in factors.iter().zip(flipped) {
        match flipped {
            Some(flipped) => denom.push(Factor::Expr(flipped)),
            None => numer.push(Factor::Expr(factor.clone())),
        }
    }
    Some(Quotient {
        negative: coeff.is_negative(),
        numer,
        denom,
    })
}

/// The denominator `b^-n` belongs to, `b^n`, when the factor is a power with a negative
/// exponent and writing it as `1/b^n` reads back as the same expression.
///
/// The check uses the canonical constructors, so it cannot disagree with the parser:
/// `0^-2` stays as it is, because `1/0^2` reads back as `0^-1`.
fn denominator_form(factor: &Expr) -> Option<Expr> {
    let Kind::Pow(base, exp) = factor.kind() else {
        return None;
    };
    if !exp.is_negative_term() {
        return None;
    }
    let flipped = base.clone().pow(-exp);
    (flipped.clone().recip() == *factor).then_some(flipped)
}

/// The exponent's value when it is the number `1/q` for a small root index `q`.
fn root_index(exp: &Expr) -> Option<u32> {
    let n = exp.as_num()?;
    let (p, q) = n.parts();
    if !p.is_one() {
        return None;
    }
    q.to_i64().and_then(|q| u32::try_from(q).ok())
}

#[cfg(test)]
mod reparse;
#[cfg(test)]
mod tests;

/// The order in which a sum's terms are printed: the stored order, except that a sum of two
/// terms, the first negative and the second not, is printed the other way round (`1 - x^2`,
/// `y - x`, not `-x^2 + 1`). Longer sums keep their order, so polynomials still read from
/// the highest degree down. The parser puts the terms back in canonical order, so this does
/// not change what the text reads back as.
fn print_order(terms: &[Expr]) -> Vec<&Expr> {
    match terms {
        [a, b] if a.is_negative_term() && !b.is_negative_term() => vec![b, a],
        _ => terms.iter().collect(),
    }
}

/// Writes a signed operand: the format's own rule for parentheses and a dropped sign.
type OperandWriter = fn(&mut Vec<Piece>, &Expr, bool, Prec, Side);

/// `a + b - c`, in either format: terms in [`print_order`], a negative term after ` - ` with
/// its sign dropped (`operand` writes each term the format's way).
fn write_sum(terms: &[Expr], out: &mut Vec<Piece>, operand: OperandWriter) {
    for (i, term) in print_order(terms).into_iter().enumerate() {
        let negative = i > 0 && term.is_negative_term();
        if i > 0 {
            out.push(Piece::Str(if negative { " - " } else { " + " }));
        }
        let side = if i == 0 { Side::Left } else { Side::Right };
        operand(out, term, negative, Prec::Sum, side);
    }
}
