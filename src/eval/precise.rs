//! High-precision evaluation: the value of an expression at a point with hundreds of bits,
//! the reference against which the `f64` ways of differentiating are measured.
//!
//! The numbers are `astro-float` binary floats (pure Rust); the crate stays in this module.
//! Every operation rounds to the working precision (to nearest, ties to even), so a result
//! carries a few units in its last place of rounding error, and more where the expression
//! cancels: `(1 + 1e-70) - 1` keeps some 7 digits at 256 bits, `exp(1e-200) - 1` none (it
//! is 0). [`eval_precise`] computes at the precision it is given; [`eval_settled`] raises
//! the precision until the value is right to `f64` accuracy by a bound on its rounding
//! error, or refuses it, and is what `deriv eval` and `compare` use.
//!
//! The semantics are those of [`eval`](super::eval) on the real line, failure for failure:
//! the same domain guards per function (the conventions of `table.rs`: `acot(0) = pi/2`,
//! `sign(0) = 0`, ...), a negative base only with an integer exponent, the same
//! [`EvalError`] naming the smallest failing subexpression. The range is the same too: a
//! value of magnitude `2^1024` or more (where `f64` overflows) is
//! [`EvalReason::NonFinite`]. That keeps the evaluator fast (reducing `sin(10^10000)` would
//! need `pi` to 33,000 bits) and means both evaluators fail at the same points. Small
//! magnitudes are kept: `exp(-1000)` is not rounded to zero.
//!
//! The walk is the same post-order over the DAG as the `f64` evaluator's, one visit per
//! distinct node, without recursion.

use std::cell::Cell;
use std::collections::HashMap;
use std::fmt;

use astro_float_num::{BigFloat, Consts, Radix, RoundingMode};

use super::{Env, EvalError, EvalReason};
use crate::expr::{Constant, Expr, Func, Kind};
use crate::num::Number;

/// The precision of the reference values in `compare`, in bits (about 77 decimal digits).
pub const REFERENCE_BITS: usize = 256;

/// The largest working precision [`eval_precise`] accepts, in bits; larger requests are
/// lowered to it (the cost of one multiplication grows with the square of the precision).
pub const MAX_PRECISION_BITS: usize = 1 << 16;

/// Rounding of every operation: to nearest, ties to even.
const ROUNDING: RoundingMode = RoundingMode::ToEven;

/// Values of magnitude `2^OVERFLOW_EXPONENT` or more are out of range, as in `f64`. The
/// exponent of a `BigFloat` counts a mantissa in `[1/2, 1)`, so `2^1024` has exponent 1025.
const OVERFLOW_EXPONENT: i32 = 1025;

/// A real number computed by [`eval_precise`], with the precision it was computed at.
///
/// ```
/// use deriv::{Env, Expr, eval_precise};
/// let third = eval_precise(&Expr::ratio(1, 3), &Env::new(), 256).unwrap();
/// assert_eq!(third.to_f64(), 1.0 / 3.0);
/// // The f64 1/3 is off by about 1.85e-17; the high-precision value sees it.
/// let err = third.abs_error(1.0 / 3.0);
/// assert!(err > 1.8e-17 && err < 1.9e-17);
/// ```
#[derive(Clone, Debug)]
pub struct Precise {
    /// Finite and of magnitude below `2^1024` (the evaluator checks every node).
    value: BigFloat,
    bits: usize,
}

impl Precise {
    /// Whether this value and `other` agree to 62 bits (or are both 0): what
    /// [`eval_settled`] asks of two successive precisions.
    fn agrees_with(&self, other: &Precise) -> bool {
        let (a, b) = (&self.value, &other.value);
        if a.is_zero() || b.is_zero() {
            return a.is_zero() && b.is_zero();
        }
        let p = self.bits.min(other.bits);
        let difference = a.sub(b, p, ROUNDING);
        match (difference.exponent(), a.exponent()) {
            _ if difference.is_zero() => true,
            (Some(d), Some(m)) => i64::from(m) - i64::from(d) >= 62,
            _ => false,
        }
    }

    /// The working precision it was computed at, in bits (a multiple of 64).
    pub fn bits(&self) -> usize {
        self.bits
    }

    /// The nearest `f64`.
    pub fn to_f64(&self) -> f64 {
        decimal_to_f64(&self.to_string())
    }

    /// `|approx - self|`, computed at this value's precision and rounded to `f64`: the error
    /// of an `f64` approximation, exact up to the reference's own rounding.
    pub fn abs_error(&self, approx: f64) -> f64 {
        self.difference(approx).map_or(f64::NAN, |d| {
            let magnitude = d.abs();
            decimal_to_f64(&format_decimal(&magnitude))
        })
    }

    /// `|approx - self| / |self|`, or `None` when this value is zero.
    pub fn rel_error(&self, approx: f64) -> Option<f64> {
        if self.value.is_zero() {
            return None;
        }
        let p = self.bits;
        let relative = self.difference(approx)?.div(&self.value, p, ROUNDING).abs();
        Some(decimal_to_f64(&format_decimal(&relative)))
    }

    /// Rounded to `significant` decimal digits (at least 1), in the notation of Rust's `{:e}`:
    /// `2.718281828459045235360287e0`. Rounding is half up, from the full decimal expansion.
    pub fn to_decimal(&self, significant: usize) -> String {
        round_decimal(&self.to_string(), significant.max(1))
    }

    /// `approx - self` at this value's precision, or `None` for a non-finite `approx`.
    fn difference(&self, approx: f64) -> Option<BigFloat> {
        if !approx.is_finite() {
            return None;
        }
        let p = self.bits.max(64);
        // Exact: every f64 fits in 64 bits of mantissa.
        let approx = BigFloat::from_f64(approx, p);
        Some(approx.sub(&self.value, p, ROUNDING))
    }
}

impl fmt::Display for Precise {
    /// All the digits the precision holds, in scientific notation: `2.7182818...e+0`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&format_decimal(&self.value))
    }
}

