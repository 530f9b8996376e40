//! Reverse-mode automatic differentiation: one forward sweep stores every node's value, one
//! backward sweep, parents before children, accumulates each node's adjoint
//! (`d root / d node`) into its children. Each shared node is visited once in each sweep, so
//! the whole gradient costs a small multiple of one evaluation.

use rustc_hash::{FxHashMap, FxHashSet};

use super::table::{power_slope_in_base, power_slope_in_exponent, slope};
use super::{Env, EvalError, EvalReason, Values, forward, value_of};
use crate::expr::{Expr, Func, Kind};

/// The value of `e` and its partial derivatives in each of `vars`, in that order.
///
/// Only subterms that depend on one of `vars` are differentiated, so a term like
/// `(-2)^y` does not fail a gradient in `x` alone; with `y` among `vars` it does
/// (its slope in `y` needs `ln(-2)`).
///
/// ```
/// use deriv::{reverse_gradient, Env, Expr};
/// let (x, y) = (Expr::sym("x"), Expr::sym("y"));
/// let f = x.clone() * y.clone() + x.sin();
/// let env = Env::new().with("x", 0.0).with("y", 2.0);
/// let (value, gradient) = reverse_gradient(&f, &env, &["x", "y"]).unwrap();
/// assert_eq!((value, gradient), (0.0, vec![3.0, 0.0]));
/// ```
pub fn reverse_gradient(e: &Expr, env: &Env, vars: &[&str]) -> Result<(f64, Vec<f64>), EvalError> {
    let nodes = e.postorder();
    let values = forward(&nodes, |s| env.get(s))?;
    let position: FxHashMap<&str, usize> = vars.iter().enumerate().map(|(k, v)| (*v, k)).collect();
    let active = depends_on(&nodes, &position);
    let mut adjoints: Values<f64> =
        Values::with_capacity_and_hasher(active.len(), Default::default());
    adjoints.insert(e.id(), 1.0);
    for node in nodes.iter().rev() {
        let adjoint = adjoints.get(&node.id()).copied().unwrap_or(0.0);
        if adjoint == 0.0 || !active.contains(&node.id()) {
            continue;
        }
        propagate(node, adjoint, &values, &active, &mut adjoints).map_err(|reason| EvalError {
            expr: node.clone(),
            reason,
        })?;
    }
    let by_position = symbol_adjoints(&nodes, &adjoints, &position, vars.len());
    // A variable listed twice gets its partial derivative twice.
    let gradient: Vec<f64> = vars
        .iter()
        .map(|v| position.get(v).map_or(0.0, |&k| by_position[k]))
        .collect();
    if gradient.iter().any(|g| !g.is_finite()) {
        return Err(EvalError {
            expr: e.clone(),
            reason: EvalReason::NonFinite,
        });
    }
    Ok((value_of(&values, e), gradient))
}

/// The identities of the nodes whose derivative in one of `vars` is not structurally zero,
/// as in the symbolic rules: `sign(u)` is constant wherever it has a derivative, so it cuts
/// the dependence (and `asec(sign(x))` does not ask for `asec'(1)`, which is infinite).
fn depends_on(nodes: &[Expr], vars: &FxHashMap<&str, usize>) -> FxHashSet<usize> {
    let mut active = FxHashSet::default();
    for node in nodes {
        let is_active = match node.kind() {
            Kind::Sym(s) => vars.contains_key(&**s),
            Kind::Call(Func::Sign, _) => false,
            _ => node.child_vec().iter().any(|c| active.contains(&c.id())),
        };
        if is_active {
            active.insert(node.id());
        }
    }
    active
}

/// The adjoint of each variable (`position` gives its index), summed over every node that is
/// that symbol (equal symbols built separately are distinct nodes): one pass over the nodes.
fn symbol_adjoints(
    nodes: &[Expr],
    adjoints: &Values<f64>,
    position: &FxHashMap<&str, usize>,
    count: usize,
) -> Vec<f64> {
    let mut gradient = vec![0.0; count];
    for node in nodes {
        let Some(k) = node.as_sym().and_then(|s| position.get(&**s)) else {
            continue;
        };
        gradient[*k] += adjoints.get(&node.id()).copied().unwrap_or(0.0);
    }
    gradient
}

