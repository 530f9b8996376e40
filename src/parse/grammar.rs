//! The productions of the grammar (`grammar/README.md`), one method per production, named
//! after it.
//!
//! Each production skips the white space before it and stops right after its last token.
//! Recursion happens only through `group`, `call`, `list`, `unary` and `power`, and each of
//! them takes one level of the depth budget first ([`Grammar::deeper`]), so the stack is
//! bounded by the depth limit whatever the input. Sums and products are loops that collect
//! their operands and build one canonical node, so a long sum is read in linear time.
//!
//! `fast.rs` reads the commonest formulas before these productions do, with the same
//! constructors in the same order; what it leaves, and every error, is read here.

use std::cell::{Cell, RefCell};

use nom::Parser;
use nom::character::complete::char;
use rustc_hash::{FxHashMap, FxHashSet};

use super::error::ParseErrorKind;
use super::names::{Known, arity_words, constant, suggest};
use super::tokens::{
    Fatal, PResult, Span, fatal, name, no_match, number, peek, plain_number, primes, required,
    skip, small_integer, starts_number, superscript, unexpected, whitespace,
};
use super::{MAX_PRODUCT_BITS, ParseOptions};
use crate::expr::{Expr, Func, Kind, MAX_SHARED_INT, SumBuilder, Symbol};
use crate::num::Number;
use crate::program::{Binding, fresh_name};
use crate::syntax::Prec;

/// The infix operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Infix {
    Add,
    Sub,
    Mul,
    Div,
    Pow,
}

impl Infix {
    /// The operator at the start of `i` and its length in bytes (`**` before `*`), the
    /// typeset signs of [`TYPESET_OPERATORS`] included.
    #[inline]
    fn at(i: &Span<'_>) -> Option<(Infix, usize)> {
        let text = i.as_bytes();
        let op = match text.first()? {
            b'+' => Infix::Add,
            b'-' => Infix::Sub,
            b'*' if text.get(1) == Some(&b'*') => return Some((Infix::Pow, 2)),
            b'*' => Infix::Mul,
            b'/' => Infix::Div,
            b'^' => Infix::Pow,
            b if b.is_ascii() => return None,
            _ => return Infix::typeset(i),
        };
        Some((op, 1))
    }

    /// A typeset operator at the start of `i` (`−`, `×`, `·`, `⋅`, `÷`), and its length.
    #[cold]
    fn typeset(i: &Span<'_>) -> Option<(Infix, usize)> {
        let c = i.chars().next()?;
        let &(_, op) = TYPESET_OPERATORS.iter().find(|(sign, _)| *sign == c)?;
        Some((op, c.len_utf8()))
    }

    /// Its precedence, from the table the printer shares.
    fn prec(self) -> Prec {
        match self {
            Infix::Add | Infix::Sub => Prec::Sum,
            Infix::Mul | Infix::Div => Prec::Product,
            Infix::Pow => Prec::Power,
        }
    }

    /// The operator at the start of `i` when it has precedence `level`, with its text.
    #[inline]
    fn at_level<'s>(i: &Span<'s>, level: Prec) -> Option<(Infix, &'s str)> {
        let (op, len) = Infix::at(i).filter(|(op, _)| op.prec() == level)?;
        Some((op, i.get(..len)?))
    }
}

/// The operators as documents typeset them, read as their ASCII forms: text pasted from a
/// web page or a PDF writes `x − 1` with U+2212 MINUS SIGN, `2 × 3` and `a · b`.
const TYPESET_OPERATORS: [(char, Infix); 5] = [
    ('−', Infix::Sub),
    ('×', Infix::Mul),
    ('·', Infix::Mul),
    ('⋅', Infix::Mul),
    ('÷', Infix::Div),
];

/// The square-root sign, read as `sqrt` of the primary after it.
const ROOT: char = '√';

/// The bar of an absolute value, `|x|`.
const BAR: char = '|';

/// The sign a term has in its sum.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Sign {
    Plus,
    Minus,
}

