//! Interval bounds on an expression's values over every real value of its symbols: enough to
//! tell that `ln(-x^2 - 1)` or `(-x^2 - 2)^(3/2)` has no real value anywhere.
//!
//! Bounds are conservative: each [`Range`] holds every value the expression takes where it is
//! defined (it may hold more). They are computed in `f64` and rounded outward wherever a step
//! may have rounded, so they are never too narrow; a symbol may take any real value.
//!
//! An end computed without rounding stays as it is, so that a range can end exactly at a
//! domain's end: `x^2 + 1` is `[1, inf)`, so `asin(x^2 + 1)` is real only where `x^2 + 1 = 1`.
//! Sums and products are checked for rounding exactly (the error of `a + b` by `TwoSum`, of
//! `a * b` by a fused multiply-add) and moved one step outward if they rounded; function values
//! are exact only at the points listed in [`exact_value_at`], and widened otherwise, but never
//! past 0 (nor to NaN past the largest `f64`) for what cannot change sign: a value that
//! underflowed (`sech(1000)`) or overflowed (`cosh(1000)`) keeps its sign.

use std::f64::consts::{FRAC_PI_2, PI};

use rustc_hash::FxHashMap;

use super::table::apply;
use crate::expr::{Expr, Func, Kind};
use crate::num::Number;

/// A closed interval `[lo, hi]`, ends possibly infinite, holding every value of an expression.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Range {
    pub lo: f64,
    pub hi: f64,
}

impl Range {
    /// Every real number: what is known of a symbol, and the answer whenever unsure.
    pub const ALL: Range = Range {
        lo: f64::NEG_INFINITY,
        hi: f64::INFINITY,
    };

    /// `[lo, hi]` widened outward past any rounding of the computation that gave it; `ALL`
    /// when an end is not a number (`0 * inf`, `inf - inf`).
    fn new(lo: f64, hi: f64) -> Range {
        Range::exact(widened(lo, Side::Lo), widened(hi, Side::Hi))
    }

    /// `[lo, hi]` from ends that were computed without rounding (or rounded outward already);
    /// `ALL` when an end is not a number.
    fn exact(lo: f64, hi: f64) -> Range {
        if lo.is_nan() || hi.is_nan() {
            return Range::ALL;
        }
        Range { lo, hi }
    }

    fn contains_zero(self) -> bool {
        self.lo <= 0.0 && self.hi >= 0.0
    }

    /// The smallest and the largest `|v|` for `v` in the range (the smallest is 0 when the
    /// range holds 0): the ends of an even function that grows with `|v|`.
    fn magnitudes(self) -> (f64, f64) {
        let (a, b) = (self.lo.abs(), self.hi.abs());
        let near = if self.contains_zero() { 0.0 } else { a.min(b) };
        (near, a.max(b))
    }

    /// The range of what is surely never negative: an end widened past 0 (a value that
    /// underflowed to 0, `sech(1000)`, `cos(1)^2000`, moved outward) is put back at 0, so that
    /// the sign is not lost.
    fn nonnegative(self) -> Range {
        Range {
            lo: self.lo.max(0.0),
            hi: self.hi.max(0.0),
        }
    }

    /// The range of what is surely never positive: see [`Range::nonnegative`].
    fn nonpositive(self) -> Range {
        Range {
            lo: self.lo.min(0.0),
            hi: self.hi.min(0.0),
        }
    }

    fn add(self, other: Range) -> Range {
        Range::exact(
            sum_end(self.lo, other.lo, Side::Lo),
            sum_end(self.hi, other.hi, Side::Hi),
        )
    }

    fn mul(self, other: Range) -> Range {
        let corners = [
            (self.lo, other.lo),
            (self.lo, other.hi),
            (self.hi, other.lo),
            (self.hi, other.hi),
        ];
        let mut lo = f64::INFINITY;
        let mut hi = f64::NEG_INFINITY;
        for (a, b) in corners {
            // `0 * inf` at a corner: the values are finite, and zero times any is zero.
            let (a, b) = if (a * b).is_nan() { (0.0, 0.0) } else { (a, b) };
            let (down, up) = product_ends(a, b);
            lo = lo.min(down);
            hi = hi.max(up);
        }
        Range::exact(lo, hi)
    }

