//! What every command checks and rewrites in a formula before working on it: forms
//! undefined everywhere are refused, and sums that are 0 for every value of their symbols,
//! though no constructor sees it, are written 0 where the chain rule would otherwise write
//! `0/0` or `ln(0)`.
//!
//! It sits above `eval` (which samples and finds undefined forms) and `simplify` (whose 0 is
//! the proof that a sum vanishes), so that the command line and library users get the same
//! input to differentiate.

use crate::expr::{Expr, Kind};
use crate::simplify::{Limits, simplify};

/// The formula as it is differentiated, or why it is refused: forms undefined everywhere
/// ([`crate::undefined_subexpression`]), and sums that are 0 for every value of their
/// symbols though no constructor sees it (`zero_operands_written`), checked again once
/// they are written 0 (`x/sin(sin(x)^2 + cos(x)^2 - 1)` is `x/0`). The command line
/// calls it on every formula; call it before [`crate::diff`] to get its answers.
///
/// ```
/// use deriv::{Limits, diff, parse, prepare, simplify};
///
/// let f = prepare(&parse("sqrt(abs(x) - sqrt(x^2)) + x")?)?;
/// let d = simplify(&diff(&f, "x", 1)?, &Limits::default()).expr;
/// assert_eq!(d.to_string(), "1");
/// let refused = prepare(&parse("ln(exp(x)*exp(-x) - 1)")?).unwrap_err();
/// assert!(refused.contains("is 0 for every value of its symbols"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn prepare(e: &Expr) -> Result<Expr, String> {
    if let Some(bad) = crate::eval::undefined_subexpression(e) {
        return Err(bad.to_string());
    }
    let Written { expr, zeros } = zero_operands_written(e)?;
    // `x/sin(cosh(acosh(x)) - x)` is `x/sin(0)`, `x/0`, once the zero is written.
    if let Some(sum) = zeros.first()
        && let Some(bad) = crate::eval::undefined_subexpression(&expr)
    {
        let which = match zeros.len() {
            1 => format!("`{sum}`, which is 0{}, is", everywhere(sum)),
            2 => format!("`{sum}` and one more sum that is 0 are"),
            n => format!("`{sum}` and {} more sums that are 0 are", n - 1),
        };
        return Err(format!("{bad}, once {which} written 0"));
    }
    Ok(expr)
}

/// `e` with each sum that is 0 for every value of its symbols, as the base of a power, the
/// argument of a function or a factor of a product, written 0: `sqrt(sin(x)^2 + cos(x)^2 - 1) + x` is `sqrt(0) + x`,
/// whose derivative is 1, where the chain rule would write `0/0` and leave the simplifier an
/// expression undefined everywhere, equal to anything. Where 0 is outside the domain
/// (`1/(sin(x)^2 + cos(x)^2 - 1)`, `ln(exp(x)*exp(-x) - 1)`), the input is undefined
/// everywhere, and refused.
///
/// A sum is handed to the simplifier, whose 0 is the proof, only when it is 0 in floating
/// point at every sample point, so most lines pay a few evaluations.
fn zero_operands_written(e: &Expr) -> Result<Written, String> {
    let limits = Limits::default().with_nodes(5_000);
    let zero = |u: &Expr| {
        matches!(u.kind(), Kind::Add(_))
            && near_zero_everywhere(u)
            && simplify(u, &limits).expr.is_int(0)
    };
    let mut refused = None;
    let mut zeros = Vec::new();
    let expr = e.rewrite_bottom_up(|_, node| {
        // A factor 0 makes the product 0: `ln(x*(exp(x)*exp(-x) - 1))` is `ln(0)`, which the
        // check after the rewrite refuses (the other factors were checked already).
        if let Kind::Mul(factors) = node.kind()
            && refused.is_none()
            && let Some(sum) = factors.iter().find(|f| zero(f))
        {
            zeros.push(sum.clone());
            return Some(Expr::zero());
        }
        let (operand, at_zero) = match node.kind() {
            Kind::Pow(base, exponent) if refused.is_none() && zero(base) => {
                (base, Expr::zero().pow(exponent.clone()))
            }
            Kind::Call(f, arg) if refused.is_none() && zero(arg) => {
                (arg, Expr::call(*f, Expr::zero()))
            }
            _ => return None,
        };
        if crate::eval::undefined_subexpression(&at_zero).is_some() {
            refused = Some(format!(
                "`{node}` is undefined: `{operand}` is 0{}",
                everywhere(operand)
            ));
            return None;
        }
        zeros.push(operand.clone());
        Some(at_zero)
    });
    match refused {
        Some(why) => Err(why),
        None => Ok(Written { expr, zeros }),
    }
}

/// A formula with its zero sums written 0, and those sums in the order written, to name in
/// a refusal.
struct Written {
    expr: Expr,
    zeros: Vec<Expr>,
}

/// How a refusal says where a zero sum is 0: everywhere, unless it is a constant.
fn everywhere(sum: &Expr) -> &'static str {
    match sum.free_symbols().is_empty() {
        true => "",
        false => " for every value of its symbols",
    }
}

/// Whether `e` is 0 in floating point at every sample point where it evaluates, and
/// evaluates at two at least (each symbol its own sample, so that `x - y` is not 0).
fn near_zero_everywhere(e: &Expr) -> bool {
    // Both signs, inside and outside [-1, 1], several above 1 (where `acosh` is defined).
    const SAMPLES: [f64; 8] = [0.37, -1.21, 2.93, -0.58, 1.64, -2.47, 4.11, 0.83];
    let symbols = e.free_symbols();
    let mut seen = 0;
    for k in 0..SAMPLES.len() {
        let env = symbols
            .iter()
            .enumerate()
            .fold(crate::eval::Env::new(), |env, (i, s)| {
                env.with(
                    s.as_ref(),
                    SAMPLES[(k + i) % SAMPLES.len()] * (1.0 + i as f64 / 7.0),
                )
            });
        match crate::eval::eval(e, &env) {
            Ok(v) if v.abs() > 1e-9 => return false,
            Ok(_) => seen += 1,
            Err(_) => {}
        }
    }
    seen >= 2
}
