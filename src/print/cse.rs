//! The shared-bindings form (common subexpression elimination): an expression printed as
//! `t1 = ...; t2 = ...; result`, in the input language, at the size of its DAG.
//!
//! A derivative shares subterms heavily (the logistic map's derivative is a tree of
//! 2^n nodes but a DAG of about 14 n); printed as a tree it swells, printed with bindings it
//! does not. Every non-leaf node used more than once in the DAG gets a name; each binding's
//! right-hand side is printed by [`to_text`] with the already-bound subterms replaced by
//! their names, so the parser reads the whole back to the same [`Expr`].

use std::collections::HashMap;

use super::{PrintLimits, TooLarge, remaining, to_text};
use crate::expr::{Expr, Kind};

/// Prints `e` as shared bindings, `t1 = ...; t2 = ...; result`, which [`crate::parse`]
/// reads back to `e`.
///
/// Names are `t1`, `t2`, ... unless the expression already has such a symbol, in which case
/// the prefix grows (`t_1`, `t__1`, ...). An expression without shared subterms prints as
/// [`to_text`] does. The whole output is bounded by `limits.max_chars`.
///
/// ```
/// use deriv::{PrintLimits, parse, to_cse};
/// let e = parse("u = ln(x + 1); u^2 + u").unwrap();
/// let printed = to_cse(&e, &PrintLimits::default()).unwrap();
/// assert_eq!(printed, "t1 = ln(x + 1); t1^2 + t1");
/// assert_eq!(parse(&printed).unwrap(), e);
/// ```
pub fn to_cse(e: &Expr, limits: &PrintLimits) -> Result<String, TooLarge> {
    let nodes = e.postorder();
    let classes = Classes::of_nodes(&nodes);
    let uses = classes.uses(&nodes, e);
    let prefix = fresh_prefix(e);
    let mut replaced: HashMap<usize, Expr> = HashMap::with_capacity(classes.count);
    let mut out = String::new();
    let mut count = 0usize;
    for node in &nodes {
        let class = classes.of(node);
        if replaced.contains_key(&class) {
            continue;
        }
        let rebuilt = node.map_children(|c| {
            replaced
                .get(&classes.of(c))
                .cloned()
                .unwrap_or_else(|| c.clone())
        });
        if uses.get(&class).copied().unwrap_or(0) > 1 && !is_leaf(node) {
            count += 1;
            let name = format!("{prefix}{count}");
            let rhs = to_text(&rebuilt, &remaining(limits, out.len()))?;
            out.push_str(&name);
            out.push_str(" = ");
            out.push_str(&rhs);
            out.push_str("; ");
            replaced.insert(class, Expr::sym(&name));
        } else {
            replaced.insert(class, rebuilt);
        }
    }
    let root = replaced
        .get(&classes.of(e))
        .cloned()
        .unwrap_or_else(|| e.clone());
    let result = to_text(&root, &remaining(limits, out.len()))?;
    out.push_str(&result);
    Ok(out)
}

/// Structurally equal nodes of a DAG, numbered: the differentiation pass can build the same
/// subterm twice as two nodes (`4*x - 4*(1 - x)` in two places), and they should share one
/// name. Classes are found bottom-up from each node's kind and its children's classes, so
/// no deep comparison is ever made.
struct Classes {
    /// Class of each node, by node identity.
    by_node: HashMap<usize, usize>,
    /// How many classes there are.
    count: usize,
}

impl Classes {
    fn of_nodes(nodes: &[Expr]) -> Classes {
        let mut by_key: HashMap<String, usize> = HashMap::new();
        let mut by_node = HashMap::with_capacity(nodes.len());
        for node in nodes {
            let key = Self::key(node, &by_node);
            let next = by_key.len();
            let class = *by_key.entry(key).or_insert(next);
            by_node.insert(node.id(), class);
        }
        Classes {
            by_node,
            count: by_key.len(),
        }
    }

    fn of(&self, node: &Expr) -> usize {
        self.by_node.get(&node.id()).copied().unwrap_or(usize::MAX)
    }

