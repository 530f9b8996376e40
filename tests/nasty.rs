//! Hostile inputs through the real binary, each under a time bound the harness enforces:
//! the process is killed, and the test fails, if it does not finish in time.
//!
//! Each case asserts the exact outcome: the exit status and a fragment of the answer or of
//! the error. Big inputs are generated here, not stored. Library cases at the end build
//! expressions deeper than the parser accepts and check that dropping, comparing,
//! differentiating and printing them is safe on a small (2 MiB) thread stack.

use std::io::Write;
use std::process::{Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use deriv::{Expr, Kind, PrintLimits, to_text};

/// How long any one case may take (a debug build on a shared machine).
const TIME_BOUND: Duration = Duration::from_secs(10);

/// What a run must produce.
struct Outcome {
    /// Expected exit status.
    status: i32,
    /// Text that must appear in standard output and error together.
    fragment: &'static str,
}

fn ok(fragment: &'static str) -> Outcome {
    Outcome {
        status: 0,
        fragment,
    }
}

fn fails(fragment: &'static str) -> Outcome {
    Outcome {
        status: 1,
        fragment,
    }
}

/// Runs the binary with `args` and `stdin`, killing it after [`TIME_BOUND`]; returns the
/// exit status and the combined output.
fn run_bounded(args: &[&str], stdin: Vec<u8>) -> (i32, String, Duration) {
    let start = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_deriv"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    let mut input = child.stdin.take().expect("stdin is piped");
    // A refused line may be answered before it is read whole: a broken pipe is fine.
    let writer = thread::spawn(move || {
        let _ = input.write_all(&stdin);
    });
    let mut stdout = child.stdout.take().expect("stdout is piped");
    let mut stderr = child.stderr.take().expect("stderr is piped");
    let out_reader = thread::spawn(move || {
        let mut s = Vec::new();
        let _ = std::io::Read::read_to_end(&mut stdout, &mut s);
        s
    });
    let err_reader = thread::spawn(move || {
        let mut s = Vec::new();
        let _ = std::io::Read::read_to_end(&mut stderr, &mut s);
        s
    });
    let status = loop {
        if let Some(status) = child.try_wait().expect("the child can be waited for") {
            break status;
        }
        if start.elapsed() > TIME_BOUND {
            let _ = child.kill();
            let _ = child.wait();
            panic!("deriv {args:?} took more than {TIME_BOUND:?}: killed");
        }
        thread::sleep(Duration::from_millis(5));
    };
    let elapsed = start.elapsed();
    let _ = writer.join();
    let mut output = out_reader.join().expect("stdout reader");
    output.extend(err_reader.join().expect("stderr reader"));
    let code = status.code().unwrap_or(-1);
    (code, String::from_utf8_lossy(&output).into_owned(), elapsed)
}

/// Runs a case and checks its outcome.
fn check(name: &str, args: &[&str], stdin: Vec<u8>, expected: Outcome) {
    let (code, output, elapsed) = run_bounded(args, stdin);
    let shown: String = output.chars().take(300).collect();
    assert_eq!(
        code, expected.status,
        "{name}: exit status {code} after {elapsed:?}; output: {shown}"
    );
    assert!(
        output.contains(expected.fragment),
        "{name}: expected {:?} in the output; got: {shown}",
        expected.fragment
    );
}

/// A one-line batch on standard input.
fn line(text: String) -> Vec<u8> {
    let mut bytes = text.into_bytes();
    bytes.push(b'\n');
    bytes
}

const DEEP: usize = 100_000;
const TOO_DEEP: &str = "nested too deeply: the limit is 256 levels";

#[test]
fn deep_nesting_is_refused_at_once() {
    let cases = [
        (
            "parentheses",
            format!("{}x{}", "(".repeat(DEEP), ")".repeat(DEEP)),
        ),
        ("power tower", vec!["x"; DEEP].join("^")),
        ("signs", format!("{}x", "-".repeat(DEEP))),
        (
            "calls",
            format!("{}x{}", "sin(".repeat(DEEP), ")".repeat(DEEP)),
        ),
        ("unclosed", "(".repeat(DEEP)),
        ("bindings", deep_bindings(DEEP)),
    ];
    for (name, text) in cases {
        check(name, &["-"], line(text), fails(TOO_DEEP));
    }
}

/// `a1 = sin(x); a2 = sin(a1); ...`: each binding is shallow, their chain is deep.
fn deep_bindings(n: usize) -> String {
    let mut text = String::from("a0 = x;");
    for i in 1..n {
        text.push_str(&format!(" a{i} = sin(a{});", i - 1));
    }
    text.push_str(&format!(" a{}", n - 1));
    text
}

#[test]
fn a_long_sum_is_one_loop() {
    // 200,000 terms (about 2 MB): a million (10 MB) takes several seconds in a debug build;
    // the release figures are in the README.
    let n: u64 = 200_000;
    let text: Vec<String> = (0..n).map(|i| format!("{i}*x^{}", i % 3)).collect();
    // d/dx sum of i*x^(i%3) = sum over i%3==1 of i + 2x * sum over i%3==2 of i.
    let ones: u64 = (0..n).filter(|i| i % 3 == 1).sum();
    let twos: u64 = (0..n).filter(|i| i % 3 == 2).sum();
    let expected = format!("{}*x + {ones}", 2 * twos);
    let (code, output, _) = run_bounded(&["-"], line(text.join("+")));
    assert_eq!(code, 0, "{output}");
    assert_eq!(output.trim(), expected);
}

#[test]
fn huge_numbers_and_powers_stay_small() {
    let cases = [
        ("x^1000000", ok("1000000*x^999999")),
        ("(x+1)^100000", ok("100000*(x + 1)^99999")),
        ("10^10^10", ok("0")),
        ("x^(10^10^10)", ok("10^10000000000*x^(10^10000000000 - 1)")),
        ("1e1000000", fails("number too large")),
        ("1e-1000000", fails("number too large")),
        ("1e10000^1e10000", ok("0")),
        ("1e10000*1e10000*1e10000*x", ok("1")),
    ];
    for (text, outcome) in cases {
        check(text, &["--", text], Vec::new(), outcome);
    }
}

#[test]
fn a_product_of_many_huge_numbers_is_refused_at_once() {
    // Found while measuring: 600 factors of `1e10000` (5 KB) took 18 s to multiply out.
    let text = vec!["1e10000"; 600].join("*") + "*x";
    check(
        "600 huge factors",
        &["--", &text],
        Vec::new(),
        fails("numbers too large: the numbers multiplied here would have more than 131072 bits"),
    );
    let bound = format!("a = 2^4000; {}", vec!["a"; 40].join("*"));
    check(
        "bound huge factors",
        &["--", &bound],
        Vec::new(),
        fails("numbers too large"),
    );
}

#[test]
fn high_orders_answer_or_refuse() {
    check(
        "order 1000",
        &["--order", "1000", "x^3"],
        Vec::new(),
        ok("0"),
    );
    check(
        "order 1001",
        &["--order", "1001", "x^3"],
        Vec::new(),
        fails("derivative order 1001 is above the limit of 1000"),
    );
    check(
        "order 100 of exp(x^2)",
        &["--order", "100", "exp(x^2)"],
        Vec::new(),
        ok("*exp(x^2)"),
    );
}

#[test]
fn undefined_values_are_named() {
    let cases = [
        ("1/0", "`1/0` is undefined"),
        ("0^-1", "`1/0` is undefined"),
        ("ln(0)", "`ln(0)` is undefined"),
        ("log(x, 1)", "`1/0` is undefined"),
        ("sqrt(-1)", "`sqrt(-1)` is undefined"),
        ("x + ln(-1)", "`ln(-1)` is undefined"),
        ("ln(-x^2 - 1)", "`ln(-x^2 - 1)` is undefined"),
        ("x*(-x^2 - 2)^(3/2)", "`(-x^2 - 2)^(3/2)` is undefined"),
        ("ln(-x^2)", "`ln(-x^2)` is undefined"),
        // Rational arguments of one symbol: their real roots are counted exactly.
        (
            "ln(x^2/(x^2 + 1) - 1)",
            "`ln(x^2/(x^2 + 1) - 1)` is undefined",
        ),
        (
            "x + (x^2/(x^2 + 1) - 1)^(1/4)",
            "`(x^2/(x^2 + 1) - 1)^(1/4)` is undefined",
        ),
        ("acosh(x/(x^2 + 1))", "`acosh(x/(x^2 + 1))` is undefined"),
        (
            "asin(x^4 - 2*x^2 + 2)",
            "`asin(x^4 - 2*x^2 + 2)` is real at most at isolated points, where \
             `x^4 - 2*x^2 + 2` is 1, so it has no derivative",
        ),
        // Of several: their sums are put over one denominator first.
        (
            "ln(x^2/(x^2 + y^2 + 1) - 1)",
            "`ln((-y^2 - 1)/(x^2 + y^2 + 1))` is undefined, once arguments are put over one \
             denominator",
        ),
        (
            "sqrt(-x^2/(x^2 + 1))",
            "`sqrt(-x^2/(x^2 + 1))` is real at most at isolated points, where \
             `-x^2/(x^2 + 1)` is 0, so it has no derivative",
        ),
        (
            "asin(x^2 + 1)",
            "`asin(x^2 + 1)` is real at most at isolated points, where `x^2 + 1` is 1, so it \
             has no derivative",
        ),
        (
            "x + acos(-sec(x))",
            "`acos(-sec(x))` is real at most at isolated points, where `-sec(x)` is -1 or 1, so \
             it has no derivative",
        ),
        (
            "sqrt(x - 3) + ln(-x)",
            "`sqrt(x - 3)` is real on an interval only where x >= 3, and `ln(-x)` only where \
             x < 0: together they are real on no interval, so there is no derivative",
        ),
        (
            "ln(sin(x)) + ln(-sin(x))",
            "`ln(sin(x))` is real on an interval only where sin(x) > 0, and `ln(-sin(x))` only \
             where sin(x) < 0: together they are real on no interval, so there is no derivative",
        ),
        (
            "sqrt(x^2 - 1)*sqrt(1 - x^2)",
            "`sqrt(x^2 - 1)` is real on an interval only where x^2 >= 1, and `sqrt(1 - x^2)` \
             only where x^2 <= 1: together they are real on no interval",
        ),
        // Denominators that only the simplifier sees are 0.
        (
            "1/(sin(x)^2 + cos(x)^2 - 1)",
            "`1/(sin(x)^2 + cos(x)^2 - 1)` is undefined: `sin(x)^2 + cos(x)^2 - 1` is 0 for \
             every value of its symbols",
        ),
        (
            "x*y/(exp(x)*exp(y - x) - exp(y))",
            "`1/(exp(x)*exp(y - x) - exp(y))` is undefined: `exp(x)*exp(y - x) - exp(y)` is 0 \
             for every value of its symbols",
        ),
        // So are arguments of functions undefined at 0, and bases of powers that vary.
        (
            "ln(exp(x)*exp(-x) - 1)",
            "`ln(exp(x)*exp(-x) - 1)` is undefined: `exp(x)*exp(-x) - 1` is 0 for every value \
             of its symbols",
        ),
        // Poles at the exact values of the angle table.
        ("sec(asin(1))*x", "`sec(pi/2)` is undefined"),
        ("x/cos(5*pi/2)", "`1/0` is undefined"),
        ("ln(sin(pi))*x", "`ln(0)` is undefined"),
        // An inverse does not hide its function's pole.
        ("acoth(coth(x - x))", "`coth(0)` is undefined"),
        ("x/acos(sign(cos(pi/4)))", "`1/0` is undefined"),
    ];
    for (text, message) in cases {
        check(text, &["--", text], Vec::new(), fails(message));
    }
    // Every command refuses them, not only differentiation.
    check(
        "grad of a zero denominator",
        &["grad", "--vars", "x,y", "1/(sin(x)^2 + cos(x)^2 - 1) + y"],
        Vec::new(),
        fails("`sin(x)^2 + cos(x)^2 - 1` is 0 for every value of its symbols"),
    );
    check(
        "eval of a zero denominator",
        &["eval", "x/(exp(x)*exp(-x) - 1)", "x=1"],
        Vec::new(),
        fails("`e*exp(-1) - 1` is 0"),
    );
    // A sum 0 wherever it is defined, defined only for x >= 1. (`csc` is odd: it is read as
    // `-csc(x - cosh(acosh(x)))`, whose argument leads with a plus sign.)
    check(
        "zero only where acosh is defined",
        &["x*csc(cosh(acosh(x)) - x)"],
        Vec::new(),
        fails("`x - cosh(acosh(x))` is 0 for every value of its symbols"),
    );
    check(
        "a zero sum under sin in a denominator",
        &["x/sin(cosh(acosh(x)) - x)"],
        Vec::new(),
        fails(
            "`1/sin(x - cosh(acosh(x)))` is undefined: `sin(x - cosh(acosh(x)))` is 0 for every \
             value of its symbols",
        ),
    );
    // A sign of what is 0 for every value of its symbols: in f64 it is 1 or -1 (the sign of
    // a rounding error), which may be a sign, so the simplifier is asked, and proves it 0
    // (this was answered `1/0`).
    check(
        "a zero product under sign in a denominator",
        &["x/sign((cosh(1)^2 - sinh(1)^2 - 1)*x)"],
        Vec::new(),
        fails(
            "`1/sign(x*(sinh(1)^2 - cosh(1)^2 + 1))` is undefined: `sign(x*(sinh(1)^2 - \
             cosh(1)^2 + 1))` is 0 for every value of its symbols",
        ),
    );
    // A product with a zero sum among its factors is 0 (these were answered `x` and `1/x`),
    // and so is a sum of such.
    for (text, message) in [
        (
            "ln(x*(exp(x)*exp(-x) - 1))",
            "`x*(exp(x)*exp(-x) - 1)` is 0 for every value of its symbols",
        ),
        (
            "ln((sin(x)^2 + cos(x)^2 - 1)*x)*y",
            "`x*(sin(x)^2 + cos(x)^2 - 1)` is 0 for every value of its symbols",
        ),
        (
            "acosh(x*(exp(x)*exp(-x) - 1))",
            "`acosh(x*(exp(x)*exp(-x) - 1))` is undefined",
        ),
        (
            "ln(x*(exp(x)*exp(-x) - 1) + sin(sin(x)^2 + cos(x)^2 - 1))",
            "`x*(exp(x)*exp(-x) - 1) + sin(sin(x)^2 + cos(x)^2 - 1)` is 0 for every value",
        ),
        // Constants other than 0, outside a domain or at its end past which the function
        // has no value (these were answered 0 and `(-2)^x*ln(-2)`).
        (
            "sqrt(sin(x)^2 + cos(x)^2 - 2)",
            "`sin(x)^2 + cos(x)^2 - 2` is -1 for every value of its symbols",
        ),
        (
            "ln(exp(x)*exp(-x) - 2)",
            "`exp(x)*exp(-x) - 2` is -1 for every value of its symbols",
        ),
        (
            "atanh(cosh(x)^2 - sinh(x)^2)",
            "`sinh(x)^2 - cosh(x)^2` is -1 for every value of its symbols",
        ),
        (
            "(-2*(sin(x)^2 + cos(x)^2))^x",
            "`-2*(sin(x)^2 + cos(x)^2)` is -2 for every value of its symbols",
        ),
    ] {
        check(text, &["--", text], Vec::new(), fails(message));
    }
    // Real nowhere, though the checks on the formula cannot tell (`exp(x) + exp(-x)` looks
    // as if it could be below 1); its simplified derivative can: this was answered
    // `2*sinh(x)/sqrt(1 - 4*cosh(x)^2)`.
    check(
        "a derivative real on no interval",
        &["--", "asin(exp(x) + exp(-x))"],
        Vec::new(),
        fails(
            "the derivative `2*sinh(x)/sqrt(1 - 4*cosh(x)^2)` is real on no interval: \
             `1/sqrt(1 - 4*cosh(x)^2)` is undefined",
        ),
    );
    // Real nowhere, seen piece by piece: `max(x, 2) >= 2`. It was answered.
    check(
        "a function of max real nowhere",
        &["--", "asin(max(x, 2))"],
        Vec::new(),
        fails("`asin((x + abs(x - 2) + 2)/2)` is undefined"),
    );
    // Real only at the point where its `sign` changes form: atanh(0). It was answered 0.
    check(
        "a function of sign real at one point",
        &["--", "atanh(sign(x))"],
        Vec::new(),
        fails("`atanh(sign(x))` is real only where x is 0, so it has no derivative"),
    );
    // 0 where real (x >= 0), so flat there; the chain rule's answer divides by that 0 and
    // has no value anywhere: refused, where it was answered.
    check(
        "a root of what is 0 where real",
        &["--", "sqrt(x - abs(x))"],
        Vec::new(),
        fails(
            "the derivative `-(sign(x) - 1)/(2*sqrt(x - abs(x)))` is real on no interval: \
             `1/sqrt(x - abs(x))` is undefined",
        ),
    );
    // Read at the point, not first with the variable: what cancels is undefined there.
    check(
        "eval at a pole",
        &["eval", "tan(x)", "x=pi/2"],
        Vec::new(),
        fails("`tan(pi/2)` is undefined"),
    );
    check(
        "eval of 0/0",
        &["eval", "(x - 1)/(x - 1)", "x=1"],
        Vec::new(),
        fails("`1/0` is undefined"),
    );
    // What cancels is 0 though not written so: rounding makes it a tiny number, and its
    // reciprocal a huge one; the simplifier proves it 0. Both were answered 1 and ln(2).
    check(
        "eval of a cancelled 0 not written so",
        &[
            "eval",
            "(sin(x)^2 + cos(x)^2 - 1)/(sin(x)^2 + cos(x)^2 - 1)",
            "x=0.5",
        ],
        Vec::new(),
        fails("`sin(1/2)^2 + cos(1/2)^2 - 1` is 0"),
    );
    check(
        "eval of a logarithm to base 1 not written so",
        &[
            "eval",
            "log(x, sin(x)^2 + cos(x)^2)*ln(sin(x)^2 + cos(x)^2)",
            "x=2",
        ],
        Vec::new(),
        fails("`1/ln(sin(2)^2 + cos(2)^2)` is undefined: `ln(sin(2)^2 + cos(2)^2)` is 0"),
    );
    // At a domain's end, which rounding may put either side: refused as "may be exactly 0"
    // before; the simplifier proves the argument 1.
    check(
        "eval at a domain's end not written so",
        &["eval", "acosh(cosh(x)^2 - sinh(x)^2)", "x=3"],
        Vec::new(),
        ok("0"),
    );
    check(
        "eval at a pole not written so",
        &["eval", "atanh(sin(x)^2 + cos(x)^2)", "x=2"],
        Vec::new(),
        fails("`sin(2)^2 + cos(2)^2` is 1"),
    );
    check(
        "a constant denominator 0 not written so",
        &["--", "x/ln(sin(2)^2 + cos(2)^2)"],
        Vec::new(),
        fails("`ln(sin(2)^2 + cos(2)^2)` is 0"),
    );
    // A denominator 0 at the sample points only is not refused.
    check(
        "zero at a sample point",
        &["--", "1/((x - 0.37)*(x + 1.21))"],
        Vec::new(),
        ok("/("),
    );
    // A function defined at 0 of a sum that is 0 everywhere, or a power of such a sum, is
    // differentiated with the sum written 0: the chain rule would write 0/0 or ln(0), and
    // the simplifier could then equate the answer with anything (these were answered 0).
    for (text, answer) in [
        ("x + sin(sin(x)^2 + cos(x)^2 - 1)", "1"),
        ("sqrt(abs(x) - sqrt(x^2)) + x", "1"),
        ("(sin(2*x) - 2*sin(x)*cos(x))^(x^2 + 1) + x^2", "2*x"),
        ("(sin(x)^2 + cos(x)^2 - 1)^x + x", "1"),
        ("x*(sin(x)^2 + cos(x)^2 - 1) + x^2", "2*x"),
        ("sqrt(x*(exp(x)*exp(-x) - 1)) + x", "1"),
        // A constant radicand in the normal forms once divided forever (memory ran out).
        ("asin((x + 1)^2 - x^2 - 2*x - 1) + x^2", "2*x"),
        // Constant on each side of 0, at an end of the function's domain, where the chain
        // rule divides by 0: written as the sign they are (these were answered 0, and the
        // last `1/0`).
        ("x + acos(x/abs(x))", "1"),
        ("sin(x) + acos(abs(x)/x)", "cos(x)"),
        ("x*asin(x/abs(x))", "asin(sign(x))"),
        ("x + asec(abs(x^2 - 1)/(x^2 - 1))", "1"),
        ("x + acos(cbrt(x)^3/x)", "1"),
        ("acosh(sqrt(x^2)/x)*x + x", "acosh(sign(x)) + 1"),
    ] {
        check(text, &["--", text], Vec::new(), ok(answer));
    }
}

/// Parts of a formula that canonical construction cancels (`0*u`, `u - u`, `u/u`, `1^u`) or
/// whose domain it widens (`sqrt(u)^2`, `exp(ln(u))`): a part that is infinite (a pole) leaves
/// the formula without a value anywhere (each of these was answered `0`, `1` or the
/// derivative of what was left); one that is only outside the real domain cancels, as over
/// the complex numbers, where the folds are identities.
#[test]
fn cancelled_parts_that_are_infinite_are_refused() {
    for (text, message) in [
        ("x*0*tan(pi/2)", "`tan(pi/2)` is undefined"),
        ("tan(acot(0))*0*x", "`tan(pi/2)` is undefined"),
        ("(x - x)*ln(x - x)", "`ln(0)` is undefined"),
        ("x + csc(0) - csc(0)", "`csc(0)` is undefined"),
        ("x*1^ln(0)", "`ln(0)` is undefined"),
        ("x*cot(pi)/cot(pi)", "`cot(pi)` is undefined"),
        ("x + 0*atanh(1)", "`atanh(1)` is undefined"),
        ("x*ln(0)/ln(0)", "`ln(0)` is undefined"),
        ("exp(ln(cot(0)))", "`cot(0)` is undefined"),
        ("u = tan(pi/2); x + 0*u", "`tan(pi/2)` is undefined"),
    ] {
        check(text, &["--", text], Vec::new(), fails(message));
    }
    // Every command reads formulas so: points, values, lists.
    check(
        "eval",
        &["eval", "x + 0*cot(0)", "x=2"],
        Vec::new(),
        fails("`cot(0)` is undefined"),
    );
    check(
        "eval where a cancelled part is infinite",
        &["eval", "x + 0*ln(x - 2)", "x=2"],
        Vec::new(),
        fails("at x = 2: `ln(0)` is undefined"),
    );
    check(
        "a value",
        &["eval", "x", "x=0*cot(0)"],
        Vec::new(),
        Outcome {
            status: 2,
            fragment: "the value of `x`: `cot(0)` is undefined",
        },
    );
    check(
        "grad",
        &["grad", "x*y + 0*cot(0)", "--vars", "x,y"],
        Vec::new(),
        fails("`cot(0)` is undefined"),
    );
    check(
        "jacobian",
        &["jacobian", "[x*y, 0*cot(0)]", "--vars", "x,y"],
        Vec::new(),
        fails("`cot(0)` is undefined"),
    );
    // Parts that are finite cancel, real or not: these are answered as SymPy answers them.
    for (text, answer) in [
        ("x + ln(x) - ln(x)", "1"),
        ("x*ln(x)/ln(x)", "1"),
        ("sqrt(x)^2", "1"),
        ("x + 0*ln(-1)", "1"),
        ("x + 0*atanh(2)", "1"),
        ("sqrt(-9)^2 + sin(x)", "cos(x)"),
        ("((-x^2)^(5/2))^(-2)", "10/x^11"),
        ("ln(x) + 0*ln(-x)", "1/x"),
        ("exp(ln(x))", "1"),
        // `u^0 = 1` for every `u`, as `0^0 = 1` (and as in SymPy).
        ("x*cot(pi)^0", "1"),
    ] {
        check(text, &["--", text], Vec::new(), ok(answer));
    }
    // In a batch, the line that is refused costs no other line its answer.
    let (_, output, _) = run_bounded(&["-"], b"x^2\n0*cot(0)\nx + 0*ln(x)\n".to_vec());
    let mut lines: Vec<&str> = output.lines().collect();
    lines.sort_unstable();
    assert_eq!(
        lines,
        ["1", "2*x", "error: `cot(0)` is undefined"],
        "{output}"
    );
}

#[test]
fn empty_and_garbage_input() {
    check("empty", &[""], Vec::new(), fails("the input is empty"));
    check("blank", &["   "], Vec::new(), fails("the input is empty"));
    let garbage: Vec<u8> = (0..=255u8)
        .cycle()
        .take(4096)
        .filter(|&b| b != b'\n')
        .collect();
    check(
        "binary garbage",
        &["-"],
        line_bytes(garbage),
        fails("error"),
    );
    check(
        "invalid UTF-8",
        &["-"],
        line_bytes(vec![b'x', 0xff, b'+', 0xfe]),
        fails("the line is not valid UTF-8"),
    );
    check(
        "NUL",
        &["-"],
        line_bytes(vec![b'x', 0, b'x']),
        fails("error"),
    );
}

fn line_bytes(mut bytes: Vec<u8>) -> Vec<u8> {
    bytes.push(b'\n');
    bytes
}

#[test]
fn a_line_over_the_limit_is_refused() {
    // The limit is 64 MiB; a line one byte longer is refused without being parsed, and the
    // next line is still answered.
    let mut input = vec![b'x'; deriv::cli::MAX_LINE_BYTES + 1];
    input.extend_from_slice(b"\nx^2\n");
    let (code, output, _) = run_bounded(&["-"], input);
    assert_eq!(code, 1);
    let lines: Vec<&str> = output.lines().collect();
    assert_eq!(
        lines,
        [
            "error: the line is 67108866 bytes long; the limit is 67108864",
            "2*x"
        ]
    );
}

#[test]
fn a_batch_keeps_one_answer_per_line_whatever_fails() {
    let input = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/nasty/mixed.txt"
    ))
    .expect("the mixed batch exists");
    let mut input = input;
    // Lines that cannot be stored as text files: invalid UTF-8, a NUL, a very deep one.
    input.extend_from_slice(b"x\xff\n");
    input.extend_from_slice(b"x\0\n");
    input.extend(line(format!("{}x{}", "(".repeat(DEEP), ")".repeat(DEEP))));
    input.extend_from_slice(b"x^3\n");
    let expected = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/nasty/mixed.expected"
    ))
    .expect("the expected answers exist");
    let (code, output, _) = run_bounded(&["-"], input);
    assert_eq!(code, 1);
    let got: Vec<&str> = output.lines().collect();
    let want: Vec<&str> = expected.lines().collect();
    assert_eq!(got, want);
}

