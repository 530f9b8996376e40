//! The e-graph language: one e-node per [`Kind`] of [`Expr`], children as e-class ids.
//!
//! Sums and products are n-ary, as in `Expr`, so the e-graph never needs binary
//! associativity or commutativity rules (the blow-up measured in egg's own math example).

use rustc_hash::FxHashMap;
use std::fmt;

use egg::{Id, Language};

use crate::expr::{Constant, Expr, Func, Kind, Symbol};
use crate::num::Number;

/// An e-node.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Math {
    Num(Number),
    Const(Constant),
    Sym(Symbol),
    Add(Box<[Id]>),
    Mul(Box<[Id]>),
    Pow([Id; 2]),
    Call(Func, [Id; 1]),
    Undef(Symbol, u32, [Id; 1]),
}

/// What two e-nodes must share to match, children aside.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Operator {
    Num(Number),
    Const(Constant),
    Sym(Symbol),
    Add(usize),
    Mul(usize),
    Pow,
    Call(Func),
    Undef(Symbol, u32),
}

impl Language for Math {
    type Discriminant = Operator;

    fn discriminant(&self) -> Operator {
        match self {
            Math::Num(n) => Operator::Num(n.clone()),
            Math::Const(c) => Operator::Const(*c),
            Math::Sym(s) => Operator::Sym(s.clone()),
            Math::Add(xs) => Operator::Add(xs.len()),
            Math::Mul(xs) => Operator::Mul(xs.len()),
            Math::Pow(_) => Operator::Pow,
            Math::Call(f, _) => Operator::Call(*f),
            Math::Undef(name, order, _) => Operator::Undef(name.clone(), *order),
        }
    }

    fn matches(&self, other: &Math) -> bool {
        self.discriminant() == other.discriminant()
    }

    fn children(&self) -> &[Id] {
        match self {
            Math::Num(_) | Math::Const(_) | Math::Sym(_) => &[],
            Math::Add(xs) | Math::Mul(xs) => xs,
            Math::Pow(xs) => xs,
            Math::Call(_, xs) | Math::Undef(_, _, xs) => xs,
        }
    }

    fn children_mut(&mut self) -> &mut [Id] {
        match self {
            Math::Num(_) | Math::Const(_) | Math::Sym(_) => &mut [],
            Math::Add(xs) | Math::Mul(xs) => xs,
            Math::Pow(xs) => xs,
            Math::Call(_, xs) | Math::Undef(_, _, xs) => xs,
        }
    }
}

impl fmt::Display for Math {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Math::Num(n) => write!(f, "{n}"),
            Math::Const(c) => f.write_str(c.name()),
            Math::Sym(s) => f.write_str(s),
            Math::Add(_) => f.write_str("+"),
            Math::Mul(_) => f.write_str("*"),
            Math::Pow(_) => f.write_str("^"),
            Math::Call(func, _) => f.write_str(func.name()),
            Math::Undef(name, order, _) => write!(f, "{name}{}", "'".repeat(*order as usize)),
        }
    }
}

impl Math {
    /// The expression this e-node stands for, given an expression for each child.
    pub fn to_expr(&self, child: impl Fn(Id) -> Expr) -> Expr {
        self.to_expr_with(|_, id| child(id))
    }

    /// [`Math::to_expr`], where the expression for a child may depend on its position.
    pub fn to_expr_with(&self, child: impl Fn(usize, Id) -> Expr) -> Expr {
        let each =
            |xs: &[Id]| -> Vec<Expr> { xs.iter().enumerate().map(|(i, &x)| child(i, x)).collect() };
        match self {
            Math::Num(n) => Expr::num(n.clone()),
            Math::Const(c) => Expr::constant(*c),
            Math::Sym(s) => Expr::symbol(s.clone()),
            Math::Add(xs) => Expr::sum(each(xs)),
            Math::Mul(xs) => Expr::product(each(xs)),
            Math::Pow([b, e]) => child(0, *b).pow(child(1, *e)),
            Math::Call(f, [a]) => Expr::call(*f, child(0, *a)),
            Math::Undef(name, order, [a]) => Expr::undef(name.clone(), *order, child(0, *a)),
        }
    }
}

impl Math {
    /// The e-node of `node`, given the e-class of each child (`None` if a child has none).
    pub fn of_node(node: &Expr, class: impl Fn(&Expr) -> Option<Id>) -> Option<Math> {
        let classes = |xs: &[Expr]| xs.iter().map(&class).collect::<Option<Box<[Id]>>>();
        Some(match node.kind() {
            Kind::Num(n) => Math::Num(n.clone()),
            Kind::Const(c) => Math::Const(*c),
            Kind::Sym(s) => Math::Sym(s.clone()),
            Kind::Add(xs) => Math::Add(classes(xs)?),
            Kind::Mul(xs) => Math::Mul(classes(xs)?),
            Kind::Pow(b, e) => Math::Pow([class(b)?, class(e)?]),
            Kind::Call(f, a) => Math::Call(*f, [class(a)?]),
            Kind::Undef { name, order, arg } => Math::Undef(name.clone(), *order, [class(arg)?]),
        })
    }
}

/// Adds every node of `expr` to an e-graph, each shared subexpression once, and returns the
/// e-class of the root. Iterative: safe for any depth.
pub fn add_expr<N: egg::Analysis<Math>>(egraph: &mut egg::EGraph<Math, N>, expr: &Expr) -> Id {
    add_expr_with_ids(egraph, expr).0
}

/// [`add_expr`], also returning the e-class of every node (keyed by [`Expr::id`]).
pub fn add_expr_with_ids<N: egg::Analysis<Math>>(
    egraph: &mut egg::EGraph<Math, N>,
    expr: &Expr,
) -> (Id, FxHashMap<usize, Id>) {
    let mut ids: FxHashMap<usize, Id> = FxHashMap::default();
    let mut root = None;
    for node in expr.postorder() {
        // Post-order: every child has its class already.
        let Some(enode) = Math::of_node(&node, |c| ids.get(&c.id()).copied()) else {
            continue;
        };
        let id = egraph.add(enode);
        ids.insert(node.id(), id);
        root = Some(id);
    }
    let root = root.unwrap_or_else(|| egraph.add(Math::Num(Number::zero())));
    (root, ids)
}
