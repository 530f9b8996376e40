//! Precedence, implicit multiplication, names, bindings, every error kind, and the bounds.

use std::time::{Duration, Instant};

use proptest::prelude::*;

use super::*;
use crate::expr::{Constant, Func, Kind};
use crate::syntax::{Prec, Side};

fn x() -> Expr {
    Expr::sym("x")
}

fn y() -> Expr {
    Expr::sym("y")
}

fn n(v: i64) -> Expr {
    Expr::int(v)
}

/// Parses `text`, which must be valid, and compares it with `expected`.
#[track_caller]
fn check(text: &str, expected: Expr) {
    match parse(text) {
        Ok(e) => assert!(e == expected, "`{text}` parsed to something else"),
        Err(error) => panic!("`{text}` failed:\n{error}"),
    }
}

/// Parses `a` and `b`, both valid, and checks that they mean the same.
#[track_caller]
fn same(a: &str, b: &str) {
    check(
        a,
        parse(b).unwrap_or_else(|error| panic!("`{b}` failed:\n{error}")),
    );
}

/// Parses `text`, which must fail, and checks the kind and the 1-based line and column.
#[track_caller]
fn fails(text: &str, kind: ParseErrorKind, line: usize, column: usize) -> ParseError {
    fails_with(text, &ParseOptions::default(), kind, line, column)
}

#[track_caller]
fn fails_with(
    text: &str,
    options: &ParseOptions,
    kind: ParseErrorKind,
    line: usize,
    column: usize,
) -> ParseError {
    match parse_with(text, options) {
        Ok(_) => panic!("`{text}` parsed but should fail with {kind:?}"),
        Err(error) => {
            assert_eq!(error.kind(), &kind, "kind for `{text}`:\n{error}");
            assert_eq!(
                (error.line(), error.column()),
                (line, column),
                "position for `{text}`:\n{error}"
            );
            error
        }
    }
}

fn unexpected(expected: &str, found: &str) -> ParseErrorKind {
    ParseErrorKind::Unexpected {
        expected: expected.to_owned(),
        found: found.to_owned(),
    }
}

// ---------------------------------------------------------------------------------------------
// Numbers and names.

#[test]
fn numbers_are_exact() {
    check("3", n(3));
    check("0.1", Expr::ratio(1, 10));
    check(".5", Expr::ratio(1, 2));
    check("2.5e-3", Expr::ratio(1, 400));
    check("1e6", n(1_000_000));
    check("1E6", n(1_000_000));
    check("1e+2", n(100));
    check("007", n(7));
}

#[test]
fn constants_and_unicode_names() {
    check("pi", Expr::pi());
    check("π", Expr::pi());
    check("e", Expr::constant(Constant::E));
    check("θ", Expr::sym("θ"));
    check("α_1 β", Expr::sym("α_1") * Expr::sym("β"));
    check("xy", Expr::sym("xy"));
    check("x2", Expr::sym("x2"));
}

/// Raised digits after a primary are its exponent, never part of a name: `x²` read as a
/// name would be a new variable, whose derivative is silently 0.
#[test]
fn raised_digits_are_exponents() {
    check("x²", x().pow(2));
    check("θ³", Expr::sym("θ").pow(3));
    check("x⁻¹²", x().pow(-12));
    check("x⁺²", x().pow(2));
    check("2³", n(8));
    check("2x³y", n(2) * x().pow(3) * Expr::sym("y"));
    check("sin(x)²", x().sin().pow(2));
    check("x₁²", Expr::sym("x₁").pow(2));
    check("u = x + 1; u²", (x() + n(1)).pow(2));
    assert!(parse("x⁻").is_err());
    assert!(parse("x¹²³⁴⁵⁶⁷⁸⁹⁰¹²³⁴⁵⁶⁷⁸⁹").is_err());
    assert!(parse("²").is_err());
}

#[test]
fn an_e_after_digits_is_an_exponent_only_before_digits() {
    check("2e", n(2) * Expr::constant(Constant::E));
    check("2e3", n(2000));
    check("2ex", n(2) * Expr::sym("ex"));
    check("2e-x", n(2) * Expr::constant(Constant::E) - x());
    check("2E", n(2) * Expr::sym("E"));
}

// ---------------------------------------------------------------------------------------------
// Precedence and associativity.

#[test]
fn power_binds_tighter_than_unary_minus() {
    check("-x^2", -(x().pow(2)));
    check("-2^2", n(-4));
    check("(-x)^2", x().pow(2));
    check("-x*y", -(x() * y()));
}

