//! The real `deriv` binary: arguments, batch mode, JSON lines, exit codes.

use std::io::Write;
use std::process::{Command, Output, Stdio};

use serde_json::Value;

fn deriv(args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_deriv"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    if let Some(mut input) = child.stdin.take() {
        input
            .write_all(stdin.as_bytes())
            .expect("stdin is writable");
    }
    child.wait_with_output().expect("the binary finishes")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn json_lines(output: &Output) -> Vec<Value> {
    stdout(output)
        .lines()
        .map(|l| serde_json::from_str(l).expect("each line is JSON"))
        .collect()
}

#[test]
fn differentiates_an_example() {
    let out = deriv(&["x^2*sin(x)"], "");
    assert!(out.status.success());
    assert_eq!(stdout(&out), "x*(x*cos(x) + 2*sin(x))\n");
}

#[test]
fn names_that_are_not_variables_are_refused() {
    for name in ["pi", "e", "sin", "", "x y", "2"] {
        let out = deriv(&["--wrt", name, "x^2"], "");
        assert_eq!(out.status.code(), Some(2), "--wrt {name:?}");
        let message = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(message.contains("is not a variable name"), "{message}");
    }
    let out = deriv(&["grad", "--vars", "x,pi", "x*y"], "");
    assert_eq!(out.status.code(), Some(2));
    // A parse error is reported under one heading.
    let out = deriv(&["grad", "--vars", "x", "x +"], "");
    let message = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(message.starts_with("error: expected"), "{message}");
}

#[test]
fn variables_orders_and_formats() {
    assert_eq!(
        stdout(&deriv(&["--wrt", "y", "x^2*y^3"], "")),
        "3*x^2*y^2\n"
    );
    assert_eq!(
        stdout(&deriv(&["--wrt", "x", "--wrt", "y", "x^2*y^3"], "")),
        "6*x*y^2\n"
    );
    assert_eq!(stdout(&deriv(&["--order", "3", "x^4"], "")), "24*x\n");
    assert_eq!(stdout(&deriv(&["t^3"], "")), "3*t^2\n");
    assert_eq!(
        stdout(&deriv(&["--format", "latex", "sqrt(x)"], "")),
        "\\frac{1}{2 \\sqrt{x}}\n"
    );
    assert_eq!(stdout(&deriv(&["--no-simplify", "x*x^2"], "")), "3*x^2\n");
    assert_eq!(
        stdout(&deriv(&["simplify", "sin(x)^2 + cos(x)^2"], "")),
        "1\n"
    );
    assert_eq!(
        stdout(&deriv(&["--fn", "F", "F(x^2)"], "")),
        "2*x*F'(x^2)\n"
    );
}

#[test]
fn asks_for_the_variable_when_it_cannot_choose() {
    let out = deriv(&["a*b"], "");
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--wrt"));
}

#[test]
fn usage_errors_exit_with_two() {
    assert_eq!(deriv(&[], "").status.code(), Some(2));
    assert_eq!(deriv(&["--format", "yaml", "x"], "").status.code(), Some(2));
}

#[test]
fn a_formula_may_start_with_a_sign() {
    for args in [
        &["-x^2"][..],
        &["--", "-x^2"],
        &["-x^2", "--format", "text"],
        &["--order", "1", "-x^2"],
    ] {
        let out = deriv(args, "");
        assert!(out.status.success(), "{args:?}");
        assert_eq!(stdout(&out), "-2*x\n", "{args:?}");
    }
    assert_eq!(stdout(&deriv(&["simplify", "-x + 2x"], "")), "x\n");
    assert_eq!(stdout(&deriv(&["eval", "-x^2", "x=3"], "")), "-9\n");
    assert_eq!(
        stdout(&deriv(&["grad", "-x*y", "--vars", "x,y"], "")),
        "-y\n-x\n"
    );
    // The echo and the error's column are of the text as written.
    let out = deriv(&["--format", "json", "-x +"], "");
    let line = &json_lines(&out)[0];
    assert_eq!(line["input"], "-x +");
    assert_eq!(line["error"]["column"], 5);
    // A signed word given as an option's value is clap's error, without the mark.
    let out = deriv(&["--wrt", "-x", "x"], "");
    assert_eq!(out.status.code(), Some(2));
    assert!(!String::from_utf8_lossy(&out.stderr).contains("' -x'"));
    // `-h` is still help, and a mistyped long option is still reported as one.
    assert!(stdout(&deriv(&["-h"], "")).contains("Usage"));
    let out = deriv(&["--ordr", "2", "x^2"], "");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("'--order'"));
}

#[test]
fn a_parse_error_points_at_the_mistake() {
    let out = deriv(&["x + * 2"], "");
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("1 | x + * 2"), "{err}");
    assert!(err.contains("^"), "{err}");
}