/// `x` in decimal scientific notation, or `NaN` if it cannot be formatted.
fn format_decimal(x: &BigFloat) -> String {
    let Ok(mut cc) = borrow_consts() else {
        return "NaN".to_owned();
    };
    let text = x.format(Radix::Dec, ROUNDING, &mut cc).ok();
    CONSTS.set(Some(cc));
    text.unwrap_or_else(|| "NaN".to_owned())
}

thread_local! {
    /// One cache of `astro-float`'s constants per thread, lent to each evaluation and given
    /// back: building one allocates its tables, and `prepare` confirms many small forms
    /// (about a fifth of its time went to building caches).
    static CONSTS: Cell<Option<Consts>> = const { Cell::new(None) };
}

/// This thread's cache of constants (a new one if it is lent out or not built yet); give it
/// back with `CONSTS.set(Some(cc))`.
fn borrow_consts() -> Result<Consts, EvalReason> {
    match CONSTS.take() {
        Some(cc) => Ok(cc),
        None => Consts::new().map_err(|_| EvalReason::NonFinite),
    }
}

/// `text` (`-d.ddde+x`, as `astro-float` writes it) rounded to `significant` digits, as
/// `-d.ddde x`. Text of another shape (`0.0`, `NaN`) is returned as it is.
fn round_decimal(text: &str, significant: usize) -> String {
    let (sign, unsigned) = match text.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", text),
    };
    let Some((mantissa, exponent)) = unsigned.split_once('e') else {
        return text.to_owned();
    };
    let Ok(mut exponent) = exponent.parse::<i64>() else {
        return text.to_owned();
    };
    let mut digits: Vec<u8> = mantissa.bytes().filter(u8::is_ascii_digit).collect();
    if digits.first().is_none_or(|&d| d == b'0') {
        return text.to_owned();
    }
    digits.resize(digits.len().max(significant + 1), b'0');
    let round_up = digits[significant] >= b'5';
    digits.truncate(significant);
    if round_up {
        // Carry from the last digit; past the first, 9.99 becomes 10.0: one more decade.
        let mut i = significant;
        loop {
            if i == 0 {
                digits.insert(0, b'1');
                digits.truncate(significant);
                exponent += 1;
                break;
            }
            i -= 1;
            if digits[i] == b'9' {
                digits[i] = b'0';
            } else {
                digits[i] += 1;
                break;
            }
        }
    }
    let digits = String::from_utf8_lossy(&digits).into_owned();
    let (first, rest) = digits.split_at(1);
    if rest.is_empty() {
        format!("{sign}{first}e{exponent}")
    } else {
        format!("{sign}{first}.{rest}e{exponent}")
    }
}

/// Rust's correctly rounded parse of a decimal string (NaN when it is not one).
fn decimal_to_f64(text: &str) -> f64 {
    text.parse().unwrap_or(f64::NAN)
}

/// The value of `e` with its symbols taken from `env`, computed with `bits` bits of
/// precision (rounded up to a multiple of 64, at most [`MAX_PRECISION_BITS`]).
///
/// The same failures as [`eval`](super::eval), for the same subexpressions; see the module
/// documentation for the one difference (no underflow to zero).
///
/// ```
/// use deriv::{Env, EvalReason, Expr, eval_precise};
/// let x = Expr::sym("x");
/// let env = Env::new().with("x", 1.0);
/// let e = eval_precise(&x.clone().exp(), &env, 256).unwrap();
/// assert!(e.to_string().starts_with("2.71828182845904523536028747135266249775724709369995"));
/// let failed = eval_precise(&(x - 2).ln(), &env, 256).unwrap_err();
/// assert_eq!(failed.reason, EvalReason::Domain);
/// ```
pub fn eval_precise(e: &Expr, env: &Env, bits: usize) -> Result<Precise, EvalError> {
    evaluate(e, env, bits, None).0
}

/// The walk of [`eval_precise`], keeping the error bounds of `accuracy` when it is given.
fn evaluate(
    e: &Expr,
    env: &Env,
    bits: usize,
    accuracy: Option<Accuracy>,
) -> (Result<Precise, EvalError>, Option<Accuracy>) {
    let bits = bits.clamp(64, MAX_PRECISION_BITS).next_multiple_of(64);
    let mut ctx = match Context::new(bits) {
        Ok(ctx) => ctx,
        Err(reason) => {
            let error = EvalError {
                expr: e.clone(),
                reason,
            };
            return (Err(error), accuracy);
        }
    };
    ctx.accuracy = accuracy;
    let value = ctx.value(e, env);
    CONSTS.set(Some(ctx.cc));
    (value.map(|value| Precise { value, bits }), ctx.accuracy)
}

/// The first precision [`eval_settled`] tries, in bits.
const SETTLE_FROM_BITS: usize = 256;

/// The largest precision [`eval_settled`] tries, in bits (2,466 digits): enough for the
/// sine of any `f64`-sized argument (`sin(10^300)` needs about 1,300 bits) and for sums that
/// cancel thousands of bits; a value that has not settled by then is refused.
pub const SETTLE_TO_BITS: usize = 8192;

/// Bits of relative accuracy [`eval_settled`] asks of a value, by its error bound, before it
/// trusts it: 128, so that the 30 digits `compare` prints of its reference are right.
const TRUSTED_BITS: f64 = 128.0;