#[test]
fn power_is_right_associative_and_takes_signed_exponents() {
    check("2^3^2", n(512));
    check("x^y^2", x().pow(y().pow(2)));
    check("x^-1", x().recip());
    check("x^-y", x().pow(-y()));
    check("x^-y^2", x().pow(-(y().pow(2))));
    check("x^+2", x().pow(2));
    check("x**2", x().pow(2));
    check("x ** -2 ** 2", x().pow(n(-4)));
}

#[test]
fn sums_and_products_are_left_to_right() {
    check("x - y - 1", x() - y() - 1);
    check("x / y / 2", x() / y() / 2);
    check("x / y * 2", x() / y() * 2);
    check("1/2x", Expr::ratio(1, 2) * x());
    check("x + y*2", x() + y() * 2);
    check("(x + y)*2", (x() + y()) * 2);
    check("2 - -x", n(2) + x());
    check("x*-y", -(x() * y()));
    check("--x", x());
    check("+x", x());
}

#[test]
fn implicit_multiplication() {
    check("2x", n(2) * x());
    check("3x^2", n(3) * x().pow(2));
    check("2x^2", n(2) * x().pow(2));
    check("2(x+1)", n(2) * (x() + 1));
    check("(x+1)(x-1)", (x() + 1) * (x() - 1));
    check("2 sin(x)", n(2) * x().sin());
    check("x sin(x)", x() * x().sin());
    check("x y", x() * y());
    check("2pi", n(2) * Expr::pi());
    check("x^2y", x().pow(2) * y());
    check("x^2(x+1)", x().pow(2) * (x() + 1));
    check("2^x y", n(2).pow(x()) * y());
    check("x(x+1)", x() * (x() + 1));
    check("a(b+c)", Expr::sym("a") * (Expr::sym("b") + Expr::sym("c")));
    check("pi(x+1)", Expr::pi() * (x() + 1));
    check("x/2y", x() / 2 * y());
}

#[test]
fn whitespace_is_ignored_between_tokens() {
    same(" \t x\t+ y ", "x+y");
    same("sin (x)", "sin(x)");
    same("x\n+\r\ny", "x+y");
    same("x ^ 2", "x^2");
}

#[test]
fn parsing_agrees_with_the_printers_precedence_table() {
    // Wherever the table lets the printer drop parentheses, the text without them must read
    // back as the same expression.
    let ops = [
        ("+", Prec::Sum),
        ("-", Prec::Sum),
        ("*", Prec::Product),
        ("/", Prec::Product),
        ("^", Prec::Power),
    ];
    for (parent, parent_prec) in ops {
        for (child, child_prec) in ops {
            let cases = [
                (
                    Side::Left,
                    format!("(a {child} b) {parent} c"),
                    format!("a {child} b {parent} c"),
                ),
                (
                    Side::Right,
                    format!("a {parent} (b {child} c)"),
                    format!("a {parent} b {child} c"),
                ),
            ];
            for (side, with, without) in cases {
                if !child_prec.needs_parens_in(parent_prec, side) {
                    same(&without, &with);
                }
            }
        }
    }
    // A negation as an exponent needs none; as a base it does.
    assert!(!Prec::Neg.needs_parens_in(Prec::Power, Side::Right));
    same("a^-b", "a^(-b)");
    assert!(Prec::Neg.needs_parens_in(Prec::Power, Side::Left));
    assert!(parse("-a^2") != parse("(-a)^2"));
}

// ---------------------------------------------------------------------------------------------
// Functions.

#[test]
fn known_functions_and_aliases() {
    check("sin(x)", x().sin());
    check("arcsin(x)", x().asin());
    check("arctan(x)", x().atan());
    check("acoth(x)", Expr::call(Func::Acoth, x()));
    check("sqrt(x)", x().sqrt());
    check("log(x)", x().ln());
    check("log(x, 2)", x().ln() / n(2).ln());
    check("abs(x) sign(x)", x().abs() * x().sign());
    check("sin(x)^2", x().sin().pow(2));
    for f in Func::ALL {
        check(&format!("{}(x)", f.name()), Expr::call(*f, x()));
    }
}

#[test]
fn declared_functions_and_primes() {
    let f = |order, arg| Expr::undef("f".into(), order, arg);
    check("f(x)", f(0, x()));
    check("f'(x)", f(1, x()));
    check("f''(x^2)", f(2, x().pow(2)));
    check(
        "g(x) + h(x)",
        Expr::undef("g".into(), 0, x()) + Expr::undef("h".into(), 0, x()),
    );
    check("f", Expr::sym("f"));
    check("m g h", Expr::sym("m") * Expr::sym("g") * Expr::sym("h"));
    let options = ParseOptions::default().with_function("phi");
    assert_eq!(
        parse_with("phi(x)", &options),
        Ok(Expr::undef("phi".into(), 0, x()))
    );
}

