//! Gradients, Jacobians and Hessians: the first and second derivatives of one or several
//! formulas in several variables, as matrices of expressions.
//!
//! Each entry is one call of the differentiation pass, so each costs time linear in the
//! DAG of what it differentiates. Entries are canonical but not simplified; pass them to
//! [`crate::simplify`] for a short form.

use super::{DiffError, diff};
use crate::expr::Expr;

/// The partial derivatives of `e` in each of `vars`, in that order.
///
/// ```
/// use deriv::{Expr, gradient, parse};
/// let f = parse("x^2*y + y^3").unwrap();
/// let g = gradient(&f, &["x", "y"]).unwrap();
/// assert_eq!(g, vec![parse("2*x*y").unwrap(), parse("x^2 + 3*y^2").unwrap()]);
/// ```
pub fn gradient(e: &Expr, vars: &[&str]) -> Result<Vec<Expr>, DiffError> {
    vars.iter().map(|var| diff(e, var, 1)).collect()
}

/// The Jacobian matrix of the components `list`: row `i` is the gradient of `list[i]`.
///
/// ```
/// use deriv::{jacobian, parse};
/// let f = [parse("x*y").unwrap(), parse("x + y").unwrap()];
/// let j = jacobian(&f, &["x", "y"]).unwrap();
/// assert_eq!(j[0], vec![parse("y").unwrap(), parse("x").unwrap()]);
/// assert_eq!(j[1], vec![parse("1").unwrap(), parse("1").unwrap()]);
/// ```
pub fn jacobian(list: &[Expr], vars: &[&str]) -> Result<Vec<Vec<Expr>>, DiffError> {
    list.iter().map(|e| gradient(e, vars)).collect()
}

/// The Hessian matrix of `e`: entry `(i, j)` is `d^2 e / (d vars[i] d vars[j])`.
///
/// The matrix is symmetric (wherever `e` is twice continuously differentiable); only the
/// upper triangle is computed, the lower one is a copy of it.
///
/// ```
/// use deriv::{hessian, parse};
/// let f = parse("x^2*y + y^3").unwrap();
/// let h = hessian(&f, &["x", "y"]).unwrap();
/// assert_eq!(h[0], vec![parse("2*y").unwrap(), parse("2*x").unwrap()]);
/// assert_eq!(h[1], vec![parse("2*x").unwrap(), parse("6*y").unwrap()]);
/// ```
pub fn hessian(e: &Expr, vars: &[&str]) -> Result<Vec<Vec<Expr>>, DiffError> {
    let first = gradient(e, vars)?;
    let n = vars.len();
    let mut rows: Vec<Vec<Expr>> = vec![Vec::with_capacity(n); n];
    for i in 0..n {
        for j in 0..n {
            let entry = if j < i {
                rows[j][i].clone()
            } else {
                diff(&first[i], vars[j], 1)?
            };
            rows[i].push(entry);
        }
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::parse;

    fn p(text: &str) -> Expr {
        parse(text).unwrap_or_else(|e| panic!("{text}: {e}"))
    }

    #[test]
    fn hessian_is_symmetric_and_matches_mixed_partials() {
        let f = p("sin(x*y) + x^3*z");
        let vars = ["x", "y", "z"];
        let h = hessian(&f, &vars).unwrap_or_default();
        for (i, row) in h.iter().enumerate() {
            for (j, entry) in row.iter().enumerate() {
                let (a, b) = if i <= j { (i, j) } else { (j, i) };
                let direct = crate::diff::diff_wrt(&f, &[vars[a], vars[b]]);
                assert_eq!(Ok(entry.clone()), direct, "entry ({i}, {j})");
                assert_eq!(entry, &h[j][i]);
            }
        }
        assert_eq!(h.len(), 3);
    }

    #[test]
    fn empty_inputs_give_empty_matrices() {
        assert_eq!(gradient(&p("x"), &[]), Ok(vec![]));
        assert_eq!(jacobian(&[], &["x"]), Ok(vec![]));
        assert_eq!(hessian(&p("x"), &[]), Ok(vec![]));
    }
}