/// The value of `e` at `env` to the accuracy of an `f64`, at whatever precision that takes
/// (Ziv's strategy): [`eval_precise`] with 256 bits, then twice as many each time, until two
/// successive values agree to 62 bits and the later one is within `2^-128` of the true value
/// by a first-order bound on its rounding error ([`Context::error_bound`]: each node's
/// error from its children's, times how much the operation magnifies them), or until two
/// precisions fail the same way where the failure cannot be rounding's. The bound matters
/// where two precisions agree on a wrong value: `exp(x) - 1` at `x = 10^-200` is 0 with 256
/// and with 512 bits. So `exp(x) - 1` at `10^-80` is `10^-80`, `min(1, exp(180))` is 1 (its
/// `abs` form cancels 260 bits), `sin(x)` at `10^120` is right (256 bits round `10^120`),
/// and `exp(acosh(2) - ln(2 + sqrt(3)))` is 1 (its exponent is 0, noise at every precision,
/// but `exp` does not magnify it).
///
/// Past [`SETTLE_TO_BITS`] it fails with [`EvalReason::Unsettled`], naming the first node
/// whose operation lost the accuracy: `sin(2)^2 + cos(2)^2 - 1` is 0, which no precision
/// shows, and `sign(sin(10^18*pi))` is `sign(0)`. A failure is final only when its cause is
/// not rounding: a domain error where the argument is farther from the domain's end (-1, 0
/// or 1) than its error (`acosh(cosh(3)^2 - sinh(3)^2)`, whose argument is 1 exactly, rounds
/// below 1), a division by an exact 0, and no pole of `tan`, `sec`, `csc` or `cot`, which
/// are told by a cosine or sine below the precision (`tan(pi/2 - 10^-150)` is `10^150`).
pub fn eval_settled(e: &Expr, env: &Env) -> Result<Precise, EvalError> {
    if let Some(exact) = exact_value(e, env) {
        return eval_precise(&Expr::num(exact), &Env::new(), 2 * SETTLE_FROM_BITS);
    }
    let mut bits = SETTLE_FROM_BITS;
    let mut last: Option<Result<Precise, EvalError>> = None;
    loop {
        let (now, accuracy) = eval_tracked(e, env, bits);
        let settled = accuracy.trusted
            && match (&last, &now) {
                (Some(Ok(before)), Ok(value)) => value.agrees_with(before),
                (Some(Err(before)), Err(error)) => before == error,
                _ => false,
            };
        if settled {
            return now;
        }
        if bits >= SETTLE_TO_BITS {
            return Err(EvalError {
                expr: accuracy.lost.unwrap_or_else(|| e.clone()),
                reason: EvalReason::Unsettled(bits),
            });
        }
        last = Some(now);
        bits *= 2;
    }
}

/// The value of `e` at `env` in rationals, where it is rational ([`eval_exact`]): what no
/// precision can show, a value that is exactly 0 (`x^2 - 2*x` at `x = 2`), is known so.
fn exact_value(e: &Expr, env: &Env) -> Option<Number> {
    let point: Vec<(&str, Number)> = env
        .iter()
        .map(|(name, value)| Some((name, Number::from_f64(value)?)))
        .collect::<Option<_>>()?;
    super::eval_exact(e, &point)
}

/// [`eval_precise`] with the bounds of [`Accuracy`].
fn eval_tracked(e: &Expr, env: &Env, bits: usize) -> (Result<Precise, EvalError>, Accuracy) {
    let (value, accuracy) = evaluate(e, env, bits, Some(Accuracy::default()));
    let mut accuracy = accuracy.unwrap_or_default();
    if let Ok(value) = &value {
        let error = accuracy
            .errors
            .get(&e.id())
            .copied()
            .unwrap_or(f64::INFINITY);
        accuracy.trusted = relative_error(error, &value.value) <= -TRUSTED_BITS;
    }
    (value, accuracy)
}

/// What [`eval_settled`] knows of the rounding of one evaluation.
#[derive(Default)]
struct Accuracy {
    /// `log2` of a bound on each node's absolute error, by node id (`-inf`: exact).
    errors: HashMap<usize, f64>,
    /// The first node whose own operation lost the accuracy: its children were within
    /// `2^-128` of their values, it is not.
    lost: Option<Expr>,
    /// Whether the result (its value, or its failure) can be trusted.
    trusted: bool,
}

/// `log2 |x|`, rounded up to a whole number (`-inf` for 0).
fn log2_magnitude(x: &BigFloat) -> f64 {
    match x.exponent() {
        _ if x.is_zero() => f64::NEG_INFINITY,
        Some(e) => f64::from(e),
        None => f64::INFINITY,
    }
}

/// `log2` of a bound on the relative error of `value`, from `log2` of one on its absolute
/// error: `-inf` for an exact value, `+inf` for an inexact 0.
fn relative_error(error: f64, value: &BigFloat) -> f64 {
    if error == f64::NEG_INFINITY {
        return f64::NEG_INFINITY;
    }
    error - log2_magnitude(value)
}

/// `a + b` for logarithms of factors: a product with a zero factor (`-inf`) is 0 exactly,
/// whatever the other.
fn times(a: f64, b: f64) -> f64 {
    if a == f64::NEG_INFINITY || b == f64::NEG_INFINITY {
        f64::NEG_INFINITY
    } else {
        a + b
    }
}

/// `x` if it is a finite number below `2^1024` in magnitude.
fn in_range(x: BigFloat) -> Result<BigFloat, EvalReason> {
    match x.exponent() {
        _ if x.is_zero() => Ok(x),
        Some(exp) if exp < OVERFLOW_EXPONENT && !x.is_nan() && !x.is_inf() => Ok(x),
        _ => Err(EvalReason::NonFinite),
    }
}

/// The working precision and `astro-float`'s cache of constants (`pi`, `e`, `ln 2`, ...).
struct Context {
    p: usize,
    cc: Consts,
    /// Error bounds, when [`eval_settled`] asks for them.
    accuracy: Option<Accuracy>,
}

impl Context {
    /// Fails only when the constants cache cannot allocate.
    fn new(p: usize) -> Result<Context, EvalReason> {
        Ok(Context {
            p,
            cc: borrow_consts()?,
            accuracy: None,
        })
    }

    /// The value of `e`, node by node in post-order.
    fn value(&mut self, e: &Expr, env: &Env) -> Result<BigFloat, EvalError> {
        let mut values: HashMap<usize, BigFloat> = HashMap::new();
        for node in e.postorder() {
            let value = self
                .node_value(&node, &values, env)
                .and_then(in_range)
                .map_err(|reason| {
                    self.note_failure(&node, &reason, &values);
                    EvalError {
                        expr: node.clone(),
                        reason,
                    }
                })?;
            self.note_error(&node, &value, &values);
            values.insert(node.id(), value);
        }
        values.remove(&e.id()).ok_or_else(|| EvalError {
            expr: e.clone(),
            reason: EvalReason::NonFinite,
        })
    }

