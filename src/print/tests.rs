use std::time::{Duration, Instant};

use proptest::prelude::*;

use super::reparse::read;
use super::*;
use crate::expr::{Constant, Func, Symbol};

fn x() -> Expr {
    Expr::sym("x")
}

fn y() -> Expr {
    Expr::sym("y")
}

fn z() -> Expr {
    Expr::sym("z")
}

fn f(order: u32, arg: Expr) -> Expr {
    Expr::undef(Symbol::from("f"), order, arg)
}

fn limits() -> PrintLimits {
    PrintLimits::default()
}

/// Checks both printers against the expected strings, and that the text reads back as `e`.
#[track_caller]
fn check(e: Expr, text: &str, latex: &str) {
    let printed = to_text(&e, &limits()).expect("small expressions print");
    assert_eq!(printed, text);
    assert_eq!(e.to_string(), text, "Display agrees with to_text");
    assert_eq!(
        read(&printed).as_ref(),
        Ok(&e),
        "{printed:?} reads back to the same expression"
    );
    assert_eq!(
        to_latex(&e, &limits()).expect("small expressions print"),
        latex
    );
}

#[test]
fn sums_keep_their_order_and_subtract_negative_terms() {
    check(
        x().pow(2) * x().cos() + Expr::int(2) * x() * x().sin(),
        "x^2*cos(x) + 2*x*sin(x)",
        r"x^{2} \cos\left(x\right) + 2 x \sin\left(x\right)",
    );
    check(x() - y(), "x - y", "x - y");
    check(y() - x(), "y - x", "y - x");
    check(
        x().pow(2) - Expr::int(2) * x() + 1,
        "x^2 - 2*x + 1",
        "x^{2} - 2 x + 1",
    );
    check(x() - Expr::ratio(1, 2), "x - 1/2", r"x - \frac{1}{2}");
    check(x() + Expr::ratio(1, 2) * y(), "x + y/2", r"x + \frac{y}{2}");
    check(z() - x() / y(), "z - x/y", r"z - \frac{x}{y}");
    check(-x() / y() - z(), "-z - x/y", r"-z - \frac{x}{y}");
}

#[test]
fn a_negated_sum_keeps_its_parentheses() {
    let minus_sum = -(x() + 1);
    check(minus_sum.clone(), "-(x + 1)", r"-\left(x + 1\right)");
    check(z() + minus_sum, "z - (x + 1)", r"z - \left(x + 1\right)");
    check((x() + 1) * -y(), "-y*(x + 1)", r"-y \left(x + 1\right)");
}

#[test]
fn products_put_the_coefficient_first_and_negatives_in_front() {
    check(Expr::int(-2) * x(), "-2*x", "-2 x");
    check(-x(), "-x", "-x");
    check(-x().pow(2), "-x^2", "-x^{2}");
    check(-(x() * y()), "-x*y", "-x y");
    check(
        Expr::int(2) * x() * x().sin(),
        "2*x*sin(x)",
        r"2 x \sin\left(x\right)",
    );
    check(Expr::int(2) * Expr::pi(), "2*pi", r"2 \pi");
    check(
        Expr::int(3) * Expr::int(2).pow(x()),
        "3*2^x",
        r"3 \cdot 2^{x}",
    );
    check(Expr::int(2).sqrt() * x(), "sqrt(2)*x", r"\sqrt{2} x");
}

