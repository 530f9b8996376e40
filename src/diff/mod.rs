//! Symbolic differentiation.
//!
//! One pass is a post-order walk over the expression's DAG ([`Expr::postorder`]): each
//! distinct node is differentiated once, from the derivatives of its children, and the result
//! is memoised on the node's identity. A formula that shares subterms (the logistic map
//! `l = 4*l*(1-l)` iterated 30 times: a tree of 10^9 nodes, a DAG of about a hundred) is
//! differentiated in time proportional to its DAG, and the walk is iterative, so no input is
//! deep enough to overflow the stack.
//!
//! **Invariant:** a node whose children all have a structurally zero derivative gets `0`
//! without building anything, so subterms free of the variable cost one lookup.
//!
//! Products are differentiated with the explicit n-ary rule, a sum over the factors of
//! `u_i' * (the other factors)`, never as `u * sum(u_i'/u_i)`, which divides by zero
//! wherever a factor vanishes. In canonical form a product is flat, so a product of `n`
//! factors that all depend on the variable has a derivative of `n` products of `n` factors.
//!
//! **Invariant:** the work is bounded, and the bound is counted, not timed, so the outcome
//! does not depend on the machine: every pass spends the size of its input and of the nodes
//! it builds from one budget of [`DiffLimits::max_nodes`], and the differentiation stops with
//! [`DiffError::TooLarge`] as soon as the budget is spent, before building what would not fit.
//! Sizes count nodes, child links and 64-bit words of numbers, because repeated derivatives
//! also grow by their coefficients (the 300th derivative of `exp(x^2)` has 800-digit ones).

mod matrix;
mod program;
mod table;

use rustc_hash::FxHashMap;

use crate::expr::{Expr, Func, Kind, Symbol};
use crate::num::Number;

pub use matrix::{gradient, hessian, jacobian};
pub use program::INLINE_NODES;
pub use table::derivative_of;

/// The highest derivative order [`diff`] accepts by default.
///
/// High orders of most expressions are refused earlier by the work bound [`MAX_NODES`]: the
/// derivatives of `x^x` grow by a factor of about 2 per order (refused at order 17), those of
/// `exp(x^2)` by their coefficients (refused near order 270).
pub const MAX_ORDER: u32 = 1000;

/// The default bound on the total work of a differentiation, in nodes (see the module
/// documentation for what is counted). It is reached in about a second.
pub const MAX_NODES: usize = 1_000_000;

/// Bounds on the work of a differentiation. The defaults are [`MAX_ORDER`] and
/// [`MAX_NODES`].
///
/// ```
/// use deriv::{diff_with_limits, DiffError, DiffLimits, Expr};
/// let f = Expr::sym("x").pow(2).exp();
/// let limits = DiffLimits::default().with_max_nodes(10_000);
/// let refused = diff_with_limits(&f, "x", 1000, &limits);
/// assert!(matches!(refused, Err(DiffError::TooLarge { .. })));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DiffLimits {
    /// The highest order accepted.
    pub max_order: u32,
    /// The most work, in nodes, all passes together may do.
    pub max_nodes: usize,
}

impl Default for DiffLimits {
    fn default() -> DiffLimits {
        DiffLimits {
            max_order: MAX_ORDER,
            max_nodes: MAX_NODES,
        }
    }
}

impl DiffLimits {
    /// The same limits with another highest order.
    pub fn with_max_order(self, max_order: u32) -> DiffLimits {
        DiffLimits { max_order, ..self }
    }

    /// The same limits with another node bound.
    pub fn with_max_nodes(self, max_nodes: usize) -> DiffLimits {
        DiffLimits { max_nodes, ..self }
    }
}