    /// `1/u` where `u` is not 0.
    ///
    /// The ends are exact where `1/v` is (at -1, 1 and the infinities: `1/(x^2 + 1)` is in
    /// `[0, 1]`, not a hair below 0), and an end at 0 goes to the infinity on the range's side
    /// (`1/v` for `v` in `[-2, 0]` is in `[-inf, -1/2]`).
    fn recip(self) -> Range {
        let end = |v: f64, infinity: f64, side: Side| match v == 0.0 {
            true => infinity,
            false => value_end(v, 1.0 / v, side),
        };
        match (self.lo >= 0.0, self.hi <= 0.0) {
            (true, true) => Range::ALL,
            (true, false) => Range::exact(
                end(self.hi, f64::INFINITY, Side::Lo),
                end(self.lo, f64::INFINITY, Side::Hi),
            ),
            (false, true) => Range::exact(
                end(self.hi, f64::NEG_INFINITY, Side::Lo),
                end(self.lo, f64::NEG_INFINITY, Side::Hi),
            ),
            (false, false) => Range::ALL,
        }
    }

    /// `f(u)` for `f` increasing on this range (clamped to where `f` is defined by the caller).
    fn increasing(self, f: impl Fn(f64) -> f64) -> Range {
        Range::exact(
            value_end(self.lo, f(self.lo), Side::Lo),
            value_end(self.hi, f(self.hi), Side::Hi),
        )
    }

    /// `u^n` for a whole `n`.
    fn whole_power(self, n: i64) -> Range {
        let Ok(k) = i32::try_from(n.unsigned_abs()) else {
            return Range::ALL;
        };
        let power = |v: f64| v.powi(k);
        let magnitude = if k % 2 == 1 {
            let odd = self.increasing(power);
            match (self.lo >= 0.0, self.hi <= 0.0) {
                (true, _) => odd.nonnegative(),
                (_, true) => odd.nonpositive(),
                _ => odd,
            }
        } else {
            // `0^k = 0` is an exact end.
            let (near, far) = self.magnitudes();
            Range::exact(
                value_end(near, power(near), Side::Lo),
                value_end(far, power(far), Side::Hi),
            )
            .nonnegative()
        };
        if n < 0 { magnitude.recip() } else { magnitude }
    }

    /// `u^e` for a number `e` that is not whole: defined only where `u >= 0`.
    fn real_power(self, e: f64) -> Range {
        let lo = self.lo.max(0.0);
        if self.hi < lo {
            return Range::ALL;
        }
        let power = |v: f64| v.powf(e);
        let r = if e > 0.0 {
            Range::exact(
                value_end(lo, power(lo), Side::Lo),
                value_end(self.hi, power(self.hi), Side::Hi),
            )
        } else {
            Range::exact(
                value_end(self.hi, power(self.hi), Side::Lo),
                value_end(lo, power(lo), Side::Hi),
            )
        };
        r.nonnegative()
    }

    /// Intersection with `[lo, hi]`, or `ALL` when they do not meet (the node is then
    /// undefined everywhere, which the caller reports; any bound will do meanwhile).
    fn clamp(self, lo: f64, hi: f64) -> Range {
        let clamped = Range {
            lo: self.lo.max(lo),
            hi: self.hi.min(hi),
        };
        if clamped.lo > clamped.hi {
            Range::ALL
        } else {
            clamped
        }
    }
}

/// Which end of a range a value bounds, so which way it is rounded when it is not exact.
#[derive(Clone, Copy)]
enum Side {
    Lo,
    Hi,
}

/// `v` if exact, else the next `f64` outward.
fn outward(v: f64, side: Side) -> f64 {
    match side {
        Side::Lo => v.next_down(),
        Side::Hi => v.next_up(),
    }
}

/// The end `a + b`, exact when the sum did not round (its error, found by `TwoSum`, is zero).
fn sum_end(a: f64, b: f64, side: Side) -> f64 {
    let s = a + b;
    if !s.is_finite() {
        // An infinite end, or a finite sum that overflowed: outward of the largest `f64`.
        return match (a.is_finite() && b.is_finite(), side) {
            (true, Side::Lo) if s > 0.0 => f64::MAX,
            (true, Side::Hi) if s < 0.0 => -f64::MAX,
            _ => s,
        };
    }
    let b_part = s - a;
    let error = (a - (s - b_part)) + (b - b_part);
    if error == 0.0 { s } else { outward(s, side) }
}