#[test]
fn negative_exponents_make_a_denominator() {
    check(x() / y(), "x/y", r"\frac{x}{y}");
    check(x().recip(), "1/x", r"\frac{1}{x}");
    check(-x().recip(), "-1/x", r"-\frac{1}{x}");
    check(
        Expr::int(2) * x() / (y() * z()),
        "2*x/(y*z)",
        r"\frac{2 x}{y z}",
    );
    check(
        x().pow(2) / (x() + 1).pow(3),
        "x^2/(x + 1)^3",
        r"\frac{x^{2}}{\left(x + 1\right)^{3}}",
    );
    check(x() / (x() + 1), "x/(x + 1)", r"\frac{x}{x + 1}");
    check((x() + 1) / x(), "(x + 1)/x", r"\frac{x + 1}{x}");
    check(
        (x() + 1).pow(-2),
        "1/(x + 1)^2",
        r"\frac{1}{\left(x + 1\right)^{2}}",
    );
    check(x().pow(-y()), "1/x^y", r"\frac{1}{x^{y}}");
    check(
        x().pow(Expr::ratio(-3, 2)),
        "1/x^(3/2)",
        r"\frac{1}{x^{\frac{3}{2}}}",
    );
}

#[test]
fn rational_coefficients_split_into_numerator_and_denominator() {
    check(
        Expr::ratio(3, 2) * x().pow(2),
        "3*x^2/2",
        r"\frac{3 x^{2}}{2}",
    );
    check(Expr::ratio(-1, 2) * x(), "-x/2", r"-\frac{x}{2}");
    check(
        Expr::ratio(2, 3) * x() / y(),
        "2*x/(3*y)",
        r"\frac{2 x}{3 y}",
    );
    check(Expr::ratio(-1, 2) / x(), "-1/(2*x)", r"-\frac{1}{2 x}");
}

#[test]
fn nested_quotients_flatten() {
    check(x() / (y() / z()), "x*z/y", r"\frac{x z}{y}");
    check(
        (Expr::one() + x().recip()).recip(),
        "1/(1/x + 1)",
        r"\frac{1}{\frac{1}{x} + 1}",
    );
    check(
        (x() / y()).pow(z()),
        "(x/y)^z",
        r"\left(\frac{x}{y}\right)^{z}",
    );
}

#[test]
fn powers_and_roots() {
    check(x().sqrt(), "sqrt(x)", r"\sqrt{x}");
    check(x().sqrt().recip(), "1/sqrt(x)", r"\frac{1}{\sqrt{x}}");
    check(
        (x() + 1).pow(Expr::ratio(-1, 2)),
        "1/sqrt(x + 1)",
        r"\frac{1}{\sqrt{x + 1}}",
    );
    check(x().pow(Expr::ratio(3, 2)), "x^(3/2)", r"x^{\frac{3}{2}}");
    check(x().pow(Expr::ratio(1, 3)), "x^(1/3)", r"\sqrt[3]{x}");
    check((x() + 1).pow(2), "(x + 1)^2", r"\left(x + 1\right)^{2}");
    check(x().pow(y().pow(z())), "x^y^z", "x^{y^{z}}");
    check(x().pow(y()).pow(z()), "(x^y)^z", r"\left(x^{y}\right)^{z}");
    check(x().sin().pow(2), "sin(x)^2", r"\sin\left(x\right)^{2}");
    check(Expr::int(2).pow(x().recip()), "2^(1/x)", r"2^{\frac{1}{x}}");
    check(
        x().pow(Expr::ratio(1, 2) * y()),
        "x^(y/2)",
        r"x^{\frac{y}{2}}",
    );
    check(x().pow(2).sqrt(), "sqrt(x^2)", r"\sqrt{x^{2}}");
    check(x().pow(-2).sqrt(), "sqrt(1/x^2)", r"\sqrt{\frac{1}{x^{2}}}");
}

#[test]
fn numbers_and_unusual_bases() {
    check(Expr::int(-3), "-3", "-3");
    check(Expr::ratio(-7, 3), "-7/3", r"-\frac{7}{3}");
    check(
        (Expr::int(2) * x()).pow(y()),
        "(2*x)^y",
        r"\left(2 x\right)^{y}",
    );
    check(Expr::int(-2).pow(x()), "(-2)^x", r"\left(-2\right)^{x}");
    check(
        Expr::ratio(1, 2).pow(x()),
        "(1/2)^x",
        r"\left(\frac{1}{2}\right)^{x}",
    );
    // A numeric radical is written with its denominator rationalised, as in SymPy.
    check(
        Expr::int(2).sqrt().recip(),
        "sqrt(2)/2",
        r"\frac{\sqrt{2}}{2}",
    );
    check(x().sqrt().recip(), "1/sqrt(x)", r"\frac{1}{\sqrt{x}}");
    check((-x()).pow(Expr::ratio(1, 3)), "(-x)^(1/3)", r"\sqrt[3]{-x}");
}