// -------------------------------------------------------------------------------------------
// Library: expressions deeper than the parser accepts, on a 2 MiB stack.

/// Runs `work` on a thread with a 2 MiB stack, the default for spawned threads.
fn on_small_stack(work: impl FnOnce() + Send + 'static) {
    thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(work)
        .expect("the thread starts")
        .join()
        .expect("no panic or overflow on a 2 MiB stack");
}

/// `sin(sin(...sin(x)))`, `n` deep, built by the constructors.
fn deep_chain(n: usize) -> Expr {
    (0..n).fold(Expr::sym("x"), |e, _| e.sin())
}

#[test]
fn dropping_a_deep_expression_is_safe() {
    on_small_stack(|| drop(deep_chain(1_000_000)));
}

#[test]
fn comparing_deep_expressions_is_safe() {
    on_small_stack(|| {
        let a = deep_chain(1_000_000);
        let b = deep_chain(1_000_000);
        assert!(a == b);
        assert_eq!(a.cmp(&b), std::cmp::Ordering::Equal);
        let c = deep_chain(999_999).cos();
        assert!(a != c);
    });
}

#[test]
fn printing_a_deep_expression_is_safe() {
    on_small_stack(|| {
        let e = deep_chain(100_000);
        let text = to_text(&e, &PrintLimits::default()).expect("600,000 characters fit");
        assert!(text.starts_with("sin(sin("));
        assert_eq!(text.len(), 100_000 * 5 + 1);
    });
}