    /// Records the bound on the error of `node`'s `value` ([`Context::error_bound`]), and
    /// `node` as where the accuracy was lost when it is the first to lose it.
    fn note_error(&mut self, node: &Expr, value: &BigFloat, values: &HashMap<usize, BigFloat>) {
        let Some(accuracy) = &self.accuracy else {
            return;
        };
        let error = self.error_bound(node, value, values, &accuracy.errors);
        let children_trusted = self.children_trusted(node, values);
        if let Some(accuracy) = &mut self.accuracy {
            if accuracy.lost.is_none()
                && children_trusted
                && relative_error(error, value) > -TRUSTED_BITS
            {
                accuracy.lost = Some(node.clone());
            }
            accuracy.errors.insert(node.id(), error);
        }
    }

    /// Whether each child of `node` is within `2^-128` of its value.
    fn children_trusted(&self, node: &Expr, values: &HashMap<usize, BigFloat>) -> bool {
        let Some(accuracy) = &self.accuracy else {
            return true;
        };
        node.children().all(|c| {
            let error = accuracy.errors.get(&c.id()).copied();
            match (error, values.get(&c.id())) {
                (Some(error), Some(value)) => relative_error(error, value) <= -TRUSTED_BITS,
                _ => false,
            }
        })
    }

    /// Whether `node`'s failure can be trusted, that is, is not rounding's; when not, the
    /// node is where the accuracy was lost (if nothing was before).
    fn note_failure(
        &mut self,
        node: &Expr,
        reason: &EvalReason,
        values: &HashMap<usize, BigFloat>,
    ) {
        if self.accuracy.is_none() {
            return;
        }
        let trusted =
            self.children_trusted(node, values) && self.failure_is_exact(node, reason, values);
        if let Some(accuracy) = &mut self.accuracy {
            accuracy.trusted = trusted;
            if !trusted && accuracy.lost.is_none() {
                accuracy.lost = Some(node.clone());
            }
        }
    }

    /// Whether a failure of `node` whose children are accurate is no rounding's: a domain
    /// error farther from the domain's end than the argument's error, a division by an
    /// exact 0; not a pole of `tan`, `sec`, `csc` or `cot` (told by a cosine or sine below
    /// the precision, [`off_pole`]).
    fn failure_is_exact(
        &self,
        node: &Expr,
        reason: &EvalReason,
        values: &HashMap<usize, BigFloat>,
    ) -> bool {
        let errors = self.accuracy.as_ref().map(|a| &a.errors);
        let error = |c: &Expr| {
            errors
                .and_then(|e| e.get(&c.id()))
                .copied()
                .unwrap_or(f64::INFINITY)
        };
        match (node.kind(), reason) {
            (Kind::Call(Func::Tan | Func::Sec | Func::Csc | Func::Cot, _), _) => false,
            (Kind::Call(_, u), EvalReason::Domain) => {
                let Some(value) = values.get(&u.id()) else {
                    return false;
                };
                let p = self.p;
                [-1, 0, 1].into_iter().all(|end: i64| {
                    let distance = value.sub(&BigFloat::from_i64(end, p), p, ROUNDING);
                    log2_magnitude(&distance) > error(u) + 4.0
                })
            }
            (Kind::Pow(base, _), EvalReason::DivisionByZero) => error(base) == f64::NEG_INFINITY,
            _ => true,
        }
    }

    /// `log2` of a first-order bound on the absolute error of `value`, the value of `node`
    /// with this precision, from the bounds on its children's `errors`: the children's
    /// errors times how much the operation magnifies them (its partial derivatives), plus
    /// its own rounding. A sum's error is its terms' (so one that cancels keeps the error
    /// of its largest term); a function's is its argument's times a bound on its slope.
    fn error_bound(
        &self,
        node: &Expr,
        value: &BigFloat,
        values: &HashMap<usize, BigFloat>,
        errors: &HashMap<usize, f64>,
    ) -> f64 {
        let p = self.p as f64;
        let magnitude = log2_magnitude(value);
        let rounding = magnitude - p;
        let error = |c: &Expr| errors.get(&c.id()).copied().unwrap_or(f64::INFINITY);
        let size = |c: &Expr| values.get(&c.id()).map_or(f64::INFINITY, log2_magnitude);
        let count = |n: usize| (n as f64).log2().ceil() + 1.0;
        match node.kind() {
            Kind::Num(n) if n.is_integer() && magnitude < p => f64::NEG_INFINITY,
            Kind::Num(_) | Kind::Const(_) => rounding,
            // An `f64`, exact with 64 bits or more.
            Kind::Sym(_) => f64::NEG_INFINITY,
            Kind::Add(terms) => {
                let worst = terms.iter().map(error).fold(f64::NEG_INFINITY, f64::max);
                let largest = terms.iter().map(size).fold(f64::NEG_INFINITY, f64::max);
                worst.max(largest - p) + count(terms.len())
            }
            Kind::Mul(factors) => {
                let sizes: Vec<f64> = factors.iter().map(size).collect();
                let worst = factors
                    .iter()
                    .enumerate()
                    .map(|(i, f)| {
                        let others = sizes
                            .iter()
                            .enumerate()
                            .filter(|(j, _)| *j != i)
                            .fold(0.0, |acc, (_, s)| times(acc, *s));
                        times(error(f), others)
                    })
                    .fold(f64::NEG_INFINITY, f64::max);
                worst.max(rounding) + count(factors.len())
            }
            Kind::Pow(base, exp) => {
                let Some(b) = values.get(&base.id()) else {
                    return f64::INFINITY;
                };
                if b.is_zero() {
                    // `|b^e| <= |error|^e` for `e > 0`: `(acosh(2) - ln(2 + sqrt(3)))^2`.
                    let e = values.get(&exp.id()).map_or(f64::NAN, |e| {
                        let m = magnitude_f64(e);
                        if e.is_negative() { -m } else { m }
                    });
                    return match error(base) {
                        f64::NEG_INFINITY => f64::NEG_INFINITY,
                        error if e > 0.0 => e * error,
                        _ => f64::INFINITY,
                    };
                }
                // A negative base has a value only at an integer exponent, which a rounded
                // one may have become (`(-2)^(x + pi)` at `x = -10^200`).
                if b.is_negative() && error(exp) != f64::NEG_INFINITY {
                    return f64::INFINITY;
                }
                // d/db b^e = e*v/b, d/de b^e = v*ln(b).
                let through_base = times(error(base), size(exp) + magnitude - size(base));
                let through_exponent = times(error(exp), magnitude + self.log2_abs_ln(b));
                through_base.max(through_exponent).max(rounding) + 2.0
            }
            Kind::Call(Func::Sign, u) => {
                // Exact, unless the argument's error reaches across 0.
                let exact = error(u) == f64::NEG_INFINITY || size(u) > error(u) + 1.0;
                if exact {
                    f64::NEG_INFINITY
                } else {
                    f64::INFINITY
                }
            }
            Kind::Call(f, u) => match values.get(&u.id()) {
                Some(argument) => {
                    let slope = self.slope_bound(*f, argument, value);
                    times(error(u), slope).max(rounding) + 2.0
                }
                None => f64::INFINITY,
            },
            Kind::Undef { .. } => f64::INFINITY,
        }
    }