    /// The node's operator and its children's classes (or, for a leaf, its text).
    fn key(node: &Expr, by_node: &HashMap<usize, usize>) -> String {
        let class = |c: &Expr| by_node.get(&c.id()).copied().unwrap_or(usize::MAX);
        let list = |xs: &[Expr]| {
            let ids: Vec<String> = xs.iter().map(|c| class(c).to_string()).collect();
            ids.join(",")
        };
        match node.kind() {
            Kind::Num(n) => format!("n{n}"),
            Kind::Const(c) => format!("c{}", c.name()),
            Kind::Sym(s) => format!("s{s}"),
            Kind::Add(terms) => format!("+{}", list(terms)),
            Kind::Mul(factors) => format!("*{}", list(factors)),
            Kind::Pow(b, p) => format!("^{},{}", class(b), class(p)),
            Kind::Call(f, a) => format!("f{}:{}", f.name(), class(a)),
            Kind::Undef { name, order, arg } => format!("u{name}:{order}:{}", class(arg)),
        }
    }

    /// How many parent slots use each class, counting each class of parents once. The
    /// root's class counts as used once, so that it is never bound.
    fn uses(&self, nodes: &[Expr], root: &Expr) -> HashMap<usize, usize> {
        let mut uses: HashMap<usize, usize> = HashMap::with_capacity(self.count);
        uses.insert(self.of(root), 1);
        let mut seen = std::collections::HashSet::with_capacity(self.count);
        for node in nodes {
            if !seen.insert(self.of(node)) {
                continue;
            }
            for child in node.child_vec() {
                *uses.entry(self.of(&child)).or_insert(0) += 1;
            }
        }
        uses
    }
}

/// Numbers, constants and symbols print shorter than any name for them.
fn is_leaf(e: &Expr) -> bool {
    matches!(e.kind(), Kind::Num(_) | Kind::Const(_) | Kind::Sym(_))
}

/// A name prefix `p` such that no free symbol of `e` is `p` followed by digits.
fn fresh_prefix(e: &Expr) -> String {
    let symbols = e.free_symbols();
    let clashes = |prefix: &str| {
        symbols.iter().any(|s| {
            s.strip_prefix(prefix)
                .is_some_and(|rest| !rest.is_empty() && rest.chars().all(|c| c.is_ascii_digit()))
        })
    };
    let mut prefix = String::from("t");
    while clashes(&prefix) {
        prefix.push('_');
    }
    prefix
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diff::diff;
    use crate::parse::parse;

    fn p(text: &str) -> Expr {
        parse(text).unwrap_or_else(|e| panic!("{text}: {e}"))
    }

    fn cse(e: &Expr) -> String {
        to_cse(e, &PrintLimits::default()).unwrap_or_else(|e| panic!("{e}"))
    }

    fn logistic(n: usize) -> Expr {
        let mut text = String::from("l1 = 4*x*(1-x); ");
        for k in 2..=n {
            text.push_str(&format!("l{k} = 4*l{}*(1-l{}); ", k - 1, k - 1));
        }
        text.push_str(&format!("l{n}"));
        p(&text)
    }

    #[test]
    fn reads_back_to_the_same_expression() {
        for text in ["x^2*sin(x)", "u = x + 1; u^2/(u - 3) + sin(u)", "x", "3"] {
            let e = p(text);
            assert_eq!(p(&cse(&e)), e, "{text}");
            let d = diff(&e, "x", 1).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(p(&cse(&d)), d, "d/dx {text}");
        }
    }

    #[test]
    fn logistic_derivative_needs_bindings_linear_in_n() {
        let bindings = |n: usize| {
            let d = diff(&logistic(n), "x", 1).unwrap_or_else(|e| panic!("{e}"));
            let printed = cse(&d);
            assert_eq!(p(&printed), d, "n = {n}");
            printed.matches(" = ").count()
        };
        let (b5, b10, b20) = (bindings(5), bindings(10), bindings(20));
        assert!(b10 > b5 && b20 > b10);
        // Linear: the increments per step of n agree.
        assert_eq!(b20 - b10, 2 * (b10 - b5));
        assert!(b10 <= 6 * 10, "{b10} bindings for n = 10");
    }

    #[test]
    fn names_avoid_the_expressions_own_symbols() {
        let e = p("u = sin(t1 + t2); u^2 + u");
        let printed = cse(&e);
        assert!(printed.starts_with("t_1 = "), "{printed}");
        assert_eq!(p(&printed), e);
    }

    #[test]
    fn output_is_bounded() {
        let e = p("u = x + 1; u^2 + u");
        assert!(to_cse(&e, &PrintLimits::default().with_max_chars(5)).is_err());
    }
}