#[test]
fn division_by_zero_stays_readable_and_exact() {
    // `1/0^2` would read back as `0^-1`, so `0^-2` keeps its exponent.
    check(Expr::int(0).pow(-2), "0^-2", "0^{-2}");
    check(Expr::ratio(3, 0), "3/0", r"\frac{3}{0}");
    check(Expr::int(0).pow(-y()), "1/0^y", r"\frac{1}{0^{y}}");
    // `1/(2*0)` would read back as `1/0`: a zero stays out of a larger denominator.
    check(
        Expr::ratio(1, 2) * Expr::int(0).recip(),
        "1/0/2",
        r"\frac{\frac{1}{0}}{2}",
    );
    check(
        x() / y() * Expr::int(0).recip(),
        "1/0*x/y",
        r"\frac{\frac{1}{0} x}{y}",
    );
}

#[test]
fn constants_and_functions() {
    check(Expr::pi(), "pi", r"\pi");
    check(Expr::constant(Constant::E), "e", "e");
    check(x().exp(), "exp(x)", "e^{x}");
    check(
        (-x().pow(2) / 2).exp(),
        "exp(-x^2/2)",
        r"e^{-\frac{x^{2}}{2}}",
    );
    let long = (x().pow(2) + y().pow(2) + z().pow(2) + 1).exp();
    check(
        long,
        "exp(x^2 + y^2 + z^2 + 1)",
        r"\exp\left(x^{2} + y^{2} + z^{2} + 1\right)",
    );
    check(x().ln(), "ln(x)", r"\ln\left(x\right)");
    check(x().asin(), "asin(x)", r"\arcsin\left(x\right)");
    check(
        x().asinh(),
        "asinh(x)",
        r"\operatorname{asinh}\left(x\right)",
    );
    check(
        Expr::call(Func::Sech, x()),
        "sech(x)",
        r"\operatorname{sech}\left(x\right)",
    );
    check(x().abs(), "abs(x)", r"\left|x\right|");
    check(x().sign(), "sign(x)", r"\operatorname{sign}\left(x\right)");
    check(
        x().sin().sin(),
        "sin(sin(x))",
        r"\sin\left(\sin\left(x\right)\right)",
    );
}

#[test]
fn undefined_functions_carry_primes() {
    check(f(0, x()), "f(x)", r"f\left(x\right)");
    check(f(1, x()), "f'(x)", r"f'\left(x\right)");
    check(f(2, x().pow(2)), "f''(x^2)", r"f''\left(x^{2}\right)");
    check(f(4, x()), "f''''(x)", r"f^{(4)}\left(x\right)");
    check(
        Expr::int(2) * x() * f(1, x().pow(2)),
        "2*x*f'(x^2)",
        r"2 x f'\left(x^{2}\right)",
    );
    check(f(1, x()).pow(2), "f'(x)^2", r"f'\left(x\right)^{2}");
}

#[test]
fn latex_names() {
    let latex = |name: &str| to_latex(&Expr::sym(name), &limits()).expect("a name prints");
    assert_eq!(latex("theta"), r"\theta");
    assert_eq!(latex("Omega"), r"\Omega");
    assert_eq!(latex("α"), "α");
    assert_eq!(latex("rate"), r"\mathrm{rate}");
    assert_eq!(latex("k_2"), "k_{2}");
    assert_eq!(latex("x12"), "x_{12}");
    assert_eq!(latex("theta_0"), r"\theta_{0}");
    assert_eq!(latex("v_max"), r"v_{\mathrm{max}}");
    assert_eq!(latex("a_b_c"), r"a_{\mathrm{b\_c}}");
    assert_eq!(latex("x"), "x");
    let g = Expr::undef(Symbol::from("phi"), 1, x());
    assert_eq!(
        to_latex(&g, &limits()).as_deref(),
        Ok(r"\phi'\left(x\right)")
    );
}