    /// `log2` of a bound on `|ln |b||`, within a bit: `|b| - 1` doubled near 1 (where
    /// `|ln |b|| <= 2*| |b| - 1 |`), the binary exponent times `ln 2` elsewhere.
    fn log2_abs_ln(&self, b: &BigFloat) -> f64 {
        let e = log2_magnitude(b);
        if (0.0..=2.0).contains(&e) {
            let p = self.p;
            log2_magnitude(&b.abs().sub(&BigFloat::from_word(1, p), p, ROUNDING)) + 1.0
        } else {
            (e.abs().max((e - 1.0).abs()) * std::f64::consts::LN_2).log2()
        }
    }

    /// `log2` of a bound on `|f'(u)|` at the argument `u` where `f(u)` is `value`, within a
    /// few bits (each function's table: the circular functions' slopes are bounded by their
    /// values, since the `f64` argument of a huge `u` would say nothing).
    fn slope_bound(&self, f: Func, u: &BigFloat, value: &BigFloat) -> f64 {
        use Func::*;
        let p = self.p;
        let (size, v) = (log2_magnitude(u), log2_magnitude(value));
        // `log2 | |u| - 1 |`: how near the argument is to the ends at -1 and 1.
        let from_one = || log2_magnitude(&u.abs().sub(&BigFloat::from_word(1, p), p, ROUNDING));
        let bound = match f {
            Sin | Cos | Tanh | Abs => 0.0,
            Tan | Cot => (2.0 * v).max(0.0),
            Sec | Csc | Coth => 2.0 * v,
            Csch => (2.0 * v).max(v),
            Sinh | Cosh => v.max(0.0),
            Sech | Exp => v,
            Asin | Acos | Acosh => -0.5 * from_one(),
            Atanh | Acoth => -from_one(),
            Asec | Acsc => -size - 0.5 * from_one(),
            Asech => -size - 0.5 * from_one(),
            Atan | Acot => -(2.0 * size).max(0.0),
            Asinh => -size.max(0.0),
            Acsch => -size - size.max(0.0),
            Ln => -size,
            // `2/sqrt(pi)*exp(-u^2)`: `erfc(85.2)` is `2^-10473`, and so is its slope.
            Erf | Erfc => 0.2 - magnitude_f64(u).powi(2) * std::f64::consts::LOG2_E,
            // Handled where its error is bounded: a step, not a slope.
            Sign => f64::INFINITY,
        };
        bound + 2.0
    }

    /// The value of one node from its children's `values` (post-order: they are there).
    fn node_value(
        &mut self,
        node: &Expr,
        values: &HashMap<usize, BigFloat>,
        env: &Env,
    ) -> Result<BigFloat, EvalReason> {
        let p = self.p;
        let child = |c: &Expr| values.get(&c.id()).ok_or(EvalReason::NonFinite);
        match node.kind() {
            Kind::Num(n) => Ok(self.number(n)),
            Kind::Const(Constant::Pi) => Ok(self.cc.pi(p, ROUNDING)),
            Kind::Const(Constant::E) => Ok(self.cc.e(p, ROUNDING)),
            Kind::Sym(s) => env
                .get(s)
                .map(|v| BigFloat::from_f64(v, p))
                .ok_or_else(|| EvalReason::Unbound(s.clone())),
            Kind::Add(terms) => terms.iter().try_fold(BigFloat::new(p), |acc, t| {
                Ok(acc.add(child(t)?, p, ROUNDING))
            }),
            Kind::Mul(factors) => factors
                .iter()
                .try_fold(BigFloat::from_word(1, p), |acc, f| {
                    Ok(acc.mul(child(f)?, p, ROUNDING))
                }),
            Kind::Pow(base, exp) => {
                let exact = exp.as_num();
                self.power(child(base)?, child(exp)?, exact)
            }
            Kind::Call(f, u) => self.apply(*f, child(u)?),
            Kind::Undef { name, .. } => Err(EvalReason::UndefinedFunction(name.clone())),
        }
    }

    /// An exact rational, rounded: numerator and denominator are read from their decimal
    /// digits (each rounded once), then divided.
    fn number(&mut self, n: &Number) -> BigFloat {
        let (numer, denom) = n.parts();
        let numer = self.integer(&numer);
        if denom.is_one() {
            return numer;
        }
        let denom = self.integer(&denom);
        numer.div(&denom, self.p, ROUNDING)
    }

    fn integer(&mut self, n: &Number) -> BigFloat {
        BigFloat::parse(&n.to_string(), Radix::Dec, self.p, ROUNDING, &mut self.cc)
    }

