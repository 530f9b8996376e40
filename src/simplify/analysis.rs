//! The e-class analysis: every e-class carries the few smallest expressions known for it.
//!
//! `make` builds an e-node's expressions from its children's expressions with the canonical
//! constructors, so exact constant folding (`2 + 3 = 5`, `4^(1/2) = 2`, never `1/0`) and
//! like-term collection happen as the e-graph grows. Besides the children's best forms it
//! tries each child's runners-up, one child at a time: that is how a sum sees that one of its
//! terms, rewritten, cancels another (`-4*sin(x)*cos(x) + 2*sin(2*x) = 0`).
//!
//! `merge` keeps the [`KEEP`] smallest of both sides (by [`Expr::simpler`]: tree size, then
//! minus signs, then the canonical order): a join of a semilattice, as egg requires. Extraction is reading the
//! root's best expression.

use std::cmp::Ordering;

use egg::{Analysis, DidMerge, EGraph, Id, Language};

use super::language::Math;
use crate::expr::{Expr, Kind};

/// How many expressions an e-class remembers.
pub const KEEP: usize = 4;

/// Variants a single `make` may build (children times runners-up); past it, only the
/// children's best forms are combined.
const MAX_VARIANTS: usize = 48;

/// The analysis. Its only state is a budget: how many more times a class's forms may change.
///
/// Each change strictly improves a class's forms in [`Expr::simpler`]'s order, so changes
/// end; but the chain can be long past any use: with `x/3` in the class of `x*(1/3)` and
/// `cosh(asinh(u))` in the class of `sqrt(u^2 + 1)`, a runner-up of one size took every
/// exponent `k` in turn (`cosh(asinh(x/3))^k/(3*(x^2/9 + 1)^(k/2))`), and egg's rebuild,
/// which no limit of the runner interrupts, went on for hours. ([`Expr::simpler`] now ranks
/// the largest number before the canonical order, which ends that chain; the budget stays
/// as the bound for chains nobody has met yet.) Once the budget is spent,
/// classes keep the forms they have (each is still equal to its class, so answers stay
/// right) and the run reports [`Best::exhausted`].
pub struct Best {
    changes_left: usize,
    exhausted: bool,
}

impl Best {
    /// An analysis that lets classes' forms change at most `changes` times in all.
    pub fn with_budget(changes: usize) -> Best {
        Best {
            changes_left: changes,
            exhausted: false,
        }
    }

    /// Whether the budget ran out: some class may have missed a smaller form.
    pub fn exhausted(&self) -> bool {
        self.exhausted
    }
}

/// The smallest expressions known for an e-class, best first, distinct, at most [`KEEP`].
#[derive(Clone, Debug, PartialEq)]
pub struct Forms(Vec<Expr>);

impl Forms {
    /// The smallest expression known.
    pub fn best(&self) -> &Expr {
        &self.0[0]
    }

    fn from_candidates(mut candidates: Vec<Expr>) -> Forms {
        candidates.sort_by(better);
        candidates.dedup();
        candidates.truncate(KEEP);
        Forms(candidates)
    }
}

/// The preferred of two equal expressions: the smaller, then the one with fewer minus signs
/// (`1 - x^2` rather than `-(x^2 - 1)`), then the earlier in canonical order.
pub fn better(a: &Expr, b: &Expr) -> Ordering {
    a.simpler(b)
}

impl Analysis<Math> for Best {
    type Data = Forms;

    fn make(egraph: &mut EGraph<Math, Best>, enode: &Math, _id: Id) -> Forms {
        let best = enode.to_expr(|child| egraph[child].data.best().clone());
        let mut candidates = vec![best];
        let children = enode.children();
        let variants: usize = children.iter().map(|&c| egraph[c].data.0.len() - 1).sum();
        if variants <= MAX_VARIANTS {
            for (position, &child) in children.iter().enumerate() {
                for alternative in &egraph[child].data.0[1..] {
                    candidates.push(enode.to_expr_with(|index, c| {
                        if index == position {
                            alternative.clone()
                        } else {
                            egraph[c].data.best().clone()
                        }
                    }));
                }
            }
        }
        Forms::from_candidates(candidates)
    }

    fn merge(&mut self, to: &mut Forms, from: Forms) -> DidMerge {
        if self.changes_left == 0 {
            self.exhausted = true;
            return DidMerge(false, false);
        }
        let merged = Forms::from_candidates(to.0.iter().chain(&from.0).cloned().collect());
        let to_changed = merged != *to;
        let from_changed = merged != from;
        if to_changed {
            self.changes_left -= 1;
        }
        *to = merged;
        DidMerge(to_changed, from_changed)
    }

    fn modify(egraph: &mut EGraph<Math, Best>, id: Id) {
        // A class whose best form folded to a number holds that number as an e-node, so that
        // parents see the constant too.
        if let Kind::Num(n) = egraph[id].data.best().kind() {
            let number = egraph.add(Math::Num(n.clone()));
            egraph.union(id, number);
        }
    }
}
