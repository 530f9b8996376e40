//! Textbook derivatives: every formula of `tests/data/diff/textbook.txt` is differentiated,
//! simplified, printed as text and LaTeX (snapshots, one per section), and checked
//! numerically: the simplified derivative must agree with forward-mode AD (dual numbers) on
//! the input and with a central difference, at every sample point where the input is defined.

use std::fmt::Write;

use deriv::{
    Env, Expr, Limits, PrintLimits, diff, eval, eval_dual, parse, prepare, simplify, to_latex,
    to_text,
};

mod common;

/// The sample points for `x`; other symbols take fixed values (see [`environment`]).
const POINTS: &[f64] = &[0.3, 0.77, 1.3, 2.1, 3.7, -0.4, -1.6, -2.9];

fn environment(x: f64) -> Env {
    Env::new()
        .with("x", x)
        .with("y", 0.9)
        .with("a", 1.7)
        .with("b", 0.6)
        .with("c", 2.3)
}

/// Checks `d` against `f'` at every sample point where `f` is defined and smooth; returns how
/// many points were checked.
fn check_numerically(input: &str, f: &Expr, d: &Expr) -> usize {
    let mut checked = 0;
    for &x in POINTS {
        let env = environment(x);
        let Ok(dual) = eval_dual(f, &env, "x") else {
            continue;
        };
        if !dual.re.is_finite() || !dual.eps.is_finite() {
            continue;
        }
        let symbolic =
            eval(d, &env).unwrap_or_else(|e| panic!("{input}: d/dx undefined at x = {x}: {e}"));
        let tolerance = 1e-9 * (1.0 + dual.eps.abs());
        assert!(
            (symbolic - dual.eps).abs() <= tolerance,
            "{input}: at x = {x}, symbolic {symbolic} but dual numbers {}",
            dual.eps
        );
        if let Some(central) = common::smooth_central_difference(f, &env, "x") {
            assert!(
                (symbolic - central).abs() <= 1e-5 * (1.0 + central.abs()),
                "{input}: at x = {x}, symbolic {symbolic} but central difference {central}"
            );
        }
        checked += 1;
    }
    checked
}

fn has_undefined_function(e: &Expr) -> bool {
    e.postorder()
        .iter()
        .any(|n| matches!(n.kind(), deriv::Kind::Undef { .. }))
}

#[test]
fn textbook_derivatives() {
    let data = include_str!("data/diff/textbook.txt");
    let mut sections: Vec<(String, String)> = Vec::new();
    for line in data.lines().map(str::trim).filter(|l| !l.is_empty()) {
        if let Some(title) = line.strip_prefix("# ") {
            if title.chars().next().is_some_and(char::is_uppercase) && !title.contains("snapshot") {
                sections.push((title.to_string(), String::new()));
            }
            continue;
        }
        let f = parse(line).unwrap_or_else(|e| panic!("{line}: {e}"));
        // As the command line reads it: operands constant though not written so are written
        // as their constants (`max(1, cos(x))` is 1).
        let prepared = prepare(&f).unwrap_or_else(|e| panic!("{line}: {e}"));
        let raw = diff(&prepared, "x", 1).unwrap_or_else(|e| panic!("{line}: {e}"));
        let d = simplify(&raw, &Limits::default()).expr;
        if !has_undefined_function(&f) {
            let checked = check_numerically(line, &f, &d);
            assert!(
                checked >= 2,
                "{line}: only {checked} sample points in the domain"
            );
        }
        let limits = PrintLimits::default();
        let text = to_text(&d, &limits).unwrap_or_else(|e| panic!("{line}: {e}"));
        let latex = to_latex(&d, &limits).unwrap_or_else(|e| panic!("{line}: {e}"));
        assert_eq!(
            parse(&text).ok().as_ref(),
            Some(&d),
            "{line}: `{text}` does not parse back"
        );
        let Some((_, body)) = sections.last_mut() else {
            panic!("a formula before any section")
        };
        let _ = writeln!(body, "d/dx {line}\n  = {text}\n  = {latex}\n");
    }
    assert!(sections.len() >= 8);
    for (title, body) in sections {
        let name = title
            .to_lowercase()
            .replace(|c: char| !c.is_alphanumeric(), "_");
        deriv_snapshot!(format!("textbook_{name}"), body);
    }
}