#[test]
fn differentiating_a_deep_expression_is_safe() {
    on_small_stack(|| {
        // Four times deeper than the parser accepts (bindings can share, not deepen).
        let n = 1_000;
        let d = deriv::diff(&deep_chain(n), "x", 1).expect("within the size limit");
        // The chain rule: a product of the cosines of the n inner chains.
        assert!(matches!(d.kind(), Kind::Mul(factors) if factors.len() == n));
        // Printed, it is half a million nodes: over the printer's million characters.
        let printed = to_text(&d, &PrintLimits::default());
        assert!(printed.is_err_and(|e| e.to_string().contains("1000000")));
    });
}

// -------------------------------------------------------------------------------------------
// Crashes found by fuzzing (fuzz/), kept as regression tests.

/// Printing then parsing gives back the same expression.
fn round_trips(text: &str) {
    let e = deriv::parse(text).expect("parses");
    let printed = to_text(&e, &PrintLimits::default()).expect("fits");
    let back = deriv::parse(&printed).expect("the printed text parses");
    assert!(back == e, "{text} printed as {printed}");
}

#[test]
fn a_number_with_a_ten_thousand_digit_denominator_round_trips() {
    round_trips("1e-9999*999999999999999");
}

#[test]
fn a_number_longer_than_a_literal_reads_back_while_its_zeros_fit_an_exponent() {
    // `1e10000` is 10,001 digits (a literal may have 10,000): it prints as `1e10000`.
    let e = deriv::parse("1e10000").expect("parses");
    let printed = to_text(&e, &PrintLimits::default()).expect("fits");
    assert_eq!(printed, "1e10000");
    assert_eq!(deriv::parse(&printed).ok(), Some(e));
    // Twenty thousand zeros are past a literal's exponent: the digits print in full, which
    // is right but does not read back (a documented limit).
    let e = deriv::parse("1e10000*1e10000").expect("parses");
    let printed = to_text(&e, &PrintLimits::default()).expect("fits");
    assert_eq!(printed.len(), 20_001);
    let back = deriv::parse(&printed).expect_err("too many digits");
    assert!(matches!(
        back.kind(),
        deriv::ParseErrorKind::NumberTooLarge { .. }
    ));
}

