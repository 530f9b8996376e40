//! The expression type, and the constructors that keep it canonical.
//!
//! An [`Expr`] is an immutable, reference-counted node. Cloning is a pointer copy, so a
//! formula that repeats a subterm (the logistic map `l(n+1) = 4*l(n)*(1-l(n))`) is a DAG.
//!
//! **Invariant:** every `Expr` was built by a constructor in this module, so it is in
//! canonical form: numbers folded exactly, sums and products flat, like terms and like factors
//! collected, children sorted by [`Expr::cmp`]. Two equal values are structurally equal, which
//! is what makes printing deterministic and equality cheap (a cached hash is compared first).
//!
//! Construction may fill removable singularities, as in every CAS: `x/x` is `1`, `x^2/x` is
//! `x`. It never changes a value where the input was defined.

use std::cmp::Ordering;
use std::collections::HashMap;
use std::fmt;
use std::hash::{BuildHasherDefault, Hash, Hasher};
use std::sync::Arc;
use std::sync::atomic::{AtomicU16, Ordering as AtomicOrdering};

use crate::num::Number;

mod angles;
mod cancelled;

use cancelled::cancelled;
pub use cancelled::{MAX_CANCELLED, recording_cancelled};

/// A variable or function name. Cheap to clone.
pub type Symbol = Arc<str>;

/// An expression. See the module documentation for its invariants.
#[derive(Clone)]
pub struct Expr(Arc<Node>);

struct Node {
    kind: Kind,
    hash: u64,
    /// Nodes of the expression as a tree (saturating: a DAG can stand for 10^9 nodes).
    tree_size: u64,
    /// Nesting depth, so that recursive passes can refuse what would overflow the stack.
    depth: u32,
    /// Polynomial degree in all symbols (0 for anything not polynomial); orders sum terms.
    degree: i32,
    /// Negative numbers in the tree (saturating): the simplifier prefers fewer minus signs.
    minus_signs: u16,
    /// Numbers in the tree written as fractions (saturating): see [`Expr::simpler`].
    fractions: u16,
    /// Bits of the numbers in the tree (saturating): see [`Expr::simpler`].
    number_bits: u16,
    /// Bits of the largest number in the tree: see [`Expr::simpler`]. (With it a node is 72
    /// bytes, 8 more: nothing else had room.)
    largest_number_bits: u16,
    /// [`Expr::repetition`], computed on first use ([`UNKNOWN_REPETITION`] until then): the
    /// simplifier compares the same candidates many times, and each count walks the tree.
    /// It fits the padding after the fields above, so nodes stay the same size.
    repetition: AtomicU16,
    /// [`Expr::exponentials`], computed on first use, as the repetition is.
    exponentials: AtomicU16,
}

/// [`Node::repetition`] or [`Node::exponentials`] not computed yet.
const UNKNOWN: u16 = u16::MAX;

/// The largest tree whose repetition and exponentials are counted (larger ones count 0, so
/// that comparing them stays cheap); below [`UNKNOWN`], so every count fits.
const COUNTED: u64 = 400;

/// The shape of an expression node. Read it with [`Expr::kind`]; build it with the
/// constructors on [`Expr`].
#[derive(Clone, PartialEq, Eq, Hash)]
pub enum Kind {
    /// An exact rational number.
    Num(Number),
    /// A named mathematical constant.
    Const(Constant),
    /// A free variable.
    Sym(Symbol),
    /// A sum of at least two terms, sorted, like terms collected, the number (if any) last.
    Add(Box<[Expr]>),
    /// A product of at least two factors, sorted, like bases collected, the number (if any)
    /// first.
    Mul(Box<[Expr]>),
    /// `base ^ exponent`.
    Pow(Expr, Expr),
    /// A known function applied to one argument.
    Call(Func, Expr),
    /// An undefined function `name` differentiated `order` times, applied to `arg`:
    /// `f(u)`, `f'(u)`, `f''(u)`.
    Undef {
        /// The function's name.
        name: Symbol,
        /// How many times it has been differentiated.
        order: u32,
        /// Its argument.
        arg: Expr,
    },
}

/// Named constants.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
pub enum Constant {
    /// π.
    Pi,
    /// Euler's number.
    E,
}

impl Constant {
    /// The name the parser reads and the text printer writes.
    pub fn name(self) -> &'static str {
        match self {
            Constant::Pi => "pi",
            Constant::E => "e",
        }
    }

    /// The value in `f64`.
    pub fn value(self) -> f64 {
        match self {
            Constant::Pi => std::f64::consts::PI,
            Constant::E => std::f64::consts::E,
        }
    }
}