/// `a * b` rounded down and up: the product itself when it did not round (a fused
/// multiply-add finds its error); products near the smallest `f64`s, where that test could
/// miss, are taken as rounded.
fn product_ends(a: f64, b: f64) -> (f64, f64) {
    let p = a * b;
    if !p.is_finite() {
        // An infinite factor, or a finite product that overflowed.
        return match (a.is_finite() && b.is_finite(), p > 0.0) {
            (true, true) => (f64::MAX, p),
            (true, false) => (p, -f64::MAX),
            (false, _) => (p, p),
        };
    }
    let exact_zero = a == 0.0 || b == 0.0;
    let tiny = p.abs() < 1e-290;
    if exact_zero || (!tiny && a.mul_add(b, -p) == 0.0) {
        (p, p)
    } else if (a > 0.0) == (b > 0.0) {
        // Moved outward, but not past 0 if it underflowed: the product has the factors' sign.
        (p.next_down().max(0.0), p.next_up())
    } else {
        (p.next_down(), p.next_up().min(0.0))
    }
}

/// `value = f(at)` as an end: exact where [`exact_value_at`] says so, else widened.
fn value_end(at: f64, value: f64, side: Side) -> f64 {
    if value.is_nan() || exact_value_at(at, value) {
        return value;
    }
    widened(value, side)
}

/// `value` moved outward past the error of a function evaluation or a conversion to `f64`.
fn widened(value: f64, side: Side) -> f64 {
    let out = value.abs() * 1e-12 + 1e-300;
    match side {
        // A value that overflowed (`cosh(1000)`) is beyond the largest `f64`, not anywhere.
        Side::Lo if value == f64::INFINITY => f64::MAX,
        Side::Hi if value == f64::NEG_INFINITY => -f64::MAX,
        Side::Lo => value - out,
        Side::Hi => value + out,
    }
}

/// Whether a value of one of the functions ranges are taken through (powers, `exp`,
/// `sinh`, `cosh`, `tanh`, `atan`, `asinh`, `ln`, `asin`, `acos`, `acosh`, `atanh`, `sech`,
/// `coth`, `csch`) is
/// exact: at `0`, `+-1` and `+-inf` these take only values (or limits) that are themselves
/// `0`, `+-1` or `+-inf` exactly, or values like `e` and `pi/2` that are not; so a result
/// among those values at such a point is the true one (`exp(0) = 1`, `ln(1) = 0`,
/// `tanh(inf) = 1`, `0^3 = 0`).
fn exact_value_at(at: f64, value: f64) -> bool {
    let special = |v: f64| v == 0.0 || v.abs() == 1.0 || v.is_infinite();
    special(at) && special(value)
}

/// A value never inside `(-1, 1)`, which a [`Range`] (one interval, here all reals) cannot
/// say: `sec(u)`, `csc(u)`, one over `cos(u)` or `sin(u)` (which reach -1 and 1), `coth(u)` or
/// one over `tanh(u)` (which do not), or the negation of one of these.
#[derive(Clone, Copy, Debug)]
pub(crate) struct OutsideUnit<'a> {
    /// The argument `u`.
    pub of: &'a Expr,
    /// Whether -1 and 1 are never reached either.
    pub strictly: bool,
}

/// What [`OutsideUnit`] knows of `e`, if `e` is one of its forms.
pub(crate) fn outside_unit_of(e: &Expr) -> Option<OutsideUnit<'_>> {
    let call = match e.kind() {
        Kind::Mul(xs) if xs.len() == 2 && xs[0].is_int(-1) => &xs[1],
        _ => e,
    };
    let (of, strictly) = match call.kind() {
        Kind::Call(Func::Sec | Func::Csc, u) => (u, false),
        Kind::Call(Func::Coth, u) => (u, true),
        Kind::Pow(base, k) if k.is_int(-1) => match base.kind() {
            Kind::Call(Func::Cos | Func::Sin, u) => (u, false),
            Kind::Call(Func::Tanh, u) => (u, true),
            _ => return None,
        },
        _ => return None,
    };
    Some(OutsideUnit { of, strictly })
}