// ---------------------------------------------------------------------------------------------
// Bindings.

#[test]
fn bindings_share_their_node() {
    let e = parse("u = 4*x*(1-x); v = 4*u*(1-u); 4*v*(1-v)").unwrap_or_else(|e| panic!("{e}"));
    let u = n(4) * x() * (n(1) - x());
    let v = n(4) * u.clone() * (n(1) - u);
    assert_eq!(e, n(4) * v.clone() * (n(1) - v));
    // Shared, not copied: the DAG is far smaller than the tree.
    assert!(e.dag_size() < 20);
}

#[test]
fn every_use_of_a_binding_is_the_same_node() {
    let items = parse_list("u = sin(x) + y; [u, 2, u]", &ParseOptions::default());
    let items = items.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(items[0].id(), items[2].id());
}

#[test]
fn a_binding_may_shadow_an_earlier_one() {
    same(
        "l = x; l = 4l(1-l); l = 4l(1-l); l",
        "4(4x(1-x))(1-4x(1-x))",
    );
    same("ab = x + 1; ab(ab)", "(x+1)^2");
}

#[test]
fn lists() {
    let options = ParseOptions::default();
    assert_eq!(
        parse_list("[x*y, x+y, sin(x)]", &options),
        Ok(vec![x() * y(), x() + y(), x().sin()])
    );
    assert_eq!(parse_list("u = x; [u]", &options), Ok(vec![x()]));
    let error = parse_list("[x, y", &options).unwrap_err();
    assert_eq!(error.kind(), &ParseErrorKind::Unclosed { bracket: '[' });
    let error = parse_list("[x, ]", &options).unwrap_err();
    assert_eq!(error.kind(), &unexpected("an expression after `,`", "`]`"));
    let error = parse_list("x", &options).unwrap_err();
    assert_eq!(error.kind(), &unexpected("a list `[...]`", "`x`"));
    let error = parse_list("[x))", &options).unwrap_err();
    assert_eq!(
        (error.kind(), error.column()),
        (&ParseErrorKind::Unopened { bracket: ')' }, 3)
    );
}

#[test]
fn from_str_reads_with_the_defaults() {
    assert_eq!("x^2".parse::<Expr>(), Ok(x().pow(2)));
    assert!("x +".parse::<Expr>().is_err());
}

// ---------------------------------------------------------------------------------------------
// Every error kind, with its position.

#[test]
fn empty_input() {
    fails("", ParseErrorKind::Empty, 1, 1);
    fails("  \t ", ParseErrorKind::Empty, 1, 1);
}

#[test]
fn dangling_operators_and_stray_characters() {
    fails(
        "x + ",
        unexpected("an expression after `+`", "end of input"),
        1,
        5,
    );
    fails("* x", unexpected("an expression", "`*`"), 1, 1);
    fails(
        "x * / y",
        unexpected("an expression after `*`", "`/`"),
        1,
        5,
    );
    fails(
        "x ^",
        unexpected("an exponent after `^`", "end of input"),
        1,
        4,
    );
    fails(
        "x $ y",
        unexpected("an operator or end of input", "`$`"),
        1,
        3,
    );
    fails(
        "x - ",
        unexpected("an expression after `-`", "end of input"),
        1,
        5,
    );
    fails(
        "-",
        unexpected("an expression after `-`", "end of input"),
        1,
        2,
    );
    fails(
        "x 2",
        unexpected(
            "an operator before this number (write `*` to multiply by it)",
            "`2`",
        ),
        1,
        3,
    );
    fails(
        "x, y",
        unexpected("an operator or end of input", "`,`"),
        1,
        2,
    );
    fails("u = 1 = 2", unexpected("`;` or an operator", "`=`"), 1, 7);
    fails(
        "x == y",
        unexpected("an operator or end of input", "`=`"),
        1,
        3,
    );
    fails("_x", unexpected("an expression", "`_`"), 1, 1);
    fails(
        "x.y",
        unexpected("an operator or end of input", "`.`"),
        1,
        2,
    );
}