macro_rules! functions {
    ($($variant:ident $name:literal $parity:ident,)*) => {
        /// The known functions of one argument. `sqrt` and `log(u, b)` are not here: they are
        /// powers and quotients (`u^(1/2)`, `ln(u)/ln(b)`).
        #[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
        pub enum Func { $(#[doc = $name] $variant,)* }

        impl Func {
            /// Every function, in declaration order.
            pub const ALL: &'static [Func] = &[$(Func::$variant,)*];

            /// The name the parser reads and the printers write.
            pub fn name(self) -> &'static str {
                match self { $(Func::$variant => $name,)* }
            }

            /// Looks a function up by name (`"sin"`), by one `match` (the parser asks for every
            /// name of two letters or more); `log` and `sqrt` are the parser's business.
            pub fn from_name(name: &str) -> Option<Func> {
                match name { $($name => Some(Func::$variant),)* _ => None }
            }

            /// Whether `f(-u) = -f(u)` (odd), `f(-u) = f(u)` (even), or neither.
            fn parity(self) -> Parity {
                match self { $(Func::$variant => Parity::$parity,)* }
            }
        }
    };
}

#[derive(PartialEq)]
enum Parity {
    Odd,
    Even,
    Neither,
}

functions! {
    Sin "sin" Odd,
    Cos "cos" Even,
    Tan "tan" Odd,
    Sec "sec" Even,
    Csc "csc" Odd,
    Cot "cot" Odd,
    Asin "asin" Odd,
    Acos "acos" Neither,
    Atan "atan" Odd,
    Acot "acot" Neither,
    Asec "asec" Neither,
    Acsc "acsc" Odd,
    Sinh "sinh" Odd,
    Cosh "cosh" Even,
    Tanh "tanh" Odd,
    Sech "sech" Even,
    Csch "csch" Odd,
    Coth "coth" Odd,
    Asinh "asinh" Odd,
    Acosh "acosh" Neither,
    Atanh "atanh" Odd,
    Acoth "acoth" Odd,
    Asech "asech" Neither,
    Acsch "acsch" Odd,
    Exp "exp" Neither,
    Ln "ln" Neither,
    Abs "abs" Even,
    Sign "sign" Odd,
    Erf "erf" Odd,
    Erfc "erfc" Neither,
}

impl Func {
    /// Whether `f` is analytic on the whole real line (an entire function restricted to it):
    /// `f(u)` is analytic wherever `u` is, so its zeros have no interior unless it is 0.
    pub(crate) fn is_entire(self) -> bool {
        use Func::*;
        matches!(
            self,
            Exp | Sin | Cos | Sinh | Cosh | Tanh | Sech | Atan | Asinh | Erf | Erfc
        )
    }

    /// Whether `sign(f(u)) = sign(u)` wherever `f(u)` is defined, and `f` is defined for every
    /// real `u` (but `csch`, `coth` and `acsch` at 0), so that the identity widens no domain
    /// but at a point.
    pub(crate) fn keeps_sign(self) -> bool {
        use Func::*;
        matches!(
            self,
            Sinh | Tanh | Asinh | Atan | Csch | Coth | Acsch | Sign | Erf
        )
    }
}

// ---------------------------------------------------------------------------------------------
// Reading an expression.

impl Expr {
    /// The node's shape.
    pub fn kind(&self) -> &Kind {
        &self.0.kind
    }

    /// The number, if this is one.
    pub fn as_num(&self) -> Option<&Number> {
        match self.kind() {
            Kind::Num(n) => Some(n),
            _ => None,
        }
    }

    /// The symbol, if this is one.
    pub fn as_sym(&self) -> Option<&Symbol> {
        match self.kind() {
            Kind::Sym(s) => Some(s),
            _ => None,
        }
    }

    /// Whether this is exactly the number `n`.
    pub fn is_int(&self, n: i64) -> bool {
        self.as_num().is_some_and(|v| v.to_i64() == Some(n))
    }

    /// Nodes in the expression as a tree, saturating at `u64::MAX`.
    pub fn tree_size(&self) -> u64 {
        self.0.tree_size
    }

    /// Negative numbers in the expression as a tree (saturating): `x - 1` has one.
    pub fn minus_signs(&self) -> u32 {
        u32::from(self.0.minus_signs)
    }

    /// Which of two equal expressions a person would rather read: the smaller tree, then fewer
    /// minus signs (`1 - x^2` rather than `-(x^2 - 1)`), then fewer fractions (`(x + 3)/4`
    /// rather than `x/4 + 3/4`, which prints two divisions; a root's `1/2` prints as `sqrt`),
    /// then less repetition, then fewer exponentials (`exp(x + 1)` rather than `e*exp(x)`),
    /// then fewer 64-bit words of numbers, then a smaller largest number (`2*x + pi/6`
    /// rather than `(12*x + pi)/6`), then the canonical order. The simplifier and the normal
    /// forms choose by it.
    ///
    /// For each value of the steps before the canonical order there are finitely many
    /// expressions (over given symbols), so no endless chain of ever "simpler" forms exists,
    /// which the simplifier's analysis needs to settle. The largest number also keeps such
    /// chains short: forms of one size with ever larger exponents
    /// (`2/((4*x^2 + 1)^k*cos(atan(2*x))^(2*k))` in the class of `2`) each came before the
    /// last in the canonical order, and took `k` up one at a time until the analysis budget
    /// ran out.
    pub fn simpler(&self, other: &Expr) -> Ordering {
        self.tree_size()
            .cmp(&other.tree_size())
            .then_with(|| self.minus_signs().cmp(&other.minus_signs()))
            .then_with(|| self.0.fractions.cmp(&other.0.fractions))
            .then_with(|| self.repetition().cmp(&other.repetition()))
            .then_with(|| self.exponentials().cmp(&other.exponentials()))
            .then_with(|| self.number_words().cmp(&other.number_words()))
            .then_with(|| {
                let largest = |e: &Expr| e.0.largest_number_bits;
                largest(self).cmp(&largest(other))
            })
            .then_with(|| self.cmp(other))
    }

    /// Calls of `exp` and `e`s in the tree, for trees of at most [`COUNTED`] nodes (larger
    /// ones count 0): of two forms of one size, `exp(x + 1)` rather than `e*exp(x)`,
    /// `exp(2*x + 3)` rather than `exp(3)*exp(2*x)`.
    fn exponentials(&self) -> u64 {
        self.counted(&self.0.exponentials, || {
            let own = matches!(
                self.kind(),
                Kind::Call(Func::Exp, _) | Kind::Const(Constant::E)
            );
            // Each child counted (and cached) once; the recursion is at most `COUNTED` deep.
            u64::from(own) + self.children().map(Expr::exponentials).sum::<u64>()
        })
    }

    /// A count over the tree cached in `cell`: 0 past [`COUNTED`] nodes, else `count()`,
    /// computed on first use. A count is at most the tree size, so it fits and is never the
    /// marker; racing threads store the same.
    fn counted(&self, cell: &AtomicU16, count: impl FnOnce() -> u64) -> u64 {
        if self.tree_size() > COUNTED {
            return 0;
        }
        let cached = cell.load(AtomicOrdering::Relaxed);
        if cached != UNKNOWN {
            return u64::from(cached);
        }
        let value = count();
        if let Ok(small) = u16::try_from(value) {
            cell.store(small, AtomicOrdering::Relaxed);
        }
        value
    }

    /// The numbers' bits in 64-bit words, rounded down: only large numbers count.
    fn number_words(&self) -> u16 {
        self.0.number_bits / 64
    }

    /// Nodes written more than once in the tree (tree size minus distinct subexpressions), for small
    /// expressions: `(x^2 + 1)*ln(3)` repeats less than `x^2*ln(3) + ln(3)`. Large ones count
    /// as 0, so that comparing them stays cheap.
    fn repetition(&self) -> u64 {
        self.counted(&self.0.repetition, || {
            // The structurally distinct subexpressions: a subtree met again is not walked
            // again.
            let mut distinct: rustc_hash::FxHashSet<&Expr> =
                rustc_hash::FxHashSet::with_capacity_and_hasher(
                    self.tree_size() as usize,
                    Default::default(),
                );
            let mut todo = vec![self];
            while let Some(e) = todo.pop() {
                if distinct.insert(e) {
                    todo.extend(e.children());
                }
            }
            self.tree_size().saturating_sub(distinct.len() as u64)
        })
    }

    /// Nesting depth (a leaf has depth 1).
    pub fn depth(&self) -> u32 {
        self.0.depth
    }

    /// Distinct nodes in the expression as a DAG (shared subexpressions counted once).
    pub fn dag_size(&self) -> usize {
        self.postorder().len()
    }

    /// Every distinct node, children before parents, each once (by pointer identity).
    ///
    /// Iterative, so it is safe for any depth; linear in the DAG's size.
    pub fn postorder(&self) -> Vec<Expr> {
        let mut seen = rustc_hash::FxHashSet::default();
        let mut order = Vec::new();
        // Each entry: a node and the index of its next child to visit.
        let mut stack: Vec<(&Expr, usize)> = vec![(self, 0)];
        seen.insert(self.id());
        while let Some((e, next)) = stack.last_mut() {
            let Some(child) = e.nth_child(*next) else {
                order.push((*e).clone());
                stack.pop();
                continue;
            };
            *next += 1;
            // A node held only by its parent is reached once: no need to remember it.
            if Arc::strong_count(&child.0) == 1 || seen.insert(child.id()) {
                stack.push((child, 0));
            }
        }
        order
    }

    /// The children, in the order of [`Expr::child_vec`], without collecting them.
    pub fn children(&self) -> impl Iterator<Item = &Expr> {
        (0..).map_while(|i| self.nth_child(i))
    }

    /// The `i`-th child, in the order of [`Expr::child_vec`].
    pub(crate) fn nth_child(&self, i: usize) -> Option<&Expr> {
        match self.kind() {
            Kind::Num(_) | Kind::Const(_) | Kind::Sym(_) => None,
            Kind::Add(xs) | Kind::Mul(xs) => xs.get(i),
            Kind::Pow(b, e) => [b, e].get(i).copied(),
            Kind::Call(_, a) | Kind::Undef { arg: a, .. } => (i == 0).then_some(a),
        }
    }

    /// The children as an owned vector (cheap: clones are pointer copies).
    pub fn child_vec(&self) -> Vec<Expr> {
        match self.kind() {
            Kind::Num(_) | Kind::Const(_) | Kind::Sym(_) => Vec::new(),
            Kind::Add(xs) | Kind::Mul(xs) => xs.to_vec(),
            Kind::Pow(b, e) => vec![b.clone(), e.clone()],
            Kind::Call(_, a) | Kind::Undef { arg: a, .. } => vec![a.clone()],
        }
    }

    /// The same node with each child replaced by `child(c)`, rebuilt with the canonical
    /// constructors (so the result is canonical whatever the replacements are).
    pub fn map_children(&self, child: impl Fn(&Expr) -> Expr) -> Expr {
        match self.kind() {
            Kind::Num(_) | Kind::Const(_) | Kind::Sym(_) => self.clone(),
            Kind::Add(terms) => Expr::sum(terms.iter().map(&child)),
            Kind::Mul(factors) => Expr::product(factors.iter().map(&child)),
            Kind::Pow(base, exp) => child(base).pow(child(exp)),
            Kind::Call(f, arg) => Expr::call(*f, child(arg)),
            Kind::Undef { name, order, arg } => Expr::undef(name.clone(), *order, child(arg)),
        }
    }

    /// The expression with nodes replaced bottom-up: `replace` sees each node of the DAG once,
    /// as it was and with its children already rewritten, and what it returns takes the
    /// node's place (`None` keeps it). Only nodes that change, or whose children did, are
    /// rebuilt. Iterative, so safe for any depth.
    pub fn rewrite_bottom_up(&self, mut replace: impl FnMut(&Expr, &Expr) -> Option<Expr>) -> Expr {
        // The nodes that changed, keyed by the original node's identity.
        let mut rebuilt: rustc_hash::FxHashMap<usize, Expr> = Default::default();
        for node in self.postorder() {
            let children_changed = node.children().any(|c| rebuilt.contains_key(&c.id()));
            let now = match children_changed {
                true => node
                    .map_children(|c| rebuilt.get(&c.id()).cloned().unwrap_or_else(|| c.clone())),
                false => node.clone(),
            };
            match replace(&node, &now) {
                Some(new) => {
                    rebuilt.insert(node.id(), new);
                }
                None if children_changed => {
                    rebuilt.insert(node.id(), now);
                }
                None => {}
            }
        }
        rebuilt.remove(&self.id()).unwrap_or_else(|| self.clone())
    }

    /// Whether the node is held more than once (by several parents, or also outside the
    /// expression): a walk may meet it again, so work on it is worth remembering. A node held
    /// only by its parent is met only through that parent.
    pub fn is_shared(&self) -> bool {
        Arc::strong_count(&self.0) > 1
    }

    /// A stable identity for memo tables: the node's address. Two live expressions with the
    /// same id are the same node; keep the expression alive as long as its id is a key.
    pub fn id(&self) -> usize {
        Arc::as_ptr(&self.0) as usize
    }

    /// Whether `sym` occurs in the expression. Linear in the DAG's size.
    pub fn contains_sym(&self, sym: &str) -> bool {
        let mut found = false;
        self.for_each_symbol(|s| found |= &**s == sym);
        found
    }

    /// The free symbols, sorted and deduplicated.
    pub fn free_symbols(&self) -> Vec<Symbol> {
        let mut syms: Vec<Symbol> = Vec::new();
        self.for_each_symbol(|s| syms.push(s.clone()));
        syms.sort();
        syms.dedup();
        syms
    }

    /// The expression with each symbol that `values` has replaced by its value (rebuilt
    /// through the constructors, so canonical); itself when it has none of them.
    pub(crate) fn substitute(&self, values: &rustc_hash::FxHashMap<Symbol, Expr>) -> Expr {
        let mut used = false;
        if !values.is_empty() {
            self.for_each_symbol(|s| used |= values.contains_key(s));
        }
        if !used {
            return self.clone();
        }
        self.rewrite_bottom_up(|old, _| old.as_sym().and_then(|s| values.get(s)).cloned())
    }

    /// Calls `f` on each occurrence of a symbol, reaching each shared inner node once
    /// (a leaf may be met more than once). Cheaper than [`Expr::postorder`]: no node is
    /// cloned, and only shared inner nodes are remembered.
    pub(crate) fn for_each_symbol(&self, mut f: impl FnMut(&Symbol)) {
        let mut seen = rustc_hash::FxHashSet::default();
        let mut stack: Vec<&Expr> = vec![self];
        while let Some(e) = stack.pop() {
            if let Kind::Sym(s) = e.kind() {
                f(s);
            }
            for child in e.children() {
                let inner = !matches!(child.kind(), Kind::Num(_) | Kind::Const(_) | Kind::Sym(_));
                if !inner || Arc::strong_count(&child.0) == 1 || seen.insert(child.id()) {
                    stack.push(child);
                }
            }
        }
    }

    /// Splits a term into its numeric coefficient and the rest: `3*x*y` is `(3, x*y)`.
    pub fn split_coeff(&self) -> (Number, Expr) {
        match self.kind() {
            Kind::Num(n) => (n.clone(), Expr::one()),
            Kind::Mul(xs) => match xs[0].as_num() {
                Some(c) => (c.clone(), times_rest(Number::one(), &xs[1..])),
                None => (Number::one(), self.clone()),
            },
            _ => (Number::one(), self.clone()),
        }
    }

    /// Splits a factor into base and exponent: `x^2` is `(x, 2)`, `x` is `(x, 1)`.
    pub fn split_pow(&self) -> (Expr, Expr) {
        match self.kind() {
            Kind::Pow(b, e) => (b.clone(), e.clone()),
            _ => (self.clone(), Expr::one()),
        }
    }

    /// Whether the expression reads as negative at first sight: a negative number or a
    /// product with a negative coefficient. Printers write such terms after a minus sign.
    pub fn is_negative_term(&self) -> bool {
        match self.kind() {
            Kind::Num(n) => n.is_negative(),
            Kind::Mul(xs) => xs[0].as_num().is_some_and(Number::is_negative),
            _ => false,
        }
    }

    /// Whether the expression reads as the negative of another: a negative term, a sum led by
    /// one (`1 - 2*x`, whose canonical first term is `-2*x`), or a product whose coefficient
    /// and negative-led sums have an odd number of minus signs between them (`3*(2 - x)`).
    /// Of `u` and `-u` exactly one is negative-led, since negating flips only the sign of a
    /// coefficient or of every term of a sum, in place. Functions with a parity take the
    /// other one (`cos(1 - x) = cos(x - 1)`, `sin(1 - x) = -sin(x - 1)`), as SymPy does, so
    /// that both spellings of an argument are one node.
    pub fn is_negative_led(&self) -> bool {
        match self.kind() {
            Kind::Add(terms) => terms[0].is_negative_term(),
            Kind::Mul(factors) => {
                let negative_sums = factors.iter().filter(|f| is_negative_led_sum(f)).count();
                self.is_negative_term() != (negative_sums % 2 == 1)
            }
            _ => self.is_negative_term(),
        }
    }

    /// `-self`, negating a sum term by term (`-(1 - x) = x - 1`) and, in a product, a
    /// negative-led sum among the factors rather than the coefficient (`-3*(2 - x) =
    /// 3*(x - 2)`): the form that is not negative-led when `self` is.
    pub fn negated_term_by_term(&self) -> Expr {
        match self.kind() {
            Kind::Add(terms) => Expr::sum(terms.iter().map(|t| -t)),
            Kind::Mul(factors) => match factors.iter().position(is_negative_led_sum) {
                Some(i) => Expr::product(factors.iter().enumerate().map(|(k, f)| {
                    if k == i {
                        f.negated_term_by_term()
                    } else {
                        f.clone()
                    }
                })),
                None => -self,
            },
            _ => -self,
        }
    }
}

/// A factor that is a sum led by a negative term.
fn is_negative_led_sum(factor: &Expr) -> bool {
    matches!(factor.kind(), Kind::Add(terms) if terms[0].is_negative_term())
}

// ---------------------------------------------------------------------------------------------
// Equality, hashing and the canonical order.

impl PartialEq for Expr {
    fn eq(&self, other: &Expr) -> bool {
        if Arc::ptr_eq(&self.0, &other.0) {
            return true;
        }
        if self.0.hash != other.0.hash {
            return false;
        }
        if self.0.depth.max(other.0.depth) <= RECURSION_SAFE_DEPTH {
            return self.0.kind == other.0.kind;
        }
        self.cmp_deep(other) == Ordering::Equal
    }
}

/// Depth up to which comparing and dropping may recurse: beyond it they use a heap stack,
/// because expressions built in Rust (not parsed) can be nested without limit.
const RECURSION_SAFE_DEPTH: u32 = 512;

/// A step of the iterative comparison: compare two expressions, or a decided result (the
/// lengths of two child lists, compared after their elements).
enum CmpTask<'a> {
    Pair(&'a Expr, &'a Expr),
    Then(Ordering),
}