/// Adds `adjoint * d node / d child` to the adjoint of each active child.
fn propagate(
    node: &Expr,
    adjoint: f64,
    values: &Values<f64>,
    active: &FxHashSet<usize>,
    adjoints: &mut Values<f64>,
) -> Result<(), EvalReason> {
    let v = |c: &Expr| value_of(values, c);
    let mut add = |child: &Expr, partial: f64| {
        if active.contains(&child.id()) {
            *adjoints.entry(child.id()).or_insert(0.0) += adjoint * partial;
        }
    };
    match node.kind() {
        Kind::Num(_) | Kind::Const(_) | Kind::Sym(_) | Kind::Undef { .. } => {}
        Kind::Add(terms) => terms.iter().for_each(|t| add(t, 1.0)),
        Kind::Mul(factors) => {
            let values: Vec<f64> = factors.iter().map(v).collect();
            for (factor, others) in factors.iter().zip(products_of_others(&values)) {
                add(factor, others);
            }
        }
        Kind::Pow(base, exp) => {
            if active.contains(&base.id()) {
                add(base, power_slope_in_base(v(base), v(exp))?);
            }
            if active.contains(&exp.id()) {
                add(exp, power_slope_in_exponent(v(base), v(node))?);
            }
        }
        Kind::Call(f, u) => add(u, slope(*f, v(u)).ok_or(EvalReason::NotDifferentiable)?),
    }
    Ok(())
}

/// For each position, the product of all the other values, without dividing (a factor may
/// be zero): prefix products times suffix products.
fn products_of_others(values: &[f64]) -> Vec<f64> {
    let mut result = vec![1.0; values.len()];
    let mut prefix = 1.0;
    for (r, v) in result.iter_mut().zip(values) {
        *r = prefix;
        prefix *= v;
    }
    let mut suffix = 1.0;
    for (r, v) in result.iter_mut().zip(values).rev() {
        *r *= suffix;
        suffix *= v;
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn products_of_others_survive_a_zero_factor() {
        assert_eq!(products_of_others(&[2.0, 0.0, 5.0]), vec![0.0, 10.0, 0.0]);
        assert_eq!(products_of_others(&[3.0]), vec![1.0]);
    }

    #[test]
    fn a_shared_node_collects_the_adjoints_of_all_its_parents() {
        let x = Expr::sym("x");
        let s = x.clone().sin();
        let f = s.clone() * s.clone().exp() + s;
        let env = Env::new().with("x", 0.4);
        let (_, gradient) = reverse_gradient(&f, &env, &["x"]).unwrap_or_default();
        let (sv, cv) = (0.4f64.sin(), 0.4f64.cos());
        let expected = cv * (sv.exp() + sv * sv.exp() + 1.0);
        assert!((gradient[0] - expected).abs() < 1e-14);
    }

    #[test]
    fn sign_cuts_the_dependence_like_its_zero_derivative() {
        let x = Expr::sym("x");
        let env = Env::new().with("x", 0.5);
        let f = x.clone().sign().apply(Func::Asec) + x.sign() * 3;
        assert_eq!(reverse_gradient(&f, &env, &["x"]), Ok((3.0, vec![0.0])));
    }

    #[test]
    fn a_variable_listed_twice_gets_its_partial_twice() {
        let f = Expr::sym("x").pow(2) * Expr::sym("y");
        let env = Env::new().with("x", 3.0).with("y", 2.0);
        assert_eq!(
            reverse_gradient(&f, &env, &["x", "y", "x"]),
            Ok((18.0, vec![12.0, 9.0, 12.0]))
        );
    }

    #[test]
    fn variables_that_do_not_occur_have_zero_partials() {
        let f = Expr::sym("x").pow(2);
        let env = Env::new().with("x", 3.0);
        assert_eq!(
            reverse_gradient(&f, &env, &["y", "x"]),
            Ok((9.0, vec![0.0, 6.0]))
        );
    }
}
