//! The fast reader: the common case of [`Grammar::formula`], a formula of ASCII tokens with
//! no binding and no mistake, read by precedence climbing over the bytes.
//!
//! It reads the same productions as the grammar (`expression`, `product`, `unary`, `power`,
//! `primary`, `group`, `call`) and builds each value with the same constructors in the same
//! order, so what it returns is what the grammar returns. It keeps a byte offset instead of
//! passing slices and results with error positions around, reads a run of signs in one loop,
//! and looks at one byte to choose a production.
//!
//! Whatever it does not handle it leaves to the grammar: at anything unusual (a byte that is
//! not ASCII, a prime, a binding, a number it cannot read, any mistake, nesting at the limit)
//! it stops ([`Bail`]), and the input is read again from the start by the grammar, which says
//! what is wrong. So every message and position comes from the grammar, and the fast reader
//! need only be right about the inputs it accepts.
//!
//! **Invariant:** it recurses only through `group`, `call` and the exponent of `power`, each
//! of which takes a level of the depth budget first, as the grammar's do; it stops where the
//! grammar would report `TooDeep`.

use super::grammar::{Callee, Grammar, Sign, coefficient_bits, finish_product};
use super::names::Known;
use super::tokens::{plain_number, small_integer};
use super::{MAX_PRODUCT_BITS, ParseOptions};
use crate::expr::{Constant, Expr, SumBuilder};

/// The longest run of digits and points the fast reader reads as a number literal.
const LONG_LITERAL: usize = 1024;

/// The fast reader met something it leaves to the grammar.
struct Bail;

/// What each production of the fast reader returns.
type Read<T> = Result<T, Bail>;

/// Reads `text` as a formula without bindings, or `None` when it leaves it to the grammar.
/// It nests at most `max_depth` levels (at most the options' limit), and stops where it would
/// go deeper.
pub(super) fn formula<'a>(
    grammar: &Grammar<'a, '_>,
    options: &ParseOptions,
    text: &'a str,
    max_depth: usize,
) -> Option<Expr> {
    let mut reader = Reader {
        text,
        bytes: text.as_bytes(),
        at: 0,
        grammar,
        max_depth: max_depth.min(options.max_depth),
        max_exponent_digits: options.max_exponent_digits,
        factors: Vec::with_capacity(16),
    };
    reader.skip_space();
    if reader.at == reader.bytes.len() {
        return None;
    }
    let value = reader.expression(0).ok()?;
    reader.skip_space();
    (reader.at == reader.bytes.len()).then_some(value)
}

/// The state of one fast reading.
struct Reader<'a, 'g, 'o> {
    text: &'a str,
    bytes: &'a [u8],
    /// The byte offset of the next token (or of the white space before it); always at a
    /// character boundary, since only ASCII bytes are passed over.
    at: usize,
    /// The nodes shared within this reading (leaves, integers) and the names' meanings.
    grammar: &'g Grammar<'a, 'o>,
    max_depth: usize,
    max_exponent_digits: u32,
    /// The factors of the products being read, innermost last, as in the grammar.
    factors: Vec<Expr>,
}

impl<'a> Reader<'a, '_, '_> {
    /// The byte at the offset, if any.
    #[inline]
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    /// The byte after it, if any.
    #[inline]
    fn peek_second(&self) -> Option<u8> {
        self.bytes.get(self.at + 1).copied()
    }

