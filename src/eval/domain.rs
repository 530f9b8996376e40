//! Inputs with no derivative anywhere: what the pipeline refuses before differentiating.
//!
//! The canonical constructors keep `1/0`, `ln(-2)` or `asin(pi)` unevaluated, and a
//! derivative can lose them (`d/dx cot(x - x)` is `-csc(0)^2*0 = 0`), so the command line asks
//! first. Seven kinds are found, all read from the one table of real functions the evaluators
//! share (`table.rs`), so the domains are written down once:
//! - forms undefined as they stand: a number to a power that has no real value (`0^-1`,
//!   `(-1)^(1/2)`), a function at an integer where the table has no value (`ln(0)`,
//!   `cot(0)`, `atanh(1)`: integers are exact in `f64`), and the circular functions at
//!   their poles written as multiples of `pi` (`tan(pi/2)`, `csc(2*pi)`);
//! - constants outside a function's real domain, which take evaluating (`asin(pi)`,
//!   `acos(sinh(1))`, `ln(1 - e)`, `sqrt(2 - pi)`). The walk evaluates constants in `f64`;
//!   where that finds no value, the argument is evaluated again with [`REFERENCE_BITS`] and
//!   the constant is refused only when the table has no value a [`MARGIN`] either side of
//!   it: `asin(sqrt(2)*cos(pi/4))`, exactly `asin(1)`, is kept whatever rounding makes of
//!   it. Poles (`cot(pi - pi)`-like values that are zero only mathematically) cannot be told
//!   from small numbers by evaluating, so only their exact forms are refused;
//! - functions whose argument's [`Range`] misses their domain: `ln(-x^2 - 1)`, `ln(-x^2)`,
//!   `0^(-x^2 - 1)` (zero to a power is real where the exponent is `>= 0`), or misses it on
//!   each piece of the line between the points where an `abs` or `sign` of a linear
//!   argument in it changes form (`cells.rs`): `asin(max(x, 2))`;
//! - functions whose argument's range meets their domain only at an end, the argument being
//!   constant on no interval, so that they are real only at isolated points:
//!   `asin(x^2 + 1)`, `acos(cosh(x))`, `sqrt(-abs(x))`, `sqrt(ln(1 - x^4))`
//!   ([`Undefined::Isolated`]);
//! - a base negative everywhere (or zero only at isolated points) to a power constant on no
//!   interval, real only where the exponent is an integer: `(-2)^x`, `(-x^2 - 1)^x`
//!   ([`Undefined::NegativeBase`]);
//! - functions of an argument with an `abs` or `sign` in it that are real on none of the
//!   cells and only at some of the points between them: `atanh(sign(x))`
//!   ([`Undefined::AtPoints`]); and functions of one `sign(v)` of anything, read at the
//!   three values the sign takes: `ln(sign(cos(x) - 1))`, `atanh(sign(sin(x)))`;
//! - two subexpressions real on intervals of one symbol that share at most a point, read from
//!   arguments linear in it (`bounds.rs`): `x^x*ln(-x)` ([`Undefined::Apart`]).

use super::bounds::{Bounds, Conflict};
use super::cells::{self, OnCells};
use super::range::{OutsideUnit, Range, constant_sign, node_range, outside_unit_of};
use super::table::{apply, power};
use super::{Env, REFERENCE_BITS, Values, eval_precise, node_value};
use crate::expr::{Constant, Expr, Func, Kind, Symbol};
use crate::num::Number;
use crate::poly::{OneAtomFraction, Side};

/// How far outside a domain a constant must be to be refused. Far above the error of a
/// [`REFERENCE_BITS`] evaluation, far below any distance a formula means to be outside
/// (the ends of the real functions' domains are at 0 and 1 in size).
const MARGIN: f64 = 1e-9;

/// What the walk of [`undefined_subexpression`] knows of a node it has passed.
struct Known {
    /// Bounds on its values.
    range: Range,
    /// Whether it is analytic for every real value of its symbols ([`is_analytic`]).
    analytic: bool,
    /// Its `f64` value, when it is a constant that has one.
    value: Option<f64>,
    /// Whether an `abs` or `sign` of something not constant is in it, where its range may
    /// miss what [`cells`] sees.
    breaks: bool,
}

/// Why a formula has no derivative anywhere: found by [`undefined_subexpression`].
#[derive(Clone, Debug, PartialEq)]
pub enum Undefined {
    /// The subexpression has no real value for any value of the symbols: `1/0`, `ln(-2)`,
    /// `ln(-x^2)`, `asin(x^4 + 3)`.
    Everywhere(Expr),
    /// The subexpression, a function of `argument`, is real only where `argument` takes one
    /// of `values`: `asin(x^2 + 1)` where `x^2 + 1 = 1`, `acos(cosh(x))`, `sqrt(sin(x) - 1)`,
    /// `asin(sec(x))`. The argument is analytic and not constant, so that happens only at
    /// isolated points, and a function real only at isolated points has no derivative. Whether
    /// the argument takes those values at all is not decided (`sin(x)*cos(x) - 1` is at most
    /// 0 by its range, and never 0), so the message says "at most at isolated points".
    Isolated {
        /// The subexpression.
        at: Expr,
        /// Its argument (or base).
        argument: Expr,
        /// The argument's only values where the subexpression is real (among -1, 0, 1).
        values: Vec<i8>,
    },
    /// The subexpression, a function of an argument with an `abs` or `sign` in it, is real on
    /// no interval, only at some of the points where those change form: `atanh(sign(x))` is
    /// real only at `x = 0` (where it is `atanh(0)`), `atanh(sign(x - 1)*sign(x + 1))` only
    /// at -1 and 1.
    AtPoints {
        /// The subexpression.
        at: Expr,
        /// The one symbol of its argument.
        symbol: Symbol,
        /// The symbol's values where it is real, in increasing order.
        points: Vec<Number>,
    },
    /// Two subexpressions each real on an interval only where one symbol lies in an interval
    /// of its own, the two intervals sharing at most a point: `x^x*ln(-x)` (`x > 0` and
    /// `x < 0`), `sqrt(x)*sqrt(-x)`.
    Apart(Box<Conflict>),
    /// A base negative everywhere (or zero only at isolated points) to a power that is
    /// constant on no interval: `(-2)^x`, `(-x^2 - 1)^x`, `(-x^2)^x`, real only where the
    /// exponent is an integer (or the base is 0), at isolated points.
    NegativeBase {
        /// The power.
        at: Expr,
        /// Its exponent.
        exponent: Expr,
        /// Whether the base is 0 somewhere (at isolated points).
        base_reaches_zero: bool,
    },
}

impl Undefined {
    /// Whether the subexpression at fault is infinite (`1/0`, `ln(0)`, `tan(pi/2)`,
    /// `atanh(1)`, `asec(0)`), so undefined over the complex numbers too, not only outside
    /// the real domain (`ln(-1)`, `sqrt(-9)`, `asin(2)` are finite complex numbers).
    pub fn is_infinite(&self) -> bool {
        let Undefined::Everywhere(at) = self else {
            return false;
        };
        match at.kind() {
            Kind::Pow(b, x) => b.is_int(0) && x.is_negative_term(),
            Kind::Call(f, a) if a.free_symbols().is_empty() => {
                // Exact poles are found by form, so the value is exact up to rounding.
                let near = |pole: f64| {
                    eval_precise(a, &Env::new(), REFERENCE_BITS)
                        .is_ok_and(|v| (v.to_f64().abs() - pole).abs() <= 1e-12)
                };
                match f {
                    // Real everywhere but at their poles.
                    Func::Tan | Func::Sec | Func::Cot | Func::Csc | Func::Coth | Func::Csch => true,
                    Func::Ln | Func::Asec | Func::Acsc | Func::Asech | Func::Acsch => near(0.0),
                    Func::Atanh | Func::Acoth => near(1.0),
                    _ => false,
                }
            }
            _ => false,
        }
    }

    /// The subexpression at fault.
    pub fn at(&self) -> &Expr {
        match self {
            Undefined::Everywhere(at)
            | Undefined::Isolated { at, .. }
            | Undefined::NegativeBase { at, .. }
            | Undefined::AtPoints { at, .. } => at,
            Undefined::Apart(conflict) => &conflict.second.at,
        }
    }
}

