//! Exact values of the circular functions at the angles of the textbook table, the rational
//! multiples of `pi` whose denominator is 1, 2, 3, 4 or 6 (`sin(pi/6) = 1/2`,
//! `tan(pi/3) = sqrt(3)`, `cos(5*pi/4) = -sqrt(2)/2`), and of their inverses at those values
//! (`asin(1/2) = pi/6`, `acos(-1) = pi`), as every CAS writes them.
//!
//! An angle is read as `k*pi/12` with `k` reduced modulo 24, so `sin(13*pi/6)` is `1/2` too.
//! Every value is built once per thread by the canonical constructors from the sine's, so an
//! inverse matches its argument structurally against exactly what the forward function
//! builds: `acos(cos(u)) = u` holds for every table angle `u` in `acos`'s range.
//!
//! A pole (`tan(pi/2)`, `csc(pi)`) has no value here: the call stays as it is, and the domain
//! check refuses it.

use super::{Constant, Expr, Func, Kind};
use crate::num::Number;

/// Twelfths of `pi` in a whole turn.
const TURN: i64 = 24;

/// The circular functions the table covers.
const CIRCULAR: [Func; 6] = [
    Func::Sin,
    Func::Cos,
    Func::Tan,
    Func::Cot,
    Func::Sec,
    Func::Csc,
];

/// `f(arg)` when `f` is circular and `arg` a table angle, or `f` an inverse circular function
/// and `arg` a value of its forward function at a table angle in its range.
pub(super) fn exact_angle_value(f: Func, arg: &Expr) -> Option<Expr> {
    if CIRCULAR.contains(&f) {
        return TABLE.with(|table| table.value(f, twelfths(arg)?).cloned());
    }
    let (forward, range) = inverse_range(f)?;
    let value = radical(arg)?;
    let k = TABLE.with(|table| {
        range.into_iter().filter(|&k| is_table_angle(k)).find(|&k| {
            table.value(forward, k.rem_euclid(TURN)).and_then(radical) == Some(value.clone())
        })
    })?;
    Some(angle(k))
}

/// `k*pi/12` as an expression.
fn angle(k: i64) -> Expr {
    Expr::ratio(k, 12) * Expr::pi()
}

/// The angle `arg` as `k` twelfths of `pi`, `k` in `0..24`, when it is a table angle: `pi`
/// or a number times `pi` whose denominator divides 12 and whose twelfths are a multiple of
/// 2 (sixths) or 3 (quarters).
fn twelfths(arg: &Expr) -> Option<i64> {
    let multiple = match arg.kind() {
        Kind::Const(Constant::Pi) => Number::one(),
        Kind::Mul(xs) if xs.len() == 2 && matches!(xs[1].kind(), Kind::Const(Constant::Pi)) => {
            xs[0].as_num()?.clone()
        }
        _ => return None,
    };
    let twelfths = multiple.mul(&Number::int(12));
    if !twelfths.is_integer() {
        return None;
    }
    let k = twelfths.to_i64()?.rem_euclid(TURN);
    is_table_angle(k).then_some(k)
}

/// Whether `k*pi/12` is a table angle: a multiple of `pi/6` or of `pi/4`.
fn is_table_angle(k: i64) -> bool {
    k % 2 == 0 || k % 3 == 0
}

/// The forward function of an inverse circular function, and the twelfths of its range
/// (deriv's ranges: `acot` in `(-pi/2, pi/2]`, `asec` in `[0, pi]`, `acsc` in
/// `[-pi/2, pi/2]`; the poles inside them have no table value, so they never match).
fn inverse_range(f: Func) -> Option<(Func, std::ops::RangeInclusive<i64>)> {
    Some(match f {
        Func::Asin => (Func::Sin, -6..=6),
        Func::Acos => (Func::Cos, 0..=12),
        Func::Atan => (Func::Tan, -5..=5),
        Func::Acot => (Func::Cot, -5..=6),
        Func::Asec => (Func::Sec, 0..=12),
        Func::Acsc => (Func::Csc, -6..=6),
        _ => return None,
    })
}

/// A table value read as `c*sqrt(p)`: `(c, p)` with `p` 2 or 3, or `(c, 1)` for a number.
/// A numeric radical has one canonical form, its denominator rationalised (`sqrt(2)/2`).
fn radical(e: &Expr) -> Option<(Number, i64)> {
    fn root(e: &Expr) -> Option<i64> {
        let Kind::Pow(base, exponent) = e.kind() else {
            return None;
        };
        let p = base.as_num()?.to_i64().filter(|p| matches!(p, 2 | 3))?;
        (*exponent.as_num()? == Number::ratio(1, 2)?).then_some(p)
    }
    match e.kind() {
        Kind::Num(n) => Some((n.clone(), 1)),
        Kind::Pow(..) => Some((Number::one(), root(e)?)),
        Kind::Mul(xs) if xs.len() == 2 => Some((xs[0].as_num()?.clone(), root(&xs[1])?)),
        _ => None,
    }
}

