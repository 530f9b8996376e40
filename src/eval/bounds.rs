//! Where each symbol, or each part `u` of a formula, must lie for the formula to be real on
//! an interval, read from the arguments that are `a*u + b` with rational `a` and `b`:
//! `ln(a*u + b)` needs `a*u + b > 0`, a root (even or odd: `(-8)^(1/3)` is not real) `>= 0`,
//! `asin` and `acos` `-1 <= .. <= 1`, `atanh` `-1 < .. < 1`, `acosh` `>= 1`, `asech`
//! `0 < .. <= 1`, and a power
//! whose exponent varies with the base's symbol alone a positive base (with a negative base
//! it is real at most where the exponent takes particular rational values, never on a whole
//! interval). `u` is a symbol, the square of one (read from `a*x^2 + b`), or any other term
//! (`sin(x)` in `ln(-sin(x))`). Each need is an interval of `u`; when the needs of two
//! subexpressions leave `u` no interval (`x^x*ln(-x)`: `x > 0` and `x < 0`; `ln(sin(x)) +
//! ln(-sin(x))`), or only one value that `u` takes at isolated points (`sqrt(x)*sqrt(-x)`:
//! only `x = 0`; `sqrt(x^2 - 1)*sqrt(1 - x^2)`: only `x^2 = 1`), the formula is real on no
//! interval and has no derivative anywhere.
//!
//! Needs are only read where they are exact (rational coefficients, one part), so a conflict
//! found is a proof; many are not found (`ln(x^2 - 1)*asin(x)`).

use std::cmp::Ordering;

use rustc_hash::FxHashMap;

use super::range::quadratic_coefficients;
use crate::expr::{Expr, Func, Kind};
use crate::num::Number;

/// One end of an interval: its value, and whether the value itself is left out.
#[derive(Clone, Debug, PartialEq)]
struct End {
    value: Number,
    open: bool,
}

/// An interval of real numbers; a missing end is infinite. Never empty when built from one
/// need.
#[derive(Clone, Debug, PartialEq)]
pub struct Interval {
    lo: Option<End>,
    hi: Option<End>,
}

impl Interval {
    fn new(lo: Option<(i64, bool)>, hi: Option<(i64, bool)>) -> Interval {
        let end = |(value, open): (i64, bool)| End {
            value: Number::int(value),
            open,
        };
        Interval {
            lo: lo.map(end),
            hi: hi.map(end),
        }
    }

    /// The values `s` with `a*s + b` in `self` (`a` not zero).
    fn solved(&self, a: &Number, b: &Number) -> Option<Interval> {
        let end = |e: &End| {
            Some(End {
                value: e.value.sub(b).div(a)?,
                open: e.open,
            })
        };
        let lo = match &self.lo {
            Some(e) => Some(end(e)?),
            None => None,
        };
        let hi = match &self.hi {
            Some(e) => Some(end(e)?),
            None => None,
        };
        Some(if a.is_negative() {
            Interval { lo: hi, hi: lo }
        } else {
            Interval { lo, hi }
        })
    }

    /// How many points the interval holds: none, one, or more.
    fn extent(&self) -> Extent {
        let (Some(lo), Some(hi)) = (&self.lo, &self.hi) else {
            return Extent::Interior;
        };
        match lo.value.cmp(&hi.value) {
            Ordering::Less => Extent::Interior,
            Ordering::Equal if !lo.open && !hi.open => Extent::Point,
            _ => Extent::Empty,
        }
    }

    /// The interval as a condition on `symbol`: `x > 0`, `-1 <= x <= 1`.
    pub fn describe(&self, symbol: &str) -> String {
        let sign = |open: bool| if open { "<" } else { "<=" };
        match (&self.lo, &self.hi) {
            (Some(lo), Some(hi)) => format!(
                "{} {} {symbol} {} {}",
                lo.value,
                sign(lo.open),
                sign(hi.open),
                hi.value
            ),
            (Some(lo), None) => {
                format!("{symbol} {} {}", if lo.open { ">" } else { ">=" }, lo.value)
            }
            (None, Some(hi)) => format!("{symbol} {} {}", sign(hi.open), hi.value),
            (None, None) => format!("{symbol} is real"),
        }
    }
}

/// How many points an interval holds.
enum Extent {
    Empty,
    Point,
    Interior,
}