impl Expr {
    /// [`Ord::cmp`] with a heap stack instead of recursion, for deep expressions.
    fn cmp_deep(&self, other: &Expr) -> Ordering {
        let mut tasks = vec![CmpTask::Pair(self, other)];
        while let Some(task) = tasks.pop() {
            let (a, b) = match task {
                CmpTask::Then(Ordering::Equal) => continue,
                CmpTask::Then(decided) => return decided,
                CmpTask::Pair(a, b) => (a, b),
            };
            if a.0.depth.max(b.0.depth) <= RECURSION_SAFE_DEPTH {
                match a.cmp_shallow(b) {
                    Ordering::Equal => continue,
                    decided => return decided,
                }
            }
            match node_order(a, b) {
                NodeOrder::Decided(Ordering::Equal) => {}
                NodeOrder::Decided(decided) => return decided,
                NodeOrder::Lists(xs, ys) => {
                    tasks.push(CmpTask::Then(xs.len().cmp(&ys.len())));
                    tasks.extend(xs.iter().zip(ys).rev().map(|(x, y)| CmpTask::Pair(x, y)));
                }
                NodeOrder::Two(first, second) => {
                    tasks.push(CmpTask::Pair(second.0, second.1));
                    tasks.push(CmpTask::Pair(first.0, first.1));
                }
                NodeOrder::One(x, y) => tasks.push(CmpTask::Pair(x, y)),
            }
        }
        Ordering::Equal
    }
}

impl Drop for Node {
    /// Drops deep expressions with a heap stack: the derived drop would recurse once per
    /// level and overflow the stack on a chain of a million nodes.
    fn drop(&mut self) {
        if self.depth <= RECURSION_SAFE_DEPTH {
            return;
        }
        let mut stack = Vec::new();
        take_children(&mut self.kind, &mut stack);
        while let Some(child) = stack.pop() {
            if let Some(mut node) = Arc::into_inner(child.0) {
                take_children(&mut node.kind, &mut stack);
            }
        }
    }
}

/// Moves the children of `kind` onto `stack`, leaving a leaf in its place.
fn take_children(kind: &mut Kind, stack: &mut Vec<Expr>) {
    match std::mem::replace(kind, Kind::Const(Constant::Pi)) {
        Kind::Add(xs) | Kind::Mul(xs) => stack.extend(xs.into_vec()),
        Kind::Pow(b, e) => stack.extend([b, e]),
        Kind::Call(_, a) | Kind::Undef { arg: a, .. } => stack.push(a),
        Kind::Num(_) | Kind::Const(_) | Kind::Sym(_) => {}
    }
}

impl Eq for Expr {}

impl Hash for Expr {
    fn hash<H: Hasher>(&self, state: &mut H) {
        state.write_u64(self.0.hash);
    }
}

impl PartialOrd for Expr {
    fn partial_cmp(&self, other: &Expr) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Expr {
    /// The canonical order: numbers, constants, symbols (by name), powers, products, sums,
    /// functions, undefined functions; within a kind, by children. It decides the order of
    /// factors in a product and breaks ties between terms of a sum (see [`term_order`]).
    fn cmp(&self, other: &Expr) -> Ordering {
        if self.0.depth.max(other.0.depth) > RECURSION_SAFE_DEPTH {
            return self.cmp_deep(other);
        }
        self.cmp_shallow(other)
    }
}

impl Expr {
    /// The canonical order by recursion: for expressions at most [`RECURSION_SAFE_DEPTH`]
    /// deep.
    fn cmp_shallow(&self, other: &Expr) -> Ordering {
        match node_order(self, other) {
            NodeOrder::Decided(decided) => decided,
            NodeOrder::Lists(xs, ys) => cmp_lists(xs, ys),
            NodeOrder::Two((a1, b1), (a2, b2)) => a1.cmp(b1).then_with(|| a2.cmp(b2)),
            NodeOrder::One(a, b) => a.cmp(b),
        }
    }
}

/// Two child lists in the canonical order: element by element, then by length. Children that
/// are the same node are skipped by pointer: sums and products built from one another
/// (`l(k)` and `1 - l(k)` in the logistic map) share most of their children.
fn cmp_lists(xs: &[Expr], ys: &[Expr]) -> Ordering {
    for (x, y) in xs.iter().zip(ys) {
        if Arc::ptr_eq(&x.0, &y.0) {
            continue;
        }
        match x.cmp(y) {
            Ordering::Equal => {}
            decided => return decided,
        }
    }
    xs.len().cmp(&ys.len())
}

/// What the canonical order of two nodes depends on: their own data decides, or their
/// children do, compared in order (lists: element by element, then by length).
enum NodeOrder<'a> {
    Decided(Ordering),
    Lists(&'a [Expr], &'a [Expr]),
    Two((&'a Expr, &'a Expr), (&'a Expr, &'a Expr)),
    One(&'a Expr, &'a Expr),
}

/// The one definition of the canonical order at a node, shared by the recursive and the
/// iterative comparison.
fn node_order<'a>(a: &'a Expr, b: &'a Expr) -> NodeOrder<'a> {
    if Arc::ptr_eq(&a.0, &b.0) {
        return NodeOrder::Decided(Ordering::Equal);
    }
    let by_rank = rank(a.kind()).cmp(&rank(b.kind()));
    if by_rank != Ordering::Equal {
        return NodeOrder::Decided(by_rank);
    }
    let decided = |o: Ordering, then: NodeOrder<'a>| match o {
        Ordering::Equal => then,
        o => NodeOrder::Decided(o),
    };
    match (a.kind(), b.kind()) {
        (Kind::Num(x), Kind::Num(y)) => NodeOrder::Decided(x.cmp(y)),
        (Kind::Const(x), Kind::Const(y)) => NodeOrder::Decided(x.cmp(y)),
        (Kind::Sym(x), Kind::Sym(y)) => NodeOrder::Decided(x.cmp(y)),
        (Kind::Add(xs), Kind::Add(ys)) | (Kind::Mul(xs), Kind::Mul(ys)) => NodeOrder::Lists(xs, ys),
        (Kind::Pow(b1, e1), Kind::Pow(b2, e2)) => NodeOrder::Two((b1, b2), (e1, e2)),
        (Kind::Call(f, x), Kind::Call(g, y)) => decided(f.cmp(g), NodeOrder::One(x, y)),
        (
            Kind::Undef {
                name: n1,
                order: o1,
                arg: a1,
            },
            Kind::Undef {
                name: n2,
                order: o2,
                arg: a2,
            },
        ) => decided(n1.cmp(n2).then(o1.cmp(o2)), NodeOrder::One(a1, a2)),
        _ => NodeOrder::Decided(Ordering::Equal),
    }
}

/// [`rank`] of a product.
const MUL_RANK: u8 = 4;

fn rank(kind: &Kind) -> u8 {
    match kind {
        Kind::Num(_) => 0,
        Kind::Const(_) => 1,
        Kind::Sym(_) => 2,
        Kind::Pow(..) => 3,
        Kind::Mul(_) => MUL_RANK,
        Kind::Add(_) => 5,
        Kind::Call(..) => 6,
        Kind::Undef { .. } => 7,
    }
}

/// The order of terms in a sum: higher polynomial degree first (`x^2 + x + 1`), then the
/// canonical order of the terms without their coefficients; the number last.
pub fn term_order(a: &Expr, b: &Expr) -> Ordering {
    match (a.as_num().is_some(), b.as_num().is_some()) {
        (true, false) => return Ordering::Greater,
        (false, true) => return Ordering::Less,
        _ => {}
    }
    let (_, ra) = a.split_coeff();
    let (_, rb) = b.split_coeff();
    b.0.degree
        .cmp(&a.0.degree)
        .then_with(|| ra.cmp(&rb))
        .then_with(|| a.cmp(b))
}