/// The term a product makes in its sum: its single factor (`first`, negated for a subtracted
/// term), or the product of the factors from `base` on in the stack, taken off it; a
/// subtracted product takes the `-1` into its coefficient as it is built, instead of being
/// built and then negated (a second node). Both readers end their products here.
pub(super) fn finish_product(
    first: Option<Expr>,
    sign: Sign,
    factors: &mut Vec<Expr>,
    base: usize,
) -> Expr {
    match (first, sign) {
        // A single factor is canonical already.
        (Some(single), Sign::Plus) => single,
        (Some(single), Sign::Minus) => -single,
        (None, sign) => {
            if sign == Sign::Minus {
                factors.push(Expr::int(-1));
            }
            Expr::product(factors.drain(base..))
        }
    }
}

/// The reader of one input: the options, and the bindings made so far.
pub(super) struct Grammar<'a, 'o> {
    options: &'o ParseOptions,
    /// What each bound name stands for now (a later binding of the same name shadows).
    bindings: RefCell<FxHashMap<&'a str, Expr>>,
    /// The first use of each free name inside a binding, to report a name that a later
    /// binding defines (`UndefinedBinding`).
    free_uses: RefCell<FxHashMap<&'a str, Span<'a>>>,
    /// Whether free uses are being recorded: only in bindings, since nothing follows the
    /// formula.
    in_binding: Cell<bool>,
    /// Whether the innermost bracket being read is a pair of bars `|...|`, so that a `|`
    /// after an operand closes it rather than opening a factor `|...|` (`|a|b|c|` is
    /// `|a|*b*|c|`, `||x| - 1|` is `abs(abs(x) - 1)`).
    in_bars: Cell<bool>,
    /// The node of each free variable read so far: every occurrence of `x` is the same
    /// shared node, not a new allocation.
    leaves: RefCell<FxHashMap<&'a str, Expr>>,
    /// The factors of the products being read, innermost last: a product reads its own
    /// factors on top of its enclosing products', and takes them off when it ends, so that
    /// one allocation serves every product of the input.
    factors: RefCell<Vec<Expr>>,
    /// The node of each short integer literal beyond the shared ones read so far, by value.
    integers: RefCell<FxHashMap<i64, Expr>>,
    /// When reading a [`crate::Program`]: the bindings made so far, each name standing for
    /// itself rather than its value (`None` when bindings are substituted).
    kept: Option<RefCell<Kept>>,
}

/// The bindings of a [`crate::Program`] read so far, and their names.
#[derive(Default)]
pub(super) struct Kept {
    bindings: Vec<Binding>,
    names: FxHashSet<Symbol>,
}

/// A binding read but not yet in force: it takes effect at its `;`.
struct Bound<'a> {
    name: &'a str,
    value: Expr,
}

/// What a name followed by `(` applies.
pub(super) enum Callee {
    Known(Known),
    Declared(Symbol),
}

impl<'a, 'o> Grammar<'a, 'o> {
    pub(super) fn new(options: &'o ParseOptions) -> Self {
        Grammar {
            options,
            bindings: RefCell::new(FxHashMap::default()),
            free_uses: RefCell::new(FxHashMap::default()),
            in_binding: Cell::new(false),
            in_bars: Cell::new(false),
            leaves: RefCell::new(FxHashMap::default()),
            factors: RefCell::new(Vec::new()),
            integers: RefCell::new(FxHashMap::default()),
            kept: None,
        }
    }

    /// A reader that keeps bindings as names ([`Grammar::into_kept`] hands them over).
    pub(super) fn keeping(options: &'o ParseOptions) -> Self {
        Grammar {
            kept: Some(RefCell::new(Kept::default())),
            ..Grammar::new(options)
        }
    }

    /// The bindings kept so far, in order.
    pub(super) fn into_kept(self) -> Vec<Binding> {
        self.kept
            .map(|kept| kept.into_inner().bindings)
            .unwrap_or_default()
    }

    /// What a bound name reads as from its `;` on: its value, or when bindings are kept, a
    /// symbol (the name itself, or for a name bound again `name_2`, ... as long as `text`
    /// does not use it).
    fn bind(&self, bound: Bound<'a>, text: &str) -> Expr {
        let Some(kept) = &self.kept else {
            return bound.value;
        };
        let mut kept = kept.borrow_mut();
        let name = fresh_name(bound.name, |name| {
            kept.names.contains(name) || (name != bound.name && text.contains(name))
        });
        kept.names.insert(name.clone());
        kept.bindings.push(Binding {
            name: name.clone(),
            value: bound.value,
        });
        Expr::symbol(name)
    }

