//! The one precedence table, shared by the parser and the text printer so that what is
//! printed always parses back to the same expression.

/// How tightly an operator binds, weakest first.
///
/// `-x^2` is `-(x^2)` because [`Prec::Power`] binds tighter than [`Prec::Neg`]; implicit
/// multiplication (`2x`) has the precedence of `*`.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
pub enum Prec {
    /// `a + b`, `a - b` (left-associative).
    Sum,
    /// `a * b`, `a / b`, `a b` (left-associative).
    Product,
    /// Unary `-a`, `+a` (prefix).
    Neg,
    /// `a ^ b`, `a ** b` (right-associative).
    Power,
    /// Numbers, names, calls and parenthesised expressions.
    Atom,
}

/// Which operand of a binary operator a subexpression stands in.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Side {
    /// The left operand.
    Left,
    /// The right operand.
    Right,
}

impl Prec {
    /// Whether an operand of precedence `self` needs parentheses as the `side` operand of an
    /// operator of precedence `parent`.
    ///
    /// Sums and products are left-associative, powers right-associative, so `a - (b - c)`,
    /// `a/(b*c)` and `(a^b)^c` keep their parentheses. A unary minus may open an exponent
    /// (`x^-1`) but not stand as a base (`(-x)^2`).
    pub fn needs_parens_in(self, parent: Prec, side: Side) -> bool {
        match (parent, side) {
            (Prec::Power, Side::Left) => self <= Prec::Power,
            (Prec::Power, Side::Right) => self < Prec::Neg,
            (Prec::Neg, _) => self < Prec::Power,
            (Prec::Product | Prec::Sum, Side::Left) => self < parent,
            (Prec::Product | Prec::Sum, Side::Right) => self <= parent,
            (Prec::Atom, _) => false,
        }
    }
}