impl std::fmt::Display for Undefined {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Undefined::Everywhere(at) => write!(f, "`{at}` is undefined"),
            Undefined::Isolated {
                at,
                argument,
                values,
            } => {
                let values: Vec<String> = values.iter().map(i8::to_string).collect();
                write!(
                    f,
                    "`{at}` is real at most at isolated points, where `{argument}` is {}, so it \
                     has no derivative",
                    values.join(" or ")
                )
            }
            Undefined::NegativeBase {
                at,
                exponent,
                base_reaches_zero,
            } => write!(
                f,
                "`{at}` is real at most at isolated points, where `{exponent}` is an \
                 integer{}, so it has no derivative",
                if *base_reaches_zero {
                    " or the base is 0"
                } else {
                    ""
                }
            ),
            Undefined::AtPoints { at, symbol, points } => {
                let points: Vec<String> = points.iter().map(Number::to_string).collect();
                write!(
                    f,
                    "`{at}` is real only where {symbol} is {}, so it has no derivative",
                    points.join(" or ")
                )
            }
            Undefined::Apart(c) => write!(
                f,
                "`{}` is real on an interval only where {}, and `{}` only where {}: together \
                 they are real on no interval, so there is no derivative",
                c.first.at,
                c.first.within.describe(&c.first.on.to_string()),
                c.second.at,
                c.second.within.describe(&c.second.on.to_string())
            ),
        }
    }
}

/// The first subexpression (children before parents) that is undefined for every value of
/// the symbols (`1/0`, `ln(-2)`, `(-1)^(1/2)`, `cot(0)`, `asin(pi)`, `acosh(cos(1))`,
/// `ln(-x^2)`), or real only at isolated points (`asin(x^2 + 1)`): see [`Undefined`].
///
/// ```
/// use deriv::{parse, undefined_subexpression};
/// let bad = |text: &str| undefined_subexpression(&parse(text).unwrap()).map(|u| u.to_string());
/// assert_eq!(bad("x + 1/(x - x)"), Some("`1/0` is undefined".to_string()));
/// assert_eq!(bad("cos(x)/cos(asin(pi))"), Some("`asin(pi)` is undefined".to_string()));
/// assert_eq!(bad("asin(x) + acos(1/sqrt(2))"), None);
/// assert_eq!(
///     bad("acos(cosh(x))"),
///     Some("`acos(cosh(x))` is real at most at isolated points, where `cosh(x)` is 1, so it \
///           has no derivative".to_string())
/// );
/// ```
pub fn undefined_subexpression(e: &Expr) -> Option<Undefined> {
    first_undefined(e, Cells::Cut)
}

/// Whether the walk may cut the line into cells ([`cells`]). The cells' own checks do not:
/// they ask about a function already written out for one cell, and cutting it again would
/// ask them again, without end (an `abs` a constructor rebuilt may still be in it).
#[derive(Clone, Copy, PartialEq)]
enum Cells {
    Cut,
    Uncut,
}

/// [`undefined_subexpression`], cutting into cells or not.
fn first_undefined(e: &Expr, cells: Cells) -> Option<Undefined> {
    let nodes = e.postorder();
    let mut known: Values<Known> = Values::default();
    known.reserve(nodes.len());
    let mut bounds = Bounds::default();
    for node in nodes {
        if undefined_as_written(&node) {
            return Some(Undefined::Everywhere(node));
        }
        match where_real(&node, &known, cells) {
            Real::Nowhere => return Some(Undefined::Everywhere(node)),
            Real::OnlyAt(argument, values) => {
                return Some(Undefined::Isolated {
                    at: node,
                    argument,
                    values,
                });
            }
            Real::AtIntegers {
                exponent,
                base_reaches_zero,
            } => {
                return Some(Undefined::NegativeBase {
                    at: node,
                    exponent,
                    base_reaches_zero,
                });
            }
            Real::AtPoints(symbol, points) => {
                return Some(Undefined::AtPoints {
                    at: node,
                    symbol,
                    points,
                });
            }
            Real::Somewhere => {}
        }
        let value = match constant_value(&node, &known) {
            Ok(value) => value,
            Err(()) => return Some(Undefined::Everywhere(node)),
        };
        let range = node_range(&node, |c| {
            known.get(&c.id()).map_or(Range::ALL, |k| k.range)
        });
        let varies =
            |exponent: &Expr| is_known_analytic(exponent, &known) && not_constant(exponent);
        if let Some(conflict) = bounds.add(&node, varies) {
            return Some(Undefined::Apart(Box::new(conflict)));
        }
        // A constant with a value is analytic, whatever it is made of (`sec(3)`).
        let analytic = value.is_some() || is_analytic(&node, &known);
        let breaks = match node.kind() {
            Kind::Call(Func::Abs | Func::Sign, a) => known_value(a, &known).is_none(),
            _ => false,
        } || node
            .children()
            .any(|c| known.get(&c.id()).is_some_and(|k| k.breaks));
        known.insert(
            node.id(),
            Known {
                range,
                analytic,
                value,
                breaks,
            },
        );
    }
    None
}

/// The `f64` value of `node` when it is a constant whose children all have values: `None`
/// when it is not constant (a symbol anywhere below keeps it and its parents out) or has no
/// finite value, an error when it has none because it is clearly outside a domain.
fn constant_value(node: &Expr, known: &Values<Known>) -> Result<Option<f64>, ()> {
    let value_of = |c: &Expr| known_value(c, known);
    if matches!(node.kind(), Kind::Sym(_) | Kind::Undef { .. })
        || !node.children().all(|c| value_of(c).is_some())
    {
        return Ok(None);
    }
    match node_value(node, |c| value_of(c).unwrap_or(f64::NAN), |_| None) {
        Ok(v) if v.is_finite() => Ok(Some(v)),
        Err(_) if clearly_outside(node) => Err(()),
        _ => Ok(None),
    }
}

/// The real domain of a function of one argument, of a number power of a base, or of zero
/// to a power.
#[derive(Clone, Copy)]
enum Domain {
    Call(Func),
    Power(f64),
    /// `0^t`, real for `t >= 0`.
    OfZero,
}

impl Domain {
    /// Whether the function has a value at `t`.
    fn contains(self, t: f64) -> bool {
        match self {
            Domain::Call(f) => apply(f, t).is_some(),
            Domain::Power(x) => power(t, x).is_ok(),
            Domain::OfZero => power(0.0, t).is_ok(),
        }
    }

    /// Whether the function has a value on every piece of the line (so that no range of
    /// its argument can miss the domain).
    fn is_whole_line(self) -> bool {
        PIECES.iter().all(|piece| self.contains(piece.point))
    }
}

/// A function of an argument, a number power of a base or zero to a power, as that argument
/// (base, exponent) and the function's domain.
fn argument_and_domain(node: &Expr) -> Option<(&Expr, Domain)> {
    match node.kind() {
        Kind::Call(f, a) => Some((a, Domain::Call(*f))),
        Kind::Pow(b, x) if b.is_int(0) => Some((x, Domain::OfZero)),
        Kind::Pow(b, x) => {
            let x = x.as_num().filter(|x| !x.is_integer())?.to_f64();
            Some((b, Domain::Power(x)))
        }
        _ => None,
    }
}

/// Where a function of an argument (or a number power of a base) is real, as far as the
/// argument's [`Range`] tells.
enum Real {
    /// Perhaps on an interval: nothing to refuse.
    Somewhere,
    /// Nowhere: `ln(-x^2 - 1)`, `asin(x^4 + 3)`, `(-x^2 - 2)^(3/2)`, `ln(-x^2)`.
    Nowhere,
    /// Only where the argument takes one of these values, which happens at isolated points:
    /// `asin(x^2 + 1)`.
    OnlyAt(Expr, Vec<i8>),
    /// A power of a base never positive, real only where the exponent is an integer (or
    /// the base is 0), which happens at isolated points: `(-2)^x`, `(-x^2)^x`.
    AtIntegers {
        exponent: Expr,
        base_reaches_zero: bool,
    },
    /// On no interval, only at these values of a symbol: `atanh(sign(x))` at `x = 0`
    /// ([`cells::OnCells::OnlyAt`]).
    AtPoints(Symbol, Vec<Number>),
}