/// `e` as a polynomial of degree at most 2 in one symbol `x`: `[c, b, a]` for
/// `a*x^2 + b*x + c`, read from a sum of terms `c`, `c*x`, `x`, `c*x^2`, `x^2`, or from one
/// such term; `None` for anything else, a number included.
pub(crate) fn quadratic_coefficients(e: &Expr) -> Option<(&Expr, [Number; 3])> {
    let terms = match e.kind() {
        Kind::Add(terms) => &terms[..],
        _ => std::slice::from_ref(e),
    };
    let mut symbol: Option<&Expr> = None;
    let mut coefficients = [Number::zero(), Number::zero(), Number::zero()];
    for term in terms {
        // Read in place.
        let (c, power) = match term.kind() {
            Kind::Num(c) => {
                coefficients[0] = coefficients[0].add(c);
                continue;
            }
            Kind::Mul(xs) => match &xs[..] {
                [c, power] => (c.as_num()?, power),
                _ => return None,
            },
            _ => (&Number::one(), term),
        };
        let (x, degree) = match power.kind() {
            Kind::Sym(_) => (power, 1),
            Kind::Pow(x, e) if matches!(x.kind(), Kind::Sym(_)) && e.is_int(2) => (x, 2),
            _ => return None,
        };
        if *symbol.get_or_insert(x) != x {
            return None;
        }
        coefficients[degree] = coefficients[degree].add(c);
    }
    Some((symbol?, coefficients))
}

/// The exact range of a quadratic in one symbol, `a*x^2 + b*x + c` with `a != 0`: from its
/// vertex value `c - b^2/(4a)`, computed exactly. Intervals alone lose that the terms move
/// together (`x^2 - 2*x + 2` would be all reals; it is `>= 1`).
fn quadratic_range(e: &Expr) -> Option<Range> {
    let (_, [c, b, a]) = quadratic_coefficients(e)?;
    if a.is_zero() {
        return None;
    }
    let vertex = c.sub(&b.mul(&b).div(&a.mul(&Number::int(4)))?);
    if !vertex.to_f64().is_finite() {
        return None;
    }
    Some(match a.is_positive() {
        true => Range::exact(number_end(&vertex, Side::Lo), f64::INFINITY),
        false => Range::exact(f64::NEG_INFINITY, number_end(&vertex, Side::Hi)),
    })
}

/// A finite number as an end: itself when it is an `f64` exactly, else widened.
fn number_end(n: &crate::num::Number, side: Side) -> f64 {
    let v = n.to_f64();
    if exact_in_f64(n) { v } else { widened(v, side) }
}

/// Whether `n` is an `f64` exactly: a numerator of at most 53 bits over a power of two.
fn exact_in_f64(n: &crate::num::Number) -> bool {
    let (Some(p), Some(q)) = (n.numer().to_i64(), n.denom().to_i64()) else {
        return false;
    };
    p.unsigned_abs() <= 1 << 53 && (q as u64).is_power_of_two()
}

/// The range of `node`, given its children's ranges.
pub(crate) fn node_range(node: &Expr, of: impl Fn(&Expr) -> Range) -> Range {
    match node.kind() {
        Kind::Num(n) => number_range(n),
        Kind::Const(c) => Range::new(c.value(), c.value()),
        Kind::Sym(_) | Kind::Undef { .. } => Range::ALL,
        Kind::Add(terms) => {
            let r = terms
                .iter()
                .map(&of)
                .fold(Range::exact(0.0, 0.0), Range::add);
            [quadratic_range(node), distributed_range(terms, &of)]
                .into_iter()
                .flatten()
                .fold(r, |r, q| Range::exact(r.lo.max(q.lo), r.hi.min(q.hi)))
        }
        Kind::Mul(factors) => factors
            .iter()
            .map(of)
            .fold(Range::exact(1.0, 1.0), Range::mul),
        Kind::Pow(base, exp) => match exp.as_num() {
            // A whole exponent beyond `i64` may be odd or even: nothing is sure.
            // One over what is never inside `(-1, 1)` (`1/coth(u)`, `1/sec(u)`) is in `[-1, 1]`.
            Some(n) if n.is_integer() && n.is_negative() && outside_unit_of(base).is_some() => {
                let r = n.to_i64().map_or(Range::ALL, |k| of(base).whole_power(k));
                Range::exact(r.lo.max(-1.0), r.hi.min(1.0))
            }
            Some(n) if n.is_integer() => n.to_i64().map_or(Range::ALL, |k| of(base).whole_power(k)),
            Some(n) => of(base).real_power(n.to_f64()),
            // `c^v > 0`: 0 is an exact end.
            None if of(base).lo > 0.0 => Range::exact(0.0, f64::INFINITY),
            None => Range::ALL,
        },
        Kind::Call(f, arg) => call_range(*f, of(arg)),
    }
}

/// The largest expression [`small_range`] and [`constant_sign`] read, in tree nodes:
/// constants and the sums the simplifier asks about are small, and the walk does not share
/// the work of repeated parts.
const CONSTANT_SIZE: u64 = 64;

