//! The ways to differentiate, side by side: symbolic, forward- and reverse-mode AD agree on
//! the public corpus; finite differences show the V of truncation and round-off; the
//! `eval`, `grad`, `hessian`, `jacobian` and `compare` subcommands of the real binary.

mod common;

use std::path::Path;
use std::process::{Command, Output};

use deriv::{
    Env, Expr, Limits, PrintLimits, compare, diff, difference_sweep, eval, eval_dual, eval_precise,
    gradient, parse, reverse_gradient, simplify, to_cse,
};
use serde_json::Value;

/// The corpus committed with the tests.
const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/corpus/public.txt");

/// `|a - b| <= tol * max(1, |a|, |b|)`: relative, except near zero.
fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol * 1f64.max(a.abs()).max(b.abs())
}

/// Values of `x` to try; the other symbols get fixed values.
const XS: &[f64] = &[0.3, 0.7, 1.3, 2.1, 0.05, -0.6, -1.7, 4.5];

fn point(symbols: &[String], x: f64) -> Env {
    let mut env = Env::new();
    for (i, s) in symbols.iter().enumerate() {
        let value = if s == "x" { x } else { 0.8 + 0.45 * i as f64 };
        env.set(s, value);
    }
    env
}

/// Checks every formula of `text`: at each point where all methods give a value, the
/// symbolic (as differentiated), forward-AD and reverse-AD partial derivatives agree to
/// 1e-12, and the simplified symbolic one (when small) to 1e-9;
/// every formula has at least two such points. Returns how many comparisons were made.
fn check_corpus(text: &str) -> usize {
    let mut compared = 0;
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let f = parse(line).unwrap_or_else(|e| panic!("{line}: {e}"));
        let symbols: Vec<String> = f.free_symbols().iter().map(|s| s.to_string()).collect();
        let vars: Vec<&str> = symbols.iter().map(String::as_str).collect();
        let symbolic: Vec<Expr> = gradient(&f, &vars).unwrap_or_else(|e| panic!("{line}: {e}"));
        let simplified: Vec<Expr> = symbolic
            .iter()
            .map(|d| simplify(d, &Limits::default()).expr)
            .collect();
        let mut points = 0;
        for &x in XS {
            let env = point(&symbols, x);
            let Ok((_, reverse)) = reverse_gradient(&f, &env, &vars) else {
                continue;
            };
            let Ok(exact) = symbolic
                .iter()
                .map(|d| eval(d, &env))
                .collect::<Result<Vec<f64>, _>>()
            else {
                continue;
            };
            let Ok(short) = simplified
                .iter()
                .map(|d| eval(d, &env))
                .collect::<Result<Vec<f64>, _>>()
            else {
                continue;
            };
            for (i, var) in vars.iter().enumerate() {
                let forward = eval_dual(&f, &env, var).map(|d| d.eps);
                let forward = forward.unwrap_or_else(|e| panic!("{line} at x={x}: {e}"));
                assert!(
                    close(exact[i], forward, 1e-12) && close(exact[i], reverse[i], 1e-12),
                    "{line}, d/d{var} at x={x}: symbolic {} forward {forward} reverse {}",
                    exact[i],
                    reverse[i]
                );
                // The simplified form can be an expanded polynomial that loses digits to
                // cancellation: 5e-8 relative on the fourth logistic iterate (degree 16) at
                // 0.7, 3e-5 on the fifth (degree 32) at 0.3. Large ones are not checked.
                assert!(
                    simplified[i].tree_size() > 50 || close(exact[i], short[i], 1e-9),
                    "{line}, d/d{var} at x={x}: raw {} simplified {}",
                    exact[i],
                    short[i]
                );
                compared += 1;
            }
            points += 1;
        }
        assert!(points >= 2, "{line}: only {points} points in the domain");
    }
    compared
}

#[test]
fn symbolic_forward_and_reverse_agree_on_the_corpus() {
    let text = std::fs::read_to_string(CORPUS).unwrap_or_else(|e| panic!("{CORPUS}: {e}"));
    let compared = check_corpus(&text);
    assert!(
        compared >= 2 * text.lines().count(),
        "{compared} comparisons"
    );
    // A newer corpus beside the repository, when there is one, is checked too.
    let shared = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/public.txt");
    if let Ok(text) = std::fs::read_to_string(shared) {
        check_corpus(&text);
    }
}