    /// `base ^ exp` on the real line, as `table::power`: zero to a negative power divides by
    /// zero; a negative base needs an integer exponent. `exact` is the exponent as written,
    /// when it is a number: integrality and parity come from it, not from its rounding
    /// (`(-1)^(2^300 + 1)` is `-1`).
    fn power(
        &mut self,
        base: &BigFloat,
        exp: &BigFloat,
        exact: Option<&Number>,
    ) -> Result<BigFloat, EvalReason> {
        let p = self.p;
        if base.is_zero() {
            return if exp.is_negative() {
                Err(EvalReason::DivisionByZero)
            } else if exp.is_zero() {
                Ok(BigFloat::from_word(1, p))
            } else {
                Ok(BigFloat::new(p))
            };
        }
        if exact.is_some_and(|n| n.is_one()) {
            return Ok(base.clone());
        }
        let magnitude = base.abs();
        let small_integer = exact
            .and_then(Number::to_i64)
            .filter(|n| n.unsigned_abs() < 1 << 62);
        let value = if let Some(n) = small_integer {
            let power = magnitude.powi(n.unsigned_abs() as usize, p, ROUNDING);
            if n < 0 {
                power.reciprocal(p, ROUNDING)
            } else {
                power
            }
        } else if exact.is_some_and(|n| *n == half()) {
            magnitude.sqrt(p, ROUNDING)
        } else {
            self.exp_of_log_power(&magnitude, exp)
        };
        if !base.is_negative() {
            return Ok(value);
        }
        let (integer, odd) = match exact {
            Some(n) => (n.is_integer(), !is_even(n)),
            None => (exp.is_int(), !exp.div(&two(p), p, ROUNDING).is_int()),
        };
        match (integer, odd) {
            (false, _) => Err(EvalReason::Domain),
            (true, true) => Ok(value.neg()),
            (true, false) => Ok(value),
        }
    }

    /// `m^y = exp(y ln m)` for `m > 0`, with 64 guard bits. Not `astro-float`'s own `pow`:
    /// it does not return when the power is exact (`1.15^2` at 256 bits, as of 0.3.7).
    fn exp_of_log_power(&mut self, m: &BigFloat, y: &BigFloat) -> BigFloat {
        let guarded = self.p + 64;
        let log = m.ln(guarded, ROUNDING, &mut self.cc);
        let mut power = log
            .mul(y, guarded, ROUNDING)
            .exp(guarded, ROUNDING, &mut self.cc);
        if power.set_precision(self.p, ROUNDING).is_err() {
            return BigFloat::nan(None);
        }
        power
    }

    /// `f(x)`, with the domain guards of `table::apply`.
    #[rustfmt::skip]
    fn apply(&mut self, f: Func, x: &BigFloat) -> Result<BigFloat, EvalReason> {
        use Func::*;
        let p = self.p;
        let cc = &mut self.cc;
        let one = BigFloat::from_word(1, p);
        let recip = |y: BigFloat| y.reciprocal(p, ROUNDING);
        // Not `abs_cmp`: it says |-1.5| < |1| (astro-float-num 0.3.7).
        let abs_cmp_one = x.abs().cmp(&one).unwrap_or(0);
        let value = match f {
            Sin   => x.sin(p, ROUNDING, cc),
            Cos   => x.cos(p, ROUNDING, cc),
            Tan   => {
                let cos = off_pole(x.cos(p, ROUNDING, cc), p)?;
                x.sin(p, ROUNDING, cc).div(&cos, p, ROUNDING)
            }
            Sec   => recip(off_pole(x.cos(p, ROUNDING, cc), p)?),
            Csc   => recip(sine_off_pole(x, x.sin(p, ROUNDING, cc), p)?),
            Cot   => {
                let sin = sine_off_pole(x, x.sin(p, ROUNDING, cc), p)?;
                x.cos(p, ROUNDING, cc).div(&sin, p, ROUNDING)
            }
            Asin  => only(x, abs_cmp_one <= 0)?.asin(p, ROUNDING, cc),
            Acos  => only(x, abs_cmp_one <= 0)?.acos(p, ROUNDING, cc),
            Atan  => x.atan(p, ROUNDING, cc),
            Acot  => if x.is_zero() {
                cc.pi(p, ROUNDING).div(&two(p), p, ROUNDING)
            } else {
                recip(x.clone()).atan(p, ROUNDING, cc)
            },
            Asec  => recip(only(x, abs_cmp_one >= 0)?.clone()).acos(p, ROUNDING, cc),
            Acsc  => recip(only(x, abs_cmp_one >= 0)?.clone()).asin(p, ROUNDING, cc),
            Sinh  => x.sinh(p, ROUNDING, cc),
            Cosh  => x.cosh(p, ROUNDING, cc),
            Tanh  => x.tanh(p, ROUNDING, cc),
            Sech  => recip(x.cosh(p, ROUNDING, cc)),
            Csch  => recip(only(x, !x.is_zero())?.sinh(p, ROUNDING, cc)),
            Coth  => recip(only(x, !x.is_zero())?.tanh(p, ROUNDING, cc)),
            Asinh => x.asinh(p, ROUNDING, cc),
            Acosh => only(x, x.cmp(&one).unwrap_or(-1) >= 0)?.acosh(p, ROUNDING, cc),
            Atanh => only(x, abs_cmp_one < 0)?.atanh(p, ROUNDING, cc),
            Acoth => recip(only(x, abs_cmp_one > 0)?.clone()).atanh(p, ROUNDING, cc),
            Asech => {
                let ok = x.is_positive() && !x.is_zero() && x.cmp(&one).unwrap_or(1) <= 0;
                recip(only(x, ok)?.clone()).acosh(p, ROUNDING, cc)
            }
            Acsch => recip(only(x, !x.is_zero())?.clone()).asinh(p, ROUNDING, cc),
            Exp   => x.exp(p, ROUNDING, cc),
            Ln    => only(x, x.is_positive() && !x.is_zero())?.ln(p, ROUNDING, cc),
            Abs   => x.abs(),
            Sign  => sign(x, p),
            Erf   => erf(x, p, cc),
            Erfc  => erfc(x, p, cc),
        };
        Ok(value)
    }
}

/// `x` when `ok` holds, else a domain error: the guards read as conditions in the table.
fn only(x: &BigFloat, ok: bool) -> Result<&BigFloat, EvalReason> {
    if ok { Ok(x) } else { Err(EvalReason::Domain) }
}

