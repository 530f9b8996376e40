//! Between expressions and polynomials (or rational functions) over a table of atoms.
//!
//! An atom is a maximal subterm that is not built from numbers by `+`, `*` and integer
//! powers: a symbol, a constant, a function call, a power with a symbolic exponent. The
//! conversion never looks inside an atom. A power with a rational exponent `u^(p/q)` is the
//! atom `u^(1/L)` raised to `p*L/q`, where `L` is the least common multiple of the
//! denominators of every exponent `u` carries in the input, so `x`, `sqrt(x)` and `x^(3/2)`
//! are all powers of one atom `x^(1/2)` and collect.
//!
//! Both passes walk the expression with an explicit stack and visit each shared node once,
//! so deep or heavily shared inputs cannot overflow the stack or take exponential time.

use rustc_hash::{FxHashMap, FxHashSet};

use crate::expr::{Expr, Kind};
use crate::num::Number;

use super::frac::Frac;
use super::polynomial::{Budget, MAX_DEGREE, MAX_TERMS, Poly};

/// The largest root (`L` above) an atom may carry; a larger denominator makes the whole
/// power one opaque atom.
const MAX_ROOT: i64 = 64;

/// How negative integer powers of sums are read.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Mode {
    /// `(x+1)^-1` is an atom with exponent `-1`: the result is a Laurent polynomial.
    Laurent,
    /// `(x+1)^-1` is the reciprocal of the polynomial `x+1`: the result is a fraction.
    Rational,
}

/// How roots of sums are read.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Roots {
    /// `sqrt(u)^k` is a power of the atom `sqrt(u)`, whatever `k`: `(x^2 + 4)^(3/2)` stays one
    /// factor, as a reader sees it.
    Opaque,
    /// Whole powers of the sum come out of the root (`sqrt(u)^3 = u*sqrt(u)`), so that the
    /// sum meets the same sum elsewhere: see [`is_compound_root`].
    Reduced,
}

/// The atoms of one conversion: `(base, root)` stands for `base^(1/root)`, sorted by base so
/// that indices (and with them every normalisation) depend only on the input.
#[derive(Debug)]
pub(crate) struct Atoms {
    list: Vec<(Expr, i64)>,
    index: FxHashMap<Expr, usize>,
    /// With [`Roots::Reduced`], the sums under roots that read as polynomials over the
    /// atoms: factors worth taking out of a result, where they meet their roots.
    root_sums: Vec<Poly>,
    /// See [`Atoms::took_powers_out`].
    took_powers_out: bool,
}

impl Atoms {
    /// How many atoms there are.
    pub(crate) fn len(&self) -> usize {
        self.list.len()
    }

    /// `atom^k` as an expression.
    pub(crate) fn power_expr(&self, atom: usize, k: i32) -> Expr {
        match self.list.get(atom) {
            Some((base, 1)) => base.clone().pow(i64::from(k)),
            Some((base, root)) => base.clone().pow(Expr::ratio(i64::from(k), *root)),
            None => Expr::one(),
        }
    }

    /// See [`Atoms::root_sums`].
    pub(crate) fn root_sums(&self) -> &[Poly] {
        &self.root_sums
    }

    /// For each atom, whether [`super::collected_form`] groups terms by it: every atom but
    /// symbols and constants.
    pub(crate) fn collected_by(&self) -> Vec<bool> {
        self.list
            .iter()
            .map(|(base, _)| !matches!(base.kind(), Kind::Sym(_) | Kind::Const(_)))
            .collect()
    }

    /// Whether some atom is a root of a sum.
    pub(crate) fn has_roots_of_sums(&self) -> bool {
        self.list
            .iter()
            .any(|(base, root)| is_root_of_sum(base, *root))
    }

    /// Whether the reading took a whole power of a sum out of its root, so that it differs
    /// from the [`Roots::Opaque`] one.
    pub(crate) fn took_powers_out(&self) -> bool {
        self.took_powers_out
    }

    /// Whether `e` is a sum under a root among the atoms (`u` of `u^(1/2)`).
    pub(crate) fn is_root_base(&self, e: &Expr) -> bool {
        self.index
            .get(e)
            .and_then(|&i| self.list.get(i))
            .is_some_and(|(base, root)| is_root_of_sum(base, *root))
    }