#[test]
fn unbalanced_parentheses_point_at_the_culprit() {
    fails("(x + 1", ParseErrorKind::Unclosed { bracket: '(' }, 1, 1);
    fails("((x) + 1", ParseErrorKind::Unclosed { bracket: '(' }, 1, 1);
    fails("x + (y", ParseErrorKind::Unclosed { bracket: '(' }, 1, 5);
    fails("sin(x", ParseErrorKind::Unclosed { bracket: '(' }, 1, 4);
    fails("x + 1)", ParseErrorKind::Unopened { bracket: ')' }, 1, 6);
    fails("sin(x))", ParseErrorKind::Unopened { bracket: ')' }, 1, 7);
    fails(")", unexpected("an expression", "`)`"), 1, 1);
    fails("()", unexpected("an expression after `(`", "`)`"), 1, 2);
    fails("(x]", unexpected("`)` or an operator", "`]`"), 1, 3);
}

#[test]
fn malformed_and_huge_numbers() {
    let bad = |reason: &str, text: &str| ParseErrorKind::BadNumber {
        text: text.to_owned(),
        reason: reason.to_owned(),
    };
    fails(
        "1.2.3",
        bad("a number has at most one decimal point", "1.2.3"),
        1,
        4,
    );
    fails("1e5.5", bad("an exponent is a whole number", "1e5.5"), 1, 4);
    fails(
        "1..2",
        bad("a number has at most one decimal point", "1..2"),
        1,
        3,
    );
    // A point without digits after it ends the number, as in Python: `5.` is 5.
    assert_eq!(parse("x + 1.").ok(), parse("x + 1").ok());
    assert_eq!(parse("5.*x").ok(), parse("5*x").ok());
    assert_eq!(parse("1.e3*x").ok(), parse("1000*x").ok());
    assert_eq!(parse("2.E-1 + x").ok(), parse("1/5 + x").ok());
    assert_eq!(parse("2.e").ok(), parse("2*e").ok());
    assert!(parse(".").is_err());
    let too_large = ParseErrorKind::NumberTooLarge {
        limit: MAX_EXPONENT_DIGITS,
    };
    fails("1e10001", too_large.clone(), 1, 1);
    fails("x + 1e-99999999999999999999999", too_large.clone(), 1, 5);
    fails(&"9".repeat(10_001), too_large.clone(), 1, 1);
    fails(
        &format!("0.{}1", "0".repeat(10_000)),
        too_large.clone(),
        1,
        1,
    );
    let tiny = format!("0.{}1", "0".repeat(10_000_000));
    assert_eq!(
        // 10 MB of digits: about a second in a debug build, minutes if it were quadratic.
        within(Duration::from_secs(6), || parse(&tiny)).map_err(|e| e.kind().clone()),
        Err(too_large.clone())
    );
    assert_eq!(parse(&format!("{}7", "0".repeat(100_000))), Ok(n(7)));
    assert!(parse("1e10000").is_ok());
    assert!(parse(&format!("0.{}1", "0".repeat(9_998))).is_ok());
}

#[test]
fn unknown_functions_suggest_the_nearest() {
    let unknown = |name: &str, suggestion: Option<&str>| ParseErrorKind::UnknownFunction {
        name: name.to_owned(),
        suggestion: suggestion.map(str::to_owned),
    };
    let error = fails("2 sinn(x)", unknown("sinn", Some("sin")), 1, 3);
    assert_eq!(
        error.message(),
        "unknown function `sinn`, did you mean `sin`? write `sinn*(...)` for a product"
    );
    fails("xy(z)", unknown("xy", None), 1, 1);
    fails("foo (x)", unknown("foo", None), 1, 1);
    fails(
        "sin x",
        ParseErrorKind::BareFunction {
            name: "sin".to_owned(),
            power: None,
        },
        1,
        1,
    );
    fails(
        "sqrt^2(x)",
        ParseErrorKind::BareFunction {
            name: "sqrt".to_owned(),
            power: Some(2),
        },
        1,
        1,
    );
    fails(
        "sin²(x)",
        ParseErrorKind::BareFunction {
            name: "sin".to_owned(),
            power: Some(2),
        },
        1,
        1,
    );
    fails(
        "sin^x(x)",
        ParseErrorKind::BareFunction {
            name: "sin".to_owned(),
            power: None,
        },
        1,
        1,
    );
}

#[test]
fn wrong_arity_names_the_function() {
    let arity = |name: &str, expected: &str, found| ParseErrorKind::Arity {
        name: name.to_owned(),
        expected: expected.to_owned(),
        found,
    };
    let error = fails("1 + sin(x, y)", arity("sin", "1", 2), 1, 5);
    assert_eq!(error.message(), "`sin` takes 1 argument, found 2");
    fails("log(x, 2, 3)", arity("log", "1 or 2", 3), 1, 1);
    fails("sqrt()", arity("sqrt", "1", 0), 1, 1);
    fails("f(x, y)", arity("f", "1", 2), 1, 1);
    fails("sin(x,)", unexpected("an argument after `,`", "`)`"), 1, 7);
}