/// Puts `need` in `slot` when its end (read by `end`) is tighter than the slot's: for lower
/// ends `tighter_than` is `Greater`, for upper ends `Less`; at equal values an open end is
/// the tighter.
fn keep_tighter(
    slot: &mut Option<Need>,
    need: &Need,
    end: impl Fn(&Need) -> Option<&End>,
    tighter_than: Ordering,
) {
    let Some(new) = end(need) else { return };
    let tighter = slot
        .as_ref()
        .and_then(&end)
        .is_none_or(|old| match new.value.cmp(&old.value) {
            Ordering::Equal => new.open && !old.open,
            o => o == tighter_than,
        });
    if tighter {
        *slot = Some(need.clone());
    }
}

/// A subexpression and the interval of one symbol (or part) outside which it is real on no
/// interval.
#[derive(Clone, Debug, PartialEq)]
pub struct Need {
    /// The subexpression.
    pub at: Expr,
    /// The symbol or part the interval is of: `x`, `x^2`, `sin(x)`.
    pub on: Expr,
    /// The interval of the symbol or part.
    pub within: Interval,
}

/// Two needs on one symbol or part, or on a symbol and its square, that leave it no interval.
#[derive(Clone, Debug, PartialEq)]
pub struct Conflict {
    /// The symbol or part left without an interval: `x`, `x^2`, `sin(x)`.
    pub on: Expr,
    /// The need with the tightest lower end (or, against a square, the symbol's need).
    pub first: Need,
    /// The need with the tightest upper end (or, against a symbol, the square's need).
    pub second: Need,
}

/// The needs met so far, per symbol or part: the need with the tightest lower end and the
/// one with the tightest upper end.
#[derive(Default)]
pub struct Bounds {
    by_part: FxHashMap<Expr, Narrowed>,
}

#[derive(Default)]
struct Narrowed {
    lo: Option<Need>,
    hi: Option<Need>,
}

impl Narrowed {
    /// The interval the needs leave.
    fn left(&self) -> Interval {
        Interval {
            lo: self.lo.as_ref().and_then(|n| n.within.lo.clone()),
            hi: self.hi.as_ref().and_then(|n| n.within.hi.clone()),
        }
    }
}

impl Bounds {
    /// Adds what `node` needs, if it is one of the forms read (see the module documentation;
    /// `varies` tells whether a subexpression is analytic and not constant, so that it is
    /// constant on no interval and a power with it as exponent takes irrational values on
    /// every interval). Returns the conflict when a symbol or part is left no interval.
    pub fn add(&mut self, node: &Expr, varies: impl Fn(&Expr) -> bool) -> Option<Conflict> {
        let (argument, within) = argument_needs(node)?;
        let Affine {
            part,
            a,
            b,
            plainly_isolated,
        } = affine(argument)?;
        if let Kind::Pow(_, exponent) = node.kind()
            && exponent.as_num().is_none()
        {
            // `x^y` with `y = 2` is real for `x < 0`: the exponent must vary with the base's
            // symbol alone, whatever the other symbols are.
            let symbol = part.as_sym()?;
            if exponent.free_symbols() != [symbol.clone()] || !varies(exponent) {
                return None;
            }
        }
        let need = Need {
            at: node.clone(),
            on: part.clone(),
            within: within.solved(&a, &b)?,
        };
        let narrowed = self.by_part.entry(part.clone()).or_default();
        keep_tighter(
            &mut narrowed.lo,
            &need,
            |n| n.within.lo.as_ref(),
            Ordering::Greater,
        );
        keep_tighter(
            &mut narrowed.hi,
            &need,
            |n| n.within.hi.as_ref(),
            Ordering::Less,
        );
        if let (Some(lo), Some(hi)) = (&narrowed.lo, &narrowed.hi) {
            let none_left = match narrowed.left().extent() {
                Extent::Empty => true,
                // Sampled only now: most needs meet no other.
                Extent::Point => plainly_isolated || varies(&part),
                Extent::Interior => false,
            };
            if none_left && lo.at != hi.at {
                return Some(Conflict {
                    on: part,
                    first: lo.clone(),
                    second: hi.clone(),
                });
            }
        }
        self.square_conflict(&part)
    }

