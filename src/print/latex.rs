//! The LaTeX printer: math-mode source for people to read, not for the parser.
//!
//! Quotients and rational coefficients are `\frac`, square and cube roots are `\sqrt`,
//! multiplication is implicit (`2 x \sin\left(x\right)`) except before a digit (`3 \cdot 2^{x}`),
//! and names become `\theta`, `\mathrm{rate}`, `k_{2}`.

use super::{Factor, Layout, Piece, PrintLimits, Quotient, TooLarge, quotient, render, root_index};
use crate::expr::{Constant, Expr, Func, Kind};
use crate::num::Number;
use crate::syntax::{Prec, Side};

/// `exp(u)` prints as `e^{u}` when `u` has at most this many nodes, and as
/// `\exp\left(u\right)` otherwise: a long exponent in superscript is hard to read.
const EXP_AS_POWER_MAX_NODES: u64 = 10;

/// Prints `e` as LaTeX math-mode source.
///
/// Refuses output longer than `limits.max_chars`, like [`crate::to_text`].
///
/// ```
/// use deriv::{Expr, PrintLimits, to_latex};
///
/// let x = Expr::sym("x");
/// let e = Expr::ratio(3, 2) * x.clone().pow(2) + Expr::int(2) * &x * x.clone().sin();
/// assert_eq!(
///     to_latex(&e, &PrintLimits::default()).unwrap(),
///     r"\frac{3 x^{2}}{2} + 2 x \sin\left(x\right)"
/// );
/// ```
pub fn to_latex(e: &Expr, limits: &PrintLimits) -> Result<String, TooLarge> {
    render(&Latex, e, limits)
}

/// The LaTeX layout.
struct Latex;

impl Layout for Latex {
    fn expand(&self, e: &Expr, negate: bool, out: &mut Vec<Piece>) {
        if let Some(q) = quotient(e, negate) {
            return write_quotient(&q, out);
        }
        match e.kind() {
            Kind::Num(n) => write_number(&if negate { n.neg() } else { n.clone() }, out),
            _ if negate => {
                out.push(Piece::Str("-"));
                operand(out, e, Prec::Neg, Side::Right);
            }
            Kind::Const(c) => out.push(Piece::Str(match c {
                Constant::Pi => r"\pi",
                Constant::E => "e",
            })),
            Kind::Sym(s) => out.push(Piece::Owned(latex_name(s))),
            Kind::Add(terms) => super::write_sum(terms, out, operand_signed),
            Kind::Mul(_) => {} // Always a quotient.
            Kind::Pow(base, exp) => write_power(base, exp, out),
            Kind::Call(f, arg) => write_call(*f, arg, out),
            Kind::Undef { name, order, arg } => {
                out.push(Piece::Owned(latex_name(name)));
                match order {
                    0..=3 => out.push(Piece::Repeat("'", *order)),
                    _ => out.push(Piece::Owned(format!("^{{({order})}}"))),
                }
                parenthesized(out, arg);
            }
        }
    }
}

/// `3`, `-3`, `\frac{1}{2}`, `-\frac{7}{3}`.
fn write_number(n: &Number, out: &mut Vec<Piece>) {
    if n.is_integer() {
        return out.push(Piece::Owned(n.to_string()));
    }
    let (p, q) = n.abs().parts();
    let sign = if n.is_negative() { "-" } else { "" };
    out.push(Piece::Owned(format!(r"{sign}\frac{{{p}}}{{{q}}}")));
}

/// `-\frac{3 x y}{2 z}`, or `-3 x y` without a denominator.
fn write_quotient(q: &Quotient, out: &mut Vec<Piece>) {
    if let ([single], true, false) = (q.numer.as_slice(), q.denom.is_empty(), q.negative) {
        // A lone factor (`x` from the negated `-x`): its parent already decided on parentheses.
        return write_factors(std::slice::from_ref(single), Prec::Atom, out);
    }
    if q.negative {
        out.push(Piece::Str("-"));
    }
    if q.denom.is_empty() {
        return write_factors(&q.numer, Prec::Neg, out);
    }
    out.push(Piece::Str(r"\frac{"));
    if q.numer.is_empty() {
        out.push(Piece::Str("1"));
    }
    write_factors(&q.numer, Prec::Atom, out);
    out.push(Piece::Str("}{"));
    write_factors(&q.denom, Prec::Atom, out);
    out.push(Piece::Str("}"));
}