// ---------------------------------------------------------------------------------------------
// Construction.

impl Expr {
    /// Wraps a kind in a node. Private: only the canonicalising constructors call it.
    fn make(kind: Kind) -> Expr {
        let hash = node_hash(&kind);
        let Metrics {
            tree_size,
            depth,
            degree,
            minus_signs,
            fractions,
            number_bits,
            largest_number_bits,
        } = Metrics::of(&kind);
        Expr(Arc::new(Node {
            kind,
            hash,
            tree_size,
            depth,
            degree,
            minus_signs,
            fractions,
            number_bits,
            largest_number_bits,
            repetition: AtomicU16::new(UNKNOWN),
            exponentials: AtomicU16::new(UNKNOWN),
        }))
    }

    /// An exact number.
    pub fn num(n: Number) -> Expr {
        match n.to_i64() {
            Some(k @ -1..=MAX_SHARED_INT) => Expr::int(k),
            _ => Expr::make(Kind::Num(n)),
        }
    }

    /// An integer.
    pub fn int(n: i64) -> Expr {
        let shared = n
            .checked_add(1)
            .and_then(|k| usize::try_from(k).ok())
            .and_then(|k| SMALL_INTS.with(|ints| ints.get(k).cloned()));
        shared.unwrap_or_else(|| Expr::make(Kind::Num(Number::int(n))))
    }

    /// The fraction `p/q` (`q` must not be zero; a zero `q` gives the undefined `p*0^-1`).
    pub fn ratio(p: i64, q: i64) -> Expr {
        match Number::ratio(p, q) {
            Some(n) => Expr::num(n),
            None => Expr::int(p) * Expr::int(0).pow(-1),
        }
    }

    /// `0`.
    pub fn zero() -> Expr {
        Expr::int(0)
    }

    /// `1`.
    pub fn one() -> Expr {
        Expr::int(1)
    }

    /// A variable. Variables named by one ASCII letter are shared nodes.
    pub fn sym(name: &str) -> Expr {
        let shared =
            letter_index(name).and_then(|k| SHARED_LETTERS.with(|letters| letters.get(k).cloned()));
        shared.unwrap_or_else(|| Expr::make(Kind::Sym(Symbol::from(name))))
    }

    /// A variable from an existing symbol.
    pub fn symbol(name: Symbol) -> Expr {
        Expr::make(Kind::Sym(name))
    }

    /// A named constant.
    pub fn constant(c: Constant) -> Expr {
        Expr::make(Kind::Const(c))
    }

    /// π.
    pub fn pi() -> Expr {
        Expr::constant(Constant::Pi)
    }

    /// The canonical sum of `terms`: flattened, numbers folded, like terms collected
    /// (`x + x = 2*x`), sorted by [`term_order`].
    pub fn sum(terms: impl IntoIterator<Item = Expr>) -> Expr {
        let mut sum = SumBuilder::new();
        terms.into_iter().for_each(|t| sum.add(t));
        sum.finish()
    }

    /// The canonical product of `factors`: flattened, numbers folded into one coefficient,
    /// like bases collected (`x*x = x^2`, `x*x^-1 = 1`), sorted by base.
    pub fn product(factors: impl IntoIterator<Item = Expr>) -> Expr {
        let factors = factors.into_iter();
        let mut coeff = Number::one();
        // A product among the factors with many factors of its own (`4*l*(1-l)`): its
        // factors are sorted already, so the others are merged into them by binary search
        // instead of sorting them all again.
        let mut sorted_run: Option<Expr> = None;
        let mut items: Vec<Expr> = Vec::with_capacity(factors.size_hint().0);
        let push = |f: Expr, coeff: &mut Number, items: &mut Vec<Expr>| match f.kind() {
            Kind::Num(n) => *coeff = coeff.mul(n),
            _ => items.push(f),
        };
        for f in factors {
            match f.kind() {
                Kind::Mul(xs) if sorted_run.is_none() && xs.len() >= MERGE_RUN => {
                    if let Some(c) = xs[0].as_num() {
                        coeff = coeff.mul(c);
                    }
                    sorted_run = Some(f);
                }
                Kind::Mul(xs) => xs
                    .iter()
                    .for_each(|x| push(x.clone(), &mut coeff, &mut items)),
                _ => push(f, &mut coeff, &mut items),
            }
        }
        items.sort_by(factor_order);
        let items = match &sorted_run {
            Some(run) => merge_factors(rest_factors(run), items),
            None => items,
        };
        if coeff.is_zero() {
            return Expr::zero_product(items);
        }
        // Most products have no like bases: then the factors in canonical order are the
        // answer, without splitting each into base and exponent.
        let like_bases = items.windows(2).any(|w| base_of(&w[0]) == base_of(&w[1]));
        if like_bases {
            return Expr::collect_product(coeff, items);
        }
        Expr::from_coeff_and_factors(coeff, items)
    }

    /// `coeff` times `factors` (canonical, none a number, sorted by [`factor_order`]).
    ///
    /// The owned twin of [`times_rest`]: the factors move into the node, in the vector's
    /// own allocation when it has room for the coefficient (no copy, no second allocation).
    fn from_coeff_and_factors(coeff: Number, mut factors: Vec<Expr>) -> Expr {
        match factors.len() {
            0 => Expr::num(coeff),
            1 if coeff.is_one() => factors.pop().unwrap_or_else(Expr::one),
            // Two numeric radicals lead the factors only in products of numbers' roots.
            _ if factors.get(1).and_then(numeric_radical).is_some() => {
                match Expr::radicals_merged(&coeff, &factors) {
                    Some(merged) => merged,
                    None => Expr::coeff_times(coeff, factors),
                }
            }
            _ => Expr::coeff_times(coeff, factors),
        }
    }

    /// The product node of `coeff` (put first unless it is 1) and `factors`, as they are.
    fn coeff_times(coeff: Number, mut factors: Vec<Expr>) -> Expr {
        if !coeff.is_one() {
            factors.insert(0, Expr::num(coeff));
        }
        Expr::make(Kind::Mul(factors.into_boxed_slice()))
    }

    /// `coeff` times powers of integers (`radicals`, from [`Number::radical_parts`]: in order,
    /// distinct exponents between 0 and 1), each built as it is, so that building the
    /// canonical form does not ask for it again.
    fn from_radicals(coeff: Number, radicals: Vec<(Number, Number)>) -> Expr {
        let factors = radicals
            .into_iter()
            .map(|(base, exp)| Expr::make(Kind::Pow(Expr::num(base), Expr::num(exp))))
            .collect();
        Expr::from_coeff_and_factors(coeff, factors)
    }

    /// Numeric radicals with one exponent meet under one root (`sqrt(3)*sqrt(6)` is
    /// `sqrt(18)`, which is `3*sqrt(2)`). Powers of numbers sort first among `factors`;
    /// `None` when no two of them are radicals with one exponent.
    #[cold]
    fn radicals_merged(coeff: &Number, factors: &[Expr]) -> Option<Expr> {
        let leading = factors
            .iter()
            .take_while(|f| base_of(f).as_num().is_some())
            .count();
        let (radicals, others): (Vec<_>, Vec<_>) = factors[..leading]
            .iter()
            .partition(|f| numeric_radical(f).is_some_and(|(b, _)| b.is_positive()));
        let mut groups: Vec<(&Number, Number, usize)> = Vec::with_capacity(radicals.len());
        for (base, exp) in radicals.iter().filter_map(|f| numeric_radical(f)) {
            match groups.iter_mut().find(|(e, _, _)| *e == exp) {
                Some((_, product, count)) => {
                    *product = product.mul(base);
                    *count += 1;
                }
                None => groups.push((exp, base.clone(), 1)),
            }
        }
        if groups.iter().all(|&(_, _, count)| count == 1) {
            return None;
        }
        let merged = groups
            .into_iter()
            .map(|(exp, base, _)| Expr::num(base).pow(Expr::num(exp.clone())));
        let rest = others.into_iter().chain(&factors[leading..]).cloned();
        Some(Expr::product(
            std::iter::once(Expr::num(coeff.clone()))
                .chain(merged)
                .chain(rest),
        ))
    }

    /// `0` times `items`: `0`, but not when a factor is undefined everywhere: `0/0` stays
    /// undefined. The other factors are dropped ([`cancelled`]).
    fn zero_product(items: Vec<Expr>) -> Expr {
        let undefined = items
            .iter()
            .find(|f| base_of(f).is_int(0) && exponent_of(f).is_negative_term());
        match undefined {
            Some(f) => f.clone(),
            None => {
                items.iter().for_each(cancelled);
                Expr::zero()
            }
        }
    }

    /// [`Expr::product`] of `coeff` (not zero) and `items` (flattened, numbers folded into
    /// `coeff`, in canonical order, so that like bases are neighbours), collecting like
    /// bases (`x*x = x^2`) and folding what merging produces.
    fn collect_product(mut coeff: Number, items: Vec<Expr>) -> Expr {
        let mut factors: Vec<Expr> = Vec::with_capacity(items.len() + 1);
        let mut reshaped = false;
        let mut items = items.into_iter().peekable();
        while let Some(first) = items.next() {
            let base = base_of(&first);
            if items.peek().is_none_or(|next| base_of(next) != base) {
                factors.push(first);
                continue;
            }
            let mut exps = Vec::with_capacity(4);
            // `sqrt(u)*sqrt(u) = u`, `u^2/u = u`: a merged root or reciprocal may be
            // undefined where the merged power is not, so it is recorded.
            let record = |factor: &Expr| {
                let exp = exponent_of(factor);
                if !is_whole_number(&exp) {
                    cancelled(factor);
                }
                exp
            };
            exps.push(record(&first));
            while let Some(next) = items.next_if(|next| base_of(next) == base) {
                exps.push(record(&next));
            }
            let factor = base.clone().pow(Expr::sum(exps));
            match factor.kind() {
                // `u/u = 1`: the base is gone.
                Kind::Num(n) => {
                    cancelled(base);
                    coeff = coeff.mul(n);
                }
                // A merged power that fell apart into a product (`(x*y)^(1/2) * (x*y)^(1/2)`)
                // or took another base (`exp(1)^2 = exp(2)`) may now meet other factors.
                Kind::Mul(_) => {
                    reshaped = true;
                    factors.push(factor);
                }
                _ => {
                    reshaped |= base_of(&factor) != base;
                    factors.push(factor);
                }
            }
        }
        if coeff.is_zero() {
            factors.iter().for_each(cancelled);
            return Expr::zero();
        }
        if reshaped {
            factors.push(Expr::num(coeff));
            return Expr::product(factors);
        }
        factors.sort_by(factor_order);
        Expr::from_coeff_and_factors(coeff, factors)
    }