/// Where `node` is real (see [`Real`]).
///
/// Every domain in the function table ends at `-1`, `0` or `1` (a test checks it), so on
/// each piece of the line between and at those points a function is defined everywhere or
/// nowhere, and one point of each piece the range meets decides. Ranges are rounded outward
/// wherever they may have rounded, so a range that ends exactly at a domain's end is exact.
/// `sec(u)` and `csc(u)` as the argument (or their negations, or `1/cos(u)`, `1/sin(u)`)
/// take no value inside `(-1, 1)`, and `coth(u)` none in `[-1, 1]`, which a range cannot say
/// ([`OutsideUnit`]): `asin(sec(x))` is real only where `sin(x) = 0`, `atanh(coth(x))`
/// nowhere. An argument that is never 0 (`-1/(x^2 + 1)`) does not take the end 0 of its
/// closed range.
///
/// When the argument meets the domain only at some of `-1`, `0`, `1` (`asin(x^2 + 1)`:
/// `x^2 + 1 >= 1`), the function is real only at isolated points if the argument is analytic
/// and not constant (for `sec(u)`, if `u` is).
///
/// With [`Cells::Cut`], a function left real somewhere whose argument has an `abs` or `sign`
/// of the symbol in it is also checked cell by cell ([`cells`]).
fn where_real(node: &Expr, known: &Values<Known>, cells: Cells) -> Real {
    if let Kind::Pow(b, x) = node.kind()
        && x.as_num().is_none()
        && let Some(reaches_zero) = never_positive(b, known)
        && never_locally_constant(x, known)
    {
        return Real::AtIntegers {
            exponent: x.clone(),
            base_reaches_zero: reaches_zero,
        };
    }
    let Some((argument, domain)) = argument_and_domain(node) else {
        return Real::Somewhere;
    };
    let outside_unit = outside_unit_of(argument);
    let r = known.get(&argument.id()).map_or(Range::ALL, |k| k.range);
    let by_range = real_on(
        pieces_met(r, outside_unit),
        argument,
        outside_unit,
        domain,
        known,
    );
    // Ranges lose what the parts of a rational argument share (`x/(x^2 + 1)` looks like all
    // reals); where that is what kept the function real, or real at a domain's end the
    // argument may never reach (`1/x^2 + 1` never is 1), count roots exactly.
    let refinable = matches!(by_range, Real::Somewhere | Real::OnlyAt(..));
    if !refinable || domain.is_whole_line() {
        return by_range;
    }
    let by_sides = match Sides::of(argument, known) {
        Some(sides) => {
            let admitted = pieces_met(r, outside_unit).filter(|p| sides.admit(p));
            real_on(admitted, argument, outside_unit, domain, known)
        }
        None => by_range,
    };
    // Ranges also lose what the parts share across an `abs` or a `sign` (`x - abs(x) - 1`
    // looks like all reals): where that kept the function real, check it cell by cell.
    let undefined_everywhere = |e: &Expr| {
        matches!(
            first_undefined(e, Cells::Uncut),
            Some(Undefined::Everywhere(_))
        )
    };
    let breaks = known.get(&argument.id()).is_some_and(|k| k.breaks);
    match by_sides {
        Real::Somewhere if breaks => {
            let on_cells = match cells {
                Cells::Cut => cells::real_on_cells(node, argument, undefined_everywhere),
                Cells::Uncut => OnCells::Somewhere,
            };
            match on_cells {
                // Not linear in one symbol: a `sign` of anything may still decide it.
                OnCells::Somewhere => real_through_one_sign(node, known).unwrap_or(Real::Somewhere),
                OnCells::Nowhere => Real::Nowhere,
                OnCells::OnlyAt(symbol, points) => Real::AtPoints(symbol, points),
            }
        }
        other => other,
    }
}

/// Where `node`, a function of an argument whose symbols are all inside one `sign(v)`
/// (`atanh(sign(sin(x)))`, `ln(sign(cos(x) - 1))`, `asin(2*sign(x^2 - 1))`), is real, when
/// that decides it: the argument takes at most three values, at `sign(v)` = -1, 0 and 1 (only
/// those the range of `v` allows). Real at none of them: nowhere; only at 0: where `v` is 0,
/// at isolated points when `v` is analytic and not constant. `None` otherwise.
fn real_through_one_sign(node: &Expr, known: &Values<Known>) -> Option<Real> {
    let mut signs = node
        .postorder()
        .into_iter()
        .filter(|n| matches!(n.kind(), Kind::Call(Func::Sign, v) if !v.free_symbols().is_empty()));
    let sign = signs.next()?;
    if signs.any(|other| other != sign) {
        return None;
    }
    let Kind::Call(_, v) = sign.kind() else {
        return None;
    };
    let r = known.get(&v.id()).map_or(Range::ALL, |k| k.range);
    let taken = [
        (-1, r.lo < 0.0),
        (0, r.lo <= 0.0 && r.hi >= 0.0),
        (1, r.hi > 0.0),
    ];
    let mut real_at = Vec::new();
    for (t, _) in taken.into_iter().filter(|&(_, taken)| taken) {
        let at = node.rewrite_bottom_up(|n, _| (*n == sign).then(|| Expr::int(t)));
        if !at.free_symbols().is_empty() {
            return None;
        }
        if !matches!(
            first_undefined(&at, Cells::Uncut),
            Some(Undefined::Everywhere(_))
        ) {
            real_at.push(t);
        }
    }
    match real_at[..] {
        [] => Some(Real::Nowhere),
        [0] if is_known_analytic(v, known) && not_constant(v) => {
            Some(Real::OnlyAt(v.clone(), vec![0]))
        }
        _ => None,
    }
}

/// Where a function of `argument` (whose [`OutsideUnit`] form is `outside_unit`) with
/// `domain` is real when its argument takes values in the pieces `met` (see [`where_real`]).
fn real_on<'p>(
    met: impl Iterator<Item = &'p Piece>,
    argument: &Expr,
    outside_unit: Option<OutsideUnit>,
    domain: Domain,
    known: &Values<Known>,
) -> Real {
    let mut values = Vec::new();
    for piece in met {
        if domain.contains(piece.point) {
            if !piece.is_point() {
                return Real::Somewhere;
            }
            values.push(piece.point as i8);
        }
    }
    // `sqrt(-1/(x^2 + 1))`: the range's closed end at 0 is never reached.
    values.retain(|&v| v != 0 || !never_zero(argument, known));
    if values.is_empty() {
        return Real::Nowhere;
    }
    let varying = outside_unit.map_or(argument, |o| o.of);
    match never_locally_constant(varying, known) {
        true => Real::OnlyAt(argument.clone(), values),
        false => Real::Somewhere,
    }
}

/// Whether `e` is 0 nowhere it is defined: a nonzero number, a constant, `exp`, a negative
/// power, something whose range leaves out 0, or a product of such (a [`Range`], closed,
/// cannot say that `-1/(x^2 + 1)` stays off its end at 0, though it can say that `-x^2 - 1`
/// does).
fn never_zero(e: &Expr, known: &Values<Known>) -> bool {
    let off_zero = || {
        known
            .get(&e.id())
            .is_some_and(|k| k.range.lo > 0.0 || k.range.hi < 0.0)
    };
    match e.kind() {
        Kind::Num(n) => !n.is_zero(),
        Kind::Const(_) | Kind::Call(Func::Exp | Func::Cosh | Func::Sech, _) => true,
        Kind::Pow(_, k) => k.as_num().is_some_and(Number::is_negative) || off_zero(),
        Kind::Mul(xs) => xs.iter().all(|x| never_zero(x, known)),
        // A constant of known sign (`cos(2)`).
        _ => off_zero() || constant_sign(e).is_some(),
    }
}

/// Whether the base `b` of a power is negative wherever it is defined (`Some(false)`), or
/// at most zero and zero only at isolated points (`Some(true)`: `-x^2`); `None` when it may
/// be positive, or zero on an interval.
fn never_positive(b: &Expr, known: &Values<Known>) -> Option<bool> {
    if known_value(b, known).is_some_and(|v| v < -MARGIN) {
        return Some(false);
    }
    let hi = known.get(&b.id())?.range.hi;
    match hi {
        _ if hi < 0.0 => Some(false),
        _ if hi == 0.0 && never_locally_constant(b, known) => Some(true),
        _ => None,
    }
}

/// Whether `e` is surely constant on no interval, so that it takes any one value only on a
/// set without interior: an analytic expression that is [`not_constant`], or a function of
/// one argument that is constant on no interval of its domain (every function but `sign`;
/// powers with a number exponent other than 0; a constant plus or a nonzero constant times
/// the argument) of such an expression. A function of a function of `u` maps each interval
/// of `u`'s values to an interval again, so the chain may be as long as it is:
/// `ln(1 - x^4)`, `-abs(x)` and `sqrt(cos(x) - 2*x) + 1` qualify; sums of two of them do not
/// (`ln(x^2) - 2*ln(x)` is constant where it is real).
fn never_locally_constant(e: &Expr, known: &Values<Known>) -> bool {
    let mut e = e;
    loop {
        if is_known_analytic(e, known) {
            return not_constant(e);
        }
        e = match e.kind() {
            Kind::Call(f, a) if *f != Func::Sign => a,
            Kind::Pow(b, k) if k.as_num().is_some_and(|k| !k.is_zero()) => b,
            Kind::Add(xs) | Kind::Mul(xs) => match only_varying(xs) {
                Some(u) => u,
                None => return false,
            },
            _ => return false,
        };
    }
}