    /// The needs of a symbol against those of its square: `x >= 1` leaves `x^2 >= 1`, so with
    /// `x^2 <= 1` only `x = 1` is left (`sqrt(x - 1)*sqrt(1 - x^2)`), and with `x^2 < 1`
    /// nothing (`ln(1 - x^2)*acosh(x)`). The symbol's interval is squared (an interval
    /// again, as squaring is continuous) and met with the square's; a single value of the
    /// square is taken only at isolated points of the symbol.
    fn square_conflict(&self, part: &Expr) -> Option<Conflict> {
        let (symbol, square) = match part.kind() {
            Kind::Sym(_) => (part.clone(), part.clone().pow(2)),
            Kind::Pow(x, two) if two.is_int(2) && x.as_sym().is_some() => (x.clone(), part.clone()),
            _ => return None,
        };
        let of_symbol = self.by_part.get(&symbol)?;
        let of_square = self.by_part.get(&square)?;
        let image = Squared::of(&of_symbol.left());
        let left = of_square.left();
        let met = Interval {
            lo: tighter_end(&image.interval.lo, &left.lo, Ordering::Greater),
            hi: tighter_end(&image.interval.hi, &left.hi, Ordering::Less),
        };
        if matches!(met.extent(), Extent::Interior) {
            return None;
        }
        // The squares of the symbol lie below what the square needs, or above it.
        let below = match (&image.interval.hi, &left.lo) {
            (Some(top), Some(need)) => top.value <= need.value,
            _ => false,
        };
        let (from_symbol, from_square) = if below {
            (image.hi_from, &of_square.lo)
        } else {
            (image.lo_from, &of_square.hi)
        };
        let first = match from_symbol {
            Side::Lo => of_symbol.lo.as_ref().or(of_symbol.hi.as_ref()),
            Side::Hi => of_symbol.hi.as_ref().or(of_symbol.lo.as_ref()),
        }?;
        let second = from_square.as_ref()?;
        (first.at != second.at).then(|| Conflict {
            on: symbol,
            first: first.clone(),
            second: second.clone(),
        })
    }
}

/// Which end of a symbol's interval an end of its square's interval comes from.
#[derive(Clone, Copy)]
enum Side {
    Lo,
    Hi,
}

/// The squares of the values in an interval, and where their ends come from.
struct Squared {
    interval: Interval,
    lo_from: Side,
    hi_from: Side,
}

impl Squared {
    fn of(i: &Interval) -> Squared {
        let square = |e: &End| End {
            value: e.value.mul(&e.value),
            open: e.open,
        };
        let sign = |e: &Option<End>| e.as_ref().map(|e| e.value.cmp(&Number::zero()));
        match (sign(&i.lo), sign(&i.hi)) {
            // `[l, h]` with `l >= 0`: `[l^2, h^2]`.
            (Some(Ordering::Greater | Ordering::Equal), _) => Squared {
                interval: Interval {
                    lo: i.lo.as_ref().map(square),
                    hi: i.hi.as_ref().map(square),
                },
                lo_from: Side::Lo,
                hi_from: Side::Hi,
            },
            // `[l, h]` with `h <= 0`: `[h^2, l^2]`.
            (_, Some(Ordering::Less | Ordering::Equal)) => Squared {
                interval: Interval {
                    lo: i.hi.as_ref().map(square),
                    hi: i.lo.as_ref().map(square),
                },
                lo_from: Side::Hi,
                hi_from: Side::Lo,
            },
            // Around 0: `[0, max(l^2, h^2)]`, unbounded when either end is.
            _ => {
                let (lo, hi) = (i.lo.as_ref().map(square), i.hi.as_ref().map(square));
                let (top, hi_from) = match (lo, hi) {
                    (Some(l), Some(h)) => match l.value.cmp(&h.value) {
                        Ordering::Greater => (Some(l), Side::Lo),
                        Ordering::Less => (Some(h), Side::Hi),
                        Ordering::Equal => (
                            Some(End {
                                open: l.open && h.open,
                                ..l
                            }),
                            Side::Lo,
                        ),
                    },
                    (None, _) => (None, Side::Lo),
                    (_, None) => (None, Side::Hi),
                };
                Squared {
                    interval: Interval {
                        lo: Some(End {
                            value: Number::zero(),
                            open: false,
                        }),
                        hi: top,
                    },
                    lo_from: Side::Lo,
                    hi_from,
                }
            }
        }
    }
}

/// The tighter of two ends (`tighter_than` as in [`keep_tighter`]); a missing end is infinite.
fn tighter_end(a: &Option<End>, b: &Option<End>, tighter_than: Ordering) -> Option<End> {
    match (a, b) {
        (Some(a), Some(b)) => Some(match a.value.cmp(&b.value) {
            Ordering::Equal if b.open => b.clone(),
            Ordering::Equal => a.clone(),
            o if o == tighter_than => a.clone(),
            _ => b.clone(),
        }),
        (Some(e), None) | (None, Some(e)) => Some(e.clone()),
        (None, None) => None,
    }
}

