//! Programs: formulas whose bindings are kept as names, differentiated binding by binding
//! (forward mode). Every derivative program is checked against the derivative of the
//! substituted formula, numerically at random points, and its size against `n`.

mod common;

use deriv::{
    Binding, Env, EvalReason, Expr, Limits, ParseOptions, Program, diff, eval, parse,
    parse_program, program_to_text, simplify, undefined_subexpression,
};
use proptest::prelude::*;

/// The program's value at `env`, binding by binding: linear in the program's size, whatever
/// the substituted formula's tree size is.
fn eval_program(program: &Program, env: &Env) -> Option<f64> {
    eval_program_or_why(program, env).ok()
}

/// [`eval_program`], or why there is no value.
fn eval_program_or_why(program: &Program, env: &Env) -> Result<f64, EvalReason> {
    let mut env = env.clone();
    for binding in program.bindings() {
        let value = eval(&binding.value, &env).map_err(|e| e.reason)?;
        env = env.with(&binding.name, value);
    }
    eval(program.result(), &env).map_err(|e| e.reason)
}

fn close(a: f64, b: f64) -> bool {
    close_within(a, b, 1e-8)
}

fn close_within(a: f64, b: f64, tolerance: f64) -> bool {
    (a - b).abs() <= tolerance * (1.0 + a.abs().max(b.abs()))
}

fn logistic_text(n: usize) -> String {
    let mut text = String::from("l1 = x; ");
    for k in 2..=n {
        text.push_str(&format!("l{k} = 4*l{}*(1 - l{}); ", k - 1, k - 1));
    }
    text + &format!("l{n}")
}

fn program(text: &str) -> Program {
    parse_program(text, &ParseOptions::default())
        .unwrap_or_else(|e| panic!("{text}: {e}"))
        .program
}

/// `e` with `y` renamed `name`, so that random expressions in `x` and `y` can use a binding.
fn with_y_as(e: &Expr, name: &str) -> Expr {
    let to = Expr::sym(name);
    e.rewrite_bottom_up(|old, _| (old.as_sym().map(|s| &**s) == Some("y")).then(|| to.clone()))
}

/// `u = a(x, y); v = b(x, u); c(x, v)`: bindings that use each other.
fn chained(a: Expr, b: Expr, c: Expr) -> Program {
    let bindings = vec![
        Binding {
            name: "u".into(),
            value: a,
        },
        Binding {
            name: "v".into(),
            value: with_y_as(&b, "u"),
        },
    ];
    Program::new(bindings, with_y_as(&c, "v")).expect("names are bound once, in order")
}

/// Whether the program's derivative agrees with the substituted formula's wherever the
/// latter and the program itself have values (the substituted formula may have one where
/// the program has none: `sqrt(u)^2` reads as `u`).
fn agrees_at(
    p: &Program,
    d_program: &Program,
    d_inlined: &Expr,
    x: f64,
    y: f64,
) -> Result<(), String> {
    let env = Env::new().with("x", x).with("y", y);
    if eval_program(p, &env).is_none() {
        return Ok(());
    }
    let Ok(expected) = eval(d_inlined, &env) else {
        return Ok(());
    };
    if !expected.is_finite() || expected.abs() > 1e6 {
        return Ok(());
    }
    match eval_program_or_why(d_program, &env) {
        Ok(got) if close(got, expected) => Ok(()),
        // An intermediate value past f64 (`cosh(64*x^6)` at 2.5), not a point without one.
        Err(EvalReason::NonFinite) => Ok(()),
        got => Err(format!(
            "at x = {x}, y = {y}: {d_program} gives {got:?}, {d_inlined} gives {expected}"
        )),
    }
}