#[test]
fn batch_answers_every_line_in_order_past_bad_ones() {
    let input = "x^2\n\n# a comment\nsin(\n1/0\nexp(2x)\n";
    let out = deriv(&["--format", "json", "-"], input);
    assert_eq!(out.status.code(), Some(1), "some lines failed");
    let lines = json_lines(&out);
    assert_eq!(lines.len(), 6);
    assert_eq!(lines[0]["derivative"], "2*x");
    assert_eq!(lines[0]["latex"], "2 x");
    assert_eq!(lines[1]["skipped"], true);
    assert_eq!(lines[2]["skipped"], true);
    assert_eq!(lines[3]["error"]["line"], 1);
    assert_eq!(lines[3]["error"]["column"], 5);
    assert!(
        lines[4]["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("undefined"))
    );
    assert_eq!(lines[5]["derivative"], "2*exp(2*x)");
}

#[test]
fn batch_lines_are_differentiated_by_x_and_one_formula_by_its_only_symbol() {
    // A batch is one question asked of many formulas: d/dx for every line, so a line
    // without x is 0, whatever symbols it has.
    let out = deriv(&["-"], "sin(t)\na*b\nx^2*y\npi^2\n");
    assert!(out.status.success());
    assert_eq!(stdout(&out), "0\n0\n2*x*y\n0\n");
    let out = deriv(&["--wrt", "t", "-"], "sin(t)\nx*t\n");
    assert_eq!(stdout(&out), "cos(t)\nx\n");
    // One formula on the command line: its only symbol when it has no x, else a question.
    assert_eq!(stdout(&deriv(&["sin(t)"], "")), "cos(t)\n");
    let out = deriv(&["a*b"], "");
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--wrt"));
}

#[test]
fn batch_of_good_lines_succeeds_and_text_mode_keeps_lines_aligned() {
    let out = deriv(&["-"], "x^3\nln(x)\n");
    assert!(out.status.success());
    assert_eq!(stdout(&out), "3*x^2\n1/x\n");
    let out = deriv(&["-"], "x^3\n)\nln(x)\n");
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 3);
    assert!(lines[1].starts_with("error: "));
}