/// The one term (or factor) of `xs` that is not a number or a named constant, when the
/// others are and none is zero.
fn only_varying(xs: &[Expr]) -> Option<&Expr> {
    let fixed = |x: &Expr| matches!(x.kind(), Kind::Num(_) | Kind::Const(_)) && !x.is_int(0);
    let mut varying = xs.iter().filter(|x| !fixed(x));
    let u = varying.next()?;
    varying.next().is_none().then_some(u)
}

/// One piece of the line cut at `-1`, `0` and `1`: an open interval or one of those points.
struct Piece {
    start: f64,
    end: f64,
    /// A point in it.
    point: f64,
}

impl Piece {
    /// The piece from `start` to `end` (equal for a point), with `point` in it.
    const fn new(start: f64, end: f64, point: f64) -> Piece {
        Piece { start, end, point }
    }

    fn is_point(&self) -> bool {
        self.start == self.end
    }

    /// Whether it lies inside `(-1, 1)`.
    fn inside_unit(&self) -> bool {
        match self.is_point() {
            true => -1.0 < self.start && self.start < 1.0,
            false => -1.0 <= self.start && self.end <= 1.0,
        }
    }
}

/// The pieces of the line cut at `-1`, `0` and `1`.
const PIECES: [Piece; 7] = [
    Piece::new(f64::NEG_INFINITY, -1.0, -2.0),
    Piece::new(-1.0, -1.0, -1.0),
    Piece::new(-1.0, 0.0, -0.5),
    Piece::new(0.0, 0.0, 0.0),
    Piece::new(0.0, 1.0, 0.5),
    Piece::new(1.0, 1.0, 1.0),
    Piece::new(1.0, f64::INFINITY, 2.0),
];

/// The pieces that `r` meets (an open piece when it overlaps its inside, a point piece when
/// it holds it); with `outside_unit`, the values are known to lie outside `(-1, 1)` too (and
/// off -1 and 1 when it says so).
fn pieces_met(r: Range, outside_unit: Option<OutsideUnit>) -> impl Iterator<Item = &'static Piece> {
    PIECES.iter().filter(move |piece| {
        let meets = if piece.is_point() {
            r.lo <= piece.start && piece.start <= r.hi
        } else {
            r.lo < piece.end && r.hi > piece.start
        };
        let excluded = outside_unit.is_some_and(|o| {
            piece.inside_unit() || (o.strictly && piece.is_point() && piece.start.abs() == 1.0)
        });
        meets && !excluded
    })
}

/// The largest argument, in tree nodes, whose square [`Sides::of`] reads.
const MAX_SQUARED: u64 = 60;

/// How an argument compares with each end of the pieces, `-1`, `0` and `1`, for every value
/// of its symbols ([`Side`]; `None` where that is not known): read from the argument when it
/// is a fraction of polynomials in one atom ([`OneAtomFraction`]); otherwise its sign from
/// its factors' ([`sign_of_factors`]), and how its magnitude compares with 1 from its square
/// when that is such a fraction: `sqrt(x^2 + 1)/x` has two atoms, but its square
/// `(x^2 + 1)/x^2` is above 1 everywhere, so `atanh(sqrt(x^2 + 1)/x)` is real nowhere.
struct Sides {
    /// Against -1, 0 and 1.
    ends: [Option<Side>; 3],
    /// `|u|` against 1.
    magnitude: Option<Side>,
}

impl Sides {
    /// What is known of `argument`, whose parts' ranges are in `known`; `None` when nothing
    /// is.
    fn of(argument: &Expr, known: &Values<Known>) -> Option<Sides> {
        if let Some(mut fraction) = OneAtomFraction::of(argument) {
            let ends = [-1, 0, 1].map(|t| fraction.compared_with(&Number::int(t)));
            return ends.iter().any(Option::is_some).then_some(Sides {
                ends,
                magnitude: None,
            });
        }
        // Of several atoms: the sign from the factors', the magnitude from the square (of a
        // small argument: squaring multiplies out what the budget then pays for). Below 0
        // everywhere is below 1 too, above 0 is above -1.
        let sign = sign_of_factors(argument, known);
        let ends = match sign {
            Some(Side::Below) => [None, sign, sign],
            Some(Side::Above) => [sign, sign, None],
            _ => [None; 3],
        };
        let magnitude = (argument.tree_size() <= MAX_SQUARED)
            .then(|| OneAtomFraction::of(&argument.clone().pow(2)))
            .flatten()
            .and_then(|mut square| square.compared_with(&Number::one()));
        (ends.iter().any(Option::is_some) || magnitude.is_some())
            .then_some(Sides { ends, magnitude })
    }

    /// How the argument compares with the end `t`, if `t` is one (-1, 0 or 1).
    fn at(&self, t: f64) -> Option<Side> {
        let index = [-1.0, 0.0, 1.0].iter().position(|&end| end == t)?;
        self.ends[index]
    }

    /// Whether the argument may take a value in `piece`: not if it is at least the piece's
    /// upper end or at most its lower end everywhere, or, for a point, if it is off the
    /// point everywhere; nor if its magnitude keeps to the other side of 1.
    fn admit(&self, piece: &Piece) -> bool {
        let by_ends = if piece.is_point() {
            !self.at(piece.start).is_some_and(Side::is_strict)
        } else {
            !self.at(piece.end).is_some_and(Side::never_below)
                && !self.at(piece.start).is_some_and(Side::never_above)
        };
        let unit_point = piece.is_point() && piece.start.abs() == 1.0;
        let outside = !piece.is_point() && (piece.end <= -1.0 || piece.start >= 1.0);
        let by_magnitude = match self.magnitude {
            None => true,
            Some(Side::Above) => !piece.inside_unit() && !unit_point,
            Some(Side::AboveOrAt) => !piece.inside_unit(),
            Some(Side::Below) => !outside && !unit_point,
            Some(Side::BelowOrAt) => !outside,
        };
        by_ends && by_magnitude
    }
}

/// The sign of a product whose every factor has one, strictly, for every value of the
/// symbols: a factor's range leaves out 0, it is one over a root (positive where it is
/// real), or it is a fraction of polynomials in one atom that is never 0
/// (`(-x^4 - 2*x^3 - 3)/sqrt(x^2 + 1)` is negative: its numerator has no real root and is
/// negative at 0).
fn sign_of_factors(e: &Expr, known: &Values<Known>) -> Option<Side> {
    let factors = match e.kind() {
        Kind::Mul(factors) => &factors[..],
        _ => std::slice::from_ref(e),
    };
    let mut negative = false;
    for f in factors {
        let range = known.get(&f.id()).map(|k| k.range);
        // A power to a negative exponent that is not whole is positive wherever it is real.
        let root_reciprocal = matches!(f.kind(), Kind::Pow(_, k)
            if k.as_num().is_some_and(|k| k.is_negative() && !k.is_integer()));
        let side = match range {
            _ if root_reciprocal => Side::Above,
            Some(r) if r.lo > 0.0 => Side::Above,
            Some(r) if r.hi < 0.0 => Side::Below,
            _ => OneAtomFraction::of(f)?
                .compared_with(&Number::zero())
                .filter(|side| side.is_strict())?,
        };
        negative ^= side == Side::Below;
    }
    Some(if negative { Side::Below } else { Side::Above })
}

/// Whether `node` is analytic for every real value of its symbols, its children being so
/// when they are in `analytic`: numbers, constants, symbols, sums, products, whole
/// non-negative powers, negative whole powers of what is never 0 (`1/(x^2 + 1)`), any
/// number power of what is always positive (`sqrt(x^2 + 1)`), and the functions analytic
/// on the whole line. The zero set of such a function, unless it is zero everywhere, has no
/// interior.
fn is_analytic(node: &Expr, known: &Values<Known>) -> bool {
    let all = |e: &Expr| is_known_analytic(e, known);
    match node.kind() {
        Kind::Num(_) | Kind::Const(_) | Kind::Sym(_) => true,
        Kind::Add(xs) | Kind::Mul(xs) => xs.iter().all(all),
        Kind::Pow(b, x) => {
            let whole_power = x
                .as_num()
                .is_some_and(|n| n.is_integer() && !n.is_negative());
            // `c^v = exp(v*ln(c))` for a constant `c > 0`.
            let positive_base = known_value(b, known).is_some_and(|c| c > 0.0);
            // The base's bounds over every real value of its symbols (rounded outward).
            let range = known.get(&b.id()).map(|k| k.range);
            let never_zero = range.is_some_and(|r| r.lo > 0.0 || r.hi < 0.0);
            let always_positive = range.is_some_and(|r| r.lo > 0.0);
            let off_zero_power = x
                .as_num()
                .is_some_and(|n| (n.is_integer() && never_zero) || always_positive);
            (whole_power && all(b)) || (positive_base && all(x)) || (off_zero_power && all(b))
        }
        Kind::Call(f, a) => f.is_entire() && all(a),
        Kind::Undef { .. } => false,
    }
}