/// Why a differentiation was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DiffError {
    /// The requested order is above [`DiffLimits::max_order`].
    #[error("derivative order {order} is above the limit of {max}")]
    OrderTooHigh {
        /// The order asked for.
        order: u32,
        /// The limit.
        max: u32,
    },
    /// The derivative needs more than [`DiffLimits::max_nodes`] of work.
    #[error(
        "the derivative is too large: it needs more than {limit} nodes of work \
         (stopped after {completed} of {requested} differentiations)"
    )]
    TooLarge {
        /// Differentiations finished before the limit was hit.
        completed: u32,
        /// Differentiations asked for.
        requested: u32,
        /// The work limit.
        limit: usize,
    },
    /// The variable of differentiation is a bound name of the [`crate::Program`] differentiated.
    #[error("`{name}` is bound in the formula, so it cannot be the variable of differentiation")]
    BoundVariable {
        /// The name.
        name: Symbol,
    },
    /// An undefined function has already been differentiated `u32::MAX` times.
    #[error("the undefined function `{name}` cannot be differentiated further")]
    UndefOrderOverflow {
        /// The function's name.
        name: Symbol,
    },
}

/// The `order`-th derivative of `e` with respect to the variable `var`, within the default
/// [`DiffLimits`]. Order `0` is `e` itself.
///
/// The result is canonical (numbers folded, like terms collected) but not simplified.
///
/// ```
/// use deriv::{diff, Expr};
/// let x = Expr::sym("x");
/// let cube = x.clone().pow(3);
/// assert_eq!(diff(&cube, "x", 2).unwrap(), Expr::int(6) * x);
/// ```
pub fn diff(e: &Expr, var: &str, order: u32) -> Result<Expr, DiffError> {
    diff_with_limits(e, var, order, &DiffLimits::default())
}

/// [`diff`] with explicit limits.
pub fn diff_with_limits(
    e: &Expr,
    var: &str,
    order: u32,
    limits: &DiffLimits,
) -> Result<Expr, DiffError> {
    if order > limits.max_order {
        return Err(DiffError::OrderTooHigh {
            order,
            max: limits.max_order,
        });
    }
    let vars = vec![var; order as usize];
    differentiate_in_turn(e, &vars, limits)
}

/// The mixed partial derivative with respect to each of `vars` in turn: `&["x", "y"]` gives
/// `d^2 e / (dy dx)`, that is `e` differentiated in `x`, then in `y`.
///
/// ```
/// use deriv::{diff_wrt, Expr};
/// let (x, y) = (Expr::sym("x"), Expr::sym("y"));
/// let f = x.clone().pow(2) * y.clone().sin();
/// assert_eq!(diff_wrt(&f, &["x", "y"]).unwrap(), Expr::int(2) * x * y.cos());
/// ```
pub fn diff_wrt(e: &Expr, vars: &[&str]) -> Result<Expr, DiffError> {
    let limits = DiffLimits::default();
    let order = u32::try_from(vars.len()).unwrap_or(u32::MAX);
    if order > limits.max_order {
        return Err(DiffError::OrderTooHigh {
            order,
            max: limits.max_order,
        });
    }
    differentiate_in_turn(e, vars, &limits)
}

impl Expr {
    /// The first derivative with respect to `var` (see [`diff`]). It fails only when it
    /// would need more than [`MAX_NODES`] of work (a product of thousands of factors), or on
    /// an undefined function already differentiated `u32::MAX` times.
    ///
    /// ```
    /// use deriv::Expr;
    /// let x = Expr::sym("x");
    /// assert_eq!(x.clone().sin().diff("x").unwrap(), x.cos());
    /// ```
    pub fn diff(&self, var: &str) -> Result<Expr, DiffError> {
        diff(self, var, 1)
    }
}

/// Differentiates in each of `vars` in turn, all passes spending from one budget.
fn differentiate_in_turn(e: &Expr, vars: &[&str], limits: &DiffLimits) -> Result<Expr, DiffError> {
    let requested = u32::try_from(vars.len()).unwrap_or(u32::MAX);
    let too_large = |completed: usize| DiffError::TooLarge {
        completed: u32::try_from(completed).unwrap_or(u32::MAX),
        requested,
        limit: limits.max_nodes,
    };
    let mut budget = Budget {
        used: 0,
        limit: limits.max_nodes,
    };
    let mut current = e.clone();
    for (completed, var) in vars.iter().enumerate() {
        if current.is_int(0) {
            break;
        }
        current = match derivative(&current, &Wrt::var(var), &mut budget) {
            Ok(d) => d,
            Err(PassError::OverBudget) => return Err(too_large(completed)),
            Err(PassError::UndefOrderOverflow(name)) => {
                return Err(DiffError::UndefOrderOverflow { name });
            }
        };
    }
    Ok(current)
}