/// Consecutive Fibonacci numbers, `F(n+1)` and `F(n)`, as decimal text: their ratio has the
/// longest continued fraction of any fraction of its size (every partial quotient is 1).
fn fibonacci_pair(n: usize) -> (String, String) {
    let (mut a, mut b) = (
        num_bigint::BigUint::from(0u32),
        num_bigint::BigUint::from(1u32),
    );
    for _ in 0..n {
        let next = &a + &b;
        a = b;
        b = next;
    }
    (b.to_string(), a.to_string())
}

#[test]
fn a_fraction_with_a_long_continued_fraction_is_safe() {
    // Found by fuzzing: the hash of `BigRational` recurses once per partial quotient, which
    // overflowed the stack on such a fraction (9,000 digits over 9,000 digits).
    let (numerator, denominator) = fibonacci_pair(43_000);
    assert!(numerator.len() < 10_000, "within the literal limit");
    let text = format!("{numerator}/{denominator}*x + x^2");
    on_small_stack(move || {
        let f = deriv::parse(&text).expect("the fraction reads");
        let d = deriv::diff(&f, "x", 1).expect("a derivative");
        let s = deriv::simplify(&d, &deriv::Limits::default());
        assert!(s.expr.contains_sym("x"));
    });
    let (numerator, denominator) = fibonacci_pair(43_000);
    let text = format!("{numerator}/{denominator}*x");
    check(
        "long continued fraction",
        &["--", &text],
        Vec::new(),
        ok("/"),
    );
}