/// The value of `e`, passed already, when it is a constant that has one.
fn known_value(e: &Expr, known: &Values<Known>) -> Option<f64> {
    known.get(&e.id()).and_then(|k| k.value)
}

/// Whether `e`, passed already, is analytic.
fn is_known_analytic(e: &Expr, known: &Values<Known>) -> bool {
    known.get(&e.id()).is_some_and(|k| k.analytic)
}

/// Whether `e` surely is not constant: two of three points (chosen away from simple
/// numbers) give values that differ far beyond the error of evaluating with
/// [`REFERENCE_BITS`]. A constant written in a roundabout way (`sin(x)^2 + cos(x)^2`) is
/// never taken for a varying one.
fn not_constant(e: &Expr) -> bool {
    let symbols = e.free_symbols();
    let value_at = |k: usize| {
        let mut env = Env::new();
        for (i, s) in symbols.iter().enumerate() {
            env.set(s, 0.337_1 + 0.581_3 * k as f64 + 0.149_3 * i as f64);
        }
        eval_precise(e, &env, REFERENCE_BITS).ok()
    };
    let values: Vec<_> = (0..3).filter_map(value_at).collect();
    values.iter().enumerate().any(|(i, a)| {
        values[i + 1..].iter().any(|b| {
            let b = b.to_f64();
            a.abs_error(b) > 1e-9 * (1.0 + b.abs())
        })
    })
}

/// Whether `node` is undefined by its form alone (see the module documentation).
fn undefined_as_written(node: &Expr) -> bool {
    match node.kind() {
        Kind::Pow(b, x) => match (b.as_num(), x.as_num()) {
            (Some(b), Some(x)) => {
                (b.is_zero() && x.is_negative()) || (b.is_negative() && !x.is_integer())
            }
            _ => false,
        },
        Kind::Call(f, a) => match a.as_num().filter(|n| n.is_integer()) {
            Some(n) => n.to_i64().is_some_and(|k| apply(*f, k as f64).is_none()),
            None => at_a_pole_of_pi(*f, a),
        },
        _ => false,
    }
}

/// `tan` and `sec` at odd multiples of `pi/2`, `cot` and `csc` at multiples of `pi`, with the
/// multiple written exactly (`pi`, `3*pi/2`).
fn at_a_pole_of_pi(f: Func, a: &Expr) -> bool {
    let multiple = match a.kind() {
        Kind::Const(Constant::Pi) => Number::one(),
        Kind::Mul(xs) => match &xs[..] {
            [q, pi] if matches!(pi.kind(), Kind::Const(Constant::Pi)) => match q.as_num() {
                Some(q) => q.clone(),
                None => return false,
            },
            _ => return false,
        },
        _ => return false,
    };
    let twice = multiple.mul(&Number::int(2));
    match f {
        Func::Tan | Func::Sec => twice.is_integer() && !multiple.is_integer(),
        Func::Cot | Func::Csc => multiple.is_integer(),
        _ => false,
    }
}