#[test]
fn misplaced_primes() {
    let prime = |name: &str| ParseErrorKind::MisplacedPrime {
        name: name.to_owned(),
    };
    fails("x'", prime("x"), 1, 1);
    fails("sin'(x)", prime("sin"), 1, 1);
    fails("2 f'", prime("f"), 1, 3);
}

#[test]
fn binding_errors() {
    let undefined = |name: &str| ParseErrorKind::UndefinedBinding {
        name: name.to_owned(),
    };
    let reserved = |name: &str, role: &str| ParseErrorKind::ReservedName {
        name: name.to_owned(),
        role: role.to_owned(),
    };
    fails("u = v + 1; v = y; u", undefined("v"), 1, 5);
    fails("u = u + 1; u", undefined("u"), 1, 5);
    fails(
        "x = 2; x",
        reserved("x", "a variable of differentiation"),
        1,
        1,
    );
    fails("sin = 2; sin", reserved("sin", "a function"), 1, 1);
    fails("pi = 3; pi", reserved("pi", "a constant"), 1, 1);
    fails("e = 3; e", reserved("e", "a constant"), 1, 1);
    fails("f = y; f", reserved("f", "a declared function"), 1, 1);
    fails("u = y", ParseErrorKind::MissingFormula, 1, 6);
    fails(
        "u = y;",
        unexpected("a binding or an expression after `;`", "end of input"),
        1,
        7,
    );
    fails(
        "u = y;; u",
        unexpected("a binding or an expression after `;`", "`;`"),
        1,
        7,
    );
    fails(";x", unexpected("an expression", "`;`"), 1, 1);
    fails(
        "x + 1; y",
        unexpected(
            "end of input (only a binding `name = expression` may come before `;`)",
            "`;`",
        ),
        1,
        6,
    );
    fails(
        "u = ; u",
        unexpected("an expression after `=`", "`;`"),
        1,
        5,
    );
    // A free name that no later binding defines stays a variable.
    same("u = v + 1; u", "v + 1");
    // With another variable of differentiation, `x` may be bound.
    let options = ParseOptions {
        variables: vec!["t".into()],
        ..ParseOptions::default()
    };
    assert_eq!(
        parse_with("x = t^2; x", &options),
        Ok(Expr::sym("t").pow(2))
    );
}

#[test]
fn positions_are_lines_and_characters() {
    fails(
        "x +\n  * y",
        unexpected("an expression after `+`", "`*`"),
        2,
        3,
    );
    fails(
        "θ + α $",
        unexpected("an operator or end of input", "`$`"),
        1,
        7,
    );
    let error = fails(
        "θ $",
        unexpected("an operator or end of input", "`$`"),
        1,
        3,
    );
    assert_eq!(error.offset(), 3);
}

#[test]
fn too_deep() {
    let deep = ParseErrorKind::TooDeep { limit: MAX_DEPTH };
    let nested = format!(
        "{}x{}",
        "(".repeat(MAX_DEPTH + 1),
        ")".repeat(MAX_DEPTH + 1)
    );
    fails(&nested, deep.clone(), 1, MAX_DEPTH + 1);
    let fine = format!("{}x{}", "(".repeat(MAX_DEPTH), ")".repeat(MAX_DEPTH));
    check(&fine, x());
    let options = ParseOptions::default().with_max_depth(3);
    fails_with(
        "sin(sin(sin(sin(x))))",
        &options,
        ParseErrorKind::TooDeep { limit: 3 },
        1,
        16,
    );
    fails_with(
        "----x",
        &options,
        ParseErrorKind::TooDeep { limit: 3 },
        1,
        4,
    );
    assert!(parse_with("---x", &options).is_ok());
    fails_with(
        "x^x^x^x^x",
        &options,
        ParseErrorKind::TooDeep { limit: 3 },
        1,
        8,
    );
    assert!(parse_with("x^x^x^x", &options).is_ok());
}

// ---------------------------------------------------------------------------------------------
// Rendering.

#[test]
fn errors_render_with_the_line_and_a_caret() {
    let error = fails(
        "x + ",
        unexpected("an expression after `+`", "end of input"),
        1,
        5,
    );
    assert_eq!(
        error.to_string(),
        "error: expected an expression after `+`, found end of input\n --> 1:5\n  |\n1 | x + \n  |     ^"
    );
    let error = fails(
        "x +\n\ty $ 1",
        unexpected("an operator or end of input", "`$`"),
        2,
        4,
    );
    assert_eq!(error.to_string().lines().nth(3), Some("2 |  y $ 1"));
    assert_eq!(error.to_string().lines().nth(4), Some("  |    ^"));
}