/// `chained(a, b, c)` and the derivative of its substituted formula, when `parse_program`
/// would keep its bindings (see `folds_across_bindings_are_found`), the command line would
/// answer it (not `csc(pi)`), and it has a derivative within the limits.
fn case(a: Expr, b: Expr, c: Expr) -> Option<(Program, Expr)> {
    let p = chained(a, b, c);
    let inlined = p.inline();
    if p.folds_across_bindings() || undefined_subexpression(&inlined).is_some() {
        return None;
    }
    let expected = diff(&inlined, "x", 1).ok()?;
    Some((p, expected))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(500))]

    #[test]
    fn program_derivatives_agree_with_the_substituted_formulas(
        a in common::expr(), b in common::expr(), c in common::expr(),
        (px, py) in common::point(),
    ) {
        let Some((p, expected)) = case(a, b, c) else { return Ok(()) };
        let d = p.diff("x").map_err(|e| TestCaseError::fail(e.to_string()))?;
        agrees_at(&p, &d, &expected, px, py).map_err(TestCaseError::fail)?;
        // The printed program reads back to the same derivative (in value: building the
        // substituted formula in another order can group a sum differently).
        let text = program_to_text(&d, &Default::default()).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let reread = parse(&text).map_err(|e| TestCaseError::fail(format!("{text}: {e}")))?;
        agrees_at(&p, &d, &reread, px, py).map_err(TestCaseError::fail)?;
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(60))]

    /// With each derivative simplified as it is made (as the command line does).
    #[test]
    fn simplified_program_derivatives_agree_too(
        a in common::expr(), b in common::expr(), c in common::expr(),
        (px, py) in common::point(),
    ) {
        let Some((p, expected)) = case(a, b, c) else { return Ok(()) };
        let limits = Limits::default().with_nodes(3_000);
        let d = p
            .diff_with("x", &Default::default(), |e| simplify(e, &limits).expr)
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        agrees_at(&p, &d, &expected, px, py).map_err(TestCaseError::fail)?;
    }
}

/// The logistic map kept as bindings: its derivative has two bindings per level, each of a
/// size that does not grow with `n`, and the values of the flattened derivative.
#[test]
fn the_logistic_map_differentiates_linearly() {
    for n in [5, 10, 30, 80] {
        let d = program(&logistic_text(n))
            .diff("x")
            .expect("differentiates");
        assert!(
            d.bindings().len() <= 2 * n,
            "l({n}): {} bindings",
            d.bindings().len()
        );
        let largest = d.bindings().iter().map(|b| b.value.tree_size()).max();
        assert!(
            largest.unwrap_or(0) <= 16,
            "l({n}): a binding of {largest:?} nodes"
        );
        if n <= 30 {
            let flat = diff(&parse(&logistic_text(n)).expect("parses"), "x", 1).expect("diff");
            for x in [0.1, 0.37, 0.8] {
                let env = Env::new().with("x", x);
                let expected = eval(&flat, &env).expect("defined");
                let got = eval_program(&d, &env).expect("defined");
                // The map is chaotic: rounding grows like its derivative, about 2^n.
                let tolerance = f64::EPSILON * 2f64.powi(n as i32) * 100.0;
                assert!(
                    close_within(got, expected, tolerance.max(1e-10)),
                    "l({n})' at {x}: {got} vs {expected}"
                );
            }
        }
    }
}

#[test]
fn a_name_bound_again_is_renamed_and_the_text_reads_back() {
    let text = "u = x^2 + 1; u = sin(u); v = u*u; v + u";
    let p = program(text);
    assert_eq!(
        p.to_string(),
        "u = x^2 + 1; u_2 = sin(u); v = u_2^2; u_2 + v"
    );
    assert_eq!(parse(&p.to_string()).ok(), parse(text).ok());
    assert_eq!(p.inline(), parse(text).expect("parses"));
}

#[test]
fn parse_errors_are_those_of_the_substituted_reading() {
    let options = ParseOptions::default();
    for text in [
        "u = x - x; 1/u",
        "u = (x; u",
        "u = 2; x = u; x",
        "v = w + 1; w = x; v",
    ] {
        let kept = parse_program(text, &options).map(|p| p.program);
        let substituted = deriv::parse_with(text, &options);
        assert_eq!(
            kept.err().map(|e| e.to_string()),
            substituted.err().map(|e| e.to_string()),
            "{text}"
        );
    }
}