/// Whether a constant `node` (a call or a power) that has no `f64` value is outside the
/// real domain by more than [`MARGIN`]: no value either side of its argument, or of its
/// base, evaluated with [`REFERENCE_BITS`].
fn clearly_outside(node: &Expr) -> bool {
    let value = |e: &Expr| {
        eval_precise(e, &Env::new(), REFERENCE_BITS)
            .ok()
            .map(|v| v.to_f64())
    };
    let either_side =
        |v: f64, defined: &dyn Fn(f64) -> bool| !defined(v - MARGIN) && !defined(v + MARGIN);
    match node.kind() {
        Kind::Call(f, a) => value(a).is_some_and(|v| either_side(v, &|t| apply(*f, t).is_some())),
        Kind::Pow(b, x) => match (value(b), value(x)) {
            (Some(b), Some(x)) => either_side(b, &|t| power(t, x).is_ok()),
            _ => false,
        },
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse;

    fn culprit(text: &str) -> Option<String> {
        let e = parse(text).unwrap_or_else(|e| panic!("{text}: {e}"));
        undefined_subexpression(&e).map(|bad| bad.at().to_string())
    }

    #[test]
    fn forms_undefined_as_they_stand_are_found() {
        for (text, bad) in [
            ("0/0", "1/0"),
            ("x + 1/(x - x)", "1/0"),
            ("ln(0) + x", "ln(0)"),
            ("ln(-2)*x", "ln(-2)"),
            ("(-1)^(1/2) + x", "sqrt(-1)"),
            ("cot(x - x)", "cot(0)"),
            ("x*csc(0)", "csc(0)"),
            ("tan(pi/2) + x", "tan(pi/2)"),
            ("sec(3*pi/2)*x", "sec(3*pi/2)"),
            ("cot(2*pi)", "cot(2*pi)"),
            ("atanh(1) + x", "atanh(1)"),
            ("acoth(-1)", "acoth(1)"),
            ("coth(0)*x", "coth(0)"),
            ("csch(0) + x", "csch(0)"),
            ("acsch(0)*x", "acsch(0)"),
        ] {
            assert_eq!(culprit(text).as_deref(), Some(bad), "{text}");
        }
    }

    #[test]
    fn constants_outside_a_domain_are_found() {
        for (text, bad) in [
            ("cos(x)/cos(asin(pi))", "asin(pi)"),
            ("acos(6)*x", "acos(6)"),
            ("acos(sinh(1)) + x", "acos(sinh(1))"),
            ("x + ln(1 - e)", "ln(1 - e)"),
            ("sqrt(2 - pi)*x", "sqrt(2 - pi)"),
            ("acosh(cos(1)) + x", "acosh(cos(1))"),
            ("asec(1/2)*x", "asec(1/2)"),
            ("atanh(pi/2)", "atanh(pi/2)"),
            ("asech(2)*x", "asech(2)"),
            ("acoth(1/2) + x", "acoth(1/2)"),
        ] {
            assert_eq!(culprit(text).as_deref(), Some(bad), "{text}");
        }
    }

    #[test]
    fn formulas_without_a_real_value_anywhere_are_found() {
        for (text, bad) in [
            ("ln(-x^2 - 1)", "ln(-x^2 - 1)"),
            ("x + ln((-x^2 - 2)^(3/2))", "(-x^2 - 2)^(3/2)"),
            ("asin(exp(9) + x^4)", "asin(x^4 + exp(9))"),
            ("acosh(-cosh(x))*y", "acosh(-cosh(x))"),
            ("sqrt(-exp(x) - y^2 - 1)", "sqrt(-y^2 - exp(x) - 1)"),
            ("atanh(2 + x^2)", "atanh(x^2 + 2)"),
            ("ln(sin(x) - 2)", "ln(sin(x) - 2)"),
            // Ranges that end exactly at a domain's end, which is not in it.
            ("ln(-x^2)", "ln(-x^2)"),
            ("ln(cos(x) - 1)*x", "ln(cos(x) - 1)"),
            ("atanh(cosh(x))", "atanh(cosh(x))"),
            ("ln(-x^2 - y^2)", "ln(-x^2 - y^2)"),
            // A quadratic's range comes from its vertex.
            ("ln((-2*x^2 + x - 2)^(3/2))", "(-2*x^2 + x - 2)^(3/2)"),
            // A constant written with `x`, seen with the numbers distributed.
            ("asin(sqrt(3 + x - (x - 9)))", "asin(sqrt(x - (x - 9) + 3))"),
            ("ln(x - (x + 1))*x", "ln(x - (x + 1))"),
            // Reciprocals: exact ends, ends at 0 never reached, values outside (-1, 1).
            ("ln(-1/(x^2 + 1))", "ln(-1/(x^2 + 1))"),
            ("ln(-1/cosh(x))", "ln(-1/cosh(x))"),
            ("atanh(1 + 1/(x^2 + 1))", "atanh(1/(x^2 + 1) + 1)"),
            ("ln(-2^x)", "ln(-2^x)"),
            ("sqrt(-1/(x^2 + 1))", "sqrt(-1/(x^2 + 1))"),
            ("sqrt(-1/x^2)", "sqrt(-1/x^2)"),
            ("atanh(coth(x))", "atanh(coth(x))"),
            ("atanh(1/tanh(x))", "atanh(1/tanh(x))"),
            ("acoth(1/coth(x))", "acoth(1/coth(x))"),
            ("asin(coth(x^2 - 1))", "asin(coth(x^2 - 1))"),
            ("atanh(1/sin(x))", "atanh(1/sin(x))"),
            // A quotient whose numerator's range leaves out 0.
            (
                "((-y^2 - 1)/(x^2 + y^2 + 1))^(1/4)",
                "((-y^2 - 1)/(x^2 + y^2 + 1))^(1/4)",
            ),
            // An `abs` or `sign` of a linear argument: checked cell by cell, the cut points
            // checked as constants (`max(x, 2)` is `(x + abs(x - 2) + 2)/2`).
            ("asin(max(x, 2))", "asin((x + abs(x - 2) + 2)/2)"),
            ("ln(min(x, -1))*x", "ln((x - abs(x + 1) - 1)/2)"),
            ("sqrt(x - abs(x) - 1)", "sqrt(x - abs(x) - 1)"),
            ("ln(x - abs(x))", "ln(x - abs(x))"),
            ("acosh(min(x, 1/3))", "acosh((x - abs(x - 1/3) + 1/3)/2)"),
            (
                "ln(abs(x - 1) - abs(x + 1) - 2)",
                "ln(abs(x - 1) - abs(x + 1) - 2)",
            ),
            ("ln(sign(x) - abs(x) - 1)", "ln(-abs(x) + sign(x) - 1)"),
            // Cut at a point that is no `f64`: what cancels there cancels exactly.
            (
                "ln(min(x, 1/3) - 1/3)",
                "ln((x - abs(x - 1/3) + 1/3)/2 - 1/3)",
            ),
            (
                "ln(min(-3*x, 1) - 1)",
                "ln((-3*x - abs(3*x + 1) + 1)/2 - 1)",
            ),
            // An `abs` inside another, written out first.
            (
                "ln(min(min(x, -2), 1))",
                "ln(((x - abs(x + 2) - 2)/2 - abs((x - abs(x + 2) - 2)/2 - 1) + 1)/2)",
            ),
            // Rational arguments of one atom whose parts move together: `x/(x^2 + 1)` lies
            // in [-1/2, 1/2], `(x^2 + 3)/(x^2 + 1)` in (1, 3] (roots counted exactly).
            ("acosh(x/(x^2 + 1))", "acosh(x/(x^2 + 1))"),
            ("asec(x/(x^2 + 1)) + x", "asec(x/(x^2 + 1))"),
            ("acoth(2*x/(x^2 + 1))", "acoth(2*x/(x^2 + 1))"),
            ("acos((x^2 + 3)/(x^2 + 1))", "acos((x^2 + 3)/(x^2 + 1))"),
            ("asin(x^4 - 2*x^2 + 3)", "asin(x^4 - 2*x^2 + 3)"),
            ("ln(-(x - 1)^2*(x^2 + 1))", "ln(-(x - 1)^2*(x^2 + 1))"),
            ("atanh(sin(x)^2 + 1)", "atanh(sin(x)^2 + 1)"),
            // At a domain's end by its range (`[1, inf)`), but never at it.
            ("asin(1 + 1/x^2)", "asin(1/x^2 + 1)"),
            // Arguments whose square is such a fraction: |u| > 1 or |u| < 1 everywhere.
            ("atanh(sqrt(x^2 + 1)/x)", "atanh(sqrt(x^2 + 1)/x)"),
            ("acosh(x/sqrt(x^2 + 1))", "acosh(x/sqrt(x^2 + 1))"),
            ("asin(sqrt(x^2 + 4)/x)", "asin(sqrt(x^2 + 4)/x)"),
            ("acoth(x/sqrt(x^2 + 1))", "acoth(x/sqrt(x^2 + 1))"),
            ("asec(x/sqrt(x^2 + 1))", "asec(x/sqrt(x^2 + 1))"),
            // Arguments whose factors each keep one sign.
            (
                "ln((-x^4 - 2*x^3 - 3)/sqrt(x^2 + 1))",
                "ln((-x^4 - 2*x^3 - 3)/sqrt(x^2 + 1))",
            ),
            (
                "acosh(-(x^2 + x + 1)*sqrt(x^2 + 1))",
                "acosh(-sqrt(x^2 + 1)*(x^2 + x + 1))",
            ),
        ] {
            assert_eq!(culprit(text).as_deref(), Some(bad), "{text}");
        }
    }

    /// The pieces argument of [`nowhere_on`]: on each piece between and at `-1`, `0`, `1`,
    /// every function of the table (and a real power) is defined everywhere or nowhere.
    #[test]
    fn every_domain_ends_at_minus_one_zero_or_one() {
        // The circular functions' poles are single points inside the pieces; they are
        // defined at every piece's point, so never refused.
        let functions = Func::ALL
            .iter()
            .filter(|f| !matches!(f, Func::Tan | Func::Sec | Func::Cot | Func::Csc));
        let defined: Vec<Box<dyn Fn(f64) -> bool>> = functions
            .map(|&f| Box::new(move |t| apply(f, t).is_some()) as Box<dyn Fn(f64) -> bool>)
            .chain(
                [0.5, -0.5, 1.5, -5.0 / 3.0]
                    .map(|x| Box::new(move |t| power(t, x).is_ok()) as Box<dyn Fn(f64) -> bool>),
            )
            .collect();
        for &Piece { start, end, point } in &PIECES {
            let samples: Vec<f64> = match start == end {
                true => vec![start],
                false => {
                    let (a, b) = (start.max(-50.0), end.min(50.0));
                    (1..200)
                        .map(|k| a + (b - a) * f64::from(k) / 200.0)
                        .collect()
                }
            };
            for (n, defined) in defined.iter().enumerate() {
                for &t in &samples {
                    assert_eq!(defined(t), defined(point), "domain {n} at {t} and {point}");
                }
            }
        }
    }

    #[test]
    fn functions_real_only_at_isolated_points_are_found() {
        for (text, at, argument, values) in [
            ("sqrt(-x^2)*y", "sqrt(-x^2)", "-x^2", vec![0]),
            ("asin(x^2 + 1)", "asin(x^2 + 1)", "x^2 + 1", vec![1]),
            (
                "acos(cosh(x^3)) - x",
                "acos(cosh(x^3))",
                "cosh(x^3)",
                vec![1],
            ),
            ("asin(-cosh(x))", "asin(cosh(x))", "cosh(x)", vec![1]),
            ("acosh(cos(x))", "acosh(cos(x))", "cos(x)", vec![1]),
            (
                "sqrt(sin(x) - 1)",
                "sqrt(sin(x) - 1)",
                "sin(x) - 1",
                vec![0],
            ),
            (
                "(-x^4 - y^2)^(1/4)",
                "(-x^4 - y^2)^(1/4)",
                "-x^4 - y^2",
                vec![0],
            ),
            (
                "asin(1 + x^2*exp(x))",
                "asin(x^2*exp(x) + 1)",
                "x^2*exp(x) + 1",
                vec![1],
            ),
            ("asin(sec(x))", "asin(sec(x))", "sec(x)", vec![-1, 1]),
            // Arguments that touch an end of the domain at roots of even multiplicity.
            (
                "asin(x^4 - 2*x^2 + 2)",
                "asin(x^4 - 2*x^2 + 2)",
                "x^4 - 2*x^2 + 2",
                vec![1],
            ),
            (
                "acosh((1 - x^2)/(x^2 + 1))",
                "acosh((1 - x^2)/(x^2 + 1))",
                "(1 - x^2)/(x^2 + 1)",
                vec![1],
            ),
            (
                "sqrt(-(x - 1)^2*(x + 2)^4)",
                "sqrt(-(x - 1)^2*(x + 2)^4)",
                "-(x - 1)^2*(x + 2)^4",
                vec![0],
            ),
            // Not analytic, but functions of one argument constant on no interval of an
            // analytic one: `abs`, `ln`, a constant plus or times it.
            ("sqrt(-abs(x))", "sqrt(-abs(x))", "-abs(x)", vec![0]),
            ("0^(-x^2)*y", "1/0^x^2", "-x^2", vec![0]),
            (
                "ln(1 - x^4)^(1/3)",
                "ln(1 - x^4)^(1/3)",
                "ln(1 - x^4)",
                vec![0],
            ),
            (
                "asin(1 + ln(x^2 + 1))*x",
                "asin(ln(x^2 + 1) + 1)",
                "ln(x^2 + 1) + 1",
                vec![1],
            ),
            (
                "acosh(1 - 2*abs(sin(x)))",
                "acosh(1 - 2*abs(sin(x)))",
                "1 - 2*abs(sin(x))",
                vec![1],
            ),
            (
                "acos(x^2 - 4*x + 5)",
                "acos(x^2 - 4*x + 5)",
                "x^2 - 4*x + 5",
                vec![1],
            ),
            (
                "x*sqrt(2*x - x^2 - 1)",
                "sqrt(-x^2 + 2*x - 1)",
                "-x^2 + 2*x - 1",
                vec![0],
            ),
            (
                "acos(-csc(x^2 + 1))",
                "acos(-csc(x^2 + 1))",
                "-csc(x^2 + 1)",
                vec![-1, 1],
            ),
            // Quotients by what is never 0, and roots of what is always positive, are
            // analytic: zero only at isolated points.
            (
                "sqrt(-x^2/(x^2 + 1))",
                "sqrt(-x^2/(x^2 + 1))",
                "-x^2/(x^2 + 1)",
                vec![0],
            ),
            (
                "asin(x^2/(x^2 + 1) + 1)",
                "asin(x^2/(x^2 + 1) + 1)",
                "x^2/(x^2 + 1) + 1",
                vec![1],
            ),
            (
                "sqrt(-x^2*sqrt(x^2 + 1))",
                "sqrt(-x^2*sqrt(x^2 + 1))",
                "-x^2*sqrt(x^2 + 1)",
                vec![0],
            ),
        ] {
            let e = parse(text).unwrap_or_else(|e| panic!("{text}: {e}"));
            let found = undefined_subexpression(&e);
            let Some(Undefined::Isolated {
                at: found_at,
                argument: found_argument,
                values: found_values,
            }) = found
            else {
                panic!("{text}: {found:?}");
            };
            assert_eq!(found_at.to_string(), at, "{text}");
            assert_eq!(found_argument.to_string(), argument, "{text}");
            assert_eq!(found_values, values, "{text}");
        }
    }

    /// Whatever is refused has no value at any of many random points: generated formulas,
    /// and the refused cases of the tests above.
    #[test]
    fn refused_subexpressions_have_no_value_at_random_points() {
        let mut rng = crate::eval::range::formulas::Rng::new(7);
        let mut texts: Vec<String> = (0..3000)
            .map(|_| crate::eval::range::formulas::formula(&mut rng))
            .collect();
        texts.extend(
            [
                "asin(x^2 + 1)",
                "acos(cosh(x^3))",
                "sqrt(sin(x) - 1)",
                "asin(sec(x))",
                "acos(-csc(x^2 + 1))",
                "ln(-x^2 - y^2)",
                "atanh(cosh(x))",
                "(-2*x^2 + x - 2)^(3/2)",
                "acos(x^2 - 4*x + 5)",
                "sqrt(-x^2 + 2*x - 1)",
                "x^x*ln(-x)",
                "sqrt(x)*sqrt(-x)",
                "asin(x - 3)*ln(2 - x) + y",
                "x^sin(x)/sqrt(-2*x - 1)",
                "(x - 3)^(1/2) + ln(-x)",
                "sqrt(-abs(x - 1))",
                "asin(ln(x^2 + 1) + 1)",
                "(-2)^x",
                "(-1)^(x^2 + y)",
                "(-x^2)^x",
                "(sin(x) - 1)^(2*x)",
                "x^(1/3)*(-x)^(1/3)",
                "acosh(1/(x^2 + 1))",
                "asin(1/cos(x))",
                "ln(cos(2)*exp(x))",
                "sqrt(sin(5)*(x^2 + 1))",
                "ln(x^2*tan(2))",
                "sqrt(x - 1)*sqrt(1 - x^2)",
                "ln(x^2 - 1)*asin(x)",
                "ln(1 - x^2)*acosh(x)",
                // Constants whose values underflow in `f64` keep their sign.
                "ln(-sech(1000)*exp(x))",
                "ln(-cos(1)^1134*exp(x))",
                "sqrt(-(cos(1)^(-2000)))*x",
                "ln(-(sech(1000) + csch(1001))*x^2)",
                "sqrt(sec(3)*x^2)",
                "ln(-cosh(1000)*exp(x))",
            ]
            .map(String::from),
        );
        let mut refused = 0;
        for text in &texts {
            let Ok(e) = parse(text) else { continue };
            let Some(bad) = undefined_subexpression(&e) else {
                continue;
            };
            refused += 1;
            let at = bad.at();
            for k in 0..300 {
                let mut env = Env::new();
                for name in ["x", "y", "z", "a"] {
                    let t = (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
                    // Near the integers and far out as well.
                    env.set(
                        name,
                        if k % 3 == 0 {
                            (t * 8.0).round() - 4.0
                        } else {
                            -30.0 + 60.0 * t
                        },
                    );
                }
                // With many bits: in `f64`, `sec(asin(33*z^9)^2)` rounds to 1 for small `z`.
                let real = |e: &Expr| eval_precise(e, &env, REFERENCE_BITS).is_ok();
                let has_value = match &bad {
                    Undefined::Apart(c) => real(&c.first.at) && real(&c.second.at),
                    _ => real(at),
                };
                // Real at isolated points: `asin(x^2 + 1)` at 0, `x^x*ln(-x)` at -1, -2, ...
                let isolated_hit = !matches!(bad, Undefined::Everywhere(_)) && k % 3 == 0;
                assert!(!has_value || isolated_hit, "{text}: {at} has a value");
            }
        }
        assert!(refused >= 10, "{refused}");
    }

    /// Functions of random rational arguments in `x` whose denominators have no real root:
    /// what is refused has no value at random points (roots are counted exactly, so a wrong
    /// side would show as values here), and nearly all that sampling finds no value for is
    /// refused. Some arguments have a root in them, whose square is such a fraction.
    #[test]
    fn refused_rational_arguments_have_no_value_at_random_points() {
        let mut rng = crate::eval::range::formulas::Rng::new(11);
        let functions = [
            "asin", "acos", "acosh", "atanh", "acoth", "asec", "acsc", "asech", "ln", "sqrt",
        ];
        let denominators = ["1", "x^2 + 1", "x^2 + x + 1", "2*x^4 + 1", "-x^2 - 3"];
        let (mut refused, mut nowhere) = (0, 0);
        for _ in 0..2500 {
            let numerator: Vec<String> = (0..rng.range(1, 5))
                .map(|k| format!("({})*x^{k}", rng.range(0, 6) as i64 - 3))
                .collect();
            let (f, numerator) = (rng.pick(&functions), numerator.join(" + "));
            // A root in the argument, which only its square reads as a fraction.
            let root = rng.pick(&["x^2 + 1", "x^4 + 2", "x^2 + x + 1"]);
            let text = match rng.range(0, 3) {
                0 => format!("{f}(({numerator})/sqrt({root}))"),
                1 => format!("{f}(sqrt({root})/({numerator}))"),
                _ => format!("{f}(({numerator})/({}))", rng.pick(&denominators)),
            };
            let Ok(e) = parse(&text) else { continue };
            let bad = undefined_subexpression(&e);
            let mut has_value = false;
            for k in 0..200 {
                if has_value {
                    break;
                }
                let t = (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
                let x = if k % 2 == 0 {
                    -3.0 + 6.0 * t
                } else {
                    -40.0 + 80.0 * t
                };
                let mut env = Env::new();
                env.set("x", x);
                // In `f64` first (fast), confirmed with many bits (`f64` may round onto a
                // domain's end).
                has_value |= crate::eval::eval(&e, &env).is_ok()
                    && eval_precise(&e, &env, REFERENCE_BITS).is_ok();
            }
            if let Some(bad) = &bad {
                refused += 1;
                assert!(!has_value, "{text}: refused ({bad}), has values");
            } else if !has_value {
                nowhere += 1;
            }
        }
        assert!(refused >= 100, "{refused} refused");
        // What sampling finds no value for and is not refused: functions real on intervals
        // too narrow for sampling (`acos` of a steep cubic), and arguments constant though
        // not written so (`-2*(x^2 + x + 1)/(x^2 + x + 1)`, which `prepare` writes as -2).
        assert!(
            nowhere <= refused / 10,
            "{nowhere} without values, {refused} refused"
        );
    }

    #[test]
    fn negative_constants_to_varying_powers_are_found() {
        for (text, at, exponent, reaches_zero) in [
            ("(-1)^x", "(-1)^x", "x", false),
            ("x*(-2)^(x^2 + 1)", "(-2)^(x^2 + 1)", "x^2 + 1", false),
            ("(1 - e)^sin(x) + x", "(1 - e)^sin(x)", "sin(x)", false),
            ("(-3)^ln(x)", "(-3)^ln(x)", "ln(x)", false),
            ("(-2)^2^x", "(-2)^2^x", "2^x", false),
            ("(-x^2 - 1)^x", "(-x^2 - 1)^x", "x", false),
            ("(-cosh(x))^(1/x)", "(-cosh(x))^(1/x)", "1/x", false),
            ("(-x^2)^x", "(-x^2)^x", "x", true),
            ("(sin(x) - 1)^x*y", "(sin(x) - 1)^x", "x", true),
        ] {
            let parsed = |text: &str| parse(text).unwrap_or_else(|e| panic!("{text}: {e}"));
            let expected = Undefined::NegativeBase {
                at: parsed(at),
                exponent: parsed(exponent),
                base_reaches_zero: reaches_zero,
            };
            let found = undefined_subexpression(&parsed(text));
            assert_eq!(found, Some(expected), "{text}");
        }
    }

    #[test]
    fn zero_to_a_power_below_zero_everywhere_is_found() {
        assert_eq!(culprit("0^(-x^2 - 1)").as_deref(), Some("0^(-x^2 - 1)"));
        assert_eq!(culprit("0^(-exp(x))*x").as_deref(), Some("1/0^exp(x)"));
    }

    /// Functions of `abs` and `sign` real on none of the cells, and only at some of the points
    /// between them: no derivative anywhere (`atanh(sign(x))` was answered 0).
    #[test]
    fn functions_real_only_at_cut_points_are_found() {
        for (text, at, points) in [
            ("atanh(sign(x))", "atanh(sign(x))", "0"),
            ("x + atanh(sign(x - 2))", "atanh(sign(x - 2))", "2"),
            (
                "atanh(2*sign(x - 1)*sign(x + 1))",
                "atanh(2*sign(x - 1)*sign(x + 1))",
                "-1 1",
            ),
            ("atanh(sign(3*x - 1))*y", "atanh(sign(3*x - 1))", "1/3"),
        ] {
            let e = parse(text).unwrap_or_else(|e| panic!("{text}: {e}"));
            let Some(Undefined::AtPoints {
                at: found,
                symbol,
                points: found_points,
            }) = undefined_subexpression(&e)
            else {
                panic!("{text}: {:?}", undefined_subexpression(&e));
            };
            let found_points: Vec<String> = found_points.iter().map(Number::to_string).collect();
            assert_eq!(
                (found.to_string(), &*symbol, found_points.join(" ")),
                (at.to_string(), "x", points.to_string()),
                "{text}"
            );
        }
        // Real on a cell as well: nothing to refuse.
        for text in ["asin(sign(x))", "acosh(sign(x))", "atanh(sign(x)/2)"] {
            assert_eq!(culprit(text), None, "{text}");
        }
    }

    /// A function of one `sign(v)` of anything takes at most three values: real at none of
    /// those the range of `v` allows, or only at `sign(v) = 0`, it has no derivative. These
    /// were answered 0.
    #[test]
    fn functions_of_one_sign_real_at_most_where_it_is_0_are_found() {
        for (text, message) in [
            (
                "atanh(sign(sin(x)))",
                "`atanh(sign(sin(x)))` is real at most at isolated points, where `sin(x)` is 0, \
                 so it has no derivative",
            ),
            (
                "x + asin(2*sign(x^2 - 1))",
                "`asin(2*sign(x^2 - 1))` is real at most at isolated points, where `x^2 - 1` is \
                 0, so it has no derivative",
            ),
            // `cos(x) - 1 <= 0`: its sign is never 1, and `ln` of -1 and 0 is undefined.
            (
                "ln(sign(cos(x) - 1))",
                "`ln(sign(cos(x) - 1))` is undefined",
            ),
            (
                "asech(3*sign(abs(x) - 1))",
                "`asech(3*sign(abs(x) - 1))` is undefined",
            ),
        ] {
            let e = parse(text).unwrap_or_else(|e| panic!("{text}: {e}"));
            let found = undefined_subexpression(&e).map(|u| u.to_string());
            assert_eq!(found.as_deref(), Some(message), "{text}");
        }
        for text in [
            "asin(sign(sin(x)))",
            "sqrt(sign(x^2))",
            "ln(sign(x^2 + 1))*x",
            "sqrt(sign(sin(x)) - 1)",
            // Real where `sign(x^2 - 1)` is 1.
            "acosh(2*sign(x^2 - 1))",
        ] {
            assert_eq!(culprit(text), None, "{text}");
        }
    }

    #[test]
    fn near_misses_of_isolated_points_pass() {
        for text in [
            // The argument is constant, written the long way: `acos(1) = 0` everywhere.
            "acos(cosh(sin(x)^2 + cos(x)^2 - 1)) + x",
            // Real on an interval too narrow for `f64`: `x^2 < 10^-20`.
            "acos(x^2 + 1 - 1/10^20)",
            "acos(x^2 + 999999/1000000)",
            // `sign` is constant on intervals: real for x > 0.
            "sqrt(sign(x) - 1)",
            "acosh(sign(x - 2) + 2)",
            "(-2)^sign(x)",
            // Zero on an interval: `0^x` is real for x > 0 there.
            "(x - abs(x))^x",
            "asin(sec(x)/2)",
            "acos(1 - x^2)",
            "sqrt(x^2)",
            "sqrt(1 - cos(x))",
            "asin(x^2)",
            "acosh(x^2 + 1)",
            "asin(cos(x))",
            "ln(x^2)*sqrt(x^4)",
            "sqrt(x^2 + x)",
            "asin(x^2 - 2*x)",
            "ln(x^2 - 2*x + 1)",
            "acos(x^2 - 4*x + 5 - 1/10^30)",
            // A quotient whose denominator may be 0 is not taken for analytic.
            "sqrt(-x^2/(x^2 - 1))",
            "sqrt(x^2/(x^2 + 1))",
        ] {
            assert_eq!(culprit(text), None, "{text}");
        }
    }

    #[test]
    fn defined_inputs_and_domain_ends_pass() {
        for text in [
            "x",
            // Real on an interval, though only after a cut: `max(x, 1)` is 1 for `x <= 1`.
            "asin(max(x, 1))",
            "asin(max(x, 1/3))",
            // An `abs` of a constant: no cut, and no asking the same question again (this
            // recursed until the stack overflowed).
            "hypot(max(3, exp(e)), x)",
            "sqrt(abs(exp(e) - 3)*x - 1)",
            "ln(min(max(x, 1), 2))",
            "sqrt(abs(x) - x)",
            "sqrt(min(x, 0))",
            "sqrt(x - abs(x - 1))",
            "acosh(max(x, 1))",
            "asin(min(max(x, -1), 1))",
            "ln(abs(x - 1) - abs(x + 1) + 2)",
            "ln(abs(x^2 - 1) - 2)",
            "ln(abs(x) - y)",
            "asin(x) + acos(2)*0",
            "asin(1) + acos(-1) + x",
            "asin(sqrt(2)*cos(pi/4))*x",
            "acos(2*sin(pi/6)) + x",
            "acosh(cosh(0)) + x",
            "ln(e)*x",
            "tan(pi)*x",
            "cot(pi/2) + x",
            "sqrt(pi - 3)*x",
            "asin(x - 40)",
            "ln(x - 5)",
            "(-8)^2*x",
            "asech(1)*x",
            "acsc(-1)*x",
            "exp(1000)*x",
            "asin(x^2 - 1)",
            "ln(x^2)",
            "acosh(cosh(x))",
            "asin(sin(x) + 1)",
            "atanh(tanh(x))",
            "asin(exp(-x^2))",
            "0^(x^2 + 1)",
            "0^(x - 3)*x",
            // 0 where x < 0: a negative coefficient does not make the exponent negative.
            "0^(-x)*x",
            "0^(-2*x + 1)",
            "0^x",
            "(-2)^3*x",
            // Reciprocals that are real on intervals.
            "ln(1/(x^2 + 1))",
            "asin(1/(x^2 + 1))",
            "ln(2^x)",
            "acosh(coth(x))",
            "asec(coth(x))",
            "acsc(1/sin(x))",
            "ln(1 - 1/x^2)",
            "sqrt(1/(x^2 - 4))",
            // Rational arguments that reach into the domain, or touch it only at its end.
            "asin(2*x/(x^2 + 1))",
            "atanh(2*x/(x^2 + 1))",
            "acosh((x^2 + 2)/(x^2 + 1))",
            "acos((x^2 + 3)/(x^2 + 1) - 2)",
            "ln(x/(x^2 + 1))",
            "sqrt((x^2 - 1)/(x^2 + 1))",
            "asec(2*x^2/(x^2 + 1))",
            "sqrt((x - 1)^3*(x + 2)^2)",
            // Constants of known sign times what takes every sign.
            "ln(cos(2)*x)",
            "sqrt(sin(5)*x)",
            "ln(cos(1)*exp(x))",
            "sqrt(cos(pi/2)*x^2)",
        ] {
            assert_eq!(culprit(text), None, "{text}");
        }
    }
}
