//! Higher and mixed derivatives, simplified between differentiations.
//!
//! Each differentiation multiplies a formula's size (the product rule doubles a product), so
//! the raw `n`-th derivative of `x^x` passes the simplifier's input limit near `n = 11` and
//! comes back unsimplified, hundreds of kilobytes long. A careful human simplifies after
//! each step; so does this. It sits above `diff` and `simplify`, which do not know of each
//! other.

use crate::diff::{DiffError, DiffLimits, diff_with_limits};
use crate::expr::Expr;
use crate::simplify::{Limits, simplify};

/// A derivative between two differentiations is simplified when its tree has more than
/// `1/SIMPLIFY_BETWEEN_AT` of the nodes the simplifier accepts ([`Limits::max_tree`]): then a
/// few more raw differentiations would pass that limit. Smaller ones are left raw: the
/// constructors keep most higher derivatives short (`d^30/dx^30 tan(x)` is a polynomial in
/// `tan(x)`), and simplifying each would make `--order 30` twenty times slower.
pub const SIMPLIFY_BETWEEN_AT: u64 = 8;

/// `e` differentiated with respect to each of `vars` in turn, with each intermediate
/// derivative of more than `limits.max_tree / SIMPLIFY_BETWEEN_AT` nodes simplified within `limits`
/// before the next differentiation. The last derivative is returned raw, for the caller to
/// simplify (and report on) as it does a first derivative.
///
/// The work bound of `diff_limits` applies to each differentiation; a refusal counts the
/// differentiations finished over all of `vars`.
///
/// ```
/// use deriv::{DiffLimits, Limits, differentiate_simplifying, parse, simplify};
///
/// let f = parse("x^x")?;
/// let vars = ["x"; 12];
/// let d12 = differentiate_simplifying(&f, &vars, &DiffLimits::default(), &Limits::default())?;
/// let answer = simplify(&d12, &Limits::default()).expr;
/// assert!(answer.to_string().len() < 20_000);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn differentiate_simplifying(
    e: &Expr,
    vars: &[&str],
    diff_limits: &DiffLimits,
    limits: &Limits,
) -> Result<Expr, DiffError> {
    let requested = u32::try_from(vars.len()).unwrap_or(u32::MAX);
    if requested > diff_limits.max_order {
        return Err(DiffError::OrderTooHigh {
            order: requested,
            max: diff_limits.max_order,
        });
    }
    let mut current = e.clone();
    for (done, var) in vars.iter().enumerate() {
        if done > 0 && current.tree_size() > limits.max_tree / SIMPLIFY_BETWEEN_AT {
            current = simplify(&current, limits).expr;
        }
        current = diff_with_limits(&current, var, 1, diff_limits).map_err(|e| match e {
            DiffError::TooLarge { limit, .. } => DiffError::TooLarge {
                completed: u32::try_from(done).unwrap_or(u32::MAX),
                requested,
                limit,
            },
            other => other,
        })?;
    }
    Ok(current)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diff::diff;
    use crate::eval::{Env, eval};
    use crate::parse::parse;

    /// The 12th derivative of `x^x` passes the simplifier's input limit when it is built raw
    /// (85 kB of text); simplified between steps it is short, and it has the raw one's values.
    #[test]
    fn high_orders_are_simplified_between_steps_and_keep_their_values() {
        let f = parse("x^x").expect("parses");
        let limits = Limits::default();
        let stepped = differentiate_simplifying(&f, &["x"; 12], &DiffLimits::default(), &limits)
            .expect("differentiates");
        let stepped = simplify(&stepped, &limits).expr;
        let raw = diff(&f, "x", 12).expect("differentiates");
        assert!(raw.tree_size() > limits.max_tree);
        assert!(stepped.tree_size() < 2_000, "{}", stepped.tree_size());
        for x in [0.3, 0.7, 1.3, 2.1] {
            let env = Env::new().with("x", x);
            let (a, b) = (eval(&stepped, &env), eval(&raw, &env));
            let (a, b) = (a.expect("defined"), b.expect("defined"));
            assert!((a - b).abs() <= 1e-9 * b.abs(), "at {x}: {a} vs {b}");
        }
    }

    #[test]
    fn refusals_count_every_differentiation() {
        let f = parse("x^x^x").expect("parses");
        let tight = DiffLimits::default().with_max_nodes(20_000);
        let refused = differentiate_simplifying(&f, &["x"; 30], &tight, &Limits::default());
        assert!(matches!(
            refused,
            Err(DiffError::TooLarge { completed, requested: 30, .. }) if completed > 0
        ));
        let over = differentiate_simplifying(&f, &["x"; 1001], &tight, &Limits::default());
        assert!(matches!(over, Err(DiffError::OrderTooHigh { .. })));
    }
}