    /// `program = { binding ";" } formula`, or with a `list` as its last item.
    ///
    /// `last` reads the last item and `what` names it for messages.
    pub(super) fn program<T>(
        &self,
        input: Span<'a>,
        what: &str,
        last: impl Fn(&Self, Span<'a>) -> PResult<'a, T>,
    ) -> PResult<'a, T> {
        let (mut i, ()) = whitespace(input)?;
        if i.is_empty() {
            return Err(fatal(input, ParseErrorKind::Empty));
        }
        let mut after_semicolon = false;
        loop {
            if let Some((j, bound)) = self.binding(i)? {
                let (j, ()) = whitespace(j)?;
                match peek(&j) {
                    Some(';') => {}
                    None => return Err(fatal(j, ParseErrorKind::MissingFormula)),
                    Some(_) => return Err(self.stray(j, "`;` or an operator")),
                }
                let (j, _) = char(';').parse(j)?;
                let name = bound.name;
                let value = self.bind(bound, input);
                self.bindings.borrow_mut().insert(name, value);
                (i, ()) = whitespace(j)?;
                after_semicolon = true;
                continue;
            }
            let (j, value) = required(last(self, i), || {
                if after_semicolon {
                    format!("a binding or {what} after `;`")
                } else {
                    what.to_owned()
                }
            })?;
            let (j, ()) = whitespace(j)?;
            return match peek(&j) {
                None => Ok((j, value)),
                Some(';') => Err(unexpected(
                    j,
                    "end of input (only a binding `name = expression` may come before `;`)",
                )),
                Some(_) => Err(self.stray(j, "an operator or end of input")),
            };
        }
    }

