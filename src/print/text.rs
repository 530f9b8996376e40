//! The text printer: conventional notation with as few parentheses as the shared precedence
//! table allows, in a form the parser reads back to the same expression.

use std::fmt;

use super::{Factor, Layout, Piece, PrintLimits, Quotient, TooLarge, quotient, render, root_index};
use crate::expr::{Expr, Kind};
use crate::syntax::{Prec, Side};

/// Prints `e` as text that the parser reads back to the same expression.
///
/// Sums keep their stored order and write negative terms after ` - `; products write the
/// coefficient first and factors with negative exponents as a denominator; `u^(1/2)` is
/// `sqrt(u)`. Only `+` and `-` between terms are surrounded by spaces.
///
/// Refuses output longer than `limits.max_chars`; an expression whose tree size alone
/// proves that (a DAG standing for 10^9 nodes) is refused at once.
///
/// ```
/// use deriv::{Expr, PrintLimits, to_text};
///
/// let x = Expr::sym("x");
/// let e = x.clone().pow(2) * x.clone().cos() + Expr::int(2) * &x * x.clone().sin();
/// assert_eq!(to_text(&e, &PrintLimits::default()).unwrap(), "x^2*cos(x) + 2*x*sin(x)");
/// ```
pub fn to_text(e: &Expr, limits: &PrintLimits) -> Result<String, TooLarge> {
    render(&Text, e, limits)
}

impl fmt::Display for Expr {
    /// The text form ([`to_text`] with default limits); an expression too large for them
    /// prints as a short note saying so.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match to_text(self, &PrintLimits::default()) {
            Ok(text) => f.write_str(&text),
            Err(err) => write!(f, "<{err}>"),
        }
    }
}

/// The text layout.
struct Text;

impl Layout for Text {
    fn expand(&self, e: &Expr, negate: bool, out: &mut Vec<Piece>) {
        if let Some(q) = quotient(e, negate) {
            return write_quotient(&q, out);
        }
        match e.kind() {
            Kind::Num(n) => out.push(Piece::Owned(number_text(
                &if negate { n.neg() } else { n.clone() }.to_string(),
            ))),
            _ if negate => {
                out.push(Piece::Str("-"));
                operand(out, e, Prec::Neg, Side::Right);
            }
            Kind::Const(c) => out.push(Piece::Str(c.name())),
            Kind::Sym(s) => out.push(Piece::Owned(s.to_string())),
            Kind::Add(terms) => super::write_sum(terms, out, operand_signed),
            Kind::Mul(_) => {} // Always a quotient.
            Kind::Pow(base, exp) => write_power(base, exp, out),
            Kind::Call(f, arg) => {
                out.push(Piece::Str(f.name()));
                parenthesized(out, arg);
            }
            Kind::Undef { name, order, arg } => {
                out.push(Piece::Owned(name.to_string()));
                out.push(Piece::Repeat("'", *order));
                parenthesized(out, arg);
            }
        }
    }
}

/// `-3*x*y/(2*z)`: sign, numerator (`1` when empty), and a denominator in parentheses when it
/// has more than one factor.
fn write_quotient(q: &Quotient, out: &mut Vec<Piece>) {
    if let ([single], true, false) = (q.numer.as_slice(), q.denom.is_empty(), q.negative) {
        // A lone factor (`x` from the negated `-x`): its parent already decided on parentheses.
        return match single {
            Factor::Int(n) => out.push(Piece::Owned(number_text(&n.to_string()))),
            Factor::Expr(e) => out.push(Piece::Node(e.clone(), false)),
        };
    }
    if q.negative {
        out.push(Piece::Str("-"));
    }
    if q.numer.is_empty() {
        out.push(Piece::Str("1"));
    }
    for (i, factor) in q.numer.iter().enumerate() {
        if i > 0 {
            out.push(Piece::Str("*"));
        }
        let (parent, side) = match (i, q.negative) {
            (0, true) => (Prec::Neg, Side::Right),
            (0, false) => (Prec::Product, Side::Left),
            _ => (Prec::Product, Side::Right),
        };
        factor_operand(out, factor, parent, side);
    }
    match q.denom.as_slice() {
        [] => {}
        [single] => {
            out.push(Piece::Str("/"));
            factor_operand(out, single, Prec::Product, Side::Right);
        }
        several => {
            out.push(Piece::Str("/("));
            for (i, factor) in several.iter().enumerate() {
                if i > 0 {
                    out.push(Piece::Str("*"));
                }
                let side = if i == 0 { Side::Left } else { Side::Right };
                factor_operand(out, factor, Prec::Product, side);
            }
            out.push(Piece::Str(")"));
        }
    }
}