/// Whether an expression without symbols is surely positive (`Greater`) or surely negative
/// (`Less`), from its range: `cos(2) < 0`, `pi - 3 > 0`. `None` when it has a symbol, may be
/// zero (`sin(pi)`), or is too close to zero or too large to tell.
pub(crate) fn constant_sign(e: &Expr) -> Option<std::cmp::Ordering> {
    fn symbol_free(e: &Expr) -> bool {
        match e.kind() {
            Kind::Sym(_) | Kind::Undef { .. } => false,
            _ => e.children().all(symbol_free),
        }
    }
    if !symbol_free(e) {
        return None;
    }
    let r = small_range(e)?;
    match (r.lo > 0.0, r.hi < 0.0) {
        (true, _) => Some(std::cmp::Ordering::Greater),
        (_, true) => Some(std::cmp::Ordering::Less),
        _ => None,
    }
}

/// The range of an expression of at most [`CONSTANT_SIZE`] tree nodes, its symbols taking
/// every real value (`cos(x) - 1` is in `[-2, 0]`); `None` for a larger one.
pub(crate) fn small_range(e: &Expr) -> Option<Range> {
    fn range(e: &Expr) -> Range {
        node_range(e, range)
    }
    (e.tree_size() <= CONSTANT_SIZE).then(|| range(e))
}

/// The range of a number: exact where it is exact in `f64`.
fn number_range(n: &Number) -> Range {
    let v = n.to_f64();
    match v.is_finite() {
        true => Range::exact(number_end(n, Side::Lo), number_end(n, Side::Hi)),
        // Beyond `f64`: only its sign is sure.
        false if v > 0.0 => Range::new(f64::MAX, f64::INFINITY),
        false => Range::new(f64::NEG_INFINITY, -f64::MAX),
    }
}

/// How deep [`distributed_range`] opens sums inside sums.
const DISTRIBUTE_DEPTH: usize = 8;

/// The range of a sum with a number times a sum among its terms, read with the number
/// distributed and like terms collected, so that what cancels does: `3 + x - (x - 9)` is
/// exactly 12, where adding the terms' ranges knows nothing. `None` when no term is a number
/// times a sum.
fn distributed_range(terms: &[Expr], of: impl Fn(&Expr) -> Range) -> Option<Range> {
    // In canonical form a number times a sum is a product of exactly those two.
    let scaled_sum = |t: &Expr| match t.kind() {
        Kind::Mul(xs) => match &xs[..] {
            [c, sum] => c.as_num().is_some() && matches!(sum.kind(), Kind::Add(_)),
            _ => false,
        },
        _ => false,
    };
    if !terms.iter().any(scaled_sum) {
        return None;
    }
    let mut atoms: FxHashMap<Expr, Number> = FxHashMap::default();
    let mut constant = Number::zero();
    for t in terms {
        distribute(
            t,
            &Number::one(),
            DISTRIBUTE_DEPTH,
            &mut atoms,
            &mut constant,
        );
    }
    Some(
        atoms
            .iter()
            .filter(|(_, c)| !c.is_zero())
            .map(|(atom, c)| number_range(c).mul(of(atom)))
            .fold(number_range(&constant), Range::add),
    )
}

/// Adds `scale * e` to `atoms` (coefficients by term) and `constant`, opening sums and
/// numbers times sums `depth` levels down.
fn distribute(
    e: &Expr,
    scale: &Number,
    depth: usize,
    atoms: &mut FxHashMap<Expr, Number>,
    constant: &mut Number,
) {
    let (c, rest) = e.split_coeff();
    let scale = scale.mul(&c);
    match rest.kind() {
        Kind::Num(n) => *constant = constant.add(&scale.mul(n)),
        Kind::Add(xs) if depth > 0 => {
            for x in xs {
                distribute(x, &scale, depth - 1, atoms, constant);
            }
        }
        _ => {
            let entry = atoms.entry(rest).or_insert_with(Number::zero);
            *entry = entry.add(&scale);
        }
    }
}

