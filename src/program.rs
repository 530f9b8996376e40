//! Straight-line programs: bindings `name = value` in order, then a result, where each value
//! and the result refer to earlier bindings by name.
//!
//! The parser normally substitutes a binding at each use (a bound name reads as its value,
//! one shared node), and canonical products then flatten: the logistic map written as
//! `l1 = 4*x*(1-x); l2 = 4*l1*(1-l1); ...` becomes products of about `n` factors, so its
//! derivative costs about `n^2`. Kept as a [`Program`] ([`crate::parse_program`]), the
//! names stay symbols, each binding stays the size it was written, and differentiating
//! it ([`Program::diff`], forward mode over the bindings) gives each binding a derivative
//! binding by the chain rule: size and cost linear in the number of bindings.

use rustc_hash::{FxHashMap, FxHashSet};
use thiserror::Error;

use crate::expr::{Expr, Kind, Symbol};

/// One binding of a [`Program`]: `name = value`.
#[derive(Clone, Debug, PartialEq)]
pub struct Binding {
    /// The bound name; later values use it as a symbol.
    pub name: Symbol,
    /// Its value, in the free symbols and the names bound before it.
    pub value: Expr,
}

/// Bindings in order, then a result: `u = sin(x); v = u^2; v*exp(u)`.
///
/// **Invariant** (checked by [`Program::new`]): names are distinct, and a value uses only
/// the names bound before it, so the bindings can be substituted in order and nothing is
/// circular.
///
/// ```
/// use deriv::{Binding, Expr, Program, parse};
///
/// let (x, u) = (Expr::sym("x"), Expr::sym("u"));
/// let bindings = vec![Binding { name: "u".into(), value: x.clone().sin() }];
/// let program = Program::new(bindings, u.clone() * u.clone().exp())?;
/// assert_eq!(program.inline(), parse("sin(x)*exp(sin(x))")?);
/// assert!(Program::new(vec![Binding { name: "u".into(), value: u.clone() }], u).is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Program {
    bindings: Vec<Binding>,
    result: Expr,
}

/// Why bindings and a result do not make a [`Program`].
#[derive(Clone, Debug, Error, PartialEq, Eq)]
pub enum ProgramError {
    /// Two bindings have one name.
    #[error("`{0}` is bound twice")]
    BoundTwice(Symbol),
    /// A value uses its own name or a name bound after it.
    #[error("`{name}` is used before it is bound")]
    UsedBeforeBound {
        /// The name.
        name: Symbol,
    },
}

impl Program {
    /// The program with these bindings, in order, and this result.
    pub fn new(bindings: Vec<Binding>, result: Expr) -> Result<Program, ProgramError> {
        let mut position: FxHashMap<&Symbol, usize> = FxHashMap::default();
        for (i, binding) in bindings.iter().enumerate() {
            if position.insert(&binding.name, i).is_some() {
                return Err(ProgramError::BoundTwice(binding.name.clone()));
            }
        }
        for (i, binding) in bindings.iter().enumerate() {
            let early = binding
                .value
                .free_symbols()
                .into_iter()
                .find(|s| position.get(s).is_some_and(|&j| j >= i));
            if let Some(name) = early {
                return Err(ProgramError::UsedBeforeBound { name });
            }
        }
        Ok(Program { bindings, result })
    }

    /// Only a result, no bindings.
    pub fn of(result: Expr) -> Program {
        Program {
            bindings: Vec::new(),
            result,
        }
    }

    /// The bindings, in order.
    pub fn bindings(&self) -> &[Binding] {
        &self.bindings
    }

    /// The result, in the free symbols and the bound names.
    pub fn result(&self) -> &Expr {
        &self.result
    }

    /// Whether `name` is bound.
    pub fn binds(&self, name: &str) -> bool {
        self.bindings.iter().any(|b| &*b.name == name)
    }

    /// The result with every binding substituted, as [`crate::parse`] reads the same text:
    /// one expression, each binding's value a shared node.
    pub fn inline(&self) -> Expr {
        let mut values: FxHashMap<Symbol, Expr> = FxHashMap::default();
        for binding in &self.bindings {
            let value = binding.value.substitute(&values);
            values.insert(binding.name.clone(), value);
        }
        self.result.substitute(&values)
    }