    /// `binding = name "=" expression`: `None` when the item does not start with `name =`.
    ///
    /// The name must be bindable, and no earlier binding may have used it as a free name.
    fn binding(&self, i: Span<'a>) -> Result<Option<(Span<'a>, Bound<'a>)>, Fatal<'a>> {
        let Ok((after_name, bound)) = name(i) else {
            return Ok(None);
        };
        let (j, ()) = whitespace(after_name)?;
        if peek(&j) != Some('=') || j.starts_with("==") {
            return Ok(None);
        }
        self.check_bindable(bound)?;
        self.in_binding.set(true);
        let result = required(self.expression(skip(j, 1), 0), || {
            "an expression after `=`".to_owned()
        });
        self.in_binding.set(false);
        let (j, value) = result?;
        if let Some(&use_site) = self.free_uses.borrow().get(bound) {
            let name = bound.to_owned();
            return Err(fatal(use_site, ParseErrorKind::UndefinedBinding { name }));
        }
        Ok(Some((j, Bound { name: bound, value })))
    }

    /// Refuses to bind a constant, a function, or a variable of differentiation.
    fn check_bindable(&self, bound: Span<'a>) -> Result<(), Fatal<'a>> {
        let text = bound;
        let role = if constant(text).is_some() {
            "a constant"
        } else if Known::from_name(text).is_some() {
            "a function"
        } else if self.declared(text).is_some() {
            "a declared function"
        } else if self.options.variables.iter().any(|v| &**v == text) {
            "a variable of differentiation"
        } else {
            return Ok(());
        };
        let kind = ParseErrorKind::ReservedName {
            name: text.to_owned(),
            role: role.to_owned(),
        };
        Err(fatal(bound, kind))
    }

    /// `list = "[" expression { "," expression } "]"`.
    pub(super) fn list(&self, i: Span<'a>) -> PResult<'a, Vec<Expr>> {
        let (i, ()) = whitespace(i)?;
        if peek(&i) != Some('[') {
            return Err(no_match(i));
        }
        let depth = self.deeper(i, 0)?;
        let open = i;
        let mut i = skip(i, 1);
        let mut items = Vec::new();
        loop {
            let after = if items.is_empty() { "`[`" } else { "`,`" };
            let (j, item) = self.enclosed(false, || {
                required(self.expression(i, depth), || {
                    format!("an expression after {after}")
                })
            })?;
            items.push(item);
            let (j, ()) = whitespace(j)?;
            match peek(&j) {
                Some(',') => i = skip(j, 1),
                Some(']') => return Ok((skip(j, 1), items)),
                None => return Err(fatal(open, ParseErrorKind::Unclosed { bracket: '[' })),
                Some(_) => return Err(self.stray(j, "`,`, `]` or an operator")),
            }
        }
    }

    /// `formula = expression`.
    pub(super) fn formula(&self, i: Span<'a>) -> PResult<'a, Expr> {
        self.expression(i, 0)
    }

    /// `expression = product { ( "+" | "-" ) product }`: a sum, left to right, at nesting
    /// `depth`.
    fn expression(&self, i: Span<'a>, depth: usize) -> PResult<'a, Expr> {
        let (mut i, first) = self.product(i, depth, Sign::Plus)?;
        let mut first = Some(first);
        let mut sum = SumBuilder::new();
        loop {
            let (j, ()) = whitespace(i)?;
            let Some((op, text)) = Infix::at_level(&j, Prec::Sum) else {
                break;
            };
            let sign = if op == Infix::Sub {
                Sign::Minus
            } else {
                Sign::Plus
            };
            let (j, term) = required(self.product(skip(j, text.len()), depth, sign), || {
                format!("an expression after `{text}`")
            })?;
            if let Some(first) = first.take() {
                sum.add(first);
            }
            sum.add(term);
            i = j;
        }
        // A single term is canonical already.
        Ok((i, first.unwrap_or_else(|| sum.finish())))
    }

    /// `product = unary { ( "*" | "/" ) unary | juxtaposed }`, left to right.
    ///
    /// `juxtaposed = power`, starting with a name or `(`: implicit multiplication, as tight as
    /// `*`. A number never multiplies implicitly from the right (`x 2` is an error).
    ///
    /// `sign` is that of the term in its sum ([`finish_product`]).
    fn product(&self, i: Span<'a>, depth: usize, sign: Sign) -> PResult<'a, Expr> {
        let base = self.factors.borrow().len();
        let result = self.product_from(i, depth, base, sign);
        if result.is_err() {
            self.factors.borrow_mut().truncate(base);
        }
        result
    }

    /// [`Grammar::product`], with its factors from `base` on in the shared stack.
    fn product_from(
        &self,
        i: Span<'a>,
        depth: usize,
        base: usize,
        sign: Sign,
    ) -> PResult<'a, Expr> {
        let (mut i, first) = self.unary(i, depth)?;
        let mut bits = coefficient_bits(&first);
        // Most products have one factor: the stack is only used from a second one.
        let mut first = Some(first);
        loop {
            let (j, ()) = whitespace(i)?;
            let start = j;
            let (j, factor) = if let Some((op, text)) = Infix::at_level(&j, Prec::Product) {
                let (k, operand) = required(self.unary(skip(j, text.len()), depth), || {
                    format!("an expression after `{text}`")
                })?;
                let factor = match op {
                    Infix::Div => operand.recip(),
                    _ => operand,
                };
                (k, factor)
            } else if self.starts_juxtaposed(&j) {
                self.juxtaposed(j, depth)?
            } else if starts_number(&j) {
                let expected = "an operator before this number (write `*` to multiply by it)";
                return Err(unexpected(j, expected));
            } else if j != i && matches!(superscript(j), Ok(Some(_))) {
                // `x ²`: a raised exponent is read only right after its base.
                let expected = "a raised exponent right after its base, with no space (`x²`)";
                return Err(unexpected(j, expected));
            } else {
                break;
            };
            bits = bits.saturating_add(coefficient_bits(&factor));
            if bits > MAX_PRODUCT_BITS {
                let limit = MAX_PRODUCT_BITS;
                return Err(fatal(start, ParseErrorKind::ProductTooLarge { limit }));
            }
            let mut factors = self.factors.borrow_mut();
            if let Some(first) = first.take() {
                factors.push(first);
            }
            factors.push(factor);
            i = j;
        }
        let value = finish_product(first, sign, &mut self.factors.borrow_mut(), base);
        Ok((i, value))
    }

    /// Whether a factor juxtaposed to the one before starts at `i`: a name, `(`, `√`, or a
    /// `|` that does not close the bars being read.
    fn starts_juxtaposed(&self, i: &Span<'a>) -> bool {
        peek(i).is_some_and(|c| {
            c == '(' || c == ROOT || c.is_alphabetic() || (c == BAR && !self.in_bars.get())
        })
    }

    /// `juxtaposed = power`: a factor that follows another without an operator.
    fn juxtaposed(&self, i: Span<'a>, depth: usize) -> PResult<'a, Expr> {
        required(self.power(i, depth), || "a factor".to_owned())
    }

    /// `unary = ( "-" | "+" ) unary | power`: each sign is one level of nesting.
    fn unary(&self, i: Span<'a>, depth: usize) -> PResult<'a, Expr> {
        let (i, ()) = whitespace(i)?;
        match Infix::at_level(&i, Prec::Sum) {
            Some((op, sign)) => {
                let depth = self.deeper(i, depth)?;
                let (j, operand) = required(self.unary(skip(i, sign.len()), depth), || {
                    format!("an expression after `{sign}`")
                })?;
                Ok((j, if op == Infix::Sub { -operand } else { operand }))
            }
            None => self.power(i, depth),
        }
    }

    /// `power = primary [ superscript ] [ ( "^" | "**" ) unary ]`: right-associative
    /// (`2^3^2` is `2^9`), and the exponent may carry a sign (`x^-1`); a raised exponent binds
    /// to the primary (`x²` is `x^2`, `2x³` is `2*x^3`). Each `^` is one level of nesting.
    fn power(&self, i: Span<'a>, depth: usize) -> PResult<'a, Expr> {
        let (i, base) = self.primary(i, depth)?;
        let (i, base) = match superscript(i)? {
            Some((j, exponent)) => (j, base.pow(exponent)),
            None => (i, base),
        };
        let (j, ()) = whitespace(i)?;
        let Some((_, op)) = Infix::at_level(&j, Prec::Power) else {
            return Ok((i, base));
        };
        let depth = self.deeper(j, depth)?;
        let (k, exponent) = required(self.unary(skip(j, op.len()), depth), || {
            format!("an exponent after `{op}`")
        })?;
        Ok((k, base.pow(exponent)))
    }

    /// `primary = number | call | name | group | root | bars`.
    fn primary(&self, i: Span<'a>, depth: usize) -> PResult<'a, Expr> {
        let (i, ()) = whitespace(i)?;
        match i.as_bytes().first() {
            Some(b'(') => self.group(i, depth),
            Some(b) if b.is_ascii_alphabetic() => self.name_or_call(i, depth),
            Some(b) if b.is_ascii_digit() => self.number(i),
            _ => match peek(&i) {
                Some(c) if c.is_alphabetic() => self.name_or_call(i, depth),
                Some(ROOT) => self.root(i, depth),
                Some(BAR) => self.bars(i, depth),
                _ if starts_number(&i) => self.number(i),
                _ => Err(no_match(i)),
            },
        }
    }

    /// `root = "√" primary`: `√x` is `sqrt(x)`, as are `√(x)` and `√ x`; `2√x` is `2*sqrt(x)`.
    /// It takes one level of nesting, as a sign does.
    ///
    /// Where the text does not show what is under the root, it is an error, not a guess:
    /// a power after the root (`√x^2`, `√x²`: `√(x^2)` or `(√x)^2`?), and a factor written
    /// right after a radicand not in brackets or bars (`√2x`: `√(2x)` or `√2*x`?; `√x|y|`).
    fn root(&self, at: Span<'a>, depth: usize) -> PResult<'a, Expr> {
        let depth = self.deeper(at, depth)?;
        let (i, ()) = whitespace(skip(at, ROOT.len_utf8()))?;
        let grouped = matches!(peek(&i), Some('(' | BAR));
        let (i, radicand) = required(self.primary(i, depth), || {
            "a number, a name, a call or `(` after `√`".to_owned()
        })?;
        let (j, ()) = whitespace(i)?;
        let power =
            matches!(superscript(i), Ok(Some(_))) || Infix::at_level(&j, Prec::Power).is_some();
        let juxtaposed = !grouped && self.starts_juxtaposed(&i);
        if power || juxtaposed {
            let (at, expected) = match power {
                true => (
                    j,
                    "parentheses to show what the power is of: `√(x^2)` or `(√x)^2`",
                ),
                false => (
                    i,
                    "parentheses to show what is under the root: `√(2x)` or `√2*x`",
                ),
            };
            return Err(unexpected(at, expected));
        }
        Ok((i, radicand.sqrt()))
    }

    /// `number`, with short integer literals shared: the second `2` is the first one's node.
    ///
    /// A short integer is read directly ([`small_integer`]), any other literal that reads
    /// without error by [`plain_number`], and only a malformed or oversized one by nom's
    /// [`number`], which says what is wrong with it.
    fn number(&self, i: Span<'a>) -> PResult<'a, Expr> {
        let limit = self.options.max_exponent_digits;
        if let Some((digits, n)) = small_integer(i, limit) {
            return Ok((skip(i, digits), self.integer(n)));
        }
        if let Some((j, n)) = plain_number(i, limit) {
            return Ok((j, Expr::num(n)));
        }
        let (j, n) = number(i, limit)?;
        Ok((j, Expr::num(n)))
    }

    /// The shared node of the integer `n`: small ones are shared by `Expr::int` already,
    /// others are shared within this reading, by value.
    #[inline]
    pub(super) fn integer(&self, n: i64) -> Expr {
        if n <= MAX_SHARED_INT {
            return Expr::int(n);
        }
        self.larger_integer(n)
    }

    /// The node of an integer beyond the shared ones, shared within this reading by value.
    fn larger_integer(&self, n: i64) -> Expr {
        self.integers
            .borrow_mut()
            .entry(n)
            .or_insert_with(|| Expr::int(n))
            .clone()
    }

    /// `group = "(" expression ")"`.
    fn group(&self, open: Span<'a>, depth: usize) -> PResult<'a, Expr> {
        let (i, inner) = self.bracketed(open, depth, false)?;
        let (i, ()) = self.close_paren(i, open, "`)` or an operator")?;
        Ok((i, inner))
    }

    /// `bars = "|" expression "|"`: the absolute value, `|x - 1|`, as `abs(x - 1)`.
    fn bars(&self, open: Span<'a>, depth: usize) -> PResult<'a, Expr> {
        let (i, inner) = self.bracketed(open, depth, true)?;
        let (i, ()) = whitespace(i)?;
        match peek(&i) {
            Some(BAR) => Ok((skip(i, 1), Expr::call(Func::Abs, inner))),
            // `(|x)`: the bracket closes an outer one, and the bar is left open.
            None | Some(')' | ']') => Err(fatal(open, ParseErrorKind::Unclosed { bracket: BAR })),
            Some(_) => Err(self.stray(i, "`|` or an operator")),
        }
    }

    /// The expression after the one-character bracket at `open` (`(` or `|`, `bars`), one
    /// level deeper, up to where its closing bracket should be.
    fn bracketed(&self, open: Span<'a>, depth: usize, bars: bool) -> PResult<'a, Expr> {
        let depth = self.deeper(open, depth)?;
        self.enclosed(bars, || {
            required(self.expression(skip(open, 1), depth), || {
                format!("an expression after `{}`", if bars { BAR } else { '(' })
            })
        })
    }

    /// Runs `read` with the innermost bracket being bars (`true`) or another bracket.
    fn enclosed<T>(&self, bars: bool, read: impl FnOnce() -> T) -> T {
        let outer = self.in_bars.replace(bars);
        let value = read();
        self.in_bars.set(outer);
        value
    }

    /// A name, or a call when a function name is followed by `(`.
    ///
    /// A name followed by `(` calls a known or declared function; a bound name, a constant or
    /// a single letter is a value, and the `(` opens an implicit factor (`x(x+1)`); any other
    /// name is an unknown function. Primes (`f'(x)`) only follow a declared function.
    fn name_or_call(&self, start: Span<'a>, depth: usize) -> PResult<'a, Expr> {
        let (i, word) = name(start)?;
        let (i, order) = primes(i)?;
        let text = word;
        let (j, ()) = whitespace(i)?;
        let paren = peek(&j) == Some('(');
        // Without `(` or primes, only a known function changes what a name means: a declared
        // one is then a variable, so most names skip looking through the declared ones.
        let callee = if paren || order > 0 {
            self.callee(text)
        } else {
            Known::from_name(text).map(Callee::Known)
        };
        if order > 0 && !(paren && matches!(callee, Some(Callee::Declared(_)))) {
            return Err(fatal(
                word,
                ParseErrorKind::MisplacedPrime {
                    name: text.to_owned(),
                },
            ));
        }
        match callee {
            Some(callee) if paren => self.call(word, callee, order, j, depth),
            // `ln|x|`, as textbooks write it: the bars are the argument.
            Some(Callee::Known(known)) if peek(&j) == Some(BAR) => {
                let (k, arg) = self.bars(j, depth)?;
                Ok((k, known.apply(arg, None)))
            }
            Some(Callee::Known(_)) => Err(fatal(
                word,
                ParseErrorKind::BareFunction {
                    name: text.to_owned(),
                    power: power_before_argument(j),
                },
            )),
            _ if paren && !self.is_value(text) => {
                let suggestion = suggest(text, self.options.functions.iter().map(|f| &**f));
                Err(fatal(
                    word,
                    ParseErrorKind::UnknownFunction {
                        name: text.to_owned(),
                        suggestion,
                    },
                ))
            }
            _ => {
                let bound = self.bindings.borrow().get(text).cloned();
                if let Some(value) = bound {
                    self.within_depth(word, depth, &value)?;
                    return Ok((i, value));
                }
                if let Some(function) = self.glued_function(text) {
                    let kind = ParseErrorKind::GluedFunction {
                        name: text.to_owned(),
                        function_len: function.len(),
                    };
                    return Err(fatal(word, kind));
                }
                Ok((i, self.unbound_value(word)))
            }
        }
    }

    /// A bound name stands for its whole value: the value's own depth counts at the use, so
    /// that chains of bindings (`a1 = sin(x); a2 = sin(a1); ...`) cannot build what nesting
    /// in the text may not.
    fn within_depth(&self, at: Span<'a>, depth: usize, value: &Expr) -> Result<(), Fatal<'a>> {
        let nodes = usize::try_from(value.depth()).unwrap_or(usize::MAX);
        if depth.saturating_add(nodes) > self.options.max_depth {
            return Err(fatal(
                at,
                ParseErrorKind::TooDeep {
                    limit: self.options.max_depth,
                },
            ));
        }
        Ok(())
    }

    /// `call = name { "'" } "(" [ arguments ] ")"` and `arguments = expression { "," expression }`.
    fn call(
        &self,
        word: Span<'a>,
        callee: Callee,
        order: usize,
        open: Span<'a>,
        depth: usize,
    ) -> PResult<'a, Expr> {
        let depth = self.deeper(open, depth)?;
        let (mut i, ()) = whitespace(skip(open, 1))?;
        // No function takes more than two arguments: only the count of any others matters.
        let (mut count, mut first, mut second) = (0usize, None, None);
        if peek(&i) != Some(')') {
            loop {
                let after = if count == 0 { "`(`" } else { "`,`" };
                let (j, arg) = self.enclosed(false, || {
                    required(self.expression(i, depth), || {
                        format!("an argument after {after}")
                    })
                })?;
                match count {
                    0 => first = Some(arg),
                    1 => second = Some(arg),
                    _ => {}
                }
                count += 1;
                let (j, ()) = whitespace(j)?;
                if peek(&j) != Some(',') {
                    i = j;
                    break;
                }
                i = skip(j, 1);
            }
        }
        let (i, ()) = self.close_paren(i, open, "`,`, `)` or an operator")?;
        let arity = match &callee {
            Callee::Known(known) => known.arity(),
            Callee::Declared(_) => (1, 1),
        };
        let Some(arg) = first.filter(|_| count >= arity.0 && count <= arity.1) else {
            let kind = ParseErrorKind::Arity {
                name: word.to_owned(),
                expected: arity_words(arity),
                found: count,
            };
            return Err(fatal(word, kind));
        };
        let value = match callee {
            Callee::Known(known) => known.apply(arg, second),
            Callee::Declared(f) => Expr::undef(f, u32::try_from(order).unwrap_or(u32::MAX), arg),
        };
        Ok((i, value))
    }

    /// Reads the `)` that closes `open`, or says what is wrong: the `(` is never closed (at
    /// end of input) or something else stands where `)` should.
    fn close_paren(&self, i: Span<'a>, open: Span<'a>, expected: &str) -> PResult<'a, ()> {
        let (i, ()) = whitespace(i)?;
        match peek(&i) {
            Some(')') => Ok((skip(i, 1), ())),
            None => Err(fatal(open, ParseErrorKind::Unclosed { bracket: '(' })),
            Some(_) => Err(unexpected(i, expected)),
        }
    }

    /// The error for what stands after a complete expression where `expected` should: a
    /// closing bracket that closes nothing, or anything else.
    fn stray(&self, at: Span<'a>, expected: &str) -> Fatal<'a> {
        match peek(&at) {
            Some(bracket @ (')' | ']')) => fatal(at, ParseErrorKind::Unopened { bracket }),
            _ => unexpected(at, expected),
        }
    }

    /// Takes one level of nesting at `at`, or fails with `TooDeep` past the limit.
    fn deeper(&self, at: Span<'a>, depth: usize) -> Result<usize, Fatal<'a>> {
        if depth >= self.options.max_depth {
            return Err(fatal(
                at,
                ParseErrorKind::TooDeep {
                    limit: self.options.max_depth,
                },
            ));
        }
        Ok(depth + 1)
    }

    /// The function a name calls, if it is one: a known function first, then a declared one.
    pub(super) fn callee(&self, text: &str) -> Option<Callee> {
        Known::from_name(text)
            .map(Callee::Known)
            .or_else(|| self.declared(text).map(Callee::Declared))
    }

    /// The declared undefined function of this name.
    fn declared(&self, text: &str) -> Option<Symbol> {
        self.options
            .functions
            .iter()
            .find(|f| &***f == text)
            .cloned()
    }

    /// Whether a name followed by `(` is a value that multiplies: a bound name, a constant, or
    /// a single letter.
    pub(super) fn is_value(&self, text: &str) -> bool {
        self.bindings.borrow().contains_key(text)
            || constant(text).is_some()
            || text.chars().count() == 1
    }

    /// A name that is a known function's glued to a variable of differentiation, perhaps
    /// with a number between (`sinx`, `lnx`, `sin2x`): the function's name it starts with.
    /// Read as one name it would be a new variable, and its derivative silently 0.
    pub(super) fn glued_function<'t>(&self, text: &'t str) -> Option<&'t str> {
        self.options.variables.iter().find_map(|variable| {
            let head = text.strip_suffix(&**variable)?;
            // `log10x` is `log10(x)`; `sin2x` is `sin(2x)`.
            let function = [head, head.trim_end_matches(|c: char| c.is_ascii_digit())]
                .into_iter()
                .find(|f| Known::from_name(f).is_some())?;
            Some(function)
        })
    }

    /// What a name that is not bound stands for: a constant, or a free variable (the same
    /// shared node at every use).
    pub(super) fn unbound_value(&self, word: Span<'a>) -> Expr {
        let text = word;
        if let Some(c) = constant(text) {
            return Expr::constant(c);
        }
        if let Some((_, value)) = self.options.values.iter().find(|(n, _)| &**n == text) {
            return value.clone();
        }
        if self.in_binding.get() {
            self.free_uses.borrow_mut().entry(text).or_insert(word);
        }
        if text.len() == 1 {
            // One letter: `Expr::sym` has a shared node for it.
            return Expr::sym(text);
        }
        let mut leaves = self.leaves.borrow_mut();
        leaves
            .entry(text)
            .or_insert_with(|| Expr::sym(text))
            .clone()
    }
}

/// The whole power written between a function's name and its argument, as in `sin^2(x)`
/// or `sin²(x)`: what a message can suggest moving after the call.
fn power_before_argument(i: Span<'_>) -> Option<i64> {
    if let Ok(Some((rest, k))) = superscript(i) {
        return (peek(&rest) == Some('(')).then_some(k);
    }
    let (i, ()) = whitespace(i).ok()?;
    let (_, op) = Infix::at_level(&i, Prec::Power)?;
    let (i, ()) = whitespace(skip(i, op.len())).ok()?;
    // `sin^-1(x)`, as some books write the inverse function.
    let (i, sign) = match Infix::at_level(&i, Prec::Sum) {
        Some((Infix::Sub, minus)) => (skip(i, minus.len()), -1),
        _ => (i, 1),
    };
    let (digits, k) = small_integer(i, 18)?;
    let (rest, ()) = whitespace(skip(i, digits)).ok()?;
    (peek(&rest) == Some('(')).then_some(sign * k)
}

/// The size of `e`'s numeric coefficient, which a product multiplies with the others':
/// the bits of the larger of its numerator and denominator.
pub(super) fn coefficient_bits(e: &Expr) -> u64 {
    let coefficient = match e.kind() {
        Kind::Num(n) => Some(n),
        Kind::Mul(factors) => factors.first().and_then(Expr::as_num),
        _ => None,
    };
    coefficient.map_or(0, Number::bits)
}