/// The range of `f(u)` for `u` in `r`.
fn call_range(f: Func, r: Range) -> Range {
    use Func::*;
    let within = |lo: f64, hi: f64| Range::new(lo, hi);
    if let Some(narrow) = within_quarter_turn(f, r) {
        return narrow;
    }
    match f {
        Exp => r.increasing(f64::exp).nonnegative(),
        Sinh => r.increasing(f64::sinh),
        Tanh => r.increasing(f64::tanh),
        Atan => r.increasing(f64::atan),
        Asinh => r.increasing(f64::asinh),
        Erf => r.increasing(libm::erf).clamp(-1.0, 1.0),
        Erfc => Range::exact(
            value_end(r.hi, libm::erfc(r.hi), Side::Lo),
            value_end(r.lo, libm::erfc(r.lo), Side::Hi),
        )
        .clamp(0.0, 2.0),
        Ln => r.clamp(0.0, f64::INFINITY).increasing(f64::ln),
        Asin => r.clamp(-1.0, 1.0).increasing(f64::asin),
        Acos => {
            let r = r.clamp(-1.0, 1.0);
            Range::exact(
                value_end(r.hi, r.hi.acos(), Side::Lo),
                value_end(r.lo, r.lo.acos(), Side::Hi),
            )
        }
        Acosh => r.clamp(1.0, f64::INFINITY).increasing(f64::acosh),
        Atanh => r.clamp(-1.0, 1.0).increasing(f64::atanh),
        Cosh => {
            let (near, far) = r.magnitudes();
            Range::exact(
                value_end(near, near.cosh(), Side::Lo),
                value_end(far, far.cosh(), Side::Hi),
            )
        }
        // `abs` rounds nothing.
        Abs if r.contains_zero() => Range::exact(0.0, r.lo.abs().max(r.hi.abs())),
        Abs => Range::exact(r.lo.abs().min(r.hi.abs()), r.lo.abs().max(r.hi.abs())),
        Sign if r.lo > 0.0 => Range::exact(1.0, 1.0),
        Sign if r.hi < 0.0 => Range::exact(-1.0, -1.0),
        Sin | Cos | Sign => Range::exact(-1.0, 1.0),
        // Even and decreasing in `|u|`: from its value nearest 0 to its farthest.
        Sech => {
            let (near, far) = r.magnitudes();
            let sech = |v: f64| value_of(Sech, v);
            Range::exact(
                value_end(far, sech(far), Side::Lo),
                value_end(near, sech(near), Side::Hi),
            )
            .nonnegative()
        }
        // Decreasing on each side of 0, where they have a pole.
        Coth | Csch if r.lo > 0.0 || r.hi < 0.0 => {
            let value = |v: f64| value_of(f, v);
            let values = Range::exact(
                value_end(r.hi, value(r.hi), Side::Lo),
                value_end(r.lo, value(r.lo), Side::Hi),
            );
            match r.lo > 0.0 {
                true => values.nonnegative(),
                false => values.nonpositive(),
            }
        }
        Acot | Acsc => within(-FRAC_PI_2, FRAC_PI_2),
        Asec => within(0.0, PI),
        Asech => within(0.0, f64::INFINITY),
        Tan | Cot | Sec | Csc | Csch | Coth | Acoth | Acsch => Range::ALL,
    }
}

/// The largest argument [`within_quarter_turn`] reads: below it, a multiple of `pi/2`
/// computed in `f64` is within `1e-9` of the true one.
const TURNS_READ: f64 = 1e6;

/// How far from a multiple of `pi/2` [`within_quarter_turn`] wants both ends of a range.
const TURN_MARGIN: f64 = 1e-6;

/// The range of a trigonometric function of `u` for `u` in `r`, when `r` lies inside one
/// quarter turn `(k*pi/2, (k + 1)*pi/2)`, away from its ends: each of `sin`, `cos`, `tan`,
/// `cot`, `sec` and `csc` is continuous and monotone there (their extrema and poles are at
/// multiples of `pi/2`), so the values at the ends bound it. This is how a constant argument
/// gives a sign: `cos(2)` is in `[-0.4162, -0.4161]`, so `ln(cos(2)*exp(x))` is real nowhere.
/// `None` for other functions and wider ranges.
fn within_quarter_turn(f: Func, r: Range) -> Option<Range> {
    use Func::*;
    if !matches!(f, Sin | Cos | Tan | Cot | Sec | Csc) {
        return None;
    }
    if !(r.lo.abs() < TURNS_READ && r.hi.abs() < TURNS_READ) {
        return None;
    }
    let turn = (r.lo / FRAC_PI_2).floor();
    let (start, end) = (turn * FRAC_PI_2, (turn + 1.0) * FRAC_PI_2);
    if r.lo - start < TURN_MARGIN || end - r.hi < TURN_MARGIN {
        return None;
    }
    let (a, b) = (value_of(f, r.lo), value_of(f, r.hi));
    Some(Range::new(a.min(b), a.max(b)))
}