/// `l = 4*l*(1 - l)`, 30 times: 150-odd distinct nodes standing for a tree of 10^10.
fn logistic_map(steps: usize) -> Expr {
    let mut l = x();
    for _ in 0..steps {
        l = Expr::int(4) * l.clone() * (Expr::one() - l);
    }
    l
}

#[test]
fn a_huge_dag_is_refused_at_once_by_both_printers() {
    let l = logistic_map(30);
    assert!(l.tree_size() > 1_000_000_000);
    for format in [Format::Text, Format::Latex] {
        let start = Instant::now();
        let err = format
            .render(&l, &limits())
            .expect_err("10^9 nodes cannot fit in 10^6 characters");
        assert!(
            start.elapsed() < Duration::from_millis(100),
            "refused without printing"
        );
        assert_eq!(err.nodes, l.tree_size());
        assert_eq!(err.limit, 1_000_000);
        assert!(err.chars > 1_000_000);
        let message = err.to_string();
        assert!(
            message.contains(&l.tree_size().to_string()) && message.contains("1000000"),
            "{message}"
        );
    }
    assert!(l.to_string().starts_with("<expression too large to print"));
}

#[test]
fn the_limit_is_exact() {
    let e = x().sin();
    assert_eq!(
        to_text(&e, &PrintLimits::default().with_max_chars(6)).as_deref(),
        Ok("sin(x)")
    );
    let err = to_text(&e, &PrintLimits::default().with_max_chars(5)).expect_err("six characters");
    assert_eq!(err.limit, 5);
    assert!(to_latex(&e, &PrintLimits::default().with_max_chars(5)).is_err());
    // A DAG small enough to pass the up-front check is still stopped by its output.
    let l = logistic_map(12);
    let text = to_text(&l, &limits()).expect("12 steps print");
    let err =
        to_text(&l, &PrintLimits::default().with_max_chars(text.len() - 1)).expect_err("one short");
    assert!(err.chars >= text.len() as u64);
}

#[test]
fn a_huge_derivative_order_is_refused_without_allocating() {
    let e = f(u32::MAX, x());
    assert!(to_text(&e, &limits()).is_err());
    assert_eq!(
        to_latex(&e, &limits()).as_deref(),
        Ok(r"f^{(4294967295)}\left(x\right)")
    );
}

#[test]
fn deep_expressions_print_without_recursion() {
    let depth = 20_000;
    let mut e = x();
    for _ in 0..depth {
        e = e.sin();
    }
    let text = to_text(&e, &limits()).expect("a deep chain prints");
    assert_eq!(
        text,
        format!("{}x{}", "sin(".repeat(depth), ")".repeat(depth))
    );
    let latex = to_latex(&e, &limits()).expect("a deep chain prints");
    assert_eq!(latex.matches(r"\sin").count(), depth);

    let mut nested = x();
    for i in 0..2_000 {
        nested = if i % 2 == 0 {
            y() * (nested + 1)
        } else {
            (nested * z()).pow(y())
        };
    }
    let text = to_text(&nested, &limits()).expect("a deep nest prints");
    assert_eq!(text.matches('(').count(), text.matches(')').count());
}

#[test]
fn the_logistic_map_round_trips() {
    let l = logistic_map(3);
    let text = to_text(&l, &limits()).expect("prints");
    assert_eq!(read(&text), Ok(l));
}

// ---------------------------------------------------------------------------------------------
// Properties over random expressions built with the canonical constructors.