    /// `self ^ exp`, canonical: numbers fold exactly (within `MAX_BITS`),
    /// `u^0 = 1`, `u^1 = u`, `(u^a)^n = u^(a*n)` for integer `n`, `(u*v)^n = u^n * v^n` for
    /// integer `n`, `e^u = exp(u)`, `exp(u)^a = exp(a*u)`. `0^-1` stays as it is (undefined).
    pub fn pow(self, exp: impl Into<Expr>) -> Expr {
        let exp = exp.into();
        // `u^0 = 1` for every `u`, infinite ones too (as `0^0 = 1`, and as in SymPy and IEEE
        // arithmetic): nothing is cancelled.
        if exp.is_int(0) {
            return Expr::one();
        }
        if self.is_int(1) {
            cancelled(&exp);
            return self;
        }
        if exp.is_int(1) {
            return self;
        }
        let exp_num = exp.as_num();
        let exp_is_integer = exp_num.is_some_and(Number::is_integer);
        match self.kind() {
            Kind::Num(b) => {
                if let Some(e) = exp_num {
                    if let Some(v) = b.pow(e) {
                        return Expr::num(v);
                    }
                    if let Some((coeff, radicals)) = b.radical_parts(e) {
                        return Expr::from_radicals(coeff, radicals);
                    }
                }
            }
            Kind::Const(Constant::E) => return Expr::call(Func::Exp, exp),
            Kind::Call(Func::Exp, u) => {
                return Expr::call(Func::Exp, Expr::product([u.clone(), exp]));
            }
            // Undefined everywhere, it stays so: `(0^-1)^-1` is not `0`.
            Kind::Pow(b, e) if b.is_int(0) && e.is_negative_term() => return self,
            // `(2^(1/2))^(1/3) = 2^(1/6)`: a positive base has one real power.
            Kind::Pow(b, e)
                if exp_is_integer
                    || e.is_int(-1)
                    || (exp_num.is_some()
                        && b.as_num().is_some_and(Number::is_positive)
                        && e.as_num().is_some()) =>
            {
                // `sqrt(u)^2 = u`, `(1/u)^-1 = u`: the inner power may be undefined where
                // the result is not, so the fold is recorded (a whole power is not).
                if !is_whole_number(e) {
                    cancelled(&self);
                }
                return b.clone().pow(Expr::product([e.clone(), exp]));
            }
            Kind::Mul(xs) if exp_is_integer => {
                return Expr::product(xs.iter().map(|x| x.clone().pow(exp.clone())));
            }
            Kind::Mul(xs)
                if exp_num.is_some() && xs[0].as_num().is_some_and(Number::is_positive) =>
            {
                let (c, rest) = self.split_coeff();
                return Expr::product([Expr::num(c).pow(exp.clone()), rest.pow(exp)]);
            }
            // `(sqrt(2)/2)^x = 2^(-x/2)`: a radical times a power of its own base is one
            // power of that base.
            Kind::Mul(xs) if xs.len() == 2 => {
                if let (Some(c), Some((b, f))) = (xs[0].as_num(), numeric_radical(&xs[1]))
                    && let Some(k) = c.exact_log(b)
                {
                    let q = Number::int(k).add(f);
                    return Expr::num(b.clone()).pow(Expr::product([Expr::num(q), exp]));
                }
            }
            _ => {}
        }
        Expr::make(Kind::Pow(self, exp))
    }

    /// `f(arg)`, canonical: exact values at exact points (`sin(0) = 0`, `ln(1) = 0`),
    /// `ln(exp(u)) = u` (and `ln(c*exp(u)) = u + ln(c)` for a number `c > 0`), `ln(1/q) =
    /// -ln(q)`, `exp(ln(u)) = u`, `asinh(sinh(u)) = u`, `acosh(cosh(u)) = abs(u)`,
    /// parity (`sin(-u) = -sin(u)`, `cos(-u) = cos(u)`), `abs` and `sign` of numbers and of
    /// what is surely positive (`sign(exp(u)) = 1`), and of a positive number times a product
    /// (`abs(3*x) = 3*abs(x)`, `sign(3*x) = sign(x)`); even powers come out of `abs`
    /// (`abs(x^2*y) = x^2*abs(y)`).
    pub fn call(f: Func, arg: Expr) -> Expr {
        if let Some(value) = exact_value(f, &arg) {
            return value;
        }
        match (f, arg.kind()) {
            (Func::Ln, Kind::Call(Func::Exp, u)) => return u.clone(),
            // `ln(exp(u)/3) = u - ln(3)`: `ln(exp(u)) = u` with a positive number beside it.
            (Func::Ln, Kind::Mul(xs)) => {
                if let [c, g] = &xs[..]
                    && let (Some(c), Kind::Call(Func::Exp, u)) = (c.as_num(), g.kind())
                    && c.is_positive()
                {
                    return u.clone() + Expr::call(Func::Ln, Expr::num(c.clone()));
                }
            }
            // `ln(1/8) = -ln(8)`, as SymPy and every table write it.
            (Func::Ln, Kind::Num(n))
                if n.is_positive() && !n.is_integer() && n.numer().is_one() =>
            {
                if let Some(q) = n.recip() {
                    return -Expr::call(Func::Ln, Expr::num(q));
                }
            }
            // `ln(u)` is infinite where `u` is 0, and `u` is not.
            (Func::Exp, Kind::Call(Func::Ln, u)) => {
                cancelled(&arg);
                return u.clone();
            }
            (Func::Abs, Kind::Call(Func::Abs, _)) => return arg,
            // The inverse of a hyperbolic function undoes it: the odd ones are one-to-one,
            // the even ones are one-to-one on `u >= 0`, where their inverses take values.
            (Func::Asinh, Kind::Call(Func::Sinh, u)) | (Func::Atanh, Kind::Call(Func::Tanh, u)) => {
                return u.clone();
            }
            // Not at 0, where `u` would hide the pole of `coth(0)` from the domain check.
            (Func::Acoth, Kind::Call(Func::Coth, u)) | (Func::Acsch, Kind::Call(Func::Csch, u))
                if !u.is_int(0) =>
            {
                return u.clone();
            }
            // `sign(pi) = 1`, `abs(exp(u)) = exp(u)`.
            (Func::Sign, _) if surely_positive(&arg, 3) => {
                cancelled(&arg);
                return Expr::one();
            }
            (Func::Abs, _) if surely_positive(&arg, 3) => return arg,
            (Func::Acosh, Kind::Call(Func::Cosh, u)) | (Func::Asech, Kind::Call(Func::Sech, u)) => {
                return Expr::call(Func::Abs, u.clone());
            }
            _ => {}
        }
        if arg.is_negative_led() {
            match f.parity() {
                Parity::Odd => return -Expr::call(f, arg.negated_term_by_term()),
                Parity::Even => return Expr::call(f, arg.negated_term_by_term()),
                Parity::Neither => {}
            }
        }
        // `abs(x^2) = x^2`, `abs(x^2*y) = x^2*abs(y)`: even powers are never negative.
        if f == Func::Abs
            && let Some(value) = abs_with_even_powers_out(&arg)
        {
            return value;
        }
        // `abs(3*x) = 3*abs(x)`, `sign(3*x) = sign(x)`: a positive coefficient comes out.
        if let (Func::Abs | Func::Sign, Kind::Mul(xs)) = (f, arg.kind())
            && let Some(c) = xs[0].as_num().filter(|c| c.is_positive())
        {
            let inner = Expr::call(f, times_rest(Number::one(), &xs[1..]));
            return match f {
                Func::Abs => Expr::num(c.clone()) * inner,
                _ => inner,
            };
        }
        Expr::make(Kind::Call(f, arg))
    }

    /// The undefined function `name`, differentiated `order` times, at `arg`.
    pub fn undef(name: Symbol, order: u32, arg: Expr) -> Expr {
        Expr::make(Kind::Undef { name, order, arg })
    }

    /// `1/self`.
    pub fn recip(self) -> Expr {
        self.pow(-1)
    }

    /// Applies a known function: `x.apply(Func::Sin)` is `sin(x)`.
    pub fn apply(self, f: Func) -> Expr {
        Expr::call(f, self)
    }

    /// `sqrt(self)`, that is `self^(1/2)`.
    pub fn sqrt(self) -> Expr {
        self.pow(Expr::ratio(1, 2))
    }
}

macro_rules! function_methods {
    ($($method:ident $func:ident,)*) => {
        impl Expr {
            $(
                #[doc = concat!("`", stringify!($method), "(self)`.")]
                pub fn $method(self) -> Expr {
                    Expr::call(Func::$func, self)
                }
            )*
        }
    };
}

function_methods! {
    sin Sin, cos Cos, tan Tan, sec Sec, csc Csc, cot Cot,
    asin Asin, acos Acos, atan Atan, sinh Sinh, cosh Cosh, tanh Tanh,
    asinh Asinh, acosh Acosh, atanh Atanh, exp Exp, ln Ln, abs Abs, sign Sign,
}

/// The largest integer in [`SMALL_INTS`]: [`Expr::int`] of -1 to this is a shared node.
pub(crate) const MAX_SHARED_INT: i64 = 256;

thread_local! {
    /// The integers -1 to [`MAX_SHARED_INT`], built once per thread and shared: constructors
    /// need the smallest all the time (every `-u` is `-1*u`, every bare factor has exponent
    /// `1`), formulas are full of small coefficients and exponents, and a shared node costs
    /// a reference count instead of an allocation and a hash. Per thread, so that threads
    /// answering batch lines do not all count references on the same cache lines.
    static SMALL_INTS: Vec<Expr> = (-1..=MAX_SHARED_INT)
        .map(|n| Expr::make(Kind::Num(Number::int(n))))
        .collect();

    /// The variables `a` to `z` and `A` to `Z`, shared like [`SMALL_INTS`]: most formulas
    /// are in one-letter variables, and every line of a batch would otherwise make its own
    /// `x` (a node and its name, two allocations).
    static SHARED_LETTERS: Vec<Expr> = (b'a'..=b'z')
        .chain(b'A'..=b'Z')
        .map(|b| Expr::make(Kind::Sym(Symbol::from(char::from(b).to_string()))))
        .collect();
}