    /// The index of the atom `e` itself (not a root of it), if it is one.
    pub(crate) fn plain(&self, e: &Expr) -> Option<usize> {
        let &i = self.index.get(e)?;
        (self.root(i) == 1).then_some(i)
    }

    /// The root `atom` is taken to (1 for a plain atom).
    fn root(&self, atom: usize) -> i64 {
        self.list.get(atom).map_or(1, |(_, root)| *root)
    }

    /// A monomial (without coefficient) as an expression.
    pub(crate) fn monomial_expr(&self, mono: &[i32]) -> Expr {
        Expr::product(
            mono.iter()
                .enumerate()
                .filter(|(_, k)| **k != 0)
                .map(|(i, k)| self.power_expr(i, *k)),
        )
    }

    /// A polynomial as an expanded, canonical expression.
    pub(crate) fn poly_expr(&self, p: &Poly) -> Expr {
        Expr::sum(
            p.terms()
                .map(|(m, c)| Expr::product([Expr::num(c.clone()), self.monomial_expr(m)])),
        )
    }

    /// The atom index and integer exponent of `base^exponent`.
    fn locate(&self, base: &Expr, exponent: &Number) -> Option<(usize, i32)> {
        let atom = *self.index.get(base)?;
        let root = self.list.get(atom)?.1;
        let k = exponent.mul(&Number::int(root)).to_i64()?;
        if k.abs() > MAX_DEGREE {
            return None;
        }
        Some((atom, i32::try_from(k).ok()?))
    }
}

/// How one node of the polynomial skeleton is read.
enum Shape {
    Number(Number),
    Sum(Vec<Expr>),
    Product(Vec<Expr>),
    /// A sum to a positive integer power.
    Power(Expr, u32),
    /// A sum to a negative integer power (rational mode only).
    Reciprocal(Expr, u32),
    /// `base ^ exponent` with a rational exponent: a power of an atom.
    Atom(Expr, Number),
}

impl Shape {
    fn of(e: &Expr, mode: Mode) -> Shape {
        match e.kind() {
            Kind::Num(n) => Shape::Number(n.clone()),
            Kind::Add(xs) => Shape::Sum(xs.to_vec()),
            Kind::Mul(xs) => Shape::Product(xs.to_vec()),
            Kind::Pow(base, exp) => Shape::of_power(e, base, exp, mode),
            Kind::Const(_) | Kind::Sym(_) | Kind::Call(..) | Kind::Undef { .. } => {
                Shape::Atom(e.clone(), Number::one())
            }
        }
    }

    fn of_power(whole: &Expr, base: &Expr, exp: &Expr, mode: Mode) -> Shape {
        let opaque = || Shape::Atom(whole.clone(), Number::one());
        let Some(r) = exp.as_num() else {
            return opaque();
        };
        // A numeric base to an integer power did not fold (`0^-1`, or too large): opaque.
        if base.as_num().is_some() && r.is_integer() {
            return opaque();
        }
        if r.denom().to_i64().is_none_or(|q| q > MAX_ROOT) {
            return opaque();
        }
        match (base.kind(), r.to_i64()) {
            (Kind::Add(_), Some(n)) if n > 0 => match u32::try_from(n) {
                Ok(n) => Shape::Power(base.clone(), n),
                Err(_) => opaque(),
            },
            (Kind::Add(_), Some(n)) if mode == Mode::Rational => match u32::try_from(-n) {
                Ok(n) => Shape::Reciprocal(base.clone(), n),
                Err(_) => opaque(),
            },
            _ => Shape::Atom(base.clone(), r.clone()),
        }
    }

    /// The nodes read before this one: with [`Roots::Reduced`], a root's sum too.
    fn children(&self, roots: Roots) -> Vec<Expr> {
        match self {
            Shape::Sum(xs) | Shape::Product(xs) => xs.clone(),
            Shape::Power(b, _) | Shape::Reciprocal(b, _) => vec![b.clone()],
            Shape::Atom(base, exp) if roots == Roots::Reduced && is_compound_root(base, exp) => {
                vec![base.clone()]
            }
            Shape::Number(_) | Shape::Atom(..) => Vec::new(),
        }
    }
}

