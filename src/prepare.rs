//! What every command checks and rewrites in a formula before working on it: forms
//! undefined everywhere are refused, and operands that are constant for every value of their
//! symbols, though no constructor sees it, are written as that constant where the chain rule
//! would otherwise write `0/0`, `ln(0)` or `1/sqrt(1 - 1)`.
//!
//! It sits above `eval` (which samples and finds undefined forms) and `simplify` (whose
//! constant is the proof that an operand is constant), so that the command line and library
//! users get the same input to differentiate.

use crate::expr::{Expr, Kind};
use crate::parse::Parsed;
use crate::simplify::{Limits, simplify};

/// The formula as it is differentiated, or why it is refused: forms undefined everywhere
/// ([`crate::undefined_subexpression`]), and operands that are constant for every value of
/// their symbols though no constructor sees it (`constant_operands_written`), refused where
/// the constant is outside a domain and checked again once they are written as constants.
/// The command line calls it on every formula; call it before [`crate::diff`] to get its
/// answers.
///
/// ```
/// use deriv::{Limits, diff, parse, prepare, simplify};
///
/// let f = prepare(&parse("sqrt(abs(x) - sqrt(x^2)) + x")?)?;
/// let d = simplify(&diff(&f, "x", 1)?, &Limits::default()).expr;
/// assert_eq!(d.to_string(), "1");
/// let refused = prepare(&parse("ln(exp(x)*exp(-x) - 1)")?).unwrap_err();
/// assert!(refused.contains("is 0 for every value of its symbols"));
/// let f = prepare(&parse("x^3 + asin(sec(x)*cos(x))")?)?;
/// assert_eq!(f.to_string(), "x^3 + pi/2");
/// // Arguments are also read over one denominator: this one is `-1/(x^2 + 1)`.
/// assert!(prepare(&parse("ln(x^2/(x^2 + 1) - 1)")?).is_err());
/// // `-2/(x + 1)`, positive for x < -1.
/// assert!(prepare(&parse("(x/(x + 1) - 1 - 1/(x + 1))^(1/4)")?).is_ok());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn prepare(e: &Expr) -> Result<Expr, String> {
    if let Some(bad) = crate::eval::undefined_subexpression(e) {
        return Err(bad.to_string());
    }
    // Interval bounds lose what a sum of quotients shares (`x^2/(x^2 + 1) - 1` looks like
    // `[-1, inf)`); over one denominator it is `-1/(x^2 + 1)`, negative. Where both forms
    // are defined they are equal, so what the second lacks a value for, the first does too.
    if let Some(over_one) = arguments_over_one_denominator(e)
        && let Some(bad) = crate::eval::undefined_subexpression(&over_one)
    {
        return Err(format!(
            "{bad}, once arguments are put over one denominator"
        ));
    }
    let Written { expr, first } = constant_operands_written(e)?;
    // A check of the whole, once each operand is written as its constant: a safety net,
    // since each operand written was checked where it stands.
    if let Some((operand, c)) = first
        && let Some(bad) = crate::eval::undefined_subexpression(&expr)
    {
        return Err(format!(
            "{bad}, once the operands that are constant (or a sign) where they are defined are \
             written so (`{operand}` is {c})"
        ));
    }
    Ok(expr)
}