/// The argument of `node` and the interval it must lie in for `node` to be real on an
/// interval; for a power with an exponent that is not a number, provided the exponent
/// varies (checked by the caller).
fn argument_needs(node: &Expr) -> Option<(&Expr, Interval)> {
    let open_up_from = |v| Interval::new(Some((v, true)), None);
    match node.kind() {
        Kind::Call(f, u) => {
            let within = match f {
                Func::Ln => open_up_from(0),
                Func::Asin | Func::Acos => Interval::new(Some((-1, false)), Some((1, false))),
                Func::Atanh => Interval::new(Some((-1, true)), Some((1, true))),
                Func::Acosh => Interval::new(Some((1, false)), None),
                Func::Asech => Interval::new(Some((0, true)), Some((1, false))),
                _ => return None,
            };
            Some((u, within))
        }
        Kind::Pow(base, exp) => match exp.as_num() {
            // Every root of a negative number is undefined (principal roots: `(-8)^(1/3)`
            // is not real), so odd roots need a base `>= 0` as even ones do.
            Some(n) => {
                (!n.is_integer()).then(|| (base, Interval::new(Some((0, n.is_negative())), None)))
            }
            None => Some((base, open_up_from(0))),
        },
        _ => None,
    }
}

/// An argument read as `a*part + b`, `a` not zero.
struct Affine {
    part: Expr,
    a: Number,
    b: Number,
    /// Whether `part` plainly takes each value only at isolated points (a symbol or its
    /// square), so that a need met by one value is met on no interval; other parts must be
    /// shown to vary.
    plainly_isolated: bool,
}

