//! Reading the answer out of the e-graph, with one form for each subterm.
//!
//! An e-class remembers whole expressions, each built from its children's best forms at the
//! time it was made. Forms of equal size tie, and two classes can settle on different ones
//! for the same subterm: `tan(x^2 + x)` next to `cos(x*(x + 1))` in one answer. [`consistent`]
//! gives every occurrence of one e-class in the answer the same form, the simplest among
//! them, and keeps the result only if it is no larger than the answer it started from.

use egg::{EGraph, Id};
use rustc_hash::FxHashMap;

use super::analysis::{Best, better};
use super::language::Math;
use crate::expr::Expr;

/// Rounds of unification: replacing a subterm can make its parents equal to other subterms
/// in turn. Two are nearly always enough.
const ROUNDS: usize = 4;

/// `answer` with all occurrences of each e-class in one form.
pub fn consistent(answer: &Expr, egraph: &EGraph<Math, Best>) -> Expr {
    let mut current = answer.clone();
    for _ in 0..ROUNDS {
        match unified(&current, egraph) {
            Some(next) if no_larger(&next, &current) => current = next,
            _ => break,
        }
    }
    current
}

/// Whether `a` has at most the nodes and minus signs of `b`. Not [`better`]: it prefers
/// less repetition, and one form for a subterm repeats more than two.
fn no_larger(a: &Expr, b: &Expr) -> bool {
    (a.tree_size(), a.minus_signs()) <= (b.tree_size(), b.minus_signs())
}

/// One round: each node whose e-class occurs elsewhere in a simpler form takes that form.
/// `None` when every class occurs in one form already.
fn unified(answer: &Expr, egraph: &EGraph<Math, Best>) -> Option<Expr> {
    let nodes = answer.postorder();
    let mut class_of: FxHashMap<usize, Id> = FxHashMap::default();
    for node in &nodes {
        // Nodes that canonical construction made (a flattened product) may have no e-node.
        let class = Math::of_node(node, |c| class_of.get(&c.id()).copied())
            .and_then(|enode| egraph.lookup(enode));
        if let Some(class) = class {
            class_of.insert(node.id(), class);
        }
    }
    let mut simplest: FxHashMap<Id, &Expr> = FxHashMap::default();
    for node in &nodes {
        if let Some(&class) = class_of.get(&node.id()) {
            let form = simplest.entry(class).or_insert(node);
            if better(node, form).is_lt() {
                *form = node;
            }
        }
    }
    let replacement = |node: &Expr| {
        let form = simplest.get(class_of.get(&node.id())?)?;
        (*form != node).then(|| (*form).clone())
    };
    if !nodes.iter().any(|node| replacement(node).is_some()) {
        return None;
    }
    Some(answer.rewrite_bottom_up(|node, _| replacement(node)))
}