/// What one pass differentiates by: the variable, and the symbols that stand for functions
/// of it (the names of a [`crate::Program`]'s bindings) with their derivatives.
struct Wrt<'a> {
    var: &'a str,
    chained: Option<&'a FxHashMap<Symbol, Expr>>,
}

impl<'a> Wrt<'a> {
    /// Every other symbol is independent of `var`.
    fn var(var: &'a str) -> Self {
        Wrt { var, chained: None }
    }

    /// The derivative of a symbol: 1 for the variable, a bound name's derivative, else 0.
    fn of_symbol(&self, s: &Symbol) -> Expr {
        if &**s == self.var {
            return Expr::one();
        }
        self.chained
            .and_then(|chained| chained.get(s))
            .cloned()
            .unwrap_or_else(Expr::zero)
    }
}

/// Why one pass stopped.
enum PassError {
    OverBudget,
    UndefOrderOverflow(Symbol),
}

/// Counts the work of all passes: each pass's input size, and the child links of the nodes
/// it builds, counted before building them, so that a pass stops before it would exceed the
/// limit rather than after.
struct Budget {
    used: usize,
    limit: usize,
}

impl Budget {
    fn spend(&mut self, nodes: usize) -> Result<(), PassError> {
        self.used = self.used.saturating_add(nodes);
        if self.used > self.limit {
            Err(PassError::OverBudget)
        } else {
            Ok(())
        }
    }
}

/// One derivative of `e`, memoised per DAG node.
///
/// A walk in post-order with the children's derivatives on a stack: a node held only by its
/// parent is reached once, through it, so only shared nodes need the memo (and products,
/// which [`shared_subproduct`] looks up from above). Each node's size is spent from the
/// budget as it is finished.
fn derivative(e: &Expr, wrt: &Wrt, budget: &mut Budget) -> Result<Expr, PassError> {
    // Derivatives of finished nodes whose parent is not finished yet, in order.
    // Room for a formula of the usual size, so that the walk does not grow them step by step.
    let mut done: Vec<Expr> = Vec::with_capacity(16);
    // Keyed by node identity; `e` keeps every key alive for the whole pass.
    let mut memo: FxHashMap<usize, Expr> = FxHashMap::default();
    memo.reserve(16);
    // Each entry: a node and the index of its next child to visit.
    let mut stack: Vec<(&Expr, usize)> = Vec::with_capacity(16);
    stack.push((e, 0));
    while let Some((node, next)) = stack.last_mut() {
        let node: &Expr = node;
        if let Some(child) = node.nth_child(*next) {
            *next += 1;
            // Leaves are answered at once: most are shared nodes (`x`, small integers),
            // which the memo would otherwise hold.
            match child.kind() {
                Kind::Sym(s) => {
                    budget.spend(1)?;
                    done.push(wrt.of_symbol(s));
                    continue;
                }
                Kind::Num(_) | Kind::Const(_) => {
                    budget.spend(size_of_node(child))?;
                    done.push(Expr::zero());
                    continue;
                }
                _ => {}
            }
            let memoised = child.is_shared().then(|| memo.get(&child.id())).flatten();
            match memoised {
                Some(d) => done.push(d.clone()),
                None => stack.push((child, 0)),
            }
            continue;
        }
        let first = done.len() - *next;
        stack.pop();
        budget.spend(size_of_node(node))?;
        let known = Known {
            children: &done[first..],
            memo: &memo,
        };
        let d = node_derivative(node, wrt, &known, budget)?;
        done.truncate(first);
        if node.is_shared() || matches!(node.kind(), Kind::Mul(_)) {
            memo.insert(node.id(), d.clone());
        }
        done.push(d);
    }
    Ok(done.pop().unwrap_or_else(Expr::zero))
}

/// The derivatives a node's rule may use: its children's, in order, and those of the shared
/// nodes and products finished so far.
struct Known<'a> {
    children: &'a [Expr],
    memo: &'a FxHashMap<usize, Expr>,
}

impl Known<'_> {
    /// The derivative of the `i`-th child.
    fn child(&self, i: usize) -> Expr {
        self.children.get(i).cloned().unwrap_or_else(Expr::zero)
    }
}