/// `e` as `a*part + b`: a symbol `x` or its square `x^2` (from a quadratic without its
/// linear term), or one term that is not a number (`sin(x)` in `2 - 3*sin(x)`), plus a
/// number. `None` for anything else: sums of two varying terms, numbers.
fn affine(e: &Expr) -> Option<Affine> {
    if let Some((x, [b, a, square])) = quadratic_coefficients(e) {
        let (part, a) = match (a.is_zero(), square.is_zero()) {
            (false, true) => (x.clone(), a),
            (true, false) => (x.clone().pow(2), square),
            _ => return None,
        };
        return Some(Affine {
            part,
            a,
            b,
            plainly_isolated: true,
        });
    }
    let (term, b) = match e.kind() {
        Kind::Add(terms) => match &terms[..] {
            [term, number] => (term, number.as_num()?.clone()),
            _ => return None,
        },
        _ => (e, Number::zero()),
    };
    let (a, part) = term.split_coeff();
    if part.as_num().is_some() || matches!(part.kind(), Kind::Const(_)) {
        return None;
    }
    Some(Affine {
        part,
        a,
        b,
        plainly_isolated: false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::parse;

    /// The first conflict among the nodes of `text`, exponents taken as varying when they
    /// hold a symbol.
    fn conflict(text: &str) -> Option<(String, String, String)> {
        let e = parse(text).unwrap_or_else(|err| panic!("{text}: {err}"));
        let mut bounds = Bounds::default();
        e.postorder().iter().find_map(|node| {
            // Taken as varying: what holds a symbol and no `sign` or `abs`.
            let varies = |x: &Expr| {
                !x.free_symbols().is_empty()
                    && !x
                        .postorder()
                        .iter()
                        .any(|n| matches!(n.kind(), Kind::Call(Func::Sign | Func::Abs, _)))
            };
            let c = bounds.add(node, varies)?;
            let describe = |n: &Need| format!("{}: {}", n.at, n.within.describe(&n.on.to_string()));
            Some((c.on.to_string(), describe(&c.first), describe(&c.second)))
        })
    }

    #[test]
    fn needs_that_leave_no_interval_conflict() {
        let found = |text: &str| conflict(text).unwrap_or_else(|| panic!("{text}: none"));
        assert_eq!(
            found("x^x*ln(-x)"),
            ("x".into(), "x^x: x > 0".into(), "ln(-x): x < 0".into())
        );
        assert_eq!(
            found("sqrt(x)*sqrt(-x)"),
            (
                "x".into(),
                "sqrt(x): x >= 0".into(),
                "sqrt(-x): x <= 0".into()
            )
        );
        assert_eq!(
            found("asin(x - 3)*ln(2 - x) + y"),
            (
                "x".into(),
                "asin(x - 3): 2 <= x <= 4".into(),
                "ln(2 - x): x < 2".into()
            )
        );
        assert_eq!(found("acosh(x)*atanh(2*x)").0, "x".to_string());
        assert_eq!(
            found("acosh(2*x) + asech(2*x)"),
            (
                "x".into(),
                "acosh(2*x): x >= 1/2".into(),
                "asech(2*x): 0 < x <= 1/2".into()
            )
        );
        assert!(conflict("1/sqrt(x - 1) + ln(1 - x)").is_some());
        // Parts other than symbols: a square, any other term.
        assert_eq!(
            found("sqrt(x^2 - 1)*sqrt(1 - x^2)"),
            (
                "x^2".into(),
                "sqrt(x^2 - 1): x^2 >= 1".into(),
                "sqrt(1 - x^2): x^2 <= 1".into()
            )
        );
        assert_eq!(
            found("ln(sin(x)) + ln(-sin(x))"),
            (
                "sin(x)".into(),
                "ln(sin(x)): sin(x) > 0".into(),
                "ln(-sin(x)): sin(x) < 0".into()
            )
        );
        assert_eq!(found("ln(1 - x^2) + ln(x^2 - 4)").0, "x^2".to_string());
        // A symbol against its square: squared, `x >= 1` is `x^2 >= 1`.
        assert_eq!(
            found("sqrt(x - 1)*sqrt(1 - x^2)"),
            (
                "x".into(),
                "sqrt(x - 1): x >= 1".into(),
                "sqrt(1 - x^2): x^2 <= 1".into()
            )
        );
        assert_eq!(
            found("ln(x^2 - 1)*asin(x)"),
            (
                "x".into(),
                "asin(x): -1 <= x <= 1".into(),
                "ln(x^2 - 1): x^2 > 1".into()
            )
        );
        assert_eq!(
            found("ln(4 - x^2)*sqrt(-x - 2)*sqrt(x + 3)").1,
            "sqrt(-x - 2): x <= -2".to_string()
        );
        assert_eq!(
            found("acosh(-x)*asin(x^2)").2,
            "asin(x^2): -1 <= x^2 <= 1".to_string()
        );
        assert_eq!(found("asin(2*cosh(y) - 3)*acosh(cosh(y)/4)").0, "cosh(y)");
        // Odd roots too: `(-8)^(1/3)` is not real (principal roots).
        assert_eq!(
            found("(-x)^(1/3)*ln(x)"),
            (
                "x".into(),
                "ln(x): x > 0".into(),
                "(-x)^(1/3): x <= 0".into()
            )
        );
    }

    #[test]
    fn needs_that_leave_an_interval_pass() {
        for text in [
            "x^x*ln(x)",
            "sqrt(x)*ln(x)",
            "asin(x)*acos(x)*atanh(x)*sqrt(x)",
            "sqrt(x - 1)*sqrt(2 - x)",
            "ln(x)*ln(-y)",
            "(-x)^3*ln(x)",
            "2^x*ln(-x)",
            "x^y*ln(-x)",
            "x^(x*y)*ln(-x)",
            "acosh(x)*asin(x - 1)",
            "acosh(2*x)*atanh(x)",
            "asech(x)*acosh(2*x)",
            "sqrt(x^2 - 1)*sqrt(2 - x^2)",
            "ln(x^2 - 1)*sqrt(x^2 + 2*x)",
            "sqrt(sin(x))*ln(2*sin(x) + 1)",
            // One value of a part that is constant on intervals leaves those intervals.
            "sqrt(sign(x) - 1)*sqrt(1 - sign(x))",
            "ln(x + y)*ln(-x - y + 1)",
            // A symbol's interval whose squares meet the square's on an interval.
            "sqrt(x - 1)*sqrt(2 - x^2)",
            "sqrt(x + 1/2)*sqrt(1 - x^2)",
            "sqrt(-x)*ln(x^2 - 4)",
            "asin(x)*ln(x^2 - 1/4)",
            "acosh(x)*ln(x^2 - 9)",
            "sqrt(x + 3)*sqrt(-x - 2)*sqrt(5 - x^2)",
            "ln(x^2 - 4)*sqrt(-x - 2)*sqrt(x + 3)",
        ] {
            assert_eq!(conflict(text), None, "{text}");
        }
    }
}