/// The place of a one-letter ASCII name in [`SHARED_LETTERS`].
fn letter_index(name: &str) -> Option<usize> {
    match name.as_bytes() {
        [b @ b'a'..=b'z'] => Some(usize::from(b - b'a')),
        [b @ b'A'..=b'Z'] => Some(26 + usize::from(b - b'A')),
        _ => None,
    }
}

/// The hash of a node from its kind (children contribute their cached hashes): FxHash,
/// several times faster than SipHash on these short inputs, finished by MurmurHash3's 64-bit
/// mixer so that every bit depends on every input word (maps keyed by expressions use this
/// value as it is, through [`CachedHash`]). Nothing here needs resistance to chosen
/// collisions: the hash is only a shortcut for inequality and a bucket for maps, never
/// trusted for equality.
fn node_hash(kind: &Kind) -> u64 {
    let mut hasher = rustc_hash::FxHasher::default();
    kind.hash(&mut hasher);
    let mut z = hasher.finish();
    z = (z ^ (z >> 33)).wrapping_mul(0xff51_afd7_ed55_8ccd);
    z = (z ^ (z >> 33)).wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    z ^ (z >> 33)
}

/// A hasher for maps keyed by expressions: an [`Expr`] hashes as its cached, well-mixed
/// hash, so the map uses it as it is instead of hashing it again.
#[derive(Default)]
struct CachedHash(u64);

impl Hasher for CachedHash {
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0.rotate_left(8) ^ u64::from(b)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 ^= n;
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// A sum read term by term, with like terms collected as they arrive: [`Expr::sum`] of all
/// the terms added, holding only the distinct terms (a sum of a million terms with fifty
/// distinct monomials holds fifty). The parser feeds it one term at a time.
///
/// Terms are compared by their factors without the coefficient ([`rest_factors`]), read in
/// place: no term is rebuilt without its coefficient unless like terms actually merge.
pub(crate) struct SumBuilder {
    /// The sum of the numbers.
    constant: Number,
    /// One entry per distinct term without its coefficient, in order of first arrival.
    parts: Vec<LikeTerms>,
    /// The first part with each [`rest_hash`], once there are more than a few parts (below
    /// that, comparing cached hashes in a scan is faster); parts with equal hashes are
    /// chained through [`LikeTerms::next`].
    index: HashMap<u64, usize, BuildHasherDefault<CachedHash>>,
}

/// The terms of a sum that differ only in their coefficients.
struct LikeTerms {
    /// The first such term as it arrived: its [`rest_factors`] are those of all of them.
    first: Expr,
    /// The sum of the coefficients.
    coeff: Number,
    /// Whether more than one term arrived: then the term is rebuilt with the new
    /// coefficient; alone, it is kept as it is (rebuilding it would cost a node).
    merged: bool,
    /// The next part whose rest has the same hash (only once the index is built).
    next: Option<usize>,
}

impl LikeTerms {
    fn rest(&self) -> &[Expr] {
        rest_factors(&self.first)
    }
}

/// A term's factors without its numeric coefficient: `[x, y]` for `3*x*y` and for `x*y`,
/// `[sin(x)]` for `sin(x)`. Two terms are like terms exactly when these are equal.
fn rest_factors(term: &Expr) -> &[Expr] {
    match term.kind() {
        Kind::Mul(xs) if xs[0].as_num().is_some() => &xs[1..],
        Kind::Mul(xs) => xs,
        _ => std::slice::from_ref(term),
    }
}

/// A hash of [`rest_factors`], from the factors' cached hashes.
fn rest_hash(rest: &[Expr]) -> u64 {
    match rest {
        [single] => single.0.hash,
        _ => rest.iter().fold(rest.len() as u64, |h, x| {
            (h.rotate_left(23) ^ x.0.hash).wrapping_mul(0x9E37_79B9_7F4A_7C15)
        }),
    }
}

/// The canonical order of the terms `rest` stands for: the product of the factors when
/// there are several, the factor itself when there is one (never a product).
fn rest_order(a: &[Expr], b: &[Expr]) -> Ordering {
    match (a, b) {
        ([x], [y]) => x.cmp(y),
        ([x], _) => rank(x.kind()).cmp(&MUL_RANK),
        (_, [y]) => MUL_RANK.cmp(&rank(y.kind())),
        _ => a.iter().cmp(b.iter()),
    }
}

/// `coeff` times the product of `rest` (canonical, sorted, no number among them), built as
/// one node.
fn times_rest(coeff: Number, rest: &[Expr]) -> Expr {
    match rest {
        [] => Expr::num(coeff),
        [single] if coeff.is_one() => single.clone(),
        _ if coeff.is_one() => Expr::make(Kind::Mul(rest.into())),
        _ => {
            let factors: Box<[Expr]> = std::iter::once(Expr::num(coeff))
                .chain(rest.iter().cloned())
                .collect();
            Expr::make(Kind::Mul(factors))
        }
    }
}

impl SumBuilder {
    /// Up to this many distinct terms, a scan finds like terms faster than a map.
    const SCAN: usize = 8;

    /// An empty sum.
    pub(crate) fn new() -> SumBuilder {
        SumBuilder {
            constant: Number::zero(),
            // Room for the sums people write, so that most never grow it.
            parts: Vec::with_capacity(Self::SCAN),
            index: HashMap::default(),
        }
    }

    /// Adds a term (a sum adds each of its terms).
    pub(crate) fn add(&mut self, term: Expr) {
        match term.kind() {
            Kind::Add(xs) => xs.iter().for_each(|x| self.add_term(x.clone())),
            _ => self.add_term(term),
        }
    }

    fn add_term(&mut self, term: Expr) {
        let coeff = match term.kind() {
            Kind::Num(n) => {
                self.constant = self.constant.add(n);
                return;
            }
            Kind::Mul(xs) => xs[0].as_num().cloned().unwrap_or_else(Number::one),
            _ => Number::one(),
        };
        let hash = rest_hash(rest_factors(&term));
        match self.find(rest_factors(&term), hash) {
            Some(k) => {
                let like = &mut self.parts[k];
                like.coeff = like.coeff.add(&coeff);
                like.merged = true;
            }
            None => {
                let next = if self.index.is_empty() {
                    None
                } else {
                    self.index.insert(hash, self.parts.len())
                };
                self.parts.push(LikeTerms {
                    first: term,
                    coeff,
                    merged: false,
                    next,
                });
            }
        }
    }

    /// The part whose term without coefficient has the factors `rest` (and hash `hash`).
    fn find(&mut self, rest: &[Expr], hash: u64) -> Option<usize> {
        if self.parts.len() <= Self::SCAN {
            return self.parts.iter().position(|like| like.rest() == rest);
        }
        if self.index.is_empty() {
            self.build_index();
        }
        let mut candidate = self.index.get(&hash).copied();
        while let Some(k) = candidate {
            if self.parts[k].rest() == rest {
                return Some(k);
            }
            candidate = self.parts[k].next;
        }
        None
    }

    /// Indexes the parts so far by the hashes of their rests.
    fn build_index(&mut self) {
        for k in 0..self.parts.len() {
            let hash = rest_hash(self.parts[k].rest());
            self.parts[k].next = self.index.insert(hash, k);
        }
    }