/// Factors side by side, `\cdot` before one that starts with a digit. A lone factor is an
/// operand of `lone_parent`: the minus sign before it, or nothing (`Prec::Atom`) in braces.
fn write_factors(factors: &[Factor], lone_parent: Prec, out: &mut Vec<Piece>) {
    let parent = if factors.len() == 1 {
        lone_parent
    } else {
        Prec::Product
    };
    for (i, factor) in factors.iter().enumerate() {
        if i > 0 {
            out.push(Piece::Str(if starts_with_digit(factor) {
                r" \cdot "
            } else {
                " "
            }));
        }
        let side = if i == 0 { Side::Left } else { Side::Right };
        match factor {
            Factor::Int(n) => out.push(Piece::Owned(n.to_string())),
            Factor::Expr(e) => operand(out, e, parent, side),
        }
    }
}

/// Whether the factor's LaTeX begins with a digit, so implicit multiplication would glue it
/// to the number before it (`3 2^{x}`).
fn starts_with_digit(factor: &Factor) -> bool {
    let e = match factor {
        Factor::Int(_) => return true,
        Factor::Expr(e) => e,
    };
    match e.kind() {
        Kind::Num(n) => !n.is_negative(),
        Kind::Pow(base, exp) => {
            root_index(exp).is_none_or(|q| q > 3)
                && base
                    .as_num()
                    .is_some_and(|n| n.is_integer() && !n.is_negative())
        }
        _ => false,
    }
}

/// `\sqrt{u}`, `\sqrt[3]{u}`, or `base^{exp}`.
fn write_power(base: &Expr, exp: &Expr, out: &mut Vec<Piece>) {
    match root_index(exp) {
        Some(2) => out.push(Piece::Str(r"\sqrt{")),
        Some(3) => out.push(Piece::Str(r"\sqrt[3]{")),
        _ => {
            operand(out, base, Prec::Power, Side::Left);
            out.push(Piece::Str("^{"));
            out.push(Piece::Node(exp.clone(), false));
            out.push(Piece::Str("}"));
            return;
        }
    }
    out.push(Piece::Node(base.clone(), false));
    out.push(Piece::Str("}"));
}

/// `\sin\left(u\right)`, `\left|u\right|`, `e^{u}`, `\operatorname{asinh}\left(u\right)`.
fn write_call(f: Func, arg: &Expr, out: &mut Vec<Piece>) {
    match f {
        Func::Abs => {
            out.push(Piece::Str(r"\left|"));
            out.push(Piece::Node(arg.clone(), false));
            out.push(Piece::Str(r"\right|"));
        }
        Func::Exp if exp_as_power(arg) => {
            out.push(Piece::Str("e^{"));
            out.push(Piece::Node(arg.clone(), false));
            out.push(Piece::Str("}"));
        }
        _ => {
            match operator_command(f) {
                Some(command) => out.push(Piece::Str(command)),
                None => out.push(Piece::Owned(format!(r"\operatorname{{{}}}", f.name()))),
            }
            parenthesized(out, arg);
        }
    }
}

fn exp_as_power(arg: &Expr) -> bool {
    arg.tree_size() <= EXP_AS_POWER_MAX_NODES
}

/// The functions LaTeX knows by a command of their own.
fn operator_command(f: Func) -> Option<&'static str> {
    use Func::*;
    Some(match f {
        Sin => r"\sin",
        Cos => r"\cos",
        Tan => r"\tan",
        Sec => r"\sec",
        Csc => r"\csc",
        Cot => r"\cot",
        Asin => r"\arcsin",
        Acos => r"\arccos",
        Atan => r"\arctan",
        Sinh => r"\sinh",
        Cosh => r"\cosh",
        Tanh => r"\tanh",
        Coth => r"\coth",
        Exp => r"\exp",
        Ln => r"\ln",
        _ => return None,
    })
}

fn parenthesized(out: &mut Vec<Piece>, e: &Expr) {
    out.push(Piece::Str(r"\left("));
    out.push(Piece::Node(e.clone(), false));
    out.push(Piece::Str(r"\right)"));
}

fn operand(out: &mut Vec<Piece>, e: &Expr, parent: Prec, side: Side) {
    operand_signed(out, e, false, parent, side);
}

/// `e` (negated when `negate`) as an operand of `parent`, in `\left( \right)` when needed.
fn operand_signed(out: &mut Vec<Piece>, e: &Expr, negate: bool, parent: Prec, side: Side) {
    if prec(e, negate).needs_parens_in(parent, side) {
        out.push(Piece::Str(r"\left("));
        out.push(Piece::Node(e.clone(), negate));
        out.push(Piece::Str(r"\right)"));
    } else {
        out.push(Piece::Node(e.clone(), negate));
    }
}