#[test]
fn long_lines_render_a_window_around_the_mistake() {
    let text = format!("{}$ {}", "x + ".repeat(1_000), "y + ".repeat(1_000));
    let rendered = parse(&text).unwrap_err().to_string();
    let lines: Vec<&str> = rendered.lines().collect();
    assert!(lines[3].len() < 100, "{}", lines[3]);
    let caret = lines[4].find('^').unwrap_or(0);
    assert_eq!(lines[3].chars().nth(caret), Some('$'), "{rendered}");
    let long_name = format!("{}(x)", "q".repeat(1_000));
    assert!(parse(&long_name).unwrap_err().message().len() < 200);
}

// ---------------------------------------------------------------------------------------------
// Bounds: depth and length cost milliseconds, never the stack.

/// Runs `f` and checks that it took less than `bound`. The bounds are generous (the real
/// costs are far smaller, even in a debug build on a loaded machine); they only catch
/// quadratic time or runaway recursion, which would take minutes at these sizes.
#[track_caller]
fn within<T>(bound: Duration, f: impl FnOnce() -> T) -> T {
    let start = Instant::now();
    let result = f();
    assert!(start.elapsed() < bound, "took {:?}", start.elapsed());
    result
}

#[test]
fn very_deep_inputs_fail_fast() {
    let deep = ParseErrorKind::TooDeep { limit: MAX_DEPTH };
    let depth = 100_000;
    let inputs = [
        format!("{}x{}", "(".repeat(depth), ")".repeat(depth)),
        format!("{}x", "x^".repeat(depth)),
        format!("{}x", "-".repeat(depth)),
        format!("{}x{}", "sin(".repeat(depth), ")".repeat(depth)),
        format!("{}x", "2**-".repeat(depth)),
        format!("{}x", "(".repeat(depth)),
    ];
    for text in inputs {
        let error = within(Duration::from_secs(1), || parse(&text)).unwrap_err();
        assert_eq!(error.kind(), &deep);
    }
}

#[test]
fn long_sums_are_linear() {
    let terms = 100_000;
    let long = Duration::from_secs(10);
    let same_term = format!("{}x", "x + ".repeat(terms - 1));
    assert_eq!(
        within(long, || parse(&same_term)),
        Ok(n(terms as i64) * x())
    );
    let product = format!("{}x", "x*".repeat(terms - 1));
    assert_eq!(within(long, || parse(&product)), Ok(x().pow(terms as i64)));
    let distinct = (0..terms / 5)
        .map(|k| format!("{k}a{k}^2"))
        .collect::<Vec<_>>()
        .join(" - ");
    let e = within(long, || parse(&distinct)).unwrap_or_else(|e| panic!("{e}"));
    assert!(matches!(e.kind(), Kind::Add(xs) if xs.len() == terms / 5 - 1));
}

// ---------------------------------------------------------------------------------------------
// No input panics.

/// Tokens of the grammar, and a few that are not, for random inputs.
const TOKENS: &[&str] = &[
    "x", "y", "2", "0.5", ".5", "1e3", "1.2.3", "e", "pi", "π", "θ", "+", "-", "*", "/", "^", "**",
    "−", "×", "÷", "√", "²", "⁻", "|", "ln", "(", ")", "[", "]", ",", ";", "=", "'", " ", "\n",
    "sin", "log", "sqrt", "f", "f'", "u", "u =", "$", "é", "\u{0}", "9999999", "e99999",
];

proptest! {
    #[test]
    fn random_text_never_panics(text in "\\PC{0,40}") {
        let _ = parse(&text);
        let _ = parse_list(&text, &ParseOptions::default());
    }

    #[test]
    fn random_token_mixes_never_panic(picks in proptest::collection::vec(0..TOKENS.len(), 0..40)) {
        let text: String = picks.iter().map(|&k| TOKENS[k]).collect();
        if let Err(error) = parse(&text) {
            // The position is always inside the input, on a character boundary.
            prop_assert!(error.offset() <= text.len());
            prop_assert!(text.is_char_boundary(error.offset()));
            prop_assert!(!error.to_string().is_empty());
        }
        let _ = parse_list(&format!("[{text}]"), &ParseOptions::default());
    }
}