    /// Whether substituting the bindings folds away a symbol that a part of a value uses
    /// through them: in `u = x^2; v = sqrt(u - x^2) + x`, `u - x^2` depends on `x` as
    /// written and is `0` substituted. Differentiated as written, such a part gives `0/0`
    /// where the substituted formula has a derivative, so [`crate::parse_program`] does not
    /// keep the bindings of such a formula.
    ///
    /// Costs what substituting costs ([`Program::inline`]).
    pub fn folds_across_bindings(&self) -> bool {
        // Each name's substituted value and the symbols it depends on as written.
        let mut values: FxHashMap<Symbol, (Expr, Vec<Symbol>)> = FxHashMap::default();
        let mut symbols = SymbolsOf::default();
        for (name, e) in self
            .bindings
            .iter()
            .map(|b| (Some(&b.name), &b.value))
            .chain([(None, &self.result)])
        {
            // Per node of `e`: its substituted form and the symbols it uses as written.
            let mut done: FxHashMap<usize, (Expr, Vec<Symbol>)> = FxHashMap::default();
            for node in e.postorder() {
                let (now, uses) = match node.as_sym() {
                    Some(s) => values
                        .get(s)
                        .cloned()
                        .unwrap_or_else(|| (node.clone(), vec![s.clone()])),
                    None => {
                        let now = node.map_children(|c| {
                            done.get(&c.id()).map_or_else(|| c.clone(), |d| d.0.clone())
                        });
                        let mut uses: Vec<Symbol> = node
                            .children()
                            .filter_map(|c| done.get(&c.id()))
                            .flat_map(|d| d.1.iter().cloned())
                            .collect();
                        uses.sort();
                        uses.dedup();
                        (now, uses)
                    }
                };
                let kept = symbols.of(&now);
                if uses.iter().any(|s| kept.binary_search(s).is_err()) {
                    return true;
                }
                done.insert(node.id(), (now, uses));
            }
            if let (Some(name), Some(value)) = (name, done.remove(&e.id())) {
                values.insert(name.clone(), value);
            }
        }
        false
    }

    /// The same program with each value and the result replaced by `f(value)`, in order;
    /// `f` must keep each value equal to what it was (a simplifier). Bindings that become a
    /// number, a constant or a symbol are then written where they are used, and bindings
    /// no longer used are dropped.
    pub fn map_values(&self, mut f: impl FnMut(&Expr) -> Expr) -> Program {
        let bindings = self
            .bindings
            .iter()
            .map(|b| Binding {
                name: b.name.clone(),
                value: f(&b.value),
            })
            .collect();
        let result = f(&self.result);
        Program { bindings, result }.tidied()
    }

    /// The total size of the values and the result, as trees.
    pub fn tree_size(&self) -> u64 {
        self.values().map(Expr::tree_size).sum()
    }

    /// The total size of the values and the result, each as a DAG.
    pub fn dag_size(&self) -> usize {
        self.values().map(Expr::dag_size).sum()
    }

    fn values(&self) -> impl Iterator<Item = &Expr> {
        self.bindings.iter().map(|b| &b.value).chain([&self.result])
    }

    /// The program as the parser read it: the grammar binds each name once, in order, and
    /// refuses a name used before its binding.
    pub(crate) fn from_parser(bindings: Vec<Binding>, result: Expr) -> Program {
        Program { bindings, result }
    }

    /// Builds a program from parts whose invariant the caller keeps (bindings made in order
    /// with fresh names), and tidies it.
    pub(crate) fn from_ordered(bindings: Vec<Binding>, result: Expr) -> Program {
        Program { bindings, result }.tidied()
    }

    /// The program without what it does not need: bindings whose value is a number, a
    /// constant or a symbol are substituted where they are used (a derivative that is `0`
    /// or `2` is no binding worth reading), bindings the result does not use are dropped,
    /// and a result that is just a bound name used nowhere else becomes that value.
    fn tidied(self) -> Program {
        self.tidied_with_names().0
    }

    /// [`Program::tidied`], and every name the tidy program uses or binds. Each value's
    /// symbols are read once (twice where an atom is substituted into it).
    pub(crate) fn tidied_with_names(self) -> (Program, FxHashSet<Symbol>) {
        let Program { bindings, result } = self;
        let mut atoms: FxHashMap<Symbol, Expr> = FxHashMap::default();
        let written = |e: Expr, atoms: &FxHashMap<Symbol, Expr>| {
            let symbols = e.free_symbols();
            if symbols.iter().any(|s| atoms.contains_key(s)) {
                let e = e.substitute(atoms);
                let symbols = e.free_symbols();
                return (e, symbols);
            }
            (e, symbols)
        };
        // Each binding kept, with the symbols its value uses.
        let mut kept: Vec<(Binding, Vec<Symbol>)> = Vec::with_capacity(bindings.len());
        for Binding { name, value } in bindings {
            let (value, symbols) = written(value, &atoms);
            if is_atom(&value) {
                atoms.insert(name, value);
            } else {
                kept.push((Binding { name, value }, symbols));
            }
        }
        let (result, result_symbols) = written(result, &atoms);
        // Which bindings the result needs, from the last one back, and how often each
        // needed name is used by the needed values.
        let mut uses: FxHashMap<&Symbol, usize> = FxHashMap::default();
        for s in &result_symbols {
            *uses.entry(s).or_default() += 1;
        }
        let mut keep = vec![false; kept.len()];
        for (i, (binding, symbols)) in kept.iter().enumerate().rev() {
            if uses.contains_key(&binding.name) {
                keep[i] = true;
                for s in symbols {
                    *uses.entry(s).or_default() += 1;
                }
            }
        }
        // A bare result bound by the last binding and used by no other value is that value.
        let unwrap_last = result.as_sym().is_some_and(|name| {
            let last = keep.iter().rposition(|&k| k);
            last.is_some_and(|i| &kept[i].0.name == name) && uses.get(name) == Some(&1)
        });
        let mut names: FxHashSet<Symbol> = uses.keys().map(|s| (*s).clone()).collect();
        let mut bindings: Vec<Binding> = kept
            .into_iter()
            .zip(keep)
            .filter_map(|((binding, _), k)| k.then_some(binding))
            .collect();
        names.extend(bindings.iter().map(|b| b.name.clone()));
        let result = match bindings.pop() {
            Some(last) if unwrap_last => last.value,
            Some(last) => {
                bindings.push(last);
                result
            }
            None => result,
        };
        (Program { bindings, result }, names)
    }
}

