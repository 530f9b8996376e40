//! The e-class analysis: every e-class carries the smallest expression known for it.
//!
//! `make` builds an e-node's expression from its children's best expressions with the
//! canonical constructors, so exact constant folding (`2 + 3 = 5`, `4^(1/2) = 2`, never
//! `1/0`) and like-term collection happen as the e-graph grows. `merge` keeps the smaller of
//! two expressions (by [`cost`], ties broken by the canonical order), which is a semilattice,
//! as egg requires. Extraction is then just reading the root's best expression.

use std::cmp::Ordering;

use egg::{Analysis, DidMerge, EGraph, Id};

use super::language::Math;
use crate::expr::{Expr, Kind};

/// The analysis. It has no state of its own.
#[derive(Default)]
pub struct Best;

/// What the simplifier minimises: nodes of the expression as a tree, as a person (and SymPy's
/// node count) sees it.
pub fn cost(e: &Expr) -> u64 {
    e.tree_size()
}

/// The preferred of two equal expressions: the smaller, then the earlier in canonical order.
pub fn better(a: &Expr, b: &Expr) -> Ordering {
    cost(a).cmp(&cost(b)).then_with(|| a.cmp(b))
}

impl Analysis<Math> for Best {
    type Data = Expr;

    fn make(egraph: &mut EGraph<Math, Best>, enode: &Math, _id: Id) -> Expr {
        enode.to_expr(|child| egraph[child].data.clone())
    }

    fn merge(&mut self, to: &mut Expr, from: Expr) -> DidMerge {
        match better(&from, to) {
            Ordering::Less => {
                *to = from;
                DidMerge(true, false)
            }
            Ordering::Greater => DidMerge(false, true),
            Ordering::Equal => DidMerge(false, false),
        }
    }

    fn modify(egraph: &mut EGraph<Math, Best>, id: Id) {
        // A class whose best form folded to a number holds that number as an e-node, so that
        // parents see the constant too.
        if let Kind::Num(n) = egraph[id].data.kind() {
            let number = egraph.add(Math::Num(n.clone()));
            egraph.union(id, number);
        }
    }
}