/// `f(v)` in `f64` by the evaluator's table; NaN where it has none (a range with a NaN end is
/// every real).
fn value_of(f: Func, v: f64) -> f64 {
    apply(f, v).unwrap_or(f64::NAN)
}

/// The generators of formula text the integration tests use.
#[cfg(test)]
#[path = "../../tests/common/formulas.rs"]
pub(crate) mod formulas;

#[cfg(test)]
mod tests {
    use std::cmp::Ordering;

    use super::*;
    use crate::eval::Values;
    use crate::eval::{Env, eval};
    use crate::parse;

    /// Every node of `e`, children first, and its range.
    fn all_ranges(e: &Expr) -> (Vec<Expr>, Values<Range>) {
        let nodes = e.postorder();
        let mut ranges: Values<Range> = Values::default();
        for node in &nodes {
            let r = node_range(node, |c| ranges[&c.id()]);
            ranges.insert(node.id(), r);
        }
        (nodes, ranges)
    }

    /// Asserts that every node with a value at `env` has it within its range; how many had.
    fn assert_within(nodes: &[Expr], ranges: &Values<Range>, env: &Env, text: &str) -> usize {
        let mut checked = 0;
        for node in nodes {
            if let Ok(v) = eval(node, env) {
                let r = ranges[&node.id()];
                assert!(
                    r.lo <= v && v <= r.hi,
                    "{node} = {v} outside {r:?} ({text})"
                );
                checked += 1;
            }
        }
        checked
    }

    /// Every value at many points lies in the range of each subexpression.
    #[test]
    fn ranges_hold_every_value() {
        for text in [
            "-x^2 - 2",
            "x^4 + exp(9) - 3*y",
            "cosh(x - 1)*sinh(y)",
            "sqrt(x^2 + 1)/(x - 3)",
            "(x^2 - 4)^(3/2) + atan(x)*acos(x/9)",
            "ln(x^2 + 1/4) - asinh(x*y) + tanh(y)^3",
            "abs(x - 2)*sign(y) + sech(x)^(-2)",
            "exp(-x^2)*(x + 1)^(-3)",
            "x^2*exp(x) + 1 - cosh(y)",
            "(x - 1/3)^2*3 + 1/10 - sin(x)^4",
            "x^3 - 1 + acos(cos(x)) - atanh(tanh(y)/2)",
            "(x^2 + 1)^(1/3) - 2^(1/2)*x",
            "(x^2 - 2*x + 2)*(3*y^2 + y/7 - 1/3)",
            "sech(x - 1) + coth(x^2 + 1) - csch(-x^2 - 1/2) + sech(y^2 + 1)",
        ] {
            let e = parse(text).unwrap_or_else(|err| panic!("{text}: {err}"));
            let (nodes, ranges) = all_ranges(&e);
            for i in 0..400 {
                let t = f64::from(i) / 400.0;
                let mut env = Env::new();
                env.set("x", -20.0 + 40.0 * t);
                env.set("y", 7.0 * (t * 97.0).sin());
                assert_within(&nodes, &ranges, &env, text);
            }
        }
    }

