//! Symbolic derivatives checked against numbers: dual numbers (forward AD), reverse-mode AD
//! and central differences, for every function of the rule table, for the sum, product,
//! quotient, power and chain rules, for undefined functions, for random expressions and for
//! the logistic map.

mod common;

use deriv::{
    Env, Expr, Func, Kind, central_difference, diff, diff_wrt, eval, eval_dual, reverse_gradient,
};
use proptest::prelude::*;

/// `|a - b| <= tol * max(1, |a|, |b|)`: relative for large values, absolute near zero.
fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol * 1f64.max(a.abs()).max(b.abs())
}

fn x() -> Expr {
    Expr::sym("x")
}

fn at(value: f64) -> Env {
    Env::new().with("x", value)
}

/// Points inside the domain of `f`, away from its poles, jumps and domain ends.
fn domain_points(f: Func) -> &'static [f64] {
    use Func::*;
    match f {
        Sin | Cos | Tan | Sec | Csc | Cot => &[-1.3, -0.4, 0.3, 0.9, 1.4],
        Asin | Acos | Atanh => &[-0.9, -0.3, 0.2, 0.7],
        Asec | Acsc | Acoth => &[-3.0, -1.5, 1.2, 2.5],
        Acosh => &[1.2, 2.0, 3.5],
        Asech => &[0.2, 0.5, 0.9],
        Ln => &[0.3, 1.0, 2.5],
        Atan | Acot | Sinh | Cosh | Tanh | Sech | Csch | Coth | Asinh | Acsch | Exp | Abs
        | Sign | Erf | Erfc => &[-2.0, -0.7, 0.4, 1.5],
    }
}

/// Checks the first derivative of `f` in `x` at `point` three ways: symbolic against dual
/// numbers (1e-12), against reverse mode (1e-12) and against a central difference (1e-6).
fn check_derivative(f: &Expr, point: f64) {
    let env = at(point);
    let symbolic = diff(f, "x", 1).map_err(|e| e.to_string()).and_then(|d| {
        eval(&d, &env).map_err(|e| format!("{:?} at {:?}", e.reason, e.expr.kind_name()))
    });
    let symbolic = symbolic.unwrap_or_else(|e| panic!("symbolic derivative at {point}: {e}"));
    let dual = eval_dual(f, &env, "x").map(|d| d.eps);
    let reverse = reverse_gradient(f, &env, &["x"]).map(|(_, g)| g[0]);
    let central = central_difference(f, &env, "x", 1e-5);
    let (dual, reverse, central) = match (dual, reverse, central) {
        (Ok(d), Ok(r), Ok(c)) => (d, r, c),
        (d, r, c) => panic!(
            "numeric derivatives of {} at {point}: {:?}",
            common::sexpr(f),
            [d.err(), r.err(), c.err()].map(|e| e.map(|e| (common::sexpr(&e.expr), e.reason)))
        ),
    };
    assert!(
        close(symbolic, dual, 1e-12),
        "at {point}: symbolic {symbolic} dual {dual}"
    );
    assert!(
        close(symbolic, reverse, 1e-12),
        "at {point}: symbolic {symbolic} reverse {reverse}"
    );
    assert!(
        close(symbolic, central, 1e-6),
        "at {point}: symbolic {symbolic} central {central}"
    );
}

/// A short name for the kind of a node, for failure messages (printing is another module's).
trait KindName {
    fn kind_name(&self) -> &'static str;
}

impl KindName for Expr {
    fn kind_name(&self) -> &'static str {
        match self.kind() {
            Kind::Num(_) => "number",
            Kind::Const(_) => "constant",
            Kind::Sym(_) => "symbol",
            Kind::Add(_) => "sum",
            Kind::Mul(_) => "product",
            Kind::Pow(..) => "power",
            Kind::Call(f, _) => f.name(),
            Kind::Undef { .. } => "undefined function",
        }
    }
}

#[test]
fn every_function_of_the_table_agrees_with_the_numbers() {
    for &f in Func::ALL {
        for &point in domain_points(f) {
            check_derivative(&Expr::call(f, x()), point);
        }
    }
}

#[test]
fn every_function_composed_with_an_inner_function_follows_the_chain_rule() {
    // u = p + (x - 1)(x + 2)/5 equals the domain point p at x = 1 and x = -2, with slopes
    // 3/5 and -3/5 there.
    for &f in Func::ALL {
        for &point in domain_points(f) {
            let p = Expr::ratio((point * 10.0).round() as i64, 10);
            let inner = p + (x() - 1) * (x() + 2) / 5;
            for x0 in [1.0, -2.0] {
                check_derivative(&Expr::call(f, inner.clone()), x0);
            }
        }
    }
}