#[test]
fn higher_derivatives_reuse_the_bindings_already_made() {
    let p = program("u = sin(x)^2; u*exp(u)");
    let d2 = p
        .diff("x")
        .and_then(|d| d.diff("x"))
        .expect("differentiates");
    let names: Vec<&str> = d2.bindings().iter().map(|b| &*b.name).collect();
    assert_eq!(names, ["u", "u_x", "u_x_x"]);
    let expected = diff(&parse("sin(x)^2*exp(sin(x)^2)").expect("parses"), "x", 2).expect("diff");
    for x in [-1.3, 0.2, 2.5] {
        let env = Env::new().with("x", x);
        let got = eval_program(&d2, &env).expect("defined");
        assert!(
            close(got, eval(&expected, &env).expect("defined")),
            "at {x}"
        );
    }
}

#[test]
fn the_variable_cannot_be_a_bound_name() {
    let p = Program::new(
        vec![Binding {
            name: "t".into(),
            value: Expr::sym("x").sin(),
        }],
        Expr::sym("t").pow(2),
    )
    .expect("a program");
    assert!(p.diff("t").is_err());
    assert!(p.diff("x").is_ok());
}

/// Parts that depend on `x` through the bindings but fold to constants once substituted:
/// the chain rule through the names would write `0/0` there, so such formulas are read as
/// the substituted formula.
#[test]
fn folds_across_bindings_are_found() {
    for text in [
        "u = x^2; v = sqrt(u - x^2) + x; v",
        "u = x^2; v = u*x^-2; sqrt(v - 1)",
        "u = 0; v = sqrt(u); sin(x + sqrt(v/x))",
        "u = 1 - x; v = u + x; sqrt(v - 1)",
        "u = y^2; v = u - y^2; sqrt(v*x)",
    ] {
        let p = program(text);
        assert!(p.bindings().is_empty(), "{text}: {p}");
        assert_eq!(p.result(), &parse(text).expect("parses"), "{text}");
    }
    for text in ["u = x^2; v = sqrt(u + 1); v*u", &logistic_text(20)] {
        let p = program(text);
        assert!(
            !p.folds_across_bindings() && !p.bindings().is_empty(),
            "{text}"
        );
    }
}

/// A binding to a number is written in place before differentiating, as the parser would
/// build it: `v = 0; x^(v^x)` is `x^(0^x)`, whose derivative does not go through `ln(v)`.
#[test]
fn atoms_are_written_in_place_before_differentiating() {
    let (x, v) = (Expr::sym("x"), Expr::sym("v"));
    let bindings = vec![Binding {
        name: "v".into(),
        value: Expr::int(0),
    }];
    let p = Program::new(bindings, x.clone().pow(v.pow(x))).expect("a program");
    let d = p.diff("x").expect("differentiates");
    assert!(d.bindings().is_empty(), "{d}");
    assert_eq!(
        d.result(),
        &diff(&p.inline(), "x", 1).expect("differentiates")
    );
    let env = Env::new().with("x", 0.47);
    assert!(eval_program(&d, &env).is_some(), "{d}");
}

/// A derivative equal to a binding's value is written as that name only where the name is
/// already bound: here `u_x = 2*x` equals `v`, bound after `w` uses `u_x`.
#[test]
fn derivatives_name_only_bindings_made_before_them() {
    let text = "u = x^2; w = u^3; v = 2*x; w*v + u";
    let d = program(text).diff("x").expect("differentiates");
    let printed = d.to_string();
    let reread = parse(&printed).unwrap_or_else(|e| panic!("{printed}: {e}"));
    let names: Vec<Binding> = d.bindings().to_vec();
    assert!(Program::new(names, d.result().clone()).is_ok(), "{printed}");
    let expected = diff(&parse(text).expect("parses"), "x", 1).expect("diff");
    for x in [-0.7, 0.4, 1.9] {
        let env = Env::new().with("x", x);
        let want = eval(&expected, &env).expect("defined");
        assert!(
            close(eval(&reread, &env).expect("defined"), want),
            "{printed} at {x}"
        );
        assert!(
            close(eval_program(&d, &env).expect("defined"), want),
            "{printed} at {x}"
        );
    }
}
