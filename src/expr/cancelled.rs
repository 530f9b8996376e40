//! Operands that canonical construction drops (`0*u = 0`, `u - u = 0`, `u/u = 1`, `1^u = 1`,
//! `sign(exp(u)) = 1`, and `ln(u)` from `exp(ln(u)) = u`, infinite where `u` is 0), recorded
//! while a formula is read; so are the roots and reciprocals that merging powers drops
//! (`sqrt(u)` from `sqrt(u)^2 = u` and `sqrt(u)*sqrt(u) = u`, `1/u` from `u^2/u = u`), which
//! may be undefined where `u` is not: `deriv eval` refuses `sqrt(x)^2` at `x = -2`.
//!
//! Folding keeps every value where the input is defined, but forgets what it dropped:
//! `x*0*tan(pi/2)` is `0` and `x*cot(pi)/cot(pi)` is `x`, though neither has a value
//! anywhere as written (`u^0 = 1` holds for every `u`, as `0^0 = 1`: nothing is dropped). The parser builds its formula with a recorder on, so that `prepare_parsed` can
//! check what the folds dropped (it refuses infinite parts; the folds are identities over
//! the complex numbers wherever the part is finite). Other stages (the
//! simplifier, differentiation) build without one: their inputs were checked already.

use std::cell::RefCell;

use super::{Expr, Kind};

/// At most this many distinct operands are recorded per formula: a formula that cancels more
/// distinct parts is checked on the first ones.
pub const MAX_CANCELLED: usize = 64;

thread_local! {
    /// The operands recorded so far on this thread, while a recording runs.
    static RECORDING: RefCell<Option<Vec<Expr>>> = const { RefCell::new(None) };
}

/// Runs `build`, and returns with its value the distinct operands that the constructors it
/// called dropped (numbers, constants and symbols, defined everywhere, are left out).
///
/// ```
/// use deriv::{Expr, recording_cancelled};
///
/// let ln_of_minus_one = Expr::int(-1).ln();
/// let (zero, cancelled) = recording_cancelled(|| Expr::zero() * ln_of_minus_one.clone());
/// assert_eq!(zero, Expr::zero());
/// assert_eq!(cancelled, vec![ln_of_minus_one]);
/// ```
pub fn recording_cancelled<T>(build: impl FnOnce() -> T) -> (T, Vec<Expr>) {
    let _restore = Restore {
        outer: RECORDING.with(|r| r.replace(Some(Vec::new()))),
    };
    let value = build();
    let cancelled = RECORDING
        .with(|r| r.borrow_mut().take())
        .unwrap_or_default();
    (value, cancelled)
}

/// Puts back the recording that was running when a nested one started (none, usually), also
/// when `build` panics.
struct Restore {
    outer: Option<Vec<Expr>>,
}

impl Drop for Restore {
    fn drop(&mut self) {
        let outer = self.outer.take();
        RECORDING.with(|r| r.replace(outer));
    }
}

/// Records `op` as dropped by a fold, if a recording runs.
pub(super) fn cancelled(op: &Expr) {
    if matches!(op.kind(), Kind::Num(_) | Kind::Const(_) | Kind::Sym(_)) {
        return;
    }
    RECORDING.with(|r| {
        if let Some(ops) = r.borrow_mut().as_mut()
            && ops.len() < MAX_CANCELLED
            && !ops.contains(op)
        {
            ops.push(op.clone());
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn undefined() -> Expr {
        Expr::int(-1).ln()
    }

    #[test]
    fn each_fold_that_drops_an_operand_records_it() {
        let u = undefined();
        let x = Expr::sym("x");
        let cases: Vec<(Box<dyn Fn() -> Expr>, Expr)> = vec![
            (Box::new(|| Expr::zero() * u.clone()), u.clone()),
            (Box::new(|| u.clone() - u.clone() + x.clone()), u.clone()),
            (Box::new(|| Expr::one().pow(u.clone())), u.clone()),
            (Box::new(|| u.clone() / u.clone()), u.clone()),
            (
                Box::new(|| Expr::pi().pow(u.clone()).sign()),
                Expr::pi().pow(u.clone()),
            ),
        ];
        for (build, dropped) in cases {
            let (value, cancelled) = recording_cancelled(build);
            assert!(cancelled.contains(&dropped), "{value}: {cancelled:?}");
        }
    }

    #[test]
    fn folds_that_keep_the_operand_record_the_root_or_reciprocal_they_drop() {
        let u = Expr::int(-1) - Expr::sym("x").pow(2);
        let root = u.clone().sqrt();
        let (square, cancelled) = recording_cancelled(|| root.clone().pow(2));
        assert_eq!((square, cancelled), (u.clone(), vec![root.clone()]));
        let (product, cancelled) = recording_cancelled(|| root.clone() * root.clone());
        assert_eq!((product, cancelled), (u.clone(), vec![root.clone()]));
        let x = Expr::sym("x");
        let (quotient, cancelled) = recording_cancelled(|| x.clone().pow(2) / x.clone());
        assert_eq!((quotient, cancelled), (x.clone(), vec![x.clone().recip()]));
        // A whole power drops nothing: `(u^2)^3 = u^6` is defined where `u` is.
        let (power, cancelled) = recording_cancelled(|| u.clone().pow(2).pow(3));
        assert_eq!((power, cancelled), (u.clone().pow(6), vec![]));
        let log = u.clone().ln();
        let (back, cancelled) = recording_cancelled(|| log.clone().exp());
        assert_eq!(back, u);
        assert_eq!(cancelled, vec![log]);
    }

    #[test]
    fn nothing_is_recorded_outside_a_recording_and_nesting_restores_the_outer_one() {
        let u = undefined();
        let v = Expr::sym("x").ln();
        cancelled(&u);
        let ((_, inner), outer) = recording_cancelled(|| {
            cancelled(&v);
            recording_cancelled(|| cancelled(&u))
        });
        assert_eq!(inner, vec![u.clone()]);
        assert_eq!(outer, vec![v]);
        let (_, none) = recording_cancelled(|| Expr::sym("x") - Expr::sym("x"));
        assert!(none.is_empty());
        let (one, none) = recording_cancelled(|| u.clone().pow(0));
        assert_eq!((one, none), (Expr::one(), vec![]));
    }

    #[test]
    fn the_record_is_bounded_and_distinct() {
        let (_, cancelled) = recording_cancelled(|| {
            for k in 0..2 * MAX_CANCELLED {
                let u = (Expr::int(-1 - k as i64)).ln();
                cancelled(&u);
                cancelled(&u);
            }
        });
        assert_eq!(cancelled.len(), MAX_CANCELLED);
    }
}