#[test]
fn finite_difference_errors_form_a_v() {
    for text in [
        "exp(sin(x))",
        "x^3*cos(x)",
        "ln(x^2 + 4)",
        "atan(2*x)",
        "sin(exp(x))",
    ] {
        let f = parse(text).unwrap_or_else(|e| panic!("{e}"));
        let env = Env::new().with("x", 0.7);
        let derivative = diff(&f, "x", 1).unwrap_or_else(|e| panic!("{e}"));
        let reference = eval_precise(&derivative, &env, 256).unwrap_or_else(|e| panic!("{e}"));
        let sweep = difference_sweep(&f, &env, "x", &reference);
        let shape = |pick: fn(&deriv::SweepPoint) -> Option<f64>| {
            let errors: Vec<f64> = sweep.iter().map(|p| pick(p).unwrap_or(f64::NAN)).collect();
            let best = (0..errors.len())
                .min_by(|&a, &b| errors[a].total_cmp(&errors[b]))
                .unwrap_or(0);
            let (first, last) = (errors[0], errors[errors.len() - 1]);
            (sweep[best].h, first / errors[best], last / errors[best])
        };
        let (h, left, right) = shape(|p| p.central);
        assert!(
            (1e-7..=1e-3).contains(&h),
            "{text}: central best at h = {h}"
        );
        assert!(
            left > 1e3 && right > 1e3,
            "{text}: central V {left} {right}"
        );
        let (h, left, right) = shape(|p| p.forward);
        assert!(
            (1e-10..=1e-6).contains(&h),
            "{text}: forward best at h = {h}"
        );
        assert!(
            left > 1e3 && right > 1e3,
            "{text}: forward V {left} {right}"
        );
    }
}

#[test]
fn compare_reports_every_method_with_small_errors() {
    let f = parse("x^2*sin(x)").unwrap_or_else(|e| panic!("{e}"));
    let c = compare(&f, &Env::new().with("x", 0.3), "x", &Limits::default())
        .unwrap_or_else(|e| panic!("{e}"));
    let names: Vec<&str> = c.methods.iter().map(|m| m.method).collect();
    assert_eq!(
        names,
        [
            "symbolic",
            "forward AD",
            "reverse AD",
            "forward difference",
            "central difference"
        ]
    );
    for m in &c.methods[..3] {
        assert!(m.rel_error.unwrap_or(1.0) < 1e-14, "{m:?}");
    }
    let forward = &c.methods[3];
    let central = &c.methods[4];
    assert!(central.abs_error < forward.abs_error);
    assert!(forward.rel_error.unwrap_or(1.0) < 1e-6 && central.rel_error.unwrap_or(1.0) < 1e-9);
    assert!(c.methods.iter().all(|m| m.nanos > 0.0));
}

fn logistic(n: usize) -> String {
    let mut text = String::from("l1 = 4*x*(1-x); ");
    for k in 2..=n {
        text.push_str(&format!("l{k} = 4*l{}*(1-l{}); ", k - 1, k - 1));
    }
    text.push_str(&format!("l{n}"));
    text
}