/// `e` with each function argument and root's radicand that is a sum with a quotient among
/// its terms put over one denominator ([`crate::cancel`]); `None` when there is none.
fn arguments_over_one_denominator(e: &Expr) -> Option<Expr> {
    let is_quotient = |f: &Expr| matches!(f.kind(), Kind::Pow(_, k) if k.as_num().is_some_and(|k| k.is_negative()));
    let has_quotient = |u: &Expr| match u.kind() {
        Kind::Add(terms) => terms.iter().any(|t| match t.kind() {
            Kind::Mul(factors) => factors.iter().any(is_quotient),
            _ => is_quotient(t),
        }),
        _ => false,
    };
    let over_one = |u: &Expr| {
        has_quotient(u)
            .then(|| crate::poly::cancel(u))
            .flatten()
            .filter(|c| c != u)
    };
    let mut changed = false;
    let rewritten = e.rewrite_bottom_up(|_, now| {
        let new = match now.kind() {
            Kind::Call(f, a) => Expr::call(*f, over_one(a)?),
            Kind::Pow(b, k) if k.as_num().is_some_and(|k| !k.is_integer()) => {
                over_one(b)?.pow(k.clone())
            }
            _ => return None,
        };
        changed = true;
        Some(new)
    });
    changed.then_some(rewritten)
}

/// Refuses a derivative that has no real value on any interval: where the raw derivative is
/// defined, the simplified one is too, and equal, so the chain rule has no real value either.
/// Mostly the formula then has none, though the checks on it ([`prepare`]) could not tell:
/// `asin(exp(x) + exp(-x))` passes them (its argument's parts are each positive, so it looks
/// as if it could be below 1), but its derivative simplifies to `2*sinh(x)/sqrt(1 -
/// 4*cosh(x)^2)`, the root of what is at most -3. Not always: a power of what is 0 on an
/// interval (`(sign(x) - 1)^sqrt(x)`, 0 for `x > 0`) is flat there, where the chain rule writes
/// `ln(0)`. So the message names the derivative, and does not say that there is none. The
/// command line calls it on every derivative it prints (the raw one with `--no-simplify`,
/// where the same holds), so the message does not say "simplified".
///
/// ```
/// use deriv::{Limits, check_derivative, diff, parse, prepare, simplify};
///
/// let f = prepare(&parse("asin(exp(x) + exp(-x))")?)?;
/// let d = simplify(&diff(&f, "x", 1)?, &Limits::default()).expr;
/// assert!(check_derivative(&d).unwrap_err().contains("real on no interval"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn check_derivative(derivative: &Expr) -> Result<(), String> {
    match crate::eval::undefined_subexpression(derivative) {
        Some(bad) => Err(format!(
            "the derivative `{derivative}` is real on no interval: {bad}"
        )),
        None => Ok(()),
    }
}

/// [`prepare`] for a formula as read, which also refuses it when an operand that its
/// construction cancelled is infinite everywhere: `x*0*tan(pi/2)` reads as `0` and
/// `x*cot(pi)/cot(pi)` as `x`, but neither has a value anywhere.
///
/// The folds (`0*u = 0`, `u - u = 0`, `u/u = 1`, `sqrt(u)^2 = u`, `exp(ln(u)) = u`) are
/// identities over the complex numbers wherever `u` is finite, so a cancelled part that is
/// only outside the real domain cancels, as in every CAS: `sqrt(-9)^2 + sin(x)` is
/// `-9 + sin(x)`, `x + 0*ln(-1)` is `x`. The command line reads every formula this way.
///
/// ```
/// use deriv::{ParseOptions, parse_with_cancelled, prepare_parsed};
///
/// let read = |text| parse_with_cancelled(text, &ParseOptions::default()).unwrap();
/// assert_eq!(prepare_parsed(&read("x*0*tan(pi/2)")).unwrap_err(), "`tan(pi/2)` is undefined");
/// assert_eq!(prepare_parsed(&read("x + 0*ln(-1)")).unwrap().to_string(), "x");
/// ```
pub fn prepare_parsed(parsed: &Parsed) -> Result<Expr, String> {
    let prepared = prepare(&parsed.value)?;
    check_cancelled(&parsed.cancelled)?;
    Ok(prepared)
}