/// `a/b` for two values `c*sqrt(p)` of one angle's sine and cosine (whose roots are equal or
/// 1), or `None` when `b` is 0.
fn quotient(a: (Number, i64), b: (Number, i64)) -> Option<(Number, i64)> {
    let ((ca, pa), (cb, pb)) = (a, b);
    let c = ca.div(&cb)?;
    Some(match (pa, pb) {
        _ if pa == pb => (c, 1),
        (_, 1) => (c, pa),
        _ => (c.div(&Number::int(pb))?, pb),
    })
}

/// `c*sqrt(p)` as an expression.
fn from_radical(c: Number, p: i64) -> Expr {
    match p {
        1 => Expr::num(c),
        _ => Expr::num(c) * Expr::int(p).sqrt(),
    }
}

thread_local! {
    /// The values of this thread, built on first use.
    static TABLE: Table = Table::new();
}

/// The value of each circular function at each table angle, `None` at a pole.
struct Table {
    /// `values[f][k]`, `f` indexing [`CIRCULAR`], `k` in twelfths of `pi`.
    values: Vec<[Option<Expr>; TURN as usize]>,
}

impl Table {
    fn new() -> Table {
        let values = CIRCULAR
            .iter()
            .map(|&f| {
                std::array::from_fn(|k| {
                    let k = k as i64;
                    let (s, c) = (Table::sine(k), Table::sine(k + 6));
                    let one = (Number::one(), 1);
                    let (c, p) = match f {
                        Func::Sin => Some(s),
                        Func::Cos => Some(c),
                        Func::Tan => quotient(s, c),
                        Func::Cot => quotient(c, s),
                        Func::Sec => quotient(one, c),
                        _ => quotient(one, s),
                    }?;
                    Some(from_radical(c, p))
                })
            })
            .collect();
        Table { values }
    }

    /// `sin(k*pi/12)` as `c*sqrt(p)`: `0`, `1/2`, `sqrt(2)/2`, `sqrt(3)/2` or `1`, with the
    /// sign of its half turn (at a `k` that is no table angle, a value never read).
    fn sine(k: i64) -> (Number, i64) {
        let k = k.rem_euclid(TURN);
        let (sign, k) = if k >= 12 { (-1, k - 12) } else { (1, k) };
        let half = Number::ratio(sign, 2).unwrap_or_else(Number::one);
        match k.min(12 - k) {
            2 => (half, 1),
            3 => (half, 2),
            4 => (half, 3),
            6 => (Number::int(sign), 1),
            _ => (Number::zero(), 1),
        }
    }

    /// `f(k*pi/12)`, `k` in `0..24`.
    fn value(&self, f: Func, k: i64) -> Option<&Expr> {
        let row = CIRCULAR.iter().position(|&g| g == f)?;
        self.values[row][usize::try_from(k).ok()?].as_ref()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `f(k*pi/12)` when the constructor writes it without `f`.
    fn at(f: Func, k: i64) -> Option<Expr> {
        let value = Expr::call(f, angle(k));
        let call = |e: &Expr| matches!(e.kind(), Kind::Call(..));
        let stays = match value.kind() {
            Kind::Mul(xs) => xs.iter().any(call),
            _ => call(&value),
        };
        (!stays).then_some(value)
    }

    #[test]
    fn values_agree_with_f64_at_every_table_angle() {
        for &f in &CIRCULAR {
            for k in (-30..30).filter(|&k| is_table_angle(k)) {
                let x = k as f64 * std::f64::consts::PI / 12.0;
                let expected = match f {
                    Func::Sin => x.sin(),
                    Func::Cos => x.cos(),
                    Func::Tan => x.tan(),
                    Func::Cot => 1.0 / x.tan(),
                    Func::Sec => 1.0 / x.cos(),
                    _ => 1.0 / x.sin(),
                };
                match at(f, k) {
                    Some(v) => {
                        let got = crate::eval::eval(&v, &Default::default())
                            .expect("a table value evaluates");
                        assert!(
                            (got - expected).abs() < 1e-12,
                            "{f:?} at {k}: {got} vs {expected}"
                        );
                    }
                    None => assert!(expected.abs() > 1e13, "{f:?} at {k} is not a pole"),
                }
            }
        }
    }

    #[test]
    fn inverses_read_back_every_angle_of_their_range() {
        for f in [
            Func::Asin,
            Func::Acos,
            Func::Atan,
            Func::Acot,
            Func::Asec,
            Func::Acsc,
        ] {
            let (forward, range) = inverse_range(f).expect("an inverse");
            for k in range.filter(|&k| is_table_angle(k)) {
                if let Some(value) = at(forward, k) {
                    assert_eq!(Expr::call(f, value), angle(k), "{f:?} of {forward:?}({k})");
                }
            }
        }
    }

    #[test]
    fn other_angles_and_values_stay_symbolic() {
        let sym = |text: &str| crate::parse(text).expect("parses");
        for text in [
            "sin(pi/5)",
            "cos(pi/12)",
            "tan(pi/2)",
            "csc(pi)",
            "asin(1/3)",
            "acos(2)",
        ] {
            let e = sym(text);
            assert!(matches!(e.kind(), Kind::Call(..)), "{text} became {e:?}");
        }
    }
}