/// How tightly the LaTeX of `e` holds together, in the terms of the shared table: a `\frac`
/// counts as a product (so `\left(\frac{1}{2}\right)^{x}`), roots and calls as atoms.
fn prec(e: &Expr, negate: bool) -> Prec {
    if let Some(q) = quotient(e, negate) {
        return quotient_prec(&q);
    }
    match e.kind() {
        Kind::Num(n) => match (n.is_negative() != negate, n.is_integer()) {
            (true, _) => Prec::Neg,
            (false, true) => Prec::Atom,
            (false, false) => Prec::Product,
        },
        _ if negate => Prec::Neg,
        Kind::Call(Func::Exp, arg) if exp_as_power(arg) => Prec::Power,
        Kind::Const(_) | Kind::Sym(_) | Kind::Call(..) | Kind::Undef { .. } => Prec::Atom,
        Kind::Add(_) => Prec::Sum,
        Kind::Mul(_) => Prec::Product,
        Kind::Pow(_, exp) if matches!(root_index(exp), Some(2 | 3)) => Prec::Atom,
        Kind::Pow(..) => Prec::Power,
    }
}

fn quotient_prec(q: &Quotient) -> Prec {
    match (q.numer.as_slice(), q.denom.is_empty(), q.negative) {
        ([Factor::Int(_)], true, false) => Prec::Atom,
        ([Factor::Expr(e)], true, false) => prec(e, false),
        ([_], true, true) => Prec::Neg,
        _ => Prec::Product,
    }
}

// ---------------------------------------------------------------------------------------------
// Names.

/// Greek letters LaTeX has commands for, by their spelled-out names.
const GREEK: &[&str] = &[
    "alpha",
    "beta",
    "gamma",
    "delta",
    "epsilon",
    "varepsilon",
    "zeta",
    "eta",
    "theta",
    "vartheta",
    "iota",
    "kappa",
    "lambda",
    "mu",
    "nu",
    "xi",
    "pi",
    "varpi",
    "rho",
    "varrho",
    "sigma",
    "varsigma",
    "tau",
    "upsilon",
    "phi",
    "varphi",
    "chi",
    "psi",
    "omega",
    "Gamma",
    "Delta",
    "Theta",
    "Lambda",
    "Xi",
    "Pi",
    "Sigma",
    "Upsilon",
    "Phi",
    "Psi",
    "Omega",
];

/// A variable or function name in LaTeX: `theta` is `\theta`, `rate` is `\mathrm{rate}`,
/// `k_2` and `k2` are `k_{2}`, `v_max` is `v_{\mathrm{max}}`; a single character (`x`, `α`)
/// stays as it is.
fn latex_name(name: &str) -> String {
    let (head, subscript) = split_subscript(name);
    let mut out = name_part(head);
    if let Some(sub) = subscript {
        out.push_str("_{");
        if sub.bytes().all(|b| b.is_ascii_digit()) {
            out.push_str(sub);
        } else {
            out.push_str(&name_part(sub));
        }
        out.push('}');
    }
    out
}

/// Splits `k_2` into `k` and `2`, and `x12` into `x` and `12` (letters then digits).
fn split_subscript(name: &str) -> (&str, Option<&str>) {
    if let Some((head, sub)) = name.split_once('_')
        && !head.is_empty()
        && !sub.is_empty()
    {
        return (head, Some(sub));
    }
    let head = name.trim_end_matches(|c: char| c.is_ascii_digit());
    if !head.is_empty() && head.len() < name.len() && head.chars().all(char::is_alphabetic) {
        return (head, Some(&name[head.len()..]));
    }
    (name, None)
}

/// One part of a name: a Greek command, a single character, or upright text.
fn name_part(part: &str) -> String {
    if GREEK.contains(&part) {
        return format!(r"\{part}");
    }
    let escaped = escape(part);
    if part.chars().count() == 1 {
        escaped
    } else {
        format!(r"\mathrm{{{escaped}}}")
    }
}

/// Escapes the characters that mean something to LaTeX (names from the parser have none, but
/// an expression built in code may).
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '_' | '#' | '$' | '%' | '&' | '{' | '}' => {
                out.push('\\');
                out.push(c);
            }
            '\\' => out.push_str(r"\backslash{}"),
            '^' => out.push_str(r"\hat{}"),
            '~' => out.push_str(r"\sim{}"),
            _ => out.push(c),
        }
    }
    out
}