/// Whether `base^exp` is a root of a sum, whose whole powers are read as powers of the sum
/// itself: `sqrt(u)^3 = u*sqrt(u)` for `u = x^2 + 4`, so that `3*x^2*sqrt(u)^2 - x^4` is
/// the polynomial `2*x^4 + 12*x^2` and not one in `x` and an opaque `sqrt(u)`. (Roots of
/// products are left alone: `((x + 6)/(x + 1))^(3/2)` reads best as it is.)
fn is_compound_root(base: &Expr, exp: &Number) -> bool {
    matches!(base.kind(), Kind::Add(_)) && !exp.is_integer()
}

/// Whether the atom `base^(1/root)` is a root of a sum, which [`Roots::Reduced`] reads
/// differently ([`is_compound_root`] for the atom table).
fn is_root_of_sum(base: &Expr, root: i64) -> bool {
    root > 1 && matches!(base.kind(), Kind::Add(_))
}

/// Collects the atoms of `e` and the root each one needs.
fn collect_atoms(e: &Expr, mode: Mode, reading: Roots, budget: &mut Budget) -> Option<Atoms> {
    let mut roots: FxHashMap<Expr, i64> = FxHashMap::default();
    let mut seen: FxHashSet<usize> = FxHashSet::default();
    let mut stack = vec![e.clone()];
    while let Some(node) = stack.pop() {
        if !seen.insert(node.id()) {
            continue;
        }
        budget.spend(1)?;
        let shape = Shape::of(&node, mode);
        if let Shape::Atom(base, exp) = &shape {
            let q = exp.denom().to_i64()?;
            let root = roots.entry(base.clone()).or_insert(1);
            *root = lcm(*root, q);
            if *root > MAX_ROOT {
                return None;
            }
        }
        stack.extend(shape.children(reading));
    }
    let mut list: Vec<(Expr, i64)> = roots.into_iter().collect();
    list.sort();
    let index = list
        .iter()
        .enumerate()
        .map(|(i, (b, _))| (b.clone(), i))
        .collect();
    Some(Atoms {
        list,
        index,
        root_sums: Vec::new(),
        took_powers_out: false,
    })
}

fn lcm(a: i64, b: i64) -> i64 {
    let (mut x, mut y) = (a, b);
    while y != 0 {
        (x, y) = (y, x % y);
    }
    a / x.max(1) * b
}

/// What a polynomial skeleton can be evaluated into: Laurent polynomials or fractions.
pub(crate) trait Algebra: Sized {
    /// The constant `c`.
    fn constant(nvars: usize, c: &Number) -> Self;
    /// `atom^k` (`k` may be negative).
    fn atom(nvars: usize, atom: usize, k: i32) -> Self;
    /// `self + other` (taking `self`, so that a long sum adds in place).
    fn plus(self, other: &Self, budget: &mut Budget) -> Option<Self>;
    /// `self * other`.
    fn times(&self, other: &Self, budget: &mut Budget) -> Option<Self>;
    /// `self ^ n`.
    fn power(&self, n: u32, budget: &mut Budget) -> Option<Self>;
    /// `1 / self`, if it exists in this algebra.
    fn reciprocal(&self, budget: &mut Budget) -> Option<Self>;
}

impl Algebra for Poly {
    fn constant(nvars: usize, c: &Number) -> Poly {
        Poly::constant(nvars, c.clone())
    }

    fn atom(nvars: usize, atom: usize, k: i32) -> Poly {
        Poly::atom_power(nvars, atom, k)
    }

    fn plus(mut self, other: &Poly, budget: &mut Budget) -> Option<Poly> {
        budget.spend((other.len() as u64).saturating_mul(other.limb_weight()))?;
        self.add_assign(other);
        (self.len() <= MAX_TERMS).then_some(self)
    }

    fn times(&self, other: &Poly, budget: &mut Budget) -> Option<Poly> {
        Poly::mul(self, other, budget)
    }

    fn power(&self, n: u32, budget: &mut Budget) -> Option<Poly> {
        Poly::pow(self, n, budget)
    }

    fn reciprocal(&self, _budget: &mut Budget) -> Option<Poly> {
        let (mono, c) = self.terms().next().filter(|_| self.len() == 1)?;
        let inverse: Vec<i32> = mono.iter().map(|k| -k).collect();
        Some(Poly::from_terms(self.nvars(), [(inverse, c.recip()?)]))
    }
}