/// `y` unless it is zero (a pole of the reciprocal taken next).
/// `y`, a cosine, unless it is 0 or so small that its argument is a pole rounded to this
/// precision: `cos(acsc(1))`, the cosine of `pi/2` rounded, is about `2^-p`, not 0, and
/// `sec(acsc(1))` would be a huge number instead of undefined. A cosine of an `f64` argument
/// is at least about `2^-60`, far above the threshold.
fn off_pole(y: BigFloat, p: usize) -> Result<BigFloat, EvalReason> {
    let threshold = POLE_BITS.saturating_sub(i32::try_from(p).unwrap_or(i32::MAX));
    match y.exponent() {
        _ if y.is_zero() => Err(EvalReason::Domain),
        Some(e) if e < threshold => Err(EvalReason::Domain),
        _ => Ok(y),
    }
}

/// [`off_pole`] for a sine: only away from 0 (`|x| >= 1`), where a tiny sine means a
/// multiple of `pi` rounded; near 0 a tiny sine is the sine of a tiny argument.
fn sine_off_pole(x: &BigFloat, y: BigFloat, p: usize) -> Result<BigFloat, EvalReason> {
    let one = BigFloat::from_word(1, p);
    match x.abs().cmp(&one) {
        Some(order) if order >= 0 => off_pole(y, p),
        _ => nonzero(y),
    }
}

/// How many bits short of the precision [`off_pole`] still counts as rounding of a pole: a
/// cosine below `2^(POLE_BITS - p)` is one.
const POLE_BITS: i32 = 24;

fn nonzero(y: BigFloat) -> Result<BigFloat, EvalReason> {
    if y.is_zero() {
        Err(EvalReason::Domain)
    } else {
        Ok(y)
    }
}

/// `-1`, `0` or `1`.
fn sign(x: &BigFloat, p: usize) -> BigFloat {
    let magnitude = BigFloat::from_word(u64::from(!x.is_zero()), p);
    if x.is_negative() {
        magnitude.neg()
    } else {
        magnitude
    }
}

/// The error function, `2/sqrt(pi) * x * exp(-x^2) * sum (2x^2)^n / (1*3*...*(2n+1))`: every
/// term of the sum is positive, so it does not cancel. Where `x^2 > (p + 8)*ln 2 + 8`,
/// `1 - |erf(x)| = erfc(|x|) < exp(-x^2)` is below half a unit in the last place of 1, and
/// the value rounds to `sign(x)`; below that the sum has at most about `2x^2 + p`, that is
/// `2.4p`, terms ([`gaussian_series`]).
fn erf(x: &BigFloat, p: usize, cc: &mut Consts) -> BigFloat {
    let q = p + 32;
    let magnitude = x.abs();
    let square = magnitude.mul(&magnitude, q, ROUNDING);
    let saturation = BigFloat::from_f64((p + 8) as f64 * std::f64::consts::LN_2 + 8.0, q);
    let value = if x.is_zero() {
        BigFloat::from_word(0, p)
    } else if square.cmp(&saturation).unwrap_or(1) > 0 {
        BigFloat::from_word(1, p)
    } else {
        let Some(sum) = gaussian_series(&square, q) else {
            return BigFloat::nan(None);
        };
        let gaussian = square.neg().exp(q, ROUNDING, cc);
        let root_pi = cc.pi(q, ROUNDING).sqrt(q, ROUNDING);
        magnitude
            .mul(&sum, q, ROUNDING)
            .mul(&gaussian, q, ROUNDING)
            .mul(&two(q), q, ROUNDING)
            .div(&root_pi, p, ROUNDING)
    };
    if x.is_negative() { value.neg() } else { value }
}

/// The complementary error function, `1 - erf(x)`, without losing its digits to that
/// difference: `erfc(15)` is `7.2e-100`, which `1 - erf(15)` at 256 bits rounds to 0.
/// Where `x^2 > (p + 40)*ln 2 + 8` its asymptotic series ([`erfc_asymptotic`]) reaches the
/// precision; below that, `1 - erf(x)` is taken with `erf` to as many more bits as the
/// difference cancels, `-log2(erfc(x)) < x^2/ln 2 + log2(x + 2)` (at most about `p` more).
/// For `x <= 0` nothing cancels: `erfc(x) = 1 + erf(|x|)`, between 1 and 2.
fn erfc(x: &BigFloat, p: usize, cc: &mut Consts) -> BigFloat {
    let q = p + 32;
    let square = x.mul(x, q, ROUNDING);
    let positive = !x.is_negative() && !x.is_zero();
    let asymptotic = BigFloat::from_f64((p + 40) as f64 * std::f64::consts::LN_2 + 8.0, q);
    if positive && square.cmp(&asymptotic).unwrap_or(-1) > 0 {
        return erfc_asymptotic(x, &square, p, cc);
    }
    let cancelled = match positive {
        // Below the threshold `x^2` is at most about `0.7p + 36`: this is a small `f64`.
        true => {
            let s = magnitude_f64(&square);
            (s / std::f64::consts::LN_2 + (s.sqrt() + 2.0).log2()).ceil() as usize
        }
        false => 0,
    };
    let r = q + 8 + cancelled;
    BigFloat::from_word(1, r)
        .sub(&erf(x, r, cc), p, ROUNDING)
        .abs()
}

/// `|x|` to about `f64` precision, read off its leading word (no decimal detour: that would
/// need the constants cache the walk holds).
fn magnitude_f64(x: &BigFloat) -> f64 {
    match x.as_raw_parts() {
        Some((words, _, _, exponent, _)) => {
            let leading = words.last().copied().unwrap_or(0) as f64 / 2f64.powi(64);
            leading * 2f64.powi(exponent)
        }
        None => 0.0,
    }
}