#[test]
fn invalid_utf8_costs_only_its_own_line() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_deriv"))
        .args(["--format", "json", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    if let Some(mut input) = child.stdin.take() {
        input
            .write_all(b"x^2\n\xff\xfe\nx\n")
            .expect("stdin is writable");
    }
    let out = child.wait_with_output().expect("the binary finishes");
    let lines = json_lines(&out);
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[0]["derivative"], "2*x");
    assert!(
        lines[1]["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("UTF-8"))
    );
    assert_eq!(lines[2]["derivative"], "1");
}

#[test]
fn stats_and_explanations() {
    let out = deriv(
        &[
            "--format",
            "json",
            "--stats",
            "--explain",
            "sin(x)^4 - cos(x)^4",
        ],
        "",
    );
    let line = &json_lines(&out)[0];
    assert_eq!(line["derivative"], "2*sin(2*x)");
    let stats = &line["stats"];
    assert!(stats["tree"]["raw"].as_u64() > stats["tree"]["simplified"].as_u64());
    assert!(stats["egraph"]["nodes"].as_u64().is_some_and(|n| n > 0));
    assert_eq!(stats["egraph"]["stop"], "saturated");
    for phase in ["parse", "diff", "simplify", "print"] {
        assert!(stats["micros"][phase].is_u64(), "{phase}");
    }
    let steps = line["explain"].as_array().expect("an explain array");
    assert!(steps.iter().any(|s| s["rule"] == "pythagorean"));
    let text = stdout(&deriv(&["--explain", "acos(cos(x))"], ""));
    assert!(text.contains("sqrt-of-square"), "{text}");
    assert!(text.contains("abs-times-power"), "{text}");
    assert!(text.ends_with("\nsign(sin(x))\n"), "{text}");
}

#[test]
fn parallel_batch_prints_what_one_thread_prints_in_input_order() {
    // Lines of very different cost (and some errors), repeated past one chunk of lines, so
    // that threads finish out of order.
    let kinds = [
        "x^2*sin(x)",
        "sin(",
        "(x^2+1)^5/(x-1)^3",
        "",
        "exp(x)*ln(x)/sqrt(x^2+1)",
        "1/0",
        "x",
    ];
    let input: String = (0..1500)
        .map(|i| format!("{}\n", kinds[i % kinds.len()]))
        .collect();
    let one = deriv(&["--jobs", "1", "--format", "json", "-"], &input);
    let two = deriv(&["--jobs", "2", "--format", "json", "-"], &input);
    assert_eq!(one.status.code(), Some(1));
    assert_eq!(two.status.code(), Some(1));
    assert_eq!(stdout(&one), stdout(&two));
    let lines = json_lines(&two);
    assert_eq!(lines.len(), 1500);
    for (i, line) in lines.iter().enumerate() {
        assert_eq!(line["input"], kinds[i % kinds.len()], "line {i}");
    }
}

#[test]
fn batch_answers_each_line_before_the_next_arrives() {
    use std::io::{BufRead, BufReader};
    let mut child = Command::new(env!("CARGO_BIN_EXE_deriv"))
        .arg("-")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    let mut input = child.stdin.take().expect("stdin is piped");
    let mut output = BufReader::new(child.stdout.take().expect("stdout is piped"));
    for (formula, derivative) in [("x^3", "3*x^2"), ("sin(x)", "cos(x)")] {
        writeln!(input, "{formula}").expect("stdin is writable");
        input.flush().expect("stdin is writable");
        let mut answer = String::new();
        output.read_line(&mut answer).expect("an answer line");
        assert_eq!(answer.trim_end(), derivative);
    }
    drop(input);
    assert!(child.wait().expect("the binary finishes").success());
}

#[test]
fn cse_prints_the_derivative_at_the_size_of_its_dag() {
    let mut text = String::from("l1 = x; ");
    for k in 2..=10 {
        text.push_str(&format!("l{k} = 4*l{}*(1 - l{}); ", k - 1, k - 1));
    }
    text.push_str("l10");
    let out = deriv(&["--no-simplify", "--cse", "--", &text], "");
    assert!(out.status.success());
    let printed = stdout(&out);
    let bindings = printed.matches(';').count();
    assert!(
        (5..=30).contains(&bindings),
        "{bindings} bindings for l(10): {printed}"
    );
    let expected =
        deriv::diff(&deriv::parse(&text).expect("l(10) reads"), "x", 1).expect("a derivative");
    let read_back = deriv::parse(printed.trim()).expect("the bindings read back");
    assert_eq!(read_back, expected);
    let out = deriv(&["--cse", "--format", "json", "-"], "u = sin(x); u^2 + u\n");
    let lines = json_lines(&out);
    // Nothing shared in `sin(2*x) + cos(x)`: the bindings form is the plain text.
    assert_eq!(lines[0]["derivative"], "sin(2*x) + cos(x)");
    assert_eq!(lines[0]["cse"], lines[0]["derivative"]);
}

#[test]
fn a_variable_of_differentiation_cannot_be_bound() {
    let refused = "cannot bind `y`: it is a variable of differentiation";
    for args in [
        vec!["--wrt", "y", "y = x^2; y^2"],
        vec!["grad", "--vars", "x,y", "y = x^2; y^2"],
        vec!["compare", "--wrt", "y", "--at", "x=1,y=2", "y = x^2; y^2"],
    ] {
        let out = deriv(&args, "");
        assert!(!out.status.success(), "{args:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(refused), "{args:?}: {stderr}");
    }
    // In a batch, the line is refused and the next one answered.
    let out = deriv(
        &["--wrt", "y", "--format", "json", "-"],
        "y = x^2; y^2\nz = x; y*z\n",
    );
    let lines = json_lines(&out);
    assert_eq!(lines[0]["error"]["message"], refused);
    assert_eq!(lines[1]["derivative"], "x");
    // Other names may be bound.
    assert_eq!(stdout(&deriv(&["--wrt", "y", "z = x^2; y*z"], "")), "x^2\n");
}

#[test]
fn keep_bindings_differentiates_binding_by_binding() {
    let l3 = "l1 = 4*x*(1-x); l2 = 4*l1*(1-l1); l3 = 4*l2*(1-l2); l3";
    let out = deriv(&["--keep-bindings", l3], "");
    assert!(out.status.success());
    assert_eq!(
        stdout(&out),
        "l1 = 4*x*(1 - x); l2 = 4*l1*(1 - l1); l2_x = 16*(2*l1 - 1)*(2*x - 1); \
         4*l2_x*(1 - 2*l2)\n"
    );
    // A formula without bindings, or one whose bindings fold away once substituted, is
    // answered as without the flag.
    for text in ["x^2*sin(x)", "u = x^2; v = sqrt(u - x^2) + x; v*sin(x)"] {
        let kept = deriv(&["--keep-bindings", text], "");
        assert_eq!(stdout(&kept), stdout(&deriv(&[text], "")), "{text}");
    }
    let json = json_lines(&deriv(
        &["--keep-bindings", "--format", "json", "u = 2*x; sin(u)"],
        "",
    ));
    assert_eq!(json[0]["derivative"], "u = 2*x; 2*cos(u)");
    let refused = deriv(&["--keep-bindings", "u = -x^2 - 1; ln(u)"], "");
    assert_eq!(refused.status.code(), Some(1));
    let usage = deriv(&["--keep-bindings", "--cse", "u = x; u"], "");
    assert_eq!(usage.status.code(), Some(2));
}