/// Reads `e` as an element of `A` over its atoms, with the values of the sums under roots
/// when they were read ([`Roots::Reduced`]); `None` past the bounds of `poly`.
pub(crate) fn convert<A: Algebra>(
    e: &Expr,
    mode: Mode,
    roots: Roots,
    budget: &mut Budget,
) -> Option<(Atoms, A, Vec<A>)> {
    let mut atoms = collect_atoms(e, mode, roots, budget)?;
    let n = atoms.len();
    let mut values: FxHashMap<usize, A> = FxHashMap::default();
    let mut stack = vec![(e.clone(), false)];
    while let Some((node, ready)) = stack.pop() {
        if values.contains_key(&node.id()) {
            continue;
        }
        let shape = Shape::of(&node, mode);
        if !ready {
            stack.push((node.clone(), true));
            let pending = shape
                .children(roots)
                .into_iter()
                .filter(|c| !values.contains_key(&c.id()));
            stack.extend(pending.map(|c| (c, false)));
            continue;
        }
        budget.spend(1)?;
        let value = match shape {
            Shape::Number(c) => A::constant(n, &c),
            Shape::Atom(base, exp) => {
                let (atom, k) = atoms.locate(&base, &exp)?;
                let whole = match roots {
                    Roots::Reduced => values.get(&base.id()),
                    Roots::Opaque => None,
                };
                let root = atoms.root(atom);
                match whole {
                    Some(whole) if i64::from(k).abs() >= root => {
                        atoms.took_powers_out = true;
                        root_power(n, (atom, root), k, whole, budget)?
                    }
                    _ => A::atom(n, atom, k),
                }
            }
            Shape::Sum(xs) => {
                let mut acc = A::constant(n, &Number::zero());
                for x in &xs {
                    acc = acc.plus(values.get(&x.id())?, budget)?;
                }
                acc
            }
            Shape::Product(xs) => {
                let mut acc = A::constant(n, &Number::one());
                for x in &xs {
                    acc = acc.times(values.get(&x.id())?, budget)?;
                }
                acc
            }
            Shape::Power(base, k) => values.get(&base.id())?.power(k, budget)?,
            Shape::Reciprocal(base, k) => values
                .get(&base.id())?
                .reciprocal(budget)?
                .power(k, budget)?,
        };
        values.insert(node.id(), value);
    }
    let value = values.remove(&e.id())?;
    let sums = atoms
        .list
        .iter()
        .filter(|(base, root)| is_root_of_sum(base, *root))
        .filter_map(|(base, _)| values.remove(&base.id()))
        .collect();
    Some((atoms, value, sums))
}

/// `atom^k` where `atom = u^(1/root)` and `whole` is `u` read in the algebra: `u^q * atom^r`
/// with `k = q*root + r` and `|r| < root` of the sign of `k` (so `1/sqrt(u)` stays as it is
/// rather than become `sqrt(u)/u`). Equal wherever `atom` is defined (there `atom^root = u`).
/// When `u` has no reciprocal in the algebra (a Laurent polynomial), a negative `q` keeps
/// `atom^k` as it is.
fn root_power<A: Algebra>(
    n: usize,
    (atom, root): (usize, i64),
    k: i32,
    whole: &A,
    budget: &mut Budget,
) -> Option<A> {
    let root = i32::try_from(root).ok()?;
    let (q, r) = (k / root, k % root);
    let part = match q {
        0 => return Some(A::atom(n, atom, k)),
        q if q > 0 => whole.power(q.unsigned_abs(), budget)?,
        q => match whole.reciprocal(budget) {
            Some(inverse) => inverse.power(q.unsigned_abs(), budget)?,
            None => return Some(A::atom(n, atom, k)),
        },
    };
    part.times(&A::atom(n, atom, r), budget)
}

/// `e` as a Laurent polynomial over its atoms.
pub(crate) fn to_laurent(e: &Expr, budget: &mut Budget) -> Option<(Atoms, Poly)> {
    let (atoms, p, _) = convert(e, Mode::Laurent, Roots::Opaque, budget)?;
    Some((atoms, p))
}

/// `e` as a reduced fraction of polynomials over its atoms.
pub(crate) fn to_fraction(e: &Expr, roots: Roots, budget: &mut Budget) -> Option<(Atoms, Frac)> {
    let (mut atoms, f, sums) = convert::<Frac>(e, Mode::Rational, roots, budget)?;
    atoms.root_sums = sums
        .into_iter()
        .filter_map(|s| {
            let inverse = s.den().constant_value()?.recip()?;
            Some(s.num().scale(&inverse))
        })
        .collect();
    Some((atoms, f))
}