/// The size a node adds to its DAG: itself, its child links, and the 64-bit words of its
/// number, if it is one.
fn size_of_node(node: &Expr) -> usize {
    let words = node
        .as_num()
        .map_or(0, |n| usize::try_from(n.bits() / 64).unwrap_or(usize::MAX));
    let links = match node.kind() {
        Kind::Add(xs) | Kind::Mul(xs) => xs.len(),
        Kind::Pow(..) => 2,
        Kind::Call(..) | Kind::Undef { .. } => 1,
        Kind::Num(_) | Kind::Const(_) | Kind::Sym(_) => 0,
    };
    1usize.saturating_add(links).saturating_add(words)
}

/// The derivative of one node, given its children's derivatives.
fn node_derivative(
    node: &Expr,
    wrt: &Wrt,
    d: &Known,
    budget: &mut Budget,
) -> Result<Expr, PassError> {
    let result = match node.kind() {
        Kind::Num(_) | Kind::Const(_) => Expr::zero(),
        Kind::Sym(s) => wrt.of_symbol(s),
        Kind::Add(_) => {
            let derivatives: Vec<Expr> = d
                .children
                .iter()
                .filter(|t| !t.is_int(0))
                .cloned()
                .collect();
            budget.spend(derivatives.len() + 1)?;
            Expr::sum(derivatives)
        }
        Kind::Mul(factors) => match shared_subproduct(node, factors, d) {
            Some(split) => split_product_rule(split, budget)?,
            None => product_rule(factors, d.children, budget)?,
        },
        Kind::Pow(base, exp) => {
            budget.spend(8)?;
            power_rule(node, base, exp, &d.child(0), &d.child(1))
        }
        Kind::Call(Func::Ln, u) if matches!(u.kind(), Kind::Mul(_)) => {
            let du = d.child(0);
            if du.is_int(0) {
                return Ok(du);
            }
            budget.spend(size_of_node(u).saturating_mul(du.children().count().max(1)))?;
            logarithmic_derivative(u, du)
        }
        Kind::Call(f, u) => {
            let du = d.child(0);
            if du.is_int(0) {
                return Ok(du);
            }
            budget.spend(8)?;
            derivative_of(*f, u) * du
        }
        Kind::Undef { name, order, arg } => {
            let du = d.child(0);
            if du.is_int(0) {
                return Ok(du);
            }
            budget.spend(3)?;
            let order = order
                .checked_add(1)
                .ok_or_else(|| PassError::UndefOrderOverflow(name.clone()))?;
            Expr::undef(name.clone(), order, arg.clone()) * du
        }
    };
    Ok(result)
}

/// `ln(u)' = u'/u` for a product `u`, with `1/u` taken into each term of `u'`: the product
/// rule made `u'` a sum of terms `u_i' * (the other factors)`, and in each the other factors
/// cancel against `1/u`, so that `ln(x^3*sin(x))' = 3/x + cos(x)/sin(x)` (the logarithmic
/// derivative, a sum of `k_i u_i'/u_i`) instead of one quotient over all the factors.
/// Dividing by a factor is exact here: where `ln(u)` is defined, no factor of `u` is 0.
fn logarithmic_derivative(u: &Expr, du: Expr) -> Expr {
    let recip = u.clone().recip();
    match du.kind() {
        Kind::Add(terms) => Expr::sum(
            terms
                .iter()
                .map(|t| Expr::product([t.clone(), recip.clone()])),
        ),
        _ => du * recip,
    }
}

/// `(u_1 * ... * u_n)' = sum over i of u_i' * (the product of the other factors)`, given
/// each factor's derivative.
fn product_rule(
    factors: &[Expr],
    derivatives: &[Expr],
    budget: &mut Budget,
) -> Result<Expr, PassError> {
    let mut terms = Vec::with_capacity(derivatives.len());
    for (i, df) in derivatives.iter().enumerate() {
        if df.is_int(0) {
            continue;
        }
        budget.spend(factors.len() + 1)?;
        let others = factors
            .iter()
            .enumerate()
            .filter(|&(j, _)| j != i)
            .map(|(_, g)| g.clone());
        terms.push(Expr::product(others.chain([df.clone()])));
    }
    budget.spend(terms.len() + 1)?;
    Ok(Expr::sum(terms))
}