    /// The same over generated formulas of the corpus's kinds, at random points: the exact
    /// ends must hold too.
    #[test]
    fn ranges_hold_every_value_of_generated_formulas() {
        let mut rng = super::formulas::Rng::new(20261129);
        let mut checked = 0;
        for _ in 0..400 {
            let text = super::formulas::formula(&mut rng);
            let Ok(e) = parse(&text) else { continue };
            let (nodes, ranges) = all_ranges(&e);
            for _ in 0..20 {
                let mut env = Env::new();
                for name in ["x", "y", "z", "a"] {
                    let t = (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
                    env.set(name, -6.0 + 12.0 * t);
                }
                checked += assert_within(&nodes, &ranges, &env, &text);
            }
        }
        assert!(checked > 50_000, "{checked}");
    }

    fn range_of(text: &str) -> Range {
        let e = parse(text).unwrap_or_else(|err| panic!("{text}: {err}"));
        all_ranges(&e).1[&e.id()]
    }

    #[test]
    fn ends_computed_without_rounding_stay_exact() {
        let inf = f64::INFINITY;
        for (text, lo, hi) in [
            ("x^2 + 1", 1.0, inf),
            ("-x^2 - y^4", -inf, 0.0),
            ("cosh(x)", 1.0, inf),
            ("-cosh(x^3) + 2", -inf, 1.0),
            ("sin(x) - 1", -2.0, 0.0),
            ("3*x^2*exp(y)", 0.0, inf),
            ("abs(x) + 1/2", 0.5, inf),
            ("x^2 - 2*x + 2", 1.0, inf),
            ("-2*x^2 + x - 2", -inf, -1.875),
            // Numbers distributed over sums, so that what cancels does.
            ("3 + x - (x - 9)", 12.0, 12.0),
            ("2*(x + y) - 2*x - 2*y + 1/2", 0.5, 0.5),
            ("x^2 - (x^2 - 1) - 3*(1 - (sin(x) + 1))", -2.0, 4.0),
        ] {
            assert_eq!(range_of(text), Range { lo, hi }, "{text}");
        }
        // Rounded ends move outward.
        let r = range_of("x^2 + 1/3");
        assert!(r.lo < 1.0 / 3.0 && r.hi == f64::INFINITY, "{r:?}");
        let r = range_of("exp(x) + 1");
        assert_eq!(r.lo, 1.0, "{r:?}");
        let r = range_of("cos(x) + 1/10");
        assert!(r.lo < -0.9 && r.hi > 1.1, "{r:?}");
    }

    /// Trigonometric functions of constants have narrow ranges holding their values, and a
    /// constant at a multiple of `pi/2` gets no sign.
    #[test]
    fn trigonometric_functions_of_constants_are_narrow() {
        let mut narrow = 0;
        for k in -700..=700 {
            for f in [
                "sin", "cos", "tan", "cot", "sec", "csc", "sech", "coth", "csch",
            ] {
                let text = format!("{f}({k}/7)");
                let e = parse(&text).unwrap_or_else(|err| panic!("{text}: {err}"));
                let r = range_of(&text);
                let Ok(v) = eval(&e, &Env::new()) else {
                    continue;
                };
                assert!(r.lo <= v && v <= r.hi, "{text} = {v} outside {r:?}");
                if r.hi - r.lo < 1e-6 * v.abs().max(1.0) {
                    narrow += 1;
                }
            }
        }
        // Only `k = 0` (a number, or a pole) and arguments near a multiple of `pi/2` miss.
        assert!(narrow >= 9 * 1400, "{narrow}");
        for (text, sign) in [
            ("cos(2)", Some(Ordering::Less)),
            ("-sin(5)", Some(Ordering::Greater)),
            ("tan(2)*sec(3)", Some(Ordering::Greater)),
            ("pi - 4", Some(Ordering::Less)),
            ("sign(cos(3))", Some(Ordering::Less)),
            ("coth(1) - 2", Some(Ordering::Less)),
            ("csch(-1/2)", Some(Ordering::Less)),
            ("sech(3) - 1/10", Some(Ordering::Less)),
            ("sin(pi)", None),
            ("cos(pi/2)", None),
            ("exp(1) - e", None),
            ("cos(2)*x", None),
        ] {
            let e = parse(text).unwrap_or_else(|err| panic!("{text}: {err}"));
            assert_eq!(constant_sign(&e), sign, "{text}");
        }
    }

    /// Values that underflow to 0 in `f64` are widened outward, but not past 0: the sign
    /// of what cannot change sign is kept.
    #[test]
    fn underflowing_values_keep_their_sign() {
        for text in [
            "sech(1000)",
            "csch(1000)",
            "cos(1)^2000",
            "cos(2)^1000000000",
            "exp(-1000)",
            "sech(30)^40",
            "sech(690)*sech(690)",
            "(x^2 + 1)^(-400)*exp(-800)",
            "exp(-1000)^(1/3)",
        ] {
            assert!(range_of(text).lo >= 0.0, "{text}: {:?}", range_of(text));
        }
        for text in [
            "-sech(1000)",
            "csch(-1000)",
            "cos(2)^1001",
            "-cos(1)^(-2000)",
        ] {
            assert!(range_of(text).hi <= 0.0, "{text}: {:?}", range_of(text));
        }
        // And values that overflow keep theirs.
        assert_eq!(range_of("cosh(1000)").lo, f64::MAX);
        assert_eq!(range_of("-exp(1000)").hi, -f64::MAX);
    }

    #[test]
    fn a_whole_exponent_beyond_i64_proves_nothing() {
        // Odd or even? `x^(10^20 + 1)` is negative for negative `x`.
        assert_eq!(range_of("x^100000000000000000001"), Range::ALL);
    }
}