#[test]
fn cse_of_the_logistic_derivative_is_linear_and_reads_back() {
    let mut counts = Vec::new();
    for n in [8, 12, 16] {
        let d = diff(
            &parse(&logistic(n)).unwrap_or_else(|e| panic!("{e}")),
            "x",
            1,
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let printed = to_cse(&d, &PrintLimits::default()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(parse(&printed).ok(), Some(d), "n = {n}");
        counts.push(printed.matches(';').count());
    }
    assert_eq!(counts[2] - counts[1], counts[1] - counts[0], "{counts:?}");
    assert!(counts[0] <= 60, "{counts:?}");
}

// ---------------------------------------------------------------------------------------------
// The real binary.

fn deriv(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_deriv"))
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("the binary starts: {e}"))
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn json(output: &Output) -> Value {
    serde_json::from_str(&stdout(output)).unwrap_or_else(|e| panic!("{e}: {}", stdout(output)))
}

#[test]
fn eval_subcommand() {
    assert_eq!(stdout(&deriv(&["eval", "x*y", "x=0.3", "y=2"])), "0.6\n");
    // The point is read into the formula exactly: `sin(pi/2)` is exactly 1.
    let out = deriv(&["eval", "sin(x)", "x=pi/2", "--format", "json"]);
    assert_eq!(json(&out)["value"], 1.0);
    assert_eq!(json(&out)["exact"], "1");
    let out = deriv(&["eval", "sin(x)", "x=1", "--format", "json"]);
    assert!(json(&out).get("exact").is_none(), "sin(1) is irrational");
    // Numbers fold exactly and the rest is computed with as many bits as it takes.
    let out = deriv(&[
        "eval",
        "(x + 1)^2 - x^2 - 2*x",
        "x=1e20",
        "--format",
        "json",
    ]);
    assert_eq!(json(&out)["value"], 1.0);
    assert_eq!(
        stdout(&deriv(&["eval", "(1 + 1/x)^x", "x=1e20"])),
        "2.718281828459045\n"
    );
    // Where 256 bits are wrong: `min` as `abs` cancels 260 bits, `(1 + 10^-100)` rounds to 1.
    assert_eq!(stdout(&deriv(&["eval", "min(1, exp(y))", "y=180"])), "1\n");
    assert_eq!(
        stdout(&deriv(&["eval", "(1 + 1/x)^x", "x=1e100"])),
        "2.718281828459045\n"
    );
    // A tiny value settles when its slope is as tiny: `erfc(85.2)` is `2^-10473`.
    assert_eq!(stdout(&deriv(&["eval", "erfc(x)", "x=85.2"])), "0\n");
    // `compare` asks the formula as written to be defined at the point, as `eval` does.
    let out = deriv(&["compare", "sqrt(x)^2", "--at", "x=-2"]);
    assert_eq!(out.status.code(), Some(1));
    // A rational value is computed exactly, so an exact 0 is 0 (no precision shows it).
    let out = deriv(&["compare", "x^2 - 2*x", "--at", "x=1"]);
    assert!(out.status.success());
    assert!(
        stdout(&out).contains("at 512 bits = 0.0"),
        "{}",
        stdout(&out)
    );
    // What cancels at every precision is refused, not printed as noise.
    let out = deriv(&["eval", "sin(x)^2 + cos(x)^2 - 1", "x=2"]);
    assert_eq!(out.status.code(), Some(1));
    let message = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(message.contains("does not settle"), "{message}");
    // No value where the formula as written has none, though its reading cancels it.
    for (formula, point) in [("sqrt(x)^2", "x=-2"), ("(x - 1)/sqrt(x - 2)", "x=1")] {
        let out = deriv(&["eval", formula, point]);
        assert_eq!(out.status.code(), Some(1), "{formula}");
    }
    // A value where only the formula as written is defined.
    assert_eq!(stdout(&deriv(&["eval", "(-2)^x", "x=2"])), "4\n");
    // Names that are not variables, and a name given twice, are refused.
    assert_eq!(deriv(&["eval", "pi", "pi=3"]).status.code(), Some(2));
    assert_eq!(deriv(&["eval", "x", "x=1", "x=2"]).status.code(), Some(2));
    let out = deriv(&["eval", "x^2/3 + y", "x=1/2", "y=1/7", "--format", "json"]);
    assert_eq!(json(&out)["exact"], "19/84");
    let out = deriv(&["eval", "ln(x)", "x=-1"]);
    assert_eq!(out.status.code(), Some(1));
    let message = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(
        message.contains("at x = -1: `ln(-1)` is undefined"),
        "{message}"
    );
    assert_eq!(deriv(&["eval", "x", "x"]).status.code(), Some(2));
    assert_eq!(deriv(&["eval", "x*y", "x=1"]).status.code(), Some(1));
}

#[test]
fn grad_hessian_and_jacobian_subcommands() {
    let out = deriv(&["grad", "x^2*y^3", "--vars", "x,y"]);
    assert!(out.status.success());
    assert_eq!(stdout(&out), "2*x*y^3\n3*x^2*y^2\n");
    let out = deriv(&["hessian", "x^2*y^3", "--vars", "x,y"]);
    assert_eq!(stdout(&out), "[2*y^3, 6*x*y^2]\n[6*x*y^2, 6*x^2*y]\n");
    let out = deriv(&["jacobian", "[x*y, x+y, sin(x)]", "--vars", "x,y"]);
    assert_eq!(stdout(&out), "[y, x]\n[1, 1]\n[cos(x), 0]\n");
    let out = deriv(&[
        "jacobian",
        "[x*y, x+y]",
        "--vars",
        "x,y",
        "--format",
        "json",
    ]);
    assert_eq!(
        json(&out)["jacobian"],
        serde_json::json!([["y", "x"], ["1", "1"]])
    );
    let out = deriv(&["grad", "x*y", "--vars", "x,y", "--format", "json"]);
    assert_eq!(json(&out)["gradient"], serde_json::json!(["y", "x"]));
    let out = deriv(&["hessian", "x^2*y", "--vars", "x,y", "--format", "latex"]);
    assert_eq!(
        stdout(&out),
        "\\begin{pmatrix} 2 y & 2 x \\\\ 2 x & 0 \\end{pmatrix}\n"
    );
    // The gradient is a column.
    let out = deriv(&["grad", "x^2*y", "--vars", "x,y", "--format", "latex"]);
    assert_eq!(
        stdout(&out),
        "\\begin{pmatrix} 2 x y \\\\ x^{2} \\end{pmatrix}\n"
    );
    let out = deriv(&["grad", "x +", "--vars", "x"]);
    assert_eq!(out.status.code(), Some(1));
    // A partial derivative real on no interval: the formula is real nowhere, though the
    // checks on the formula could not tell.
    let out = deriv(&["grad", "y*asin(exp(x) + exp(-x))", "--vars", "x,y"]);
    assert_eq!(out.status.code(), Some(1));
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(said.contains("real on no interval"), "{said}");
}

#[test]
fn cse_flag_prints_bindings_that_read_back() {
    let text = logistic(10);
    let out = deriv(&["grad", &text, "--vars", "x", "--cse", "--no-simplify"]);
    assert!(out.status.success());
    let printed = stdout(&out);
    let expected = diff(&parse(&text).unwrap_or_else(|e| panic!("{e}")), "x", 1).ok();
    assert_eq!(parse(printed.trim()).ok(), expected);
    assert!(printed.matches(';').count() <= 60);
}

#[test]
fn compare_subcommand_table_json_and_plot() {
    let out = deriv(&["compare", "exp(sin(x))", "--at", "x=0.3"]);
    assert!(out.status.success());
    let table = stdout(&out);
    for method in [
        "symbolic",
        "forward AD",
        "reverse AD",
        "forward difference",
        "central difference",
    ] {
        assert!(table.contains(method), "{table}");
    }
    let out = deriv(&[
        "compare", "x^2*y", "--at", "x=1,y=2", "--wrt", "y", "--format", "json",
    ]);
    let value = json(&out);
    assert_eq!(value["derivative"], "x^2");
    assert_eq!(value["methods"].as_array().map(Vec::len), Some(5));
    assert_eq!(value["sweep"].as_array().map(Vec::len), Some(61));
    let dir = std::env::temp_dir().join(format!("deriv-plot-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
    let svg = dir.join("errors.svg");
    let svg_arg = svg.to_string_lossy().into_owned();
    let out = deriv(&["compare", "sin(x)", "--at", "x=1", "--plot", &svg_arg]);
    assert!(out.status.success());
    let written = std::fs::read_to_string(&svg).unwrap_or_default();
    assert!(written.starts_with("<svg") && written.contains("central difference"));
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(
        deriv(&["compare", "ln(x)", "--at", "x=-1"]).status.code(),
        Some(1)
    );
}

/// The table with the time column replaced, so the snapshot is about structure and values.
fn redact_times(table: &str) -> String {
    table
        .lines()
        .map(|line| {
            let units = [" ns", " µs", " ms"];
            if units.iter().any(|u| line.ends_with(u)) {
                let cut = line
                    .trim_end()
                    .rfind(' ')
                    .and_then(|i| line[..i].rfind(' '));
                format!("{}[time]", &line[..cut.map_or(line.len(), |i| i + 1)])
            } else {
                line.to_owned()
            }
        })
        .collect::<Vec<String>>()
        .join("\n")
}

#[test]
fn snapshots_of_compare_and_cse() {
    let table = stdout(&deriv(&["compare", "x^2*sin(x)", "--at", "x=0.3"]));
    deriv_snapshot!("compare_table", redact_times(&table));
    let mut value = json(&deriv(&[
        "compare",
        "x^2*sin(x)",
        "--at",
        "x=0.3",
        "--format",
        "json",
    ]));
    if let Some(methods) = value["methods"].as_array_mut() {
        for m in methods {
            m["nanos"] = Value::from("[time]");
        }
    }
    let pretty = serde_json::to_string_pretty(&value).unwrap_or_default();
    deriv_snapshot!("compare_json", pretty);
    let cse = stdout(&deriv(&[
        "grad",
        &logistic(5),
        "--vars",
        "x",
        "--cse",
        "--no-simplify",
    ]));
    deriv_snapshot!("cse_logistic_5", cse);
}