/// [`prepare_parsed`] for a formula read with a point's values in place of its variables
/// (`deriv eval`), which refuses it when any operand its construction cancelled has no real
/// value, not only an infinite one: each is a constant there, and the formula as written
/// has no value at the point (`sqrt(x)^2` at `x = -2` reads as `-2`, `(1 - x)/sqrt(y)` at
/// `x = 1, y = -1` as `0`, `exp(ln(x))` at `x = -1` as `-1`). Each operand is prepared
/// itself, so that one whose operand is 0 though not written so is refused too:
/// `(sin(x)^2 + cos(x)^2 - 1)/(sin(x)^2 + cos(x)^2 - 1)` cancels `1/(sin(x)^2 + cos(x)^2 - 1)`,
/// which rounding makes a large number and the simplifier proves `1/0`.
pub(crate) fn prepare_at_point(parsed: &Parsed) -> Result<Expr, String> {
    let prepared = prepare(&parsed.value)?;
    match parsed.cancelled.iter().find_map(|part| prepare(part).err()) {
        Some(bad) => Err(bad),
        None => Ok(prepared),
    }
}

/// [`prepare_parsed`] for a list of formulas: each is prepared, and what any of them
/// cancelled is checked.
pub fn prepare_parsed_list(parsed: &Parsed<Vec<Expr>>) -> Result<Vec<Expr>, String> {
    check_cancelled(&parsed.cancelled)?;
    parsed.value.iter().map(prepare).collect()
}

/// Refuses a formula when an operand its construction `cancelled` is infinite
/// ([`crate::Undefined::is_infinite`]).
fn check_cancelled(cancelled: &[Expr]) -> Result<(), String> {
    match cancelled
        .iter()
        .filter_map(crate::eval::undefined_subexpression)
        .find(crate::eval::Undefined::is_infinite)
    {
        Some(bad) => Err(bad.to_string()),
        None => Ok(()),
    }
}