/// A product written as `coeff * inner * (rest)`, where `inner` is a product that occurs
/// deeper in the same DAG and has been differentiated already.
struct SplitProduct {
    coeff: Number,
    inner: Expr,
    d_inner: Expr,
    rest: Vec<Expr>,
    d_rest: Vec<Expr>,
}

/// How many candidates [`shared_subproduct`] tests, largest first.
const SUBPRODUCT_CANDIDATES: usize = 4;

/// Finds, among the products one level below the factors of `product`, one whose factors are
/// all factors of `product` too.
///
/// Canonical products are flat, so `l' = 4*l*(1-l)` does not contain `l` as a node: its
/// factors are those of `l` plus `1-l`. Differentiating such a product factor by factor costs
/// a new product of `n` factors per factor, and iterating the map gives a derivative whose
/// DAG grows with the square of the iteration count. Splitting off the inner product reuses
/// its derivative, and the DAG grows linearly. The split is exact (`product = coeff * inner *
/// rest` as multisets of factors), so the product rule on it is still free of division.
fn shared_subproduct(product: &Expr, factors: &[Expr], d: &Known) -> Option<SplitProduct> {
    // Most products have no product one level down: answer them without allocating.
    if !factors.iter().any(has_product_child) {
        return None;
    }
    let mut candidates: Vec<&Expr> = factors
        .iter()
        .flat_map(Expr::children)
        .filter(|c| matches!(c.kind(), Kind::Mul(_)))
        .collect();
    candidates.sort_by_key(|c| std::cmp::Reverse(factor_count(c)));
    let (coeff, _) = product.split_coeff();
    candidates
        .iter()
        .take(SUBPRODUCT_CANDIDATES)
        .find_map(|inner| {
            let Kind::Mul(inner_factors) = inner.kind() else {
                return None;
            };
            // Every product below is finished and memoised: its factor was finished first.
            let d_inner = d.memo.get(&inner.id())?.clone();
            let (rest, d_rest) = factors_besides(factors, d.children, inner_factors)?;
            let coeff = coeff.div(&inner.split_coeff().0)?;
            Some(SplitProduct {
                coeff,
                inner: (*inner).clone(),
                d_inner,
                rest,
                d_rest,
            })
        })
}

/// The factors of a product (and their derivatives) that are not among `inner`'s, numbers
/// left out on both sides, or `None` when some factor of `inner` is not a factor of the
/// product. Both lists are in the canonical order, so `inner`'s factors must appear in the
/// product's in the same order: one walk over both, comparing neighbours (mostly the same
/// node, one pointer comparison), finds them.
fn factors_besides(
    factors: &[Expr],
    derivatives: &[Expr],
    inner: &[Expr],
) -> Option<(Vec<Expr>, Vec<Expr>)> {
    let mut wanted = inner.iter().filter(|f| f.as_num().is_none()).peekable();
    let mut rest = Vec::new();
    let mut d_rest = Vec::new();
    for (f, df) in factors.iter().zip(derivatives) {
        if f.as_num().is_some() {
            continue;
        }
        if wanted.next_if(|w| *w == f).is_none() {
            rest.push(f.clone());
            d_rest.push(df.clone());
        }
    }
    wanted.peek().is_none().then_some((rest, d_rest))
}

fn has_product_child(e: &Expr) -> bool {
    let is_product = |c: &Expr| matches!(c.kind(), Kind::Mul(_));
    match e.kind() {
        Kind::Add(xs) | Kind::Mul(xs) => xs.iter().any(is_product),
        Kind::Pow(b, x) => is_product(b) || is_product(x),
        Kind::Call(_, a) | Kind::Undef { arg: a, .. } => is_product(a),
        Kind::Num(_) | Kind::Const(_) | Kind::Sym(_) => false,
    }
}

fn factor_count(e: &Expr) -> usize {
    match e.kind() {
        Kind::Mul(xs) => xs.len(),
        _ => 1,
    }
}