/// The free symbols of expressions, remembered per node: the substituted values of a
/// program share their parts, which are walked once.
#[derive(Default)]
struct SymbolsOf {
    /// By node identity; each entry holds its node, so that the identity stays its own.
    memo: FxHashMap<usize, (Expr, Vec<Symbol>)>,
}

impl SymbolsOf {
    /// The free symbols of `e`, sorted.
    fn of(&mut self, e: &Expr) -> Vec<Symbol> {
        let mut stack: Vec<(Expr, bool)> = vec![(e.clone(), false)];
        while let Some((node, expanded)) = stack.pop() {
            if self.memo.contains_key(&node.id()) {
                continue;
            }
            if !expanded {
                stack.push((node.clone(), true));
                for child in node.children() {
                    if !self.memo.contains_key(&child.id()) {
                        stack.push((child.clone(), false));
                    }
                }
                continue;
            }
            let mut symbols: Vec<Symbol> = match node.as_sym() {
                Some(s) => vec![s.clone()],
                None => node
                    .children()
                    .filter_map(|c| self.memo.get(&c.id()))
                    .flat_map(|m| m.1.iter().cloned())
                    .collect(),
            };
            symbols.sort();
            symbols.dedup();
            self.memo.insert(node.id(), (node, symbols));
        }
        self.memo
            .get(&e.id())
            .map(|m| m.1.clone())
            .unwrap_or_default()
    }
}

/// A number, a constant or a symbol: a value no shorter as a name.
pub(crate) fn is_atom(e: &Expr) -> bool {
    matches!(e.kind(), Kind::Num(_) | Kind::Const(_) | Kind::Sym(_))
}

/// A name built from `base` that is not `taken`: `base` itself, else `base_2`, `base_3`...
pub(crate) fn fresh_name(base: &str, taken: impl Fn(&str) -> bool) -> Symbol {
    if !taken(base) {
        return base.into();
    }
    (2u64..)
        .map(|k| format!("{base}_{k}"))
        .find(|name| !taken(name))
        .map_or_else(|| base.into(), Symbol::from)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn binding(name: &str, value: Expr) -> Binding {
        Binding {
            name: name.into(),
            value,
        }
    }

    #[test]
    fn new_refuses_names_bound_twice_or_used_early() {
        let (x, u, v) = (Expr::sym("x"), Expr::sym("u"), Expr::sym("v"));
        let twice = vec![binding("u", x.clone()), binding("u", x.clone().sin())];
        assert_eq!(
            Program::new(twice, u.clone()),
            Err(ProgramError::BoundTwice("u".into()))
        );
        let early = vec![binding("u", v.clone()), binding("v", x.clone())];
        assert_eq!(
            Program::new(early, u.clone()),
            Err(ProgramError::UsedBeforeBound { name: "v".into() })
        );
        let fine = vec![binding("v", x.clone().sin()), binding("u", v.pow(2))];
        assert!(Program::new(fine, u).is_ok());
    }

    #[test]
    fn tidying_substitutes_atoms_drops_the_unused_and_unwraps_a_bare_result() {
        let (x, a, b, c) = (
            Expr::sym("x"),
            Expr::sym("a"),
            Expr::sym("b"),
            Expr::sym("c"),
        );
        let bindings = vec![
            binding("a", Expr::int(2)),
            binding("b", x.clone().sin() * a.clone()),
            binding("unused", x.clone().cos()),
            binding("c", b.clone().exp() + b.clone()),
        ];
        let tidy = Program::from_ordered(bindings, c);
        assert_eq!(tidy.bindings().len(), 1);
        assert_eq!(tidy.bindings()[0].value, Expr::int(2) * x.sin());
        assert_eq!(tidy.result(), &(b.clone().exp() + b));
    }

    #[test]
    fn fresh_names_avoid_taken_ones() {
        let taken: FxHashSet<Symbol> = ["u_x", "u_x_2"].into_iter().map(Symbol::from).collect();
        let taken = |name: &str| taken.contains(name);
        assert_eq!(&*fresh_name("v_x", taken), "v_x");
        assert_eq!(&*fresh_name("u_x", taken), "u_x_3");
    }
}