/// `e` with each operand that is constant for every value of its symbols, though no
/// constructor sees it, written as that constant: the base or exponent of a power, the
/// argument of a function, or a factor that is 0 (the product is then 0).
/// `sqrt(sin(x)^2 + cos(x)^2 - 1) + x` is `sqrt(0) + x`, whose derivative is 1, where the
/// chain rule would write `0/0` and leave the simplifier an expression undefined
/// everywhere, equal to anything; `x^3 + asin(sec(x)*cos(x))` is `x^3 + pi/2` (the chain
/// rule would write `0/sqrt(1 - 1)`, and the answer was 0). Where the constant is outside
/// the domain (`1/(sin(x)^2 + cos(x)^2 - 1)`, `ln(exp(x)*exp(-x) - 2)`,
/// `atanh(cosh(x)^2 - sinh(x)^2)`), the input is undefined everywhere, and refused.
///
/// An operand is handed to the simplifier, whose constant is the proof, only when it has
/// one value in floating point at every sample point where it is defined; the formula is
/// evaluated once per sample point, and only when some operand is more than a symbol scaled,
/// shifted or raised to a number ([`plainly_varies`]). At most [`MAX_PROOFS`] are tried.
fn constant_operands_written(e: &Expr) -> Result<Written, String> {
    let limits = Limits::default().with_nodes(5_000);
    // Sampled on the first operand that is not plainly varying or a number.
    let mut sampled = None;
    let mut proofs_left = MAX_PROOFS;
    // Each operand's proof, once: `u` in `sin(u) + cos(u)` is one node.
    let mut proved: rustc_hash::FxHashMap<usize, Option<Expr>> = Default::default();
    let mut constant = |u: &Expr| -> Option<Expr> {
        if plainly_varies(u) || matches!(u.kind(), Kind::Num(_) | Kind::Const(_)) {
            return None;
        }
        if let Some(known) = proved.get(&u.id()) {
            return known.clone();
        }
        let (values, with_symbols) = sampled.get_or_insert_with(|| {
            (
                crate::eval::values_at_points(e, &sample_points(e)),
                nodes_with_symbols(e),
            )
        });
        let at_points = values.of(u)?;
        // Without symbols, only what is 0 or ±1 in floating point, where domains end, is
        // worth a proof (`e*exp(-1) - 1`, `ln(sin(2)^2 + cos(2)^2)`, the argument of
        // `acosh(cosh(3)^2 - sinh(3)^2)`, which rounding may put either side of 1): the
        // domain check reads the other constants.
        let worth_a_proof = match with_symbols.contains(&u.id()) {
            true => one_value(at_points) || signs_only(at_points),
            false => at_points
                .iter()
                .flatten()
                .all(|v| v.abs() <= 1e-9 || (v.abs() - 1.0).abs() <= 1e-9),
        };
        if proofs_left == 0 || !worth_a_proof {
            return None;
        }
        proofs_left -= 1;
        let c = simplify(u, &limits).expr;
        let c = piecewise_constant(&c).then_some(c);
        proved.insert(u.id(), c.clone());
        c
    };
    let mut refused = None;
    let mut first = None;
    let expr = e.rewrite_bottom_up(|node, now| {
        if refused.is_some() {
            return None;
        }
        // A factor 0 makes the product 0: `ln(x*(exp(x)*exp(-x) - 1))` is `ln(0)`, which the
        // check after the rewrite refuses (the other factors were checked already).
        if let Kind::Mul(factors) = node.kind()
            && let Some(zero) = factors.iter().find(|f| {
                matches!(f.kind(), Kind::Add(_)) && constant(f).is_some_and(|c| c.is_int(0))
            })
        {
            first.get_or_insert_with(|| (zero.clone(), Expr::zero()));
            return Some(Expr::zero());
        }
        let (operands, at_constant) = match (node.kind(), now.kind()) {
            (Kind::Pow(base, exponent), Kind::Pow(b, x)) => {
                let base_c = constant(base);
                let exponent_c = constant(exponent);
                if base_c.is_none() && exponent_c.is_none() {
                    return None;
                }
                let operands = [(base, &base_c), (exponent, &exponent_c)]
                    .into_iter()
                    .filter_map(|(u, c)| Some((u.clone(), c.clone()?)))
                    .collect::<Vec<_>>();
                let at = base_c
                    .unwrap_or_else(|| b.clone())
                    .pow(exponent_c.unwrap_or_else(|| x.clone()));
                (operands, at)
            }
            (Kind::Call(f, arg), _) => {
                let c = constant(arg)?;
                (vec![(arg.clone(), c.clone())], Expr::call(*f, c))
            }
            _ => return None,
        };
        if crate::eval::undefined_subexpression(&at_constant).is_some() {
            let (operand, c) = &operands[0];
            // A piecewise constant (`sign(x)`) may still be real on an interval: the check
            // reads `sign` as varying, and refuses only what is undefined for all of it.
            if !c.free_symbols().is_empty() {
                return None;
            }
            refused = Some(format!(
                "`{node}` is undefined: `{operand}` is {c}{}",
                everywhere(operand)
            ));
            return None;
        }
        if let Some(operand) = operands.into_iter().next() {
            first.get_or_insert(operand);
        }
        Some(at_constant)
    });
    match refused {
        Some(why) => Err(why),
        None => Ok(Written { expr, first }),
    }
}

/// Whether `u` is a symbol, or a number times, plus or to the power of one: never constant,
/// and most operands (`sin(x)`, `x^2`, `exp(-2*x)`, `ln(x + 1)`), so most formulas are
/// never sampled.
fn plainly_varies(u: &Expr) -> bool {
    let scaled_symbol = |t: &Expr| match t.kind() {
        Kind::Sym(_) => true,
        Kind::Mul(fs) => matches!(&fs[..], [c, s] if c.as_num().is_some() && s.as_sym().is_some()),
        Kind::Pow(b, k) => b.as_sym().is_some() && k.as_num().is_some_and(|k| !k.is_zero()),
        _ => false,
    };
    match u.kind() {
        Kind::Add(ts) => matches!(&ts[..], [c, t] if c.as_num().is_some() && scaled_symbol(t)),
        _ => scaled_symbol(u),
    }
}