#[test]
fn the_nesting_bound_counts_levels_not_operators() {
    let sum = "3*x^2*y + ".repeat(10_000) + "1";
    assert_eq!(nesting_bound(&sum), 1);
    assert_eq!(nesting_bound(&format!("{}x", "-".repeat(50))), 50);
    assert_eq!(nesting_bound("x^-2e-3"), 2);
    assert_eq!(nesting_bound("x^2 y^2 z^2"), 1);
    assert_eq!(nesting_bound("sin(cos(-x))"), 3);
    assert_eq!(nesting_bound("-(x)^-(y)"), 4);
    // The typeset minus and the root take levels as `-` does; `×` ends an operand as `*`.
    assert_eq!(nesting_bound(&format!("{}x", "−".repeat(50))), 50);
    assert_eq!(nesting_bound(&format!("{}x", "√".repeat(50))), 50);
    assert_eq!(nesting_bound(&"x − y × −z ".repeat(1000)), 1);
    // A pair of bars is a bracket; a function's name before a bar opens its argument.
    assert_eq!(nesting_bound(&"|x| + |y|z ".repeat(1000)), 1);
    assert_eq!(nesting_bound("||x| - 1|"), 2);
    assert_eq!(nesting_bound("|ln|ln|x|||"), 3);
    assert_eq!(nesting_bound("|ln |ln\u{2003}|x|||"), 3);
    // A raised digit ends a name, as in the grammar: `sin` is a function here.
    assert_eq!(nesting_bound("|f²sin|x||"), 2);
    for deep in [
        format!("{}x", "√".repeat(MAX_DEPTH + 1)),
        format!("{}x", "−".repeat(MAX_DEPTH + 1)),
    ] {
        assert!(matches!(
            parse(&deep).map_err(|e| e.kind().clone()),
            Err(ParseErrorKind::TooDeep { .. })
        ));
        assert!(parse(&deep[deep.char_indices().nth(1).map_or(0, |(k, _)| k)..]).is_ok());
    }
}

proptest! {
    #[test]
    fn the_nesting_bound_never_undercounts(picks in proptest::collection::vec(0..TOKENS.len(), 0..40)) {
        // With the limit set to the bound, reading never runs out of levels. (A bound name
        // counts its value's depth without nesting: no bindings here.)
        let text: String = picks.iter().map(|&k| TOKENS[k]).filter(|t| !t.contains('=')).collect();
        // The crude bound that lets most lines skip the finer scan is never below it, and
        // never too low either.
        prop_assert!(level_bytes(&text) >= nesting_bound(&text), "{:?}", text);
        for bound in [nesting_bound(&text), level_bytes(&text)] {
            let options = ParseOptions::default().with_max_depth(bound);
            for result in [parse_with(&text, &options).err(), parse_list(&text, &options).err()] {
                prop_assert!(
                    !result.as_ref().is_some_and(|e| matches!(e.kind(), ParseErrorKind::TooDeep { .. })),
                    "{:?}: {:?}", text, result
                );
            }
        }
    }
}

/// The tokens whose levels the nesting bound must tell apart: bars that open or close,
/// a function's name before a bar, signs and roots.
const LEVEL_TOKENS: &[&str] = &[
    "|", "ln", "sin", "x", "f", "2", "²", " ", "\u{2003}", "(", ")", "-", "−", "√", "^", "*",
];

proptest! {
    #[test]
    fn the_nesting_bound_never_undercounts_bars(picks in proptest::collection::vec(0..LEVEL_TOKENS.len(), 0..60)) {
        let text: String = picks.iter().map(|&k| LEVEL_TOKENS[k]).collect();
        let options = ParseOptions::default().with_max_depth(nesting_bound(&text));
        let result = parse_with(&text, &options);
        prop_assert!(
            !result.as_ref().is_err_and(|e| matches!(e.kind(), ParseErrorKind::TooDeep { .. })),
            "{:?}: {:?}", text, result
        );
    }
}

#[test]
fn the_full_depth_fits_a_small_callers_stack() {
    // Reading runs on a stack sized from the limit, so even a caller with a small stack can
    // read the deepest input the limit allows (an overflow would abort the test run).
    let d = MAX_DEPTH;
    let inputs = [
        format!("{}x{}", "(".repeat(d), ")".repeat(d)),
        format!("{}x{}", "sin(".repeat(d), ")".repeat(d)),
        format!("{}x{}", "f(1/".repeat(d), ")".repeat(d)),
        format!("{}x{}", "2 (x+".repeat(d), ")".repeat(d)),
        format!("{}x", "-".repeat(d)),
        format!("{}x", "x^".repeat(d)),
        format!("[{}x{}]", "[".repeat(d - 1), "]".repeat(d - 1)),
    ];
    // Up to 32 levels of nesting are read in place, on the caller's stack.
    let in_place = format!("{}x{}", "sin(".repeat(32), ")".repeat(32));
    let small = std::thread::Builder::new().stack_size(512 * 1024);
    let handle = small.spawn(move || parse(&in_place).is_ok());
    assert!(handle.is_ok_and(|h| h.join().unwrap_or(false)));
    let small = std::thread::Builder::new().stack_size(256 * 1024);
    let results = small.spawn(move || {
        inputs
            .iter()
            .map(|t| parse(t).map(|_| ()).map_err(|e| e.to_string()))
            .collect::<Vec<_>>()
    });
    let results = results.and_then(|h| h.join().map_err(|_| std::io::Error::other("panicked")));
    let results = results.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(results.len(), 7);
    for result in &results[..6] {
        assert_eq!(result, &Ok(()));
    }
    // The list is no formula: it fails, but by saying so, not by overflowing.
    assert!(results[6].as_ref().is_err_and(|e| e.contains("found `[`")));
}