#[test]
fn sums_products_quotients_and_powers_agree_with_the_numbers() {
    let y = || Expr::sym("y");
    let cases = [
        x().pow(3) + x().sin() * 2 + 7,
        x().sin() * x().exp() * x().pow(2),
        x().sin() / (x().pow(2) + 1),
        (x().pow(2) + 1).pow(Expr::ratio(-3, 2)),
        x().pow(x()),
        Expr::int(3).pow(x().sin()),
        x().cos().pow(x().pow(2) + 1),
        x().pow(y()) * y(),
        (x().exp() + 1).ln().atan().sinh(),
        Expr::pi().pow(x()) * Expr::constant(deriv::Constant::E).pow(x().pow(2)),
    ];
    for f in &cases {
        for point in [0.3, 0.8, 1.2] {
            let f = substitute_y(f, &Expr::ratio(5, 4));
            check_derivative(&f, point);
        }
    }
}

/// `f` with `y` replaced by `value`, so that [`check_derivative`] needs only `x`.
fn substitute_y(f: &Expr, value: &Expr) -> Expr {
    map_tree(f, &|e| match e.kind() {
        Kind::Sym(s) if &**s == "y" => Some(value.clone()),
        _ => None,
    })
}

/// Rebuilds a (small, tree-like) expression bottom-up, replacing the nodes for which
/// `replace` returns a value. Recursive: test expressions are shallow.
fn map_tree(e: &Expr, replace: &dyn Fn(&Expr) -> Option<Expr>) -> Expr {
    if let Some(r) = replace(e) {
        return r;
    }
    let m = |c: &Expr| map_tree(c, replace);
    match e.kind() {
        Kind::Num(_) | Kind::Const(_) | Kind::Sym(_) => e.clone(),
        Kind::Add(xs) => Expr::sum(xs.iter().map(m)),
        Kind::Mul(xs) => Expr::product(xs.iter().map(m)),
        Kind::Pow(b, p) => m(b).pow(m(p)),
        Kind::Call(f, a) => Expr::call(*f, m(a)),
        Kind::Undef { name, order, arg } => Expr::undef(name.clone(), *order, m(arg)),
    }
}

/// Replaces every undefined function `f^(k)(u)` by `sin^(k)(u) = sin(u + k pi/2)`.
fn undefined_as_sine(e: &Expr) -> Expr {
    map_tree(e, &|node| match node.kind() {
        Kind::Undef { order, arg, .. } => {
            let arg = undefined_as_sine(arg);
            Some((arg + Expr::pi() * Expr::ratio(i64::from(*order), 2)).sin())
        }
        _ => None,
    })
}

#[test]
fn undefined_functions_follow_the_chain_rule() {
    let inner = x().pow(2) + x().exp();
    let f = Expr::undef("f".into(), 0, inner.clone());
    let g = inner.sin();
    for order in 1..=3 {
        let df = diff(&f, "x", order).map(|d| undefined_as_sine(&d));
        let dg = diff(&g, "x", order);
        let (Ok(df), Ok(dg)) = (df, dg) else {
            panic!("differentiation failed")
        };
        for point in [-0.5, 0.2, 0.9] {
            let (a, b) = (eval(&df, &at(point)), eval(&dg, &at(point)));
            let (Ok(a), Ok(b)) = (a, b) else {
                panic!("evaluation failed at {point}")
            };
            assert!(close(a, b, 1e-12), "order {order} at {point}: {a} vs {b}");
        }
    }
    assert!(eval(&f, &at(0.0)).is_err());
}

fn logistic(n: usize) -> Expr {
    let mut l = x();
    for _ in 0..n {
        l = Expr::int(4) * l.clone() * (Expr::one() - l);
    }
    l
}

#[test]
fn the_logistic_map_derivative_has_a_linear_dag_and_the_right_value() {
    let sizes: Vec<usize> = [10, 20, 30, 40]
        .iter()
        .map(|&n| diff(&logistic(n), "x", 1).map_or(usize::MAX, |d| d.dag_size()))
        .collect();
    // Linear: equal steps of n add equal numbers of nodes.
    let steps: Vec<usize> = sizes
        .windows(2)
        .map(|w| w[1].saturating_sub(w[0]))
        .collect();
    assert!(steps.iter().all(|&s| s == steps[0]), "sizes {sizes:?}");
    assert!(sizes[3] < 20 * 40, "sizes {sizes:?}");

    for n in [20, 30] {
        let l = logistic(n);
        assert!(l.tree_size() > 100_000_000 || n < 30);
        let env = at(0.3);
        let d = diff(&l, "x", 1)
            .map_err(|e| e.to_string())
            .and_then(|d| eval(&d, &env).map_err(|e| format!("{:?}", e.reason)));
        let dual = eval_dual(&l, &env, "x").map(|d| d.eps);
        let reverse = reverse_gradient(&l, &env, &["x"]).map(|(_, g)| g[0]);
        let (Ok(d), Ok(dual), Ok(reverse)) = (d, dual, reverse) else {
            panic!("l({n}) failed")
        };
        // The map is chaotic (Lyapunov exponent ln 2): rounding errors of 1e-16 grow by 2^n,
        // and the symbolic derivative rounds in another order than the AD sweeps.
        let tol = 1e-15 * 2f64.powi(n as i32);
        assert!(close(d, dual, tol), "l({n}): symbolic {d} dual {dual}");
        assert!(
            close(d, reverse, tol),
            "l({n}): symbolic {d} reverse {reverse}"
        );
        assert!(
            close(dual, reverse, tol),
            "l({n}): dual {dual} reverse {reverse}"
        );
    }
}