/// `(c * inner * rest)' = c * (inner' * rest + inner * rest')`, reusing `inner'`.
fn split_product_rule(split: SplitProduct, budget: &mut Budget) -> Result<Expr, PassError> {
    let SplitProduct {
        coeff,
        inner,
        d_inner,
        rest,
        d_rest,
    } = split;
    let d_rest = product_rule(&rest, &d_rest, budget)?;
    budget.spend(rest.len() + factor_count(&inner) + 6)?;
    let coeff = Expr::num(coeff);
    let rest = Expr::product(rest);
    Ok(Expr::sum([
        Expr::product([coeff.clone(), d_inner, rest]),
        Expr::product([coeff, inner, d_rest]),
    ]))
}

/// The derivative of `power = base^exp`, given the derivatives of base and exponent, with
/// the simpler rule whenever one of them is constant.
fn power_rule(power: &Expr, base: &Expr, exp: &Expr, d_base: &Expr, d_exp: &Expr) -> Expr {
    match (d_base.is_int(0), d_exp.is_int(0)) {
        (true, true) => Expr::zero(),
        // c * u^(c-1) * u', with `c - 1` folded at once when `c` is a number (nearly always)
        (false, true) => {
            let lowered = match exp.as_num() {
                Some(c) => Expr::num(c.sub(&Number::one())),
                None => exp - 1,
            };
            Expr::product([exp.clone(), base.clone().pow(lowered), d_base.clone()])
        }
        // `0^v` is 0 wherever it is real and not at `v = 0`: flat (`ln(0)` is no factor).
        (true, false) if base.is_int(0) => Expr::zero(),
        // c^v * ln(c) * v'
        (true, false) => power * base.clone().ln() * d_exp,
        // u^v * (v' ln(u) + v u'/u)
        (false, false) => power * (d_exp * base.clone().ln() + exp * d_base / base),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn x() -> Expr {
        Expr::sym("x")
    }

    fn logistic(n: usize) -> Expr {
        let mut l = x();
        for _ in 0..n {
            l = Expr::int(4) * l.clone() * (Expr::one() - l);
        }
        l
    }

    #[test]
    fn zero_to_a_power_is_flat() {
        // `0^u` is 0 wherever `u > 0`; `ln(0)` must not appear.
        let u = x().pow(2) + 1;
        assert_eq!(diff(&Expr::zero().pow(u.clone()), "x", 1), Ok(Expr::zero()));
        let f = Expr::zero().pow(u.exp()) + x();
        assert_eq!(diff(&f, "x", 1), Ok(Expr::one()));
    }

    #[test]
    fn constants_and_other_symbols_have_derivative_zero() {
        let y = Expr::sym("y");
        assert_eq!(diff(&y, "x", 1), Ok(Expr::zero()));
        assert_eq!(diff(&Expr::pi(), "x", 1), Ok(Expr::zero()));
        assert_eq!(
            diff(&(y.clone().sin() * Expr::pi()), "x", 1),
            Ok(Expr::zero())
        );
    }

    #[test]
    fn order_zero_is_the_expression() {
        let f = x().sin();
        assert_eq!(diff(&f, "x", 0), Ok(f));
    }

    #[test]
    fn power_rules_cover_constant_base_and_constant_exponent() {
        let y = Expr::sym("y");
        assert_eq!(
            diff(&x().pow(y.clone()), "x", 1),
            Ok(y.clone() * x().pow(y.clone() - 1))
        );
        let two_to_x = Expr::int(2).pow(x());
        assert_eq!(
            diff(&two_to_x, "x", 1),
            Ok(two_to_x.clone() * Expr::int(2).ln())
        );
        let x_to_x = x().pow(x());
        assert_eq!(diff(&x_to_x, "x", 1), Ok(x_to_x.clone() * (x().ln() + 1)));
    }

    #[test]
    fn the_logarithm_of_a_product_is_differentiated_factor_by_factor() {
        // ln(x^3*sin(x))' = 3/x + cos(x)/sin(x), not (3*x^2*sin(x) + x^3*cos(x))/(x^3*sin(x)).
        let f = (x().pow(3) * x().sin()).ln();
        assert_eq!(
            diff(&f, "x", 1),
            Ok(Expr::int(3) / x() + x().cos() / x().sin())
        );
        // One varying factor: its derivative over it.
        let g = (Expr::sym("y") * x().sin()).ln();
        assert_eq!(diff(&g, "x", 1), Ok(x().cos() / x().sin()));
    }

    #[test]
    fn product_rule_never_divides_by_a_factor() {
        // (x * sin(x))' = sin(x) + x cos(x): no x^-1 anywhere.
        let f = x() * x().sin();
        let d = diff(&f, "x", 1);
        assert_eq!(d, Ok(x().sin() + x() * x().cos()));
    }

    #[test]
    fn undefined_functions_gain_an_order_and_a_chain_factor() {
        let f = Expr::undef("f".into(), 0, x().pow(2));
        let expected = Expr::undef("f".into(), 1, x().pow(2)) * Expr::int(2) * x();
        assert_eq!(diff(&f, "x", 1), Ok(expected));
        let top = Expr::undef("f".into(), u32::MAX, x());
        assert!(matches!(
            diff(&top, "x", 1),
            Err(DiffError::UndefOrderOverflow { .. })
        ));
    }

    #[test]
    fn mixed_partials_commute_on_a_smooth_function() {
        let y = Expr::sym("y");
        let f = (x() * y.clone()).sin() + x().pow(3) * y.clone().exp();
        assert_eq!(diff_wrt(&f, &["x", "y"]), diff_wrt(&f, &["y", "x"]));
    }

    #[test]
    fn repeated_derivatives_of_a_polynomial_reach_zero() {
        let p = x().pow(5) + x().pow(2) * 3 + 1;
        assert_eq!(diff(&p, "x", 5), Ok(Expr::int(120)));
        assert_eq!(diff(&p, "x", 6), Ok(Expr::zero()));
        assert_eq!(diff(&p, "x", MAX_ORDER), Ok(Expr::zero()));
        let factorial = (1..=100).fold(Expr::one(), |f, k| f * k);
        assert_eq!(diff(&x().pow(100), "x", 100), Ok(factorial));
    }

    #[test]
    fn excessive_orders_are_refused() {
        let f = x().pow(2).exp();
        assert!(matches!(
            diff(&f, "x", MAX_ORDER + 1),
            Err(DiffError::OrderTooHigh { .. })
        ));
        let refused = diff(&f, "x", 1000);
        assert!(matches!(refused, Err(DiffError::TooLarge { completed, .. }) if completed < 400));
        let refused = diff(&x().pow(x()), "x", 30);
        assert!(matches!(refused, Err(DiffError::TooLarge { completed, .. }) if completed < 20));
    }

    #[test]
    fn the_work_bound_is_counted_not_timed() {
        let f = x().sin().exp();
        let tight = DiffLimits::default().with_max_nodes(2_000);
        let a = diff_with_limits(&f, "x", 50, &tight);
        let b = diff_with_limits(&f, "x", 50, &tight);
        assert!(matches!(a, Err(DiffError::TooLarge { .. })));
        assert_eq!(a, b);
        assert!(diff(&f, "x", 20).is_ok());
    }

    #[test]
    fn a_long_product_is_refused_within_a_single_pass() {
        let f = Expr::product((1..=2000).map(|k| (x() * k).apply(Func::Sin)));
        assert!(matches!(
            diff(&f, "x", 1),
            Err(DiffError::TooLarge { completed: 0, .. })
        ));
    }

    #[test]
    fn the_logistic_map_differentiates_through_its_dag() {
        let started = std::time::Instant::now();
        let d = diff(&logistic(30), "x", 1);
        assert!(started.elapsed().as_secs() < 5);
        let d = d.map(|d| d.dag_size());
        assert!(matches!(d, Ok(n) if n < 5_000), "{d:?}");
        // Each step reuses the derivative of the step before (the inner product is found by
        // `shared_subproduct`): the derivative's DAG grows by the same number of nodes per step.
        let sizes: Vec<usize> = [10, 20, 30]
            .iter()
            .map(|&n| diff(&logistic(n), "x", 1).map_or(0, |d| d.dag_size()))
            .collect();
        assert_eq!(sizes[2] - sizes[1], sizes[1] - sizes[0], "{sizes:?}");
    }
}