/// The nodes of `e` with a symbol below them (by identity), in one walk.
fn nodes_with_symbols(e: &Expr) -> rustc_hash::FxHashSet<usize> {
    let mut with = rustc_hash::FxHashSet::default();
    for node in e.postorder() {
        if node.as_sym().is_some() || node.children().any(|c| with.contains(&c.id())) {
            with.insert(node.id());
        }
    }
    with
}

/// How many operands [`constant_operands_written`] hands to the simplifier, at most: each
/// proof is a simplifier run, and a formula could hold thousands of constant operands.
const MAX_PROOFS: usize = 32;

/// The points the formula is sampled at: both signs, inside and outside [-1, 1], several
/// above 1 (where `acosh` is defined); each symbol its own value at each point, so that
/// `x - y` is not constant.
fn sample_points(e: &Expr) -> Vec<crate::eval::Env> {
    const SAMPLES: [f64; 8] = [0.37, -1.21, 2.93, -0.58, 1.64, -2.47, 4.11, 0.83];
    let symbols = e.free_symbols();
    (0..SAMPLES.len())
        .map(|k| {
            symbols
                .iter()
                .enumerate()
                .fold(crate::eval::Env::new(), |env, (i, s)| {
                    env.with(
                        s.as_ref(),
                        SAMPLES[(k + i) % SAMPLES.len()] * (1.0 + i as f64 / 7.0),
                    )
                })
        })
        .collect()
}

/// Whether every defined value is -1, 0 or 1 (at least two of them): an operand that may be
/// a sign, as `x/abs(x)` is.
fn signs_only(values: &[Option<f64>]) -> bool {
    let mut defined = values.iter().flatten();
    defined.clone().count() >= 2
        && defined.all(|v| [-1.0, 0.0, 1.0].contains(&v.round()) && (v - v.round()).abs() <= 1e-9)
}

/// Whether `c` is constant on every interval where no sign changes: numbers and constants
/// combined, with symbols only inside `sign` (`sign(x)`, `sign(x)^2`, `pi/2`). The chain rule
/// writes 0 for the derivative of `sign`, so a function of it is differentiated as constant
/// where the operand it replaces varies only through `0/0` (`acos(x/abs(x))`, whose chain
/// rule divides by `sqrt(1 - x^2/abs(x)^2)`, which is 0). One walk over the DAG, as
/// [`nodes_with_symbols`] makes.
fn piecewise_constant(c: &Expr) -> bool {
    let mut varying = rustc_hash::FxHashSet::default();
    for node in c.postorder() {
        let varies = match node.kind() {
            Kind::Sym(_) => true,
            Kind::Call(crate::expr::Func::Sign, _) => false,
            _ => node.children().any(|child| varying.contains(&child.id())),
        };
        if varies {
            varying.insert(node.id());
        }
    }
    !varying.contains(&c.id())
}

/// Whether the values at the sample points where an operand is defined (two at least) are
/// one value, up to rounding.
fn one_value(values: &[Option<f64>]) -> bool {
    let mut defined = values.iter().flatten();
    let Some(&first) = defined.next() else {
        return false;
    };
    let mut seen = 1;
    for &v in defined {
        if (v - first).abs() > 1e-9 * (1.0 + first.abs()) {
            return false;
        }
        seen += 1;
    }
    seen >= 2
}

/// A formula with its constant operands written as constants, and the first operand written
/// with its constant, to name in a refusal.
struct Written {
    expr: Expr,
    first: Option<(Expr, Expr)>,
}

/// How a refusal says where an operand has its value: everywhere, unless it is a constant.
fn everywhere(sum: &Expr) -> &'static str {
    match sum.free_symbols().is_empty() {
        true => "",
        false => " for every value of its symbols",
    }
}