    /// The canonical sum: like terms collected, sorted by [`term_order`], the number last.
    pub(crate) fn finish(self) -> Expr {
        drop(self.index);
        let mut parts = self.parts;
        // By degree, then by the terms without coefficients (all distinct): that is
        // [`term_order`], without splitting every term at every comparison. A term's cached
        // degree is its rest's (a numeric coefficient has degree 0).
        parts.sort_unstable_by(|a, b| {
            (b.first.0.degree)
                .cmp(&a.first.0.degree)
                .then_with(|| rest_order(a.rest(), b.rest()))
        });
        let constant = usize::from(!self.constant.is_zero());
        // Exactly the room the node needs, so that its slice is this vector's allocation.
        let mut terms: Vec<Expr> = Vec::with_capacity(parts.len() + constant);
        for like in parts {
            match like.merged {
                false => terms.push(like.first),
                true if like.coeff.is_zero() => cancelled(&like.first),
                true => terms.push(times_rest(like.coeff, rest_factors(&like.first))),
            }
        }
        if !self.constant.is_zero() {
            terms.push(Expr::num(self.constant));
        }
        match terms.len() {
            0 => Expr::zero(),
            1 => terms.pop().unwrap_or_else(Expr::zero),
            _ => Expr::make(Kind::Add(terms.into())),
        }
    }
}

/// A product's factors with this many or more are merged into, not sorted again, when it
/// is a factor of a larger product (below it, sorting all is as quick).
const MERGE_RUN: usize = 8;

/// `run` and `others`, both sorted by [`factor_order`], merged into one sorted vector (with
/// room for a coefficient): each of `others` finds its place by binary search, so a long
/// run and a few others cost a few comparisons and a copy.
fn merge_factors(run: &[Expr], others: Vec<Expr>) -> Vec<Expr> {
    let mut merged = Vec::with_capacity(run.len() + others.len() + 1);
    let mut rest = run;
    for factor in others {
        let at = rest.partition_point(|r| factor_order(r, &factor) != Ordering::Greater);
        merged.extend_from_slice(&rest[..at]);
        merged.push(factor);
        rest = &rest[at..];
    }
    merged.extend_from_slice(rest);
    merged
}

/// The base of a factor: `x` for `x^2` and for `x`.
fn base_of(factor: &Expr) -> &Expr {
    match factor.kind() {
        Kind::Pow(base, _) => base,
        _ => factor,
    }
}

/// The exponent of a factor in a product (`1` for a bare factor).
fn exponent_of(factor: &Expr) -> Expr {
    match factor.kind() {
        Kind::Pow(_, exp) => exp.clone(),
        _ => Expr::one(),
    }
}

/// `(base, exponent)` of a power of a number to a number: `2^(1/2)` gives `(2, 1/2)`.
fn numeric_radical(e: &Expr) -> Option<(&Number, &Number)> {
    match e.kind() {
        Kind::Pow(base, exp) => Some((base.as_num()?, exp.as_num()?)),
        _ => None,
    }
}

/// The order of factors in a product: by base, then by exponent (a bare factor has
/// exponent 1).
fn factor_order(a: &Expr, b: &Expr) -> Ordering {
    fn parts(e: &Expr) -> (&Expr, Option<&Expr>) {
        match e.kind() {
            Kind::Pow(base, exp) => (base, Some(exp)),
            _ => (e, None),
        }
    }
    let (ba, ea) = parts(a);
    let (bb, eb) = parts(b);
    ba.cmp(bb).then_with(|| match (ea, eb) {
        (None, None) => Ordering::Equal,
        (Some(x), None) => x.cmp(&Expr::one()),
        (None, Some(y)) => Expr::one().cmp(y),
        (Some(x), Some(y)) => x.cmp(y),
    })
}

/// Whether `e` is positive wherever it is defined, as its shape shows within `depth` levels:
/// a positive number, `pi`, `e`, `exp(u)`, a power of such, a product of such.
/// `abs(arg)` with the even whole powers of `arg` taken out (`abs(u^2) = u^2`,
/// `abs(u^2*v) = u^2*abs(v)`, exact for every real `u`), or `None` when it has none.
fn abs_with_even_powers_out(arg: &Expr) -> Option<Expr> {
    let is_even_power = |e: &Expr| match e.kind() {
        Kind::Pow(_, k) => k.as_num().is_some_and(|k| {
            k.is_integer() && !k.is_zero() && k.to_i64().is_some_and(|k| k % 2 == 0)
        }),
        _ => false,
    };
    match arg.kind() {
        Kind::Pow(..) if is_even_power(arg) => Some(arg.clone()),
        Kind::Mul(xs) if xs.iter().any(is_even_power) => {
            let (even, rest): (Vec<Expr>, Vec<Expr>) = xs.iter().cloned().partition(is_even_power);
            let rest = Expr::product(rest);
            Some(Expr::product(even) * Expr::call(Func::Abs, rest))
        }
        _ => None,
    }
}

fn surely_positive(e: &Expr, depth: u32) -> bool {
    if depth == 0 {
        return false;
    }
    match e.kind() {
        Kind::Num(n) => n.is_positive(),
        Kind::Const(_) | Kind::Call(Func::Exp, _) => true,
        Kind::Pow(base, _) => surely_positive(base, depth - 1),
        Kind::Mul(xs) => xs.iter().all(|x| surely_positive(x, depth - 1)),
        _ => false,
    }
}

/// Whether `e` is a whole number (`0, 1, 2, ...`): a power to it is defined wherever its base
/// is.
fn is_whole_number(e: &Expr) -> bool {
    e.as_num()
        .is_some_and(|n| n.is_integer() && !n.is_negative())
}

/// Values that every CAS writes exactly: functions at `0` and `1`, `ln(e)`, `abs` and `sign`
/// of numbers, circular functions at the angles of the textbook table and their inverses
/// at those functions' values ([`angles`]).
fn exact_value(f: Func, arg: &Expr) -> Option<Expr> {
    if matches!(arg.kind(), Kind::Const(Constant::E)) && f == Func::Ln {
        return Some(Expr::one());
    }
    if let Some(value) = angles::exact_angle_value(f, arg) {
        return Some(value);
    }
    let n = arg.as_num()?;
    use Func::*;
    let value = match f {
        Abs => Expr::num(n.abs()),
        Sign => Expr::num(n.signum()),
        _ if n.is_zero() => match f {
            Sin | Tan | Asin | Atan | Sinh | Tanh | Asinh | Atanh | Erf => Expr::zero(),
            Cos | Sec | Cosh | Sech | Exp | Erfc => Expr::one(),
            _ => return None,
        },
        _ if n.is_one() => match f {
            Ln | Acos | Acosh | Asech => Expr::zero(),
            Asec => Expr::zero(),
            // `e^u` is built as `exp(u)`; `exp(1)` is `e`, so that each value has one form.
            Exp => Expr::constant(Constant::E),
            _ => return None,
        },
        _ => return None,
    };
    Some(value)
}

/// What a node caches about its tree, computed from its children's cached figures.
struct Metrics {
    tree_size: u64,
    depth: u32,
    degree: i32,
    minus_signs: u16,
    fractions: u16,
    number_bits: u16,
    largest_number_bits: u16,
}

impl Metrics {
    fn of(kind: &Kind) -> Metrics {
        let leaf = |degree, minus_signs, number_bits| Metrics {
            tree_size: 1,
            depth: 1,
            degree,
            minus_signs,
            fractions: 0,
            number_bits,
            largest_number_bits: number_bits,
        };
        match kind {
            Kind::Num(n) => Metrics {
                fractions: u16::from(!n.is_integer()),
                ..leaf(
                    0,
                    u16::from(n.is_negative()),
                    u16::try_from(n.bits()).unwrap_or(u16::MAX),
                )
            },
            Kind::Const(_) => leaf(0, 0, 0),
            Kind::Sym(_) => leaf(1, 0, 0),
            Kind::Add(xs) => Metrics::of_list(xs, |d, x| d.max(x)),
            Kind::Mul(xs) => Metrics::of_list(xs, i32::saturating_add),
            Kind::Pow(b, e) => {
                let exponent = e.as_num();
                let degree = match exponent.and_then(Number::to_i64) {
                    Some(n) if n > 0 => b.0.degree.saturating_mul(n.min(i32::MAX as i64) as i32),
                    _ => 0,
                };
                Metrics {
                    tree_size: sum_sizes([b, e]),
                    depth: max_depth([b, e]),
                    degree,
                    // A negative number as an exponent prints as a division (`1/x`), not a
                    // minus.
                    minus_signs: match exponent {
                        Some(_) => b.0.minus_signs,
                        None => b.0.minus_signs.saturating_add(e.0.minus_signs),
                    },
                    // `x^(1/2)` and `x^(-1/2)` print as roots, not fractions.
                    fractions: match exponent {
                        Some(n) if n.denom().to_i64() == Some(2) && n.numer().abs().is_one() => {
                            b.0.fractions
                        }
                        _ => b.0.fractions.saturating_add(e.0.fractions),
                    },
                    number_bits: b.0.number_bits.saturating_add(e.0.number_bits),
                    largest_number_bits: b.0.largest_number_bits.max(e.0.largest_number_bits),
                }
            }
            Kind::Call(_, a) | Kind::Undef { arg: a, .. } => Metrics {
                tree_size: a.0.tree_size.saturating_add(1),
                depth: a.0.depth.saturating_add(1),
                degree: 0,
                minus_signs: a.0.minus_signs,
                fractions: a.0.fractions,
                number_bits: a.0.number_bits,
                largest_number_bits: a.0.largest_number_bits,
            },
        }
    }

    /// The figures of a sum or product in one pass over the children; `degree` combines
    /// the children's degrees (the largest for a sum, the total for a product).
    fn of_list(xs: &[Expr], degree: impl Fn(i32, i32) -> i32) -> Metrics {
        let mut m = Metrics {
            tree_size: 1,
            depth: 0,
            degree: 0,
            minus_signs: 0,
            fractions: 0,
            number_bits: 0,
            largest_number_bits: 0,
        };
        for x in xs {
            m.tree_size = m.tree_size.saturating_add(x.0.tree_size);
            m.depth = m.depth.max(x.0.depth);
            m.degree = degree(m.degree, x.0.degree);
            m.minus_signs = m.minus_signs.saturating_add(x.0.minus_signs);
            m.fractions = m.fractions.saturating_add(x.0.fractions);
            m.number_bits = m.number_bits.saturating_add(x.0.number_bits);
            m.largest_number_bits = m.largest_number_bits.max(x.0.largest_number_bits);
        }
        m.depth = m.depth.saturating_add(1);
        m
    }
}

fn sum_sizes<'a>(xs: impl IntoIterator<Item = &'a Expr>) -> u64 {
    xs.into_iter()
        .fold(1u64, |s, x| s.saturating_add(x.0.tree_size))
}

fn max_depth<'a>(xs: impl IntoIterator<Item = &'a Expr>) -> u32 {
    xs.into_iter()
        .map(|x| x.0.depth)
        .max()
        .unwrap_or(0)
        .saturating_add(1)
}

// ---------------------------------------------------------------------------------------------
// Operators, so Rust code reads like the formula: `x.clone().sin() * x.pow(2)`.

impl From<i64> for Expr {
    fn from(n: i64) -> Expr {
        Expr::int(n)
    }
}

impl From<i32> for Expr {
    fn from(n: i32) -> Expr {
        Expr::int(i64::from(n))
    }
}

impl From<Number> for Expr {
    fn from(n: Number) -> Expr {
        Expr::num(n)
    }
}

impl From<&Expr> for Expr {
    fn from(e: &Expr) -> Expr {
        e.clone()
    }
}

macro_rules! binary_operators {
    ($($trait:ident $method:ident $body:expr;)*) => {$(
        impl<R: Into<Expr>> std::ops::$trait<R> for Expr {
            type Output = Expr;
            fn $method(self, rhs: R) -> Expr {
                let f: fn(Expr, Expr) -> Expr = $body;
                f(self, rhs.into())
            }
        }
        impl<R: Into<Expr>> std::ops::$trait<R> for &Expr {
            type Output = Expr;
            fn $method(self, rhs: R) -> Expr {
                let f: fn(Expr, Expr) -> Expr = $body;
                f(self.clone(), rhs.into())
            }
        }
    )*};
}

binary_operators! {
    Add add |a, b| Expr::sum([a, b]);
    Sub sub |a, b| Expr::sum([a, -b]);
    Mul mul |a, b| Expr::product([a, b]);
    Div div |a, b| Expr::product([a, b.recip()]);
}

impl std::ops::Neg for Expr {
    type Output = Expr;

    /// `-1*self`. The same as [`Expr::product`] of `-1` and `self`, taken directly: negating
    /// a canonical term only changes its coefficient, and every `a - b` negates.
    fn neg(self) -> Expr {
        match self.kind() {
            Kind::Num(n) => Expr::num(n.neg()),
            Kind::Mul(xs) => match xs[0].as_num() {
                Some(c) => times_rest(c.neg(), &xs[1..]),
                None => times_rest(Number::int(-1), xs),
            },
            _ => times_rest(Number::int(-1), std::slice::from_ref(&self)),
        }
    }
}

impl std::ops::Neg for &Expr {
    type Output = Expr;
    fn neg(self) -> Expr {
        -self.clone()
    }
}