/// `sqrt(u)`, or `base^exp` with the base and exponent parenthesized as the table requires.
/// Negative exponents that move to a denominator never get here.
fn write_power(base: &Expr, exp: &Expr, out: &mut Vec<Piece>) {
    if root_index(exp) == Some(2) {
        out.push(Piece::Str("sqrt"));
        return parenthesized(out, base);
    }
    operand(out, base, Prec::Power, Side::Left);
    out.push(Piece::Str("^"));
    operand(out, exp, Prec::Power, Side::Right);
}

fn parenthesized(out: &mut Vec<Piece>, e: &Expr) {
    out.push(Piece::Str("("));
    out.push(Piece::Node(e.clone(), false));
    out.push(Piece::Str(")"));
}

fn factor_operand(out: &mut Vec<Piece>, factor: &Factor, parent: Prec, side: Side) {
    match factor {
        Factor::Int(n) => out.push(Piece::Owned(number_text(&n.to_string()))),
        Factor::Expr(e) => operand(out, e, parent, side),
    }
}

fn operand(out: &mut Vec<Piece>, e: &Expr, parent: Prec, side: Side) {
    operand_signed(out, e, false, parent, side);
}

/// `e` (negated when `negate`) as an operand of `parent`, parenthesized when the table says so.
fn operand_signed(out: &mut Vec<Piece>, e: &Expr, negate: bool, parent: Prec, side: Side) {
    if prec(e, negate).needs_parens_in(parent, side) {
        out.push(Piece::Str("("));
        out.push(Piece::Node(e.clone(), negate));
        out.push(Piece::Str(")"));
    } else {
        out.push(Piece::Node(e.clone(), negate));
    }
}

/// The precedence of the outermost operator in the text of `e` (negated when `negate`).
fn prec(e: &Expr, negate: bool) -> Prec {
    if let Some(q) = quotient(e, negate) {
        return quotient_prec(&q);
    }
    match e.kind() {
        Kind::Num(n) => {
            let negative = n.is_negative() != negate;
            match (n.is_integer(), negative) {
                (false, _) => Prec::Product,
                (true, true) => Prec::Neg,
                (true, false) => Prec::Atom,
            }
        }
        _ if negate => Prec::Neg,
        Kind::Const(_) | Kind::Sym(_) | Kind::Call(..) | Kind::Undef { .. } => Prec::Atom,
        Kind::Add(_) => Prec::Sum,
        Kind::Mul(_) => Prec::Product,
        Kind::Pow(_, exp) if root_index(exp) == Some(2) => Prec::Atom,
        Kind::Pow(..) => Prec::Power,
    }
}

fn quotient_prec(q: &Quotient) -> Prec {
    match (q.numer.as_slice(), q.denom.is_empty()) {
        ([single], true) if !q.negative => match single {
            Factor::Int(_) => Prec::Atom,
            Factor::Expr(e) => prec(e, false),
        },
        ([_], true) => Prec::Neg,
        _ => Prec::Product,
    }
}

/// A number as the parser reads it back: `3`, `-7/2`; a number longer than a literal may be
/// (`1e10000` has 10,001 digits) has its trailing zeros written as an exponent, `1e10000`.
fn number_text(plain: &str) -> String {
    if plain.len() <= crate::parse::MAX_EXPONENT_DIGITS as usize {
        return plain.to_owned();
    }
    let (sign, body) = plain.split_at(usize::from(plain.starts_with('-')));
    let parts: Vec<String> = body.split('/').map(zeros_as_exponent).collect();
    format!("{sign}{}", parts.join("/"))
}

/// `1000` as `1e3`; digits without trailing zeros, or with more than a literal's exponent
/// may say, unchanged (then the text is too long to read back: a documented limit).
fn zeros_as_exponent(digits: &str) -> String {
    let significant = digits.trim_end_matches('0');
    let zeros = digits.len() - significant.len();
    let most = crate::parse::MAX_EXPONENT_DIGITS as usize;
    if zeros < 2 || significant.is_empty() || zeros > most {
        digits.to_owned()
    } else {
        format!("{significant}e{zeros}")
    }
}