/// The checks one random case must pass, or `None` when the point is unsuitable (a value
/// fails, or the function is not smooth enough there for central differences).
fn random_case(f: &Expr, px: f64, py: f64) -> Option<Result<(), String>> {
    const H: f64 = 1e-5;
    let env = Env::new().with("x", px).with("y", py);
    // Only points where `f` is defined.
    eval(f, &env).ok()?;
    let coarse = central_difference(f, &env, "x", H).ok()?;
    let fine = central_difference(f, &env, "x", H / 10.0).ok()?;
    let scale = 1f64.max(coarse.abs());
    // Smooth here: the two step sizes agree, and rounding (|u| * 1e-16 / h for each
    // intermediate value u, not only f's) is negligible. In `sin(sech(x) - sinh(9*y))` at
    // y = -2.52 the sum is 3.6e9, whose rounding moved both differences by 1.6%, alike.
    if (coarse - fine).abs() > 1e-8 * scale || largest_intermediate(f, &env) > 1e3 * scale {
        return None;
    }
    let d = diff(f, "x", 1).ok()?;
    let symbolic = eval(&d, &env).ok()?;
    let dual = eval_dual(f, &env, "x").map(|d| d.eps);
    let reverse = reverse_gradient(f, &env, &["x"]).map(|(_, g)| g[0]);
    // An intermediate that rounds to the end of a domain in f64 (`tanh(23.8)` is 1.0, so
    // `asin` of it has no slope) stops the AD evaluators at a point where the function is
    // smooth: not a point where they can be compared.
    let at_rounded_end = |r: &Result<f64, deriv::EvalError>| matches!(r, Err(e) if e.reason == deriv::EvalReason::NotDifferentiable);
    if at_rounded_end(&dual) || at_rounded_end(&reverse) {
        return None;
    }
    let check = || -> Result<(), String> {
        let dual = dual.map_err(|e| format!("dual failed: {:?}", e.reason))?;
        let reverse = reverse.map_err(|e| format!("reverse failed: {:?}", e.reason))?;
        for (name, value, tol) in [
            ("central", coarse, 1e-6),
            ("dual", dual, 1e-9),
            ("reverse", reverse, 1e-9),
        ] {
            if !close(symbolic, value, tol) {
                return Err(format!(
                    "symbolic {symbolic} vs {name} {value} at ({px}, {py})"
                ));
            }
        }
        Ok(())
    };
    Some(check())
}

/// The largest magnitude among the values of `f`'s subexpressions at `env` (those that
/// evaluate).
fn largest_intermediate(f: &Expr, env: &Env) -> f64 {
    f.postorder()
        .iter()
        .filter_map(|sub| eval(sub, env).ok())
        .fold(0.0, |largest, v| largest.max(v.abs()))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    #[test]
    fn random_expressions_agree_with_the_numbers(f in common::expr(), (px, py) in common::point()) {
        if let Some(outcome) = random_case(&f, px, py) {
            prop_assert!(outcome.is_ok(), "{}: {}", common::sexpr(&f), outcome.err().unwrap_or_default());
        }
    }

    #[test]
    fn mixed_partials_agree_in_either_order(f in common::expr(), (px, py) in common::point()) {
        let env = Env::new().with("x", px).with("y", py);
        let xy = diff_wrt(&f, &["x", "y"]).ok().and_then(|d| eval(&d, &env).ok());
        let yx = diff_wrt(&f, &["y", "x"]).ok().and_then(|d| eval(&d, &env).ok());
        if let (Some(a), Some(b)) = (xy, yx) {
            prop_assert!(close(a, b, 1e-8), "{} vs {}", a, b);
        }
    }
}

#[test]
fn the_substitution_helpers_keep_values() {
    let f = x().sin() * Expr::sym("y");
    let g = substitute_y(&f, &Expr::int(2));
    assert_eq!(eval(&g, &at(0.5)), Ok(2.0 * 0.5f64.sin()));
    let h = undefined_as_sine(&Expr::undef("f".into(), 1, x()));
    assert!(close(
        eval(&h, &at(0.5)).unwrap_or(f64::NAN),
        0.5f64.cos(),
        1e-15
    ));
}

/// Found by the random test: `0^x` is flat for `x > 0`, so forward mode must not take
/// `ln(0)` for its slope in the exponent.
#[test]
fn zero_to_a_positive_power_is_flat_in_the_exponent() {
    let f = Expr::int(0).pow(x()).pow(x()).sign();
    let env = at(1.1333717917389148);
    assert_eq!(eval_dual(&f, &env, "x").map(|d| d.eps), Ok(0.0));
    let g = Expr::int(0).pow(x());
    assert_eq!(
        eval_dual(&g, &env, "x").map(|d| (d.re, d.eps)),
        Ok((0.0, 0.0))
    );
}