// ---------------------------------------------------------------------------------------------
// The fast reader.

/// What the grammar alone reads `text` as, without the fast reader.
fn by_the_grammar(text: &str, options: &ParseOptions) -> Result<Expr, ParseError> {
    let grammar = Grammar::new(options);
    finish(
        text,
        grammar.program(text, "an expression", Grammar::formula),
    )
}

/// What the fast reader reads `text` as, if it reads it.
fn by_the_fast_reader(text: &str, options: &ParseOptions) -> Option<Expr> {
    fast::formula(&Grammar::new(options), options, text, options.max_depth)
}

#[test]
fn the_fast_reader_takes_plain_formulas_and_leaves_the_rest() {
    let options = ParseOptions::default();
    for text in [
        "3*x^2 + 5*y - 7",
        " sin(x)^2 / (1 + x) - 2.5e-3*exp(-x) ",
        "2x(x+1) - -y + log(x, 2) + f(x) + a(b+c) + pi(x) + e^x + 1.5 + .5",
        "x^-2^y ** 3 - x y z / 2 sqrt(x)",
    ] {
        let fast = by_the_fast_reader(text, &options);
        assert!(fast.is_some(), "`{text}` left to the grammar");
        assert!(fast == by_the_grammar(text, &options).ok(), "`{text}`");
    }
    // Anything unusual is the grammar's: Unicode, primes, bindings, every mistake.
    for text in [
        "θ + 1",
        "x\u{a0}+ 1",
        "f'(x)",
        "u = x; u",
        "x +",
        "sin x",
        "sinn(x)",
        "x'",
        "2 3",
        "1.2.3",
        "(x",
        "x)",
        "sin(x, y)",
        "log()",
        "",
        " ",
        "1e10001",
        "x ** * 2",
    ] {
        assert!(by_the_fast_reader(text, &options).is_none(), "`{text}`");
    }
}

#[test]
fn the_fast_reader_stops_where_the_grammar_reports_too_deep() {
    let options = ParseOptions::default().with_max_depth(3);
    for (text, fits) in [
        ("((x))", true),
        ("(((x)))", true),
        ("((((x))))", false),
        ("---x", true),
        ("----x", false),
        ("x^x^x^x", true),
        ("x^x^x^x^x", false),
        ("sin(sin(-x))", true),
        ("sin(sin(-(x)))", false),
    ] {
        assert_eq!(
            by_the_fast_reader(text, &options).is_some(),
            fits,
            "`{text}`"
        );
        assert_eq!(by_the_grammar(text, &options).is_ok(), fits, "`{text}`");
    }
}

/// Tokens that mostly make formulas, so that many random mixes are read by the fast reader.
const FORMULA_TOKENS: &[&str] = &[
    "x", "y", "e", "pi", "f", "2", "10", "0.5", ".5", "2e-3", "1E3", "007", "+", "-", "*", "/",
    "^", "**", "(", ")", "sin(", "log(", ",", " ", "\t", "\n", "θ", "'",
];

proptest! {
    #[test]
    fn the_fast_reader_agrees_with_the_grammar(
        picks in proptest::collection::vec(0..FORMULA_TOKENS.len(), 1..30),
        depth in 1usize..6,
    ) {
        let text: String = picks.iter().map(|&k| FORMULA_TOKENS[k]).collect();
        for options in [ParseOptions::default(), ParseOptions::default().with_max_depth(depth)] {
            if let Some(fast) = by_the_fast_reader(&text, &options) {
                let slow = by_the_grammar(&text, &options);
                prop_assert!(slow.as_ref() == Ok(&fast), "{:?}: {:?} by the grammar", text, slow);
            }
            prop_assert_eq!(parse_with(&text, &options), by_the_grammar(&text, &options));
        }
    }
}
