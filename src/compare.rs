//! The ways to differentiate, side by side: the symbolic derivative, forward- and
//! reverse-mode automatic differentiation, and forward and central finite differences, at
//! one point, with errors and times.
//!
//! The reference is the simplified symbolic derivative evaluated with as many bits as its
//! `f64` accuracy takes, 512 or more ([`eval_settled`]), not in `f64`: every row, the symbolic one included, gets its
//! error against it, so the `f64` rounding of each method shows. Finite
//! differences are swept over the step `h` from `1e-1` to `1e-16` (four steps per decade):
//! their error first falls with `h` (truncation, `O(h)` forward, `O(h^2)` central) and then
//! rises again (round-off, about `eps / h`), the V that textbooks draw. Each difference is
//! reported at the step where its error was smallest.

use std::hint::black_box;
use std::time::{Duration, Instant};

use crate::diff::{DiffError, diff};
use crate::eval::{
    Env, EvalError, Precise, central_difference, eval, eval_dual, eval_settled, forward_difference,
    reverse_gradient,
};
use crate::expr::Expr;
use crate::simplify::{Limits, simplify};

/// One way of computing the derivative, as compared.
#[derive(Clone, Debug, PartialEq)]
pub struct MethodResult {
    /// Its name: `symbolic`, `forward AD`, `reverse AD`, `forward difference`,
    /// `central difference`.
    pub method: &'static str,
    /// The step, for the finite differences (the best one of the sweep).
    pub h: Option<f64>,
    /// The derivative it computed.
    pub value: f64,
    /// `|value - reference|`, computed in high precision.
    pub abs_error: f64,
    /// `abs_error / |reference|`, when the reference is not zero.
    pub rel_error: Option<f64>,
    /// Median wall-clock time of one evaluation, in nanoseconds.
    pub nanos: f64,
}

/// The errors of both finite differences at one step.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SweepPoint {
    /// The step.
    pub h: f64,
    /// Absolute error of the forward difference, if it could be evaluated.
    pub forward: Option<f64>,
    /// Absolute error of the central difference, if it could be evaluated.
    pub central: Option<f64>,
}

/// Everything [`compare`] measured.
#[derive(Clone, Debug)]
pub struct Comparison {
    /// The variable of differentiation.
    pub var: String,
    /// The simplified symbolic derivative.
    pub derivative: Expr,
    /// Its value at the point to well past `f64` accuracy ([`eval_settled`]): the reference
    /// for every error.
    pub reference: Precise,
    /// One row per method, in the order of the module documentation.
    pub methods: Vec<MethodResult>,
    /// The finite-difference errors for each step of the sweep, largest step first.
    pub sweep: Vec<SweepPoint>,
}