/// `erfc(x) = exp(-x^2)/(x*sqrt(pi)) * sum (-1)^n (1*3*...*(2n-1))/(2x^2)^n` for `x > 0`
/// with `x^2 = square` above [`erfc`]'s threshold. The series diverges, but it envelops the
/// value: truncated at any term, the error is at most the first term left out. Its terms
/// fall while `n < x^2`, and the smallest, near `n = x^2`, is about `exp(-x^2)`, below
/// `2^-(p + 40)` past the threshold, so the sum stops at that size after fewer than `x^2`
/// terms.
fn erfc_asymptotic(x: &BigFloat, square: &BigFloat, p: usize, cc: &mut Consts) -> BigFloat {
    let q = p + 32;
    let twice_square = square.mul(&two(q), q, ROUNDING);
    let small = -i32::try_from(p + 40).unwrap_or(i32::MAX);
    let mut term = BigFloat::from_word(1, q);
    let mut sum = term.clone();
    let mut n: u64 = 1;
    while term.exponent().is_some_and(|e| e >= small) && n <= 4 * p as u64 + 64 {
        term = term
            .mul(&BigFloat::from_u64(2 * n - 1, q), q, ROUNDING)
            .div(&twice_square, q, ROUNDING)
            .neg();
        sum = sum.add(&term, q, ROUNDING);
        n += 1;
    }
    let root_pi = cc.pi(q, ROUNDING).sqrt(q, ROUNDING);
    // Positive: `exp(-x^2)` may underflow to a zero with a sign.
    square
        .neg()
        .exp(q, ROUNDING, cc)
        .mul(&sum, q, ROUNDING)
        .div(&x.mul(&root_pi, q, ROUNDING), p, ROUNDING)
        .abs()
}

/// `sum (2s)^n / (1*3*...*(2n+1))` for `s = x^2 >= 0`, to `q` bits: in fixed point with `q + 32`
/// fractional bits, as integers, where each term is the last one times `2s` and divided by a
/// machine word. `2s` is an integer times a power of two, so for an argument of few
/// significant bits (an `f64`) each term costs a pass over the digits, not a multiplication
/// at full precision: at 65,536 bits `erf(2)` takes 36 ms and `erf(213)` 2 s, where a series
/// of `BigFloat`s took 4 s and 73 s. An argument of full precision (`erf(60*pi)`) still
/// multiplies at full precision per term: a minute at 65,536 bits. The terms grow from 1 to their peak near `n = s` and then fall; every
/// truncation is relative error `2^-(q + 32)` of a term at least 1 or after the peak, so
/// the 32 guard bits cover the at most `2.4p` terms.
fn gaussian_series(square: &BigFloat, q: usize) -> Option<BigFloat> {
    use num_bigint::BigUint;
    let fraction_bits = q + 32;
    let (words, _, _, exponent, _) = square.as_raw_parts()?;
    // `s = m * 2^(exponent - 64 * words)`, so `2s = m * 2^shift` with `m` odd.
    let bytes: Vec<u8> = words.iter().flat_map(|w| w.to_le_bytes()).collect();
    let mut m = BigUint::from_bytes_le(&bytes);
    let zeros = m.trailing_zeros().unwrap_or(0);
    m >>= zeros;
    let shift = i64::from(exponent) - 64 * words.len() as i64 + zeros as i64 + 1;
    let mut term = BigUint::from(1u8) << fraction_bits;
    let mut sum = term.clone();
    let mut n: u64 = 1;
    while term.bits() > 0 {
        term *= &m;
        term = match shift >= 0 {
            true => term << shift as u64,
            false => term >> shift.unsigned_abs(),
        };
        term /= 2 * n + 1;
        sum += &term;
        n += 1;
    }
    let digits = sum.to_u64_digits();
    let exponent = 64 * digits.len() as i64 - fraction_bits as i64;
    let mut value = BigFloat::from_words(
        &digits,
        astro_float_num::Sign::Pos,
        i32::try_from(exponent).ok()?,
    );
    value.set_precision(q, ROUNDING).ok()?;
    Some(value)
}

fn two(p: usize) -> BigFloat {
    BigFloat::from_word(2, p)
}

fn half() -> Number {
    Number::ratio(1, 2).unwrap_or_else(Number::one)
}

/// Whether the integer `n` is even (false for a non-integer).
fn is_even(n: &Number) -> bool {
    n.div(&Number::int(2)).is_some_and(|h| h.is_integer())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimal_rounding_carries_and_keeps_the_sign() {
        assert_eq!(round_decimal("2.71828e+0", 3), "2.72e0");
        assert_eq!(round_decimal("-9.996e-3", 3), "-1.00e-2");
        assert_eq!(round_decimal("9.5e+0", 1), "1e1");
        assert_eq!(round_decimal("8.e+0", 4), "8.000e0");
        assert_eq!(round_decimal("0.0", 4), "0.0");
    }

    #[test]
    fn parity_and_integrality_come_from_the_exact_exponent() {
        let env = Env::new().with("x", -1.0);
        let big = Number::int(2)
            .pow(&Number::int(300))
            .unwrap_or_else(Number::one);
        let odd = Expr::sym("x").pow(Expr::num(big.add(&Number::one())));
        let value = eval_precise(&odd, &env, 256).map(|v| v.to_f64());
        assert_eq!(value, Ok(-1.0));
        let half = big
            .add(&Number::one())
            .div(&Number::int(2))
            .unwrap_or_else(Number::one);
        let root = Expr::sym("x").pow(Expr::num(half));
        let reason = eval_precise(&root, &env, 256).map_err(|e| e.reason);
        assert_eq!(reason.err(), Some(EvalReason::Domain));
    }

    #[test]
    fn the_range_is_that_of_f64_but_small_values_are_kept() {
        let x = Expr::sym("x");
        let at = |v: f64| Env::new().with("x", v);
        let overflow = eval_precise(&x.clone().exp(), &at(710.0), 256).map_err(|e| e.reason);
        assert_eq!(overflow.err(), Some(EvalReason::NonFinite));
        let tiny = eval_precise(&x.exp(), &at(-1000.0), 256).map(|v| v.to_f64());
        assert_eq!(tiny, Ok(0.0));
        // exp(-800) is below f64's range; times 10^300 it is not: 3.67e-48 (Python's decimal module).
        let scaled = Expr::sym("x").exp() * Expr::int(10).pow(300);
        let value = eval_precise(&scaled, &at(-800.0), 256).map(|v| v.to_decimal(10));
        assert_eq!(value, Ok("3.667874584e-48".to_owned()));
    }
}
