//! Differentiation of a [`Program`]: forward mode over its bindings.
//!
//! Each binding `u = value` the result needs is differentiated once, its bound names
//! standing for functions of the variable whose derivatives are already known (the chain
//! rule, as forward-mode automatic differentiation applies it), and its derivative becomes a
//! binding `u_x = value'` beside it (or, when it is small, is written where it is used). So
//! the derivative of the logistic map written with `n`
//! bindings has about `2n` bindings of constant size, built in time linear in `n`, where the
//! substituted formula, whose products flatten, costs about `n^2`.

use rustc_hash::FxHashMap;

use super::{Budget, DiffError, DiffLimits, PassError, Wrt, derivative};
use crate::expr::{Expr, Symbol};
use crate::program::{Binding, Program, fresh_name};

/// A derivative of at most this many nodes (`2*x*cos(u)`) is written where it is used
/// rather than bound: shorter to read, and since what it is written into is then bound
/// when it is larger, the answer stays linear in the bindings.
pub const INLINE_NODES: u64 = 5;

impl Program {
    /// The derivative with respect to `var`, as a program: the bindings the result needs,
    /// each followed by its derivative `name_var` unless that has at most [`INLINE_NODES`]
    /// nodes (then it is written where it is used) or is bound already, and the derivative
    /// of the result.
    ///
    /// It is the derivative of [`Program::inline`], written with bindings, and within the
    /// default [`DiffLimits`] for all bindings together.
    ///
    /// ```
    /// use deriv::{Env, ParseOptions, eval, parse, parse_program};
    ///
    /// let text = "l1 = 4*x*(1 - x); l2 = 4*l1*(1 - l1); l3 = 4*l2*(1 - l2); l3";
    /// let program = parse_program(text, &ParseOptions::default())?.program;
    /// let d = program.diff("x")?;
    /// assert_eq!(
    ///     d.to_string(),
    ///     "l1 = 4*x*(1 - x); l1_x = 4*(1 - x) - 4*x; l2 = 4*l1*(1 - l1); \
    ///      l2_x = 4*l1_x*(1 - l1) - 4*l1*l1_x; 4*l2_x*(1 - l2) - 4*l2*l2_x"
    /// );
    /// // Substituted, it is the derivative of the substituted formula.
    /// let (d, flat) = (d.inline(), parse(text)?.diff("x")?);
    /// let at = Env::new().with("x", 0.3);
    /// assert!((eval(&d, &at)? - eval(&flat, &at)?).abs() < 1e-12);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn diff(&self, var: &str) -> Result<Program, DiffError> {
        self.diff_with(var, &DiffLimits::default(), |d| d.clone())
    }

    /// [`Program::diff`] within `limits`, with each derivative passed through `tidy` as it
    /// is made (a simplifier: it must return an equal expression), so that a derivative
    /// that tidies to `0` or to an atom is known as such to the bindings after it.
    pub fn diff_with(
        &self,
        var: &str,
        limits: &DiffLimits,
        mut tidy: impl FnMut(&Expr) -> Expr,
    ) -> Result<Program, DiffError> {
        if self.binds(var) {
            return Err(DiffError::BoundVariable { name: var.into() });
        }
        // Bindings to numbers, constants and symbols are written in place first, as the
        // parser would have built them: `v = 0; v^x` differentiates as `0^x`, not through
        // `ln(v)`.
        let (written, mut taken) = self.clone().tidied_with_names();
        taken.insert(var.into());
        let mut budget = Budget {
            used: 0,
            limit: limits.max_nodes,
        };
        // What each bound name's derivative is written as: absent for 0.
        let mut chained: FxHashMap<Symbol, Expr> = FxHashMap::default();
        let needed = written.bindings();
        let mut bindings = Vec::with_capacity(2 * needed.len());
        // The name of each value bound so far: a derivative that is already bound, by an
        // earlier differentiation as `u_x` is when `u_x_x` is made, is not bound again.
        let mut named: FxHashMap<Expr, Symbol> = FxHashMap::default();
        // The bindings not written yet, by value: a derivative equal to one of them is that
        // binding, written at once (its value uses only names already bound, as the
        // derivative does), before anything uses it.
        let mut later: FxHashMap<&Expr, usize> = FxHashMap::default();
        for (i, binding) in needed.iter().enumerate().rev() {
            later.insert(&binding.value, i);
        }
        let mut written_yet = vec![false; needed.len()];
        for first in 0..needed.len() {
            let mut next = Some(first);
            while let Some(k) = next.take() {
                if std::mem::replace(&mut written_yet[k], true) {
                    continue;
                }
                let binding = &needed[k];
                later.remove(&binding.value);
                named
                    .entry(binding.value.clone())
                    .or_insert_with(|| binding.name.clone());
                bindings.push(binding.clone());
                let wrt = Wrt {
                    var,
                    chained: Some(&chained),
                };
                let d = tidy(
                    &derivative(&binding.value, &wrt, &mut budget)
                        .map_err(|e| refusal(e, limits))?,
                );
                let name = binding.name.clone();
                if d.is_int(0) {
                    continue;
                }
                if d.tree_size() <= INLINE_NODES {
                    chained.insert(name, d);
                    continue;
                }
                if let Some(bound) = named.get(&d) {
                    chained.insert(name, Expr::symbol(bound.clone()));
                    continue;
                }
                if let Some(&m) = later.get(&d) {
                    chained.insert(name, Expr::symbol(needed[m].name.clone()));
                    next = Some(m);
                    continue;
                }
                let d_name = fresh_name(&format!("{name}_{var}"), |n| taken.contains(n));
                taken.insert(d_name.clone());
                chained.insert(name, Expr::symbol(d_name.clone()));
                named.insert(d.clone(), d_name.clone());
                bindings.push(Binding {
                    name: d_name,
                    value: d,
                });
            }
        }
        let wrt = Wrt {
            var,
            chained: Some(&chained),
        };
        let result =
            tidy(&derivative(written.result(), &wrt, &mut budget).map_err(|e| refusal(e, limits))?);
        Ok(Program::from_ordered(bindings, result))
    }
}

fn refusal(e: PassError, limits: &DiffLimits) -> DiffError {
    match e {
        PassError::OverBudget => DiffError::TooLarge {
            completed: 0,
            requested: 1,
            limit: limits.max_nodes,
        },
        PassError::UndefOrderOverflow(name) => DiffError::UndefOrderOverflow { name },
    }
}