/// Why a comparison could not be made.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum CompareError {
    /// The symbolic derivative failed (a limit).
    #[error(transparent)]
    Diff(#[from] DiffError),
    /// The function or its derivative has no value at the point.
    #[error(transparent)]
    Eval(#[from] EvalError),
}

/// The steps of the sweep: `10^(-k/4)` for `k` from 4 to 64, that is `1e-1` to `1e-16`.
pub fn sweep_steps() -> Vec<f64> {
    (4..=64).map(|k| 10f64.powf(-f64::from(k) / 4.0)).collect()
}

/// The errors of forward and central differences of `e` in `var` at `env`, against
/// `reference`, for every step of [`sweep_steps`].
///
/// ```
/// use deriv::{Env, Expr, difference_sweep, eval_precise};
/// let f = Expr::sym("x").exp();
/// let env = Env::new().with("x", 0.0);
/// let slope = eval_precise(&f, &env, 256).unwrap(); // exp' = exp
/// let sweep = difference_sweep(&f, &env, "x", &slope);
/// let best = sweep.iter().min_by(|a, b| a.central.partial_cmp(&b.central).unwrap()).unwrap();
/// assert!(best.h > 1e-8 && best.h < 1e-3);
/// ```
pub fn difference_sweep(e: &Expr, env: &Env, var: &str, reference: &Precise) -> Vec<SweepPoint> {
    let error = |r: Result<f64, EvalError>| r.ok().map(|v| reference.abs_error(v));
    sweep_steps()
        .into_iter()
        .map(|h| SweepPoint {
            h,
            forward: error(forward_difference(e, env, var, h)),
            central: error(central_difference(e, env, var, h)),
        })
        .collect()
}

/// Differentiates `e` in `var` at the point `env` in every way, with errors against the
/// simplified symbolic derivative evaluated to well past `f64` accuracy, and the median
/// time of one evaluation of each.
///
/// ```
/// use deriv::{Env, Limits, compare, parse};
/// let f = parse("sin(x)*exp(x)").unwrap();
/// let c = compare(&f, &Env::new().with("x", 0.3), "x", &Limits::default()).unwrap();
/// let names: Vec<&str> = c.methods.iter().map(|m| m.method).collect();
/// assert_eq!(names[..3], ["symbolic", "forward AD", "reverse AD"]);
/// assert!(c.methods.iter().all(|m| m.abs_error < 1e-6));
/// ```
pub fn compare(
    e: &Expr,
    env: &Env,
    var: &str,
    limits: &Limits,
) -> Result<Comparison, CompareError> {
    let derivative = simplify(&diff(e, var, 1)?, limits).expr;
    let reference = eval_settled(&derivative, env)?;
    let symbolic = eval(&derivative, env)?;
    let forward_ad = eval_dual(e, env, var)?.eps;
    let reverse_ad = reverse_gradient(e, env, &[var])?
        .1
        .first()
        .copied()
        .unwrap_or(f64::NAN);
    let sweep = difference_sweep(e, env, var, &reference);
    let row = |method, h, value: f64, nanos| MethodResult {
        method,
        h,
        value,
        abs_error: reference.abs_error(value),
        rel_error: reference.rel_error(value),
        nanos,
    };
    let mut methods = vec![
        row(
            "symbolic",
            None,
            symbolic,
            time_per_call(|| eval(&derivative, env).ok()),
        ),
        row(
            "forward AD",
            None,
            forward_ad,
            time_per_call(|| eval_dual(e, env, var).ok()),
        ),
        row(
            "reverse AD",
            None,
            reverse_ad,
            time_per_call(|| reverse_gradient(e, env, &[var]).ok()),
        ),
    ];
    if let Some(h) = best_step(&sweep, |p| p.forward) {
        let value = forward_difference(e, env, var, h)?;
        let nanos = time_per_call(|| forward_difference(e, env, var, h).ok());
        methods.push(row("forward difference", Some(h), value, nanos));
    }
    if let Some(h) = best_step(&sweep, |p| p.central) {
        let value = central_difference(e, env, var, h)?;
        let nanos = time_per_call(|| central_difference(e, env, var, h).ok());
        methods.push(row("central difference", Some(h), value, nanos));
    }
    Ok(Comparison {
        var: var.to_owned(),
        derivative,
        reference,
        methods,
        sweep,
    })
}

/// The step with the smallest error (the largest such step on ties), if any was evaluated.
fn best_step(sweep: &[SweepPoint], error: impl Fn(&SweepPoint) -> Option<f64>) -> Option<f64> {
    let mut best: Option<(f64, f64)> = None;
    for point in sweep {
        if let Some(err) = error(point).filter(|e| e.is_finite())
            && best.is_none_or(|(_, b)| err < b)
        {
            best = Some((point.h, err));
        }
    }
    best.map(|(h, _)| h)
}

/// Median time of one call of `f`, in nanoseconds: calls are batched until a batch takes
/// at least 200 µs (so the clock's resolution does not matter), then 11 batches are timed.
fn time_per_call<T>(mut f: impl FnMut() -> T) -> f64 {
    const MIN_BATCH: Duration = Duration::from_micros(200);
    const MAX_REPS: u32 = 1 << 20;
    let batch = |reps: u32, f: &mut dyn FnMut() -> T| {
        let start = Instant::now();
        for _ in 0..reps {
            black_box(f());
        }
        start.elapsed()
    };
    let mut reps = 1u32;
    while reps < MAX_REPS && batch(reps, &mut f) < MIN_BATCH {
        reps *= 2;
    }
    let mut samples: Vec<f64> = (0..11)
        .map(|_| batch(reps, &mut f).as_secs_f64() * 1e9 / f64::from(reps))
        .collect();
    samples.sort_by(f64::total_cmp);
    samples[samples.len() / 2]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::parse;

    #[test]
    fn central_difference_error_falls_then_rises() {
        let f = parse("exp(sin(x))").unwrap_or_else(|e| panic!("{e}"));
        let env = Env::new().with("x", 0.7);
        let c = compare(&f, &env, "x", &Limits::default()).unwrap_or_else(|e| panic!("{e}"));
        let errors: Vec<f64> = c.sweep.iter().filter_map(|p| p.central).collect();
        assert_eq!(errors.len(), sweep_steps().len());
        let (best, _) = errors
            .iter()
            .enumerate()
            .min_by(|a, b| a.1.total_cmp(b.1))
            .unwrap_or((0, &0.0));
        let best_h = c.sweep[best].h;
        assert!((1e-7..=1e-3).contains(&best_h), "best h {best_h}");
        assert!(errors[0] > 100.0 * errors[best], "truncation at h = 1e-1");
        let last = errors[errors.len() - 1];
        assert!(last > 100.0 * errors[best], "round-off at h = 1e-16");
    }
}