impl fmt::Debug for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn x() -> Expr {
        Expr::sym("x")
    }

    #[test]
    fn what_is_undefined_everywhere_stays_so() {
        let zero_over = Expr::zero().recip();
        assert_eq!(zero_over.clone().recip(), zero_over);
        assert_eq!(zero_over.clone().pow(2), zero_over);
        // As in every CAS, a negative number's roots meet as complex numbers do.
        let root = |n: i64| Expr::int(n).sqrt();
        assert_eq!(root(-3) * root(-3), Expr::int(-3));
        assert_eq!(root(-1).pow(2), Expr::int(-1));
        assert_eq!(Expr::int(-2).ln().exp(), Expr::int(-2));
    }

    #[test]
    fn numeric_radicals_have_one_canonical_form() {
        let root = |n: i64| Expr::int(n).sqrt();
        let half = |e: Expr| Expr::ratio(1, 2) * e;
        // Denominators rationalised, whole powers out, one root per exponent.
        assert_eq!(root(2).recip(), half(root(2)));
        assert_eq!(Expr::int(3) / root(3), root(3));
        assert_eq!(root(12), Expr::int(2) * root(3));
        assert_eq!(root(3) * root(6), Expr::int(3) * root(2));
        assert_eq!(root(2) * root(3) * x(), root(6) * x());
        assert_eq!(Expr::ratio(2, 3).sqrt(), Expr::ratio(1, 3) * root(6));
        assert_eq!(
            root(2).pow(Expr::ratio(1, 3)),
            Expr::int(2).pow(Expr::ratio(1, 6))
        );
        assert_eq!(root(2).pow(3), Expr::int(2) * root(2));
        // Distinct exponents stay apart; a symbolic power of a number is not a radical.
        let cube_root = Expr::int(3).pow(Expr::ratio(1, 3));
        assert_eq!((root(2) * cube_root.clone()).to_string(), "sqrt(2)*3^(1/3)");
        assert_eq!(
            (Expr::int(2).pow(x()) * root(3) * root(6)).to_string(),
            "3*2^(x + 1/2)"
        );
        // A negative base has no real root to split.
        assert_eq!(Expr::int(-12).sqrt().to_string(), "sqrt(-12)");
    }

    #[test]
    fn like_terms_and_factors_collect() {
        assert_eq!(x() + x(), Expr::int(2) * x());
        assert_eq!(x() * x(), x().pow(2));
        assert_eq!(Expr::int(2) * x() * 3, Expr::int(6) * x());
        assert_eq!(x() / x(), Expr::one());
        assert_eq!(x() - x(), Expr::zero());
        assert_eq!(x() + 0, x());
        assert_eq!(x() * 1, x());
        assert_eq!(Expr::product([x(), Expr::zero()]), Expr::zero());
        assert_eq!(x().pow(1), x());
        assert_eq!(x().pow(0), Expr::one());
    }

    #[test]
    fn e_has_one_form() {
        let e = Expr::constant(Constant::E);
        assert_eq!(Expr::one().exp(), e);
        assert_eq!(e.clone().pow(x()), x().exp());
        assert_eq!(e.ln(), Expr::one());
    }

    #[test]
    fn order_is_independent_of_construction_order() {
        let y = Expr::sym("y");
        let a = Expr::sum([x().pow(2), y.clone(), Expr::int(3), x().sin()]);
        let b = Expr::sum([Expr::int(3), x().sin(), y, x().pow(2)]);
        assert_eq!(a, b);
        assert!(matches!(a.kind(), Kind::Add(xs) if xs.last().is_some_and(|t| t.is_int(3))));
    }

    #[test]
    fn powers_combine_only_when_sound() {
        assert_eq!(x().sqrt().pow(2), x());
        let square_root_of_square = x().pow(2).sqrt();
        assert!(matches!(square_root_of_square.kind(), Kind::Pow(..)));
        assert_ne!(square_root_of_square, x());
        assert_eq!((Expr::int(2) * x()).pow(2), Expr::int(4) * x().pow(2));
        assert_eq!(Expr::int(8).pow(Expr::ratio(2, 3)), Expr::int(4));
        assert!(matches!(Expr::int(0).pow(-1).kind(), Kind::Pow(..)));
    }

    #[test]
    fn parity_and_inverses() {
        assert_eq!((-x()).sin(), -(x().sin()));
        assert_eq!((-x()).cos(), x().cos());
        assert_eq!(x().exp().ln(), x());
        assert_eq!(Expr::zero().cos(), Expr::one());
    }

    #[test]
    fn functions_with_a_parity_take_the_argument_not_led_by_a_minus() {
        let y = || Expr::sym("y");
        let one_minus_x = Expr::one() - x();
        assert_eq!(one_minus_x.clone().cos(), (x() - 1).cos());
        assert_eq!(one_minus_x.clone().sin(), -((x() - 1).sin()));
        assert_eq!(one_minus_x.clone().abs(), (x() - 1).abs());
        // `3*(2 - x)` leads with a minus through its sum; `-3*(2 - x)` is `3*(x - 2)`.
        let scaled = Expr::int(3) * (Expr::int(2) - x());
        assert_eq!(scaled.clone().tanh(), -((Expr::int(3) * (x() - 2)).tanh()));
        assert_eq!(scaled.clone().cosh(), (Expr::int(3) * (x() - 2)).cosh());
        // `(1 - x)*(2 - x)`: two minus signs, so it is not negative-led.
        let twice = (Expr::one() - x()) * (Expr::int(2) - x());
        assert!(!twice.is_negative_led());
        assert_eq!(twice.clone().sin().to_string(), "sin((1 - x)*(2 - x))");
        // Of `u` and `-u` exactly one is negative-led, so that no call flips forever.
        for u in [
            one_minus_x,
            scaled,
            twice,
            y() - x(),
            x() * y() - 1,
            Expr::int(-2) * x().sin() + y(),
            -(x() * (y() - x())),
        ] {
            assert_ne!(u.is_negative_led(), (-&u).is_negative_led(), "{u}");
            assert_ne!(
                u.is_negative_led(),
                u.negated_term_by_term().is_negative_led(),
                "{u}"
            );
            let mut env = crate::eval::Env::new();
            env.set("x", 0.7);
            env.set("y", 1.9);
            let value = |e: &Expr| crate::eval::eval(e, &env).unwrap_or(f64::NAN);
            assert!(
                (value(&u.negated_term_by_term()) + value(&u)).abs() < 1e-12,
                "{u}"
            );
        }
    }

    /// Varied canonical expressions: numbers, symbols, powers, products with and without
    /// coefficients, sums, calls.
    fn samples() -> Vec<Expr> {
        let y = Expr::sym("y");
        vec![
            Expr::int(3),
            Expr::ratio(-2, 7),
            Expr::zero(),
            x(),
            x().pow(2),
            Expr::int(2).sqrt(),
            Expr::int(5) * x() * y.clone(),
            -(x() * y.clone()),
            x() * y.clone().sin(),
            x() + y.clone() + 1,
            Expr::int(0).pow(-1),
            x().exp(),
            Expr::pi() * x(),
        ]
    }

    #[test]
    fn negation_is_the_product_with_minus_one() {
        for e in samples() {
            assert_eq!(-e.clone(), Expr::product([Expr::int(-1), e.clone()]), "{e}");
            assert_eq!(-(-e.clone()), e, "{e}");
        }
    }

    #[test]
    fn long_sums_and_products_equal_the_ones_built_pair_by_pair() {
        // Past a few parts, like terms and bases meet by hashing; the result must be the one
        // that adding or multiplying one at a time gives, in any order.
        let y = Expr::sym("y");
        let terms: Vec<Expr> = (0..60)
            .map(|k| Expr::int(k % 7 - 3) * x().pow(k % 11) * y.clone().pow(k % 3) + k)
            .collect();
        let at_once = Expr::sum(terms.clone());
        let pairwise = terms.iter().fold(Expr::zero(), |s, t| s + t.clone());
        let backwards = terms.iter().rev().fold(Expr::zero(), |s, t| t.clone() + s);
        assert_eq!(at_once, pairwise);
        assert_eq!(at_once, backwards);
        let factors: Vec<Expr> = (0..60)
            .map(|k| (x() + k % 13).pow(k % 4 - 1) * Expr::ratio(k + 1, 3))
            .chain(samples().into_iter().filter(|e| !e.is_int(0)))
            .collect();
        let at_once = Expr::product(factors.clone());
        let pairwise = factors.iter().fold(Expr::one(), |p, f| p * f.clone());
        let backwards = factors.iter().rev().fold(Expr::one(), |p, f| f.clone() * p);
        assert_eq!(at_once, pairwise);
        assert_eq!(at_once, backwards);
        let monomials: Vec<Expr> = (0..60)
            .map(|k| Expr::int(k % 7 - 3) * x().pow(k % 11) * y.clone().pow(k % 3))
            .collect();
        let negated = monomials.iter().map(|t| -t);
        assert_eq!(
            Expr::sum(monomials.iter().cloned().chain(negated)),
            Expr::zero()
        );
    }

    #[test]
    fn products_of_long_products_are_the_same_however_grouped() {
        // A factor of eight or more factors is merged into, not sorted again: every grouping
        // and order must give the product of all the factors at once.
        let factors: Vec<Expr> = (0..24)
            .map(|k| match k % 4 {
                0 => (x() + k).pow(2),
                1 => Expr::sym(&format!("v{k}")),
                2 => (x() * k).sin(),
                _ => Expr::ratio(k, 5) * x().pow(Expr::ratio(1, k)),
            })
            .collect();
        let at_once = Expr::product(factors.clone());
        for split in [8, 11, 16] {
            let (left, right) = factors.split_at(split);
            let (left, right) = (Expr::product(left.to_vec()), Expr::product(right.to_vec()));
            assert_eq!(left.clone() * right.clone(), at_once, "{split}");
            assert_eq!(right.clone() * left.clone(), at_once, "{split}");
            let mixed = right.clone() * factors[0].clone() * left.clone() / factors[0].clone();
            assert_eq!(mixed, at_once, "{split}");
        }
    }

    #[test]
    fn a_dag_stays_small() {
        let mut l = x();
        for _ in 0..30 {
            l = Expr::int(4) * l.clone() * (Expr::one() - l);
        }
        assert!(l.tree_size() > 1_000_000_000);
        assert!(l.dag_size() < 200);
    }
}