fn leaf() -> impl Strategy<Value = Expr> {
    prop_oneof![
        (-3i64..=4).prop_map(Expr::int),
        prop_oneof![Just((1, 2)), Just((-3, 2)), Just((2, 3)), Just((-1, 3))]
            .prop_map(|(p, q)| Expr::ratio(p, q)),
        prop_oneof![Just("x"), Just("y"), Just("z")].prop_map(Expr::sym),
        Just(Expr::pi()),
        Just(Expr::constant(Constant::E)),
    ]
}

fn exponent() -> impl Strategy<Value = Expr> {
    prop_oneof![
        (-3i64..=3).prop_map(Expr::int),
        prop_oneof![
            Just((1, 2)),
            Just((-1, 2)),
            Just((3, 2)),
            Just((-3, 2)),
            Just((1, 3))
        ]
        .prop_map(|(p, q)| Expr::ratio(p, q)),
        Just(Expr::sym("y")),
        Just(-Expr::sym("z")),
    ]
}

fn expr() -> impl Strategy<Value = Expr> {
    let funcs = prop::sample::select(vec![
        Func::Sin,
        Func::Cos,
        Func::Exp,
        Func::Ln,
        Func::Abs,
        Func::Atanh,
        Func::Sign,
    ]);
    leaf().prop_recursive(5, 48, 3, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 2..4).prop_map(Expr::sum),
            prop::collection::vec(inner.clone(), 2..4).prop_map(Expr::product),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| a - b),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| a / b),
            inner.clone().prop_map(|a| -a),
            (inner.clone(), exponent()).prop_map(|(a, e)| a.pow(e)),
            (inner.clone(), inner.clone()).prop_map(|(a, e)| a.pow(e)),
            (funcs.clone(), inner.clone()).prop_map(|(f, a)| Expr::call(f, a)),
            ((0u32..4), inner).prop_map(|(order, a)| f(order, a)),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2_000))]

    #[test]
    fn text_reads_back_to_the_same_expression(e in expr()) {
        let text = to_text(&e, &limits()).expect("small expressions print");
        prop_assert_eq!(read(&text), Ok(e.clone()), "{}", text);
    }

    #[test]
    fn output_is_never_shorter_than_the_up_front_bound(e in expr()) {
        for format in [Format::Text, Format::Latex] {
            let printed = format.render(&e, &limits()).expect("small expressions print");
            prop_assert!(printed.len() as u64 >= min_chars(&e), "{:?}: {} has {} nodes", format, printed, e.tree_size());
        }
    }
}

#[test]
fn numbers_longer_than_a_literal_print_their_zeros_as_an_exponent() {
    use crate::parse::parse;
    for text in [
        "1e10000",
        "-3e10000/7",
        "7/1e10000",
        "1e10000*5*x",
        "x^1e10000",
    ] {
        let e = parse(text).unwrap_or_else(|err| panic!("{text}: {err}"));
        let printed = to_text(&e, &PrintLimits::default()).unwrap_or_default();
        assert!(
            printed.len() < 30,
            "{text} printed as {} characters",
            printed.len()
        );
        assert_eq!(parse(&printed).ok(), Some(e), "{text} printed as {printed}");
    }
    let e = parse("1e10000").unwrap_or_else(|err| panic!("{err}"));
    assert_eq!(
        to_text(&e, &PrintLimits::default()).ok().as_deref(),
        Some("1e10000")
    );
    // Past a literal's exponent limit the digits are printed in full: right, but too long
    // to read back.
    let e = parse("1e10000*1e10000").unwrap_or_else(|err| panic!("{err}"));
    let printed = to_text(&e, &PrintLimits::default()).unwrap_or_default();
    assert_eq!(printed.len(), 20_001);
    // Short numbers print in full, whatever their zeros.
    let e = parse("1e20").unwrap_or_else(|err| panic!("{err}"));
    assert_eq!(
        to_text(&e, &PrintLimits::default()).ok().as_deref(),
        Some("100000000000000000000")
    );
}