    /// Passes over ASCII white space (what `str::trim_ascii_start` skips); any other white
    /// space stops the fast reader at the next token.
    #[inline]
    fn skip_space(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r' | b'\x0C') = self.peek() {
            self.at += 1;
        }
    }

    /// Takes one level of nesting, or stops where the grammar reports `TooDeep`.
    #[inline]
    fn deeper(&self, depth: usize) -> Read<usize> {
        if depth >= self.max_depth {
            return Err(Bail);
        }
        Ok(depth + 1)
    }

    /// `expression = product { ( "+" | "-" ) product }`.
    fn expression(&mut self, depth: usize) -> Read<Expr> {
        let first = self.product(depth, Sign::Plus)?;
        let Some(mut sign) = self.sum_operator() else {
            // A single term is canonical already.
            return Ok(first);
        };
        let mut sum = SumBuilder::new();
        sum.add(first);
        loop {
            self.at += 1;
            sum.add(self.product(depth, sign)?);
            match self.sum_operator() {
                Some(next) => sign = next,
                None => return Ok(sum.finish()),
            }
        }
    }

    /// The sign of the next term, when a `+` or `-` follows (after white space).
    #[inline]
    fn sum_operator(&mut self) -> Option<Sign> {
        self.skip_space();
        match self.peek() {
            Some(b'+') => Some(Sign::Plus),
            Some(b'-') => Some(Sign::Minus),
            _ => None,
        }
    }

    /// `product = unary { ( "*" | "/" ) unary | juxtaposed }`, as the grammar's: its numbers
    /// bounded together, a subtracted product taking the `-1` into its coefficient.
    fn product(&mut self, depth: usize, sign: Sign) -> Read<Expr> {
        let first = self.unary(depth)?;
        let mut bits = coefficient_bits(&first);
        let base = self.factors.len();
        let mut first = Some(first);
        loop {
            self.skip_space();
            let factor = match self.peek() {
                // `**` cannot follow a factor: the grammar reports it.
                Some(b'*') if self.peek_second() == Some(b'*') => return Err(Bail),
                Some(b'*') => {
                    self.at += 1;
                    self.unary(depth)?
                }
                Some(b'/') => {
                    self.at += 1;
                    self.unary(depth)?.recip()
                }
                // `juxtaposed`: `unary` reads no sign here.
                Some(b'(' | b'a'..=b'z' | b'A'..=b'Z') => self.unary(depth)?,
                // A number after a factor, a `.`, or a letter that is not ASCII.
                Some(b'0'..=b'9' | b'.' | 0x80..) => return Err(Bail),
                _ => break,
            };
            bits = bits.saturating_add(coefficient_bits(&factor));
            if bits > MAX_PRODUCT_BITS {
                return Err(Bail);
            }
            if let Some(first) = first.take() {
                self.factors.push(first);
            }
            self.factors.push(factor);
        }
        Ok(finish_product(first, sign, &mut self.factors, base))
    }

    /// `unary = ( "-" | "+" ) unary | power`: a run of signs in one loop, each one a level of
    /// nesting, and then each `-` applied from the innermost out, as the grammar applies them.
    ///
    /// Also `juxtaposed = power`, which starts with a name or `(` and so has no sign: a factor
    /// of a product is one call, with the leaf read in place.
    fn unary(&mut self, mut depth: usize) -> Read<Expr> {
        self.skip_space();
        let mut negations = 0usize;
        while let Some(sign @ (b'-' | b'+')) = self.peek() {
            depth = self.deeper(depth)?;
            negations += usize::from(sign == b'-');
            self.at += 1;
            self.skip_space();
        }
        let mut value = self.power(depth)?;
        for _ in 0..negations {
            value = -value;
        }
        Ok(value)
    }

    /// `power = primary [ ( "^" | "**" ) unary ]`, at a token (not white space).
    #[inline(always)]
    fn power(&mut self, depth: usize) -> Read<Expr> {
        let base = self.primary(depth)?;
        self.skip_space();
        let operator = match (self.peek(), self.peek_second()) {
            (Some(b'^'), _) => 1,
            (Some(b'*'), Some(b'*')) => 2,
            _ => return Ok(base),
        };
        let depth = self.deeper(depth)?;
        self.at += operator;
        let exponent = match self.integer_exponent() {
            Some(n) => self.grammar.integer(n),
            None => self.unary(depth)?,
        };
        Ok(base.pow(exponent))
    }

    /// An exponent that is a short integer literal with no `^` after it (`x^2`), read in
    /// place: what `unary` reads there, without a call. `None` leaves the offset as it was.
    #[inline(always)]
    fn integer_exponent(&mut self) -> Option<i64> {
        let start = self.at;
        self.skip_space();
        if let Some(b'0'..=b'9') = self.peek()
            && let Some(n) = self.small_integer()
        {
            self.skip_space();
            // `2^3^2`: the exponent is a power itself.
            if !matches!(
                (self.peek(), self.peek_second()),
                (Some(b'^'), _) | (Some(b'*'), Some(b'*'))
            ) {
                return Some(n);
            }
        }
        self.at = start;
        None
    }

    /// `primary = number | call | name | group`, at a token: a single letter or a short
    /// integer read in place, anything longer by its own production.
    #[inline(always)]
    fn primary(&mut self, depth: usize) -> Read<Expr> {
        match self.peek() {
            Some(b'(') => self.group(depth),
            Some(letter @ (b'a'..=b'z' | b'A'..=b'Z')) => {
                let next = self.bytes.get(self.at + 1).copied();
                if next.is_some_and(|b| {
                    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'\'') || !b.is_ascii()
                }) {
                    return self.name_or_call(depth);
                }
                self.letter(letter, depth)
            }
            Some(b'0'..=b'9') => match self.small_integer() {
                Some(n) => Ok(self.grammar.integer(n)),
                None => self.number(),
            },
            Some(b'.') => self.number(),
            _ => Err(Bail),
        }
    }

    /// A name of one ASCII letter, not followed by a name character or a prime: a variable or
    /// `e`, or, before `(`, a declared function or a value times the group.
    #[inline(always)]
    fn letter(&mut self, letter: u8, depth: usize) -> Read<Expr> {
        let start = self.at;
        self.at += 1;
        self.skip_space();
        if self.peek() == Some(b'(') {
            self.at = start;
            return self.name_or_call(depth);
        }
        if letter == b'e' {
            return Ok(Expr::constant(Constant::E));
        }
        // A shared node: `Expr::sym` keeps one for every ASCII letter.
        Ok(Expr::sym(self.text.get(start..start + 1).ok_or(Bail)?))
    }

    /// The integer literal here when [`small_integer`] reads it (at most 18 digits, no point or
    /// exponent after them, within the limit), moving past it; `None` leaves it to
    /// [`Reader::number`].
    #[inline(always)]
    fn small_integer(&mut self) -> Option<i64> {
        let rest = self.text.get(self.at..)?;
        let (length, value) = small_integer(rest, self.max_exponent_digits)?;
        self.at += length;
        Some(value)
    }

    /// `number` other than a short integer, read as the grammar's [`plain_number`] reads it;
    /// any other literal is left to the grammar.
    #[inline(never)]
    fn number(&mut self) -> Read<Expr> {
        // Not a short integer: [`Reader::small_integer`] has seen to that.
        let rest = self.text.get(self.at..).ok_or(Bail)?;
        // A literal of thousands of digits (`0.000...1`, maybe past the limits) is read by
        // the grammar alone, not scanned by both readers.
        let run = rest
            .bytes()
            .take(LONG_LITERAL + 1)
            .take_while(|b| b.is_ascii_digit() || *b == b'.')
            .count();
        if run > LONG_LITERAL {
            return Err(Bail);
        }
        let (after, n) = plain_number(rest, self.max_exponent_digits).ok_or(Bail)?;
        self.at = self.text.len() - after.len();
        Ok(Expr::num(n))
    }

    /// `group = "(" expression ")"`, at the `(`.
    #[inline(never)]
    fn group(&mut self, depth: usize) -> Read<Expr> {
        let depth = self.deeper(depth)?;
        self.at += 1;
        let inner = self.expression(depth)?;
        self.close_paren()?;
        Ok(inner)
    }

    /// The `)` after white space, or a stop.
    #[inline]
    fn close_paren(&mut self) -> Read<()> {
        self.skip_space();
        if self.peek() != Some(b')') {
            return Err(Bail);
        }
        self.at += 1;
        Ok(())
    }

    /// A name of ASCII letters, digits and `_`, or a call, meaning what the grammar's
    /// `name_or_call` makes it mean when no binding is in force; primes, a name that goes on
    /// with a character that is not ASCII, and every mistake are left to the grammar.
    #[inline(never)]
    fn name_or_call(&mut self, depth: usize) -> Read<Expr> {
        let start = self.at;
        let length = 1 + self
            .bytes
            .get(start + 1..)
            .unwrap_or_default()
            .iter()
            .take_while(|&&b| b.is_ascii_alphanumeric() || b == b'_')
            .count();
        let end = start + length;
        if self
            .bytes
            .get(end)
            .is_some_and(|&b| b == b'\'' || !b.is_ascii())
        {
            return Err(Bail);
        }
        let word = self.text.get(start..end).ok_or(Bail)?;
        self.at = end;
        self.skip_space();
        if self.peek() == Some(b'(') {
            match self.grammar.callee(word) {
                Some(callee) => return self.call(callee, depth),
                // An unknown function.
                None if !self.grammar.is_value(word) => return Err(Bail),
                // A value times the group, which the product reads next.
                None => {}
            }
        } else if Known::from_name(word).is_some() || self.grammar.glued_function(word).is_some() {
            // A function without its argument, or glued to it (`sinx`).
            return Err(Bail);
        }
        Ok(self.grammar.unbound_value(word))
    }

    /// `call = name "(" arguments ")"` without primes, at the `(`: one argument, or two for
    /// a function that takes two.
    fn call(&mut self, callee: Callee, depth: usize) -> Read<Expr> {
        let depth = self.deeper(depth)?;
        self.at += 1;
        let first = self.expression(depth)?;
        self.skip_space();
        let second = if self.peek() == Some(b',') {
            self.at += 1;
            Some(self.expression(depth)?)
        } else {
            None
        };
        self.close_paren()?;
        // A wrong number of arguments is the grammar's to report.
        let arity = match &callee {
            Callee::Known(known) => known.arity(),
            Callee::Declared(_) => (1, 1),
        };
        let count = 1 + usize::from(second.is_some());
        if count < arity.0 || count > arity.1 {
            return Err(Bail);
        }
        Ok(match callee {
            Callee::Known(known) => known.apply(first, second),
            Callee::Declared(f) => Expr::undef(f, 0, first),
        })
    }
}
