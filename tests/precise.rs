//! The high-precision evaluator: it agrees with `f64` evaluation on the textbook formulas
//! and their derivatives, with exact rational arithmetic on rational expressions, with
//! published digits of known constants, and it fails where `f64` evaluation fails, naming
//! the same subexpression.

use deriv::{
    Env, EvalError, EvalReason, Expr, Func, Number, PrintLimits, SETTLE_TO_BITS, diff, eval,
    eval_precise, eval_settled, parse, to_text,
};

const TEXTBOOK: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/diff/textbook.txt");

const BITS: usize = 256;

/// `|a - b| <= tol * max(1, |a|, |b|)`: relative, except near zero.
fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol * 1f64.max(a.abs()).max(b.abs())
}

/// A fixed-seed generator of points, so the test is the same on every run.
struct Points(u64);

impl Points {
    /// Uniform in `[lo, hi)`, from the top 53 bits of a 64-bit LCG.
    fn next(&mut self, lo: f64, hi: f64) -> f64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        lo + (hi - lo) * ((self.0 >> 11) as f64 / (1u64 << 53) as f64)
    }
}

/// The formulas of the textbook file (comments and blank lines left out).
fn textbook() -> Vec<(String, Expr)> {
    let text = std::fs::read_to_string(TEXTBOOK).unwrap_or_else(|e| panic!("{TEXTBOOK}: {e}"));
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| {
            (
                l.to_owned(),
                parse(l).unwrap_or_else(|e| panic!("{l}: {e}")),
            )
        })
        .collect()
}

/// How `e` at `env` came out of both evaluators.
#[derive(Debug, PartialEq)]
enum Outcome {
    /// Both gave a value, within 1e-13 of each other.
    Agree,
    /// Both gave a value, further apart, and 512 bits confirm the 256-bit value to 1e-50:
    /// the `f64` evaluation lost digits to cancellation.
    F64Inaccurate,
    /// Both failed, the same way.
    BothFail,
}

fn outcome(line: &str, e: &Expr, env: &Env) -> Outcome {
    match (eval(e, env), eval_precise(e, env, BITS)) {
        (Ok(low), Ok(high)) if close(low, high.to_f64(), 1e-13) => Outcome::Agree,
        (Ok(low), Ok(high)) => {
            let finer = eval_precise(e, env, 2 * BITS)
                .unwrap_or_else(|err| panic!("{line} at {env:?}: {err} at 512 bits"));
            let scale = finer.abs_error(0.0).max(1.0);
            assert!(
                finer.abs_error(high.to_f64()) <= 1e-15 * scale
                    && high.abs_error(low) < 1e-6 * scale,
                "{line}: f64 {low}, precise {high}, finer {finer} at {env:?}"
            );
            Outcome::F64Inaccurate
        }
        (Err(low), Err(high)) => {
            assert_eq!(low, high, "{line} at {env:?}");
            Outcome::BothFail
        }
        (low, high) => panic!("{line} at {env:?}: f64 {low:?}, precise {high:?}"),
    }
}

#[test]
fn agrees_with_f64_on_the_textbook_formulas_and_derivatives() {
    let mut points = Points(0x5eed);
    let mut agree = 0;
    let mut inaccurate = Vec::new();
    for (line, f) in textbook() {
        let symbols = f.free_symbols();
        let derivative = diff(&f, "x", 1).unwrap_or_else(|e| panic!("{line}: {e}"));
        for _ in 0..8 {
            let mut env = Env::new();
            for s in &symbols {
                let value = if &**s == "x" {
                    points.next(-3.0, 3.0)
                } else {
                    points.next(0.5, 2.0)
                };
                env.set(s, value);
            }
            for e in [&f, &derivative] {
                match outcome(&line, e, &env) {
                    Outcome::Agree => agree += 1,
                    Outcome::F64Inaccurate => inaccurate.push(format!("{e} at {env:?}")),
                    Outcome::BothFail => {}
                }
            }
        }
    }
    assert!(agree > 1500, "{agree} values agree");
    // Ill-conditioned f64 evaluations (`1 - cos(x)^2` near 0) are rare at random points.
    assert!(inaccurate.len() * 100 < agree, "{inaccurate:#?}");
    eprintln!("{agree} agree; f64 lost digits on {inaccurate:#?}");
}

/// `text` with `x` replaced by the exact number `value`: the canonical constructors fold a
/// rational expression to one exact number.
fn exact_at(text: &str, value: &str) -> Number {
    let substituted = text.replace('x', &format!("({value})"));
    let e = parse(&substituted).unwrap_or_else(|e| panic!("{substituted}: {e}"));
    e.as_num()
        .cloned()
        .unwrap_or_else(|| panic!("{substituted} is not a number: {e}"))
}

#[test]
fn agrees_with_exact_rational_evaluation() {
    let formulas = [
        "(x^3 - 2*x)^4",
        "1/x^2 + 3/(x - 1)",
        "(x + 1)/(x^2 + 1)",
        "x^10 - x^-3",
        "64*x*(1-x)*(1-2*x)^2*(1-8*x+8*x^2)^2",
        "(5*x^3 - 2*x + 1)/(7*x^4 + 1/3)",
    ];
    // Dyadic points, exactly representable as f64 and as decimal text.
    let points = [(37, 64), (-5, 8), (1023, 1024), (3, 2), (-129, 16)];
    for text in formulas {
        let f = parse(text).unwrap_or_else(|e| panic!("{text}: {e}"));
        let d = diff(&f, "x", 1).unwrap_or_else(|e| panic!("{text}: {e}"));
        let d_text = to_text(&d, &PrintLimits::default()).unwrap_or_else(|e| panic!("{e}"));
        for (p, q) in points {
            let env = Env::new().with("x", f64::from(p) / f64::from(q));
            let point = format!("{p}/{q}");
            for (e, e_text) in [(&f, text), (&d, d_text.as_str())] {
                let exact = exact_at(e_text, &point);
                // The difference, evaluated in high precision, is the rounding error alone.
                let difference = Expr::num(exact.clone()) - e.clone();
                let error = eval_precise(&difference, &env, BITS)
                    .unwrap_or_else(|err| panic!("{e_text} at {point}: {err}"))
                    .abs_error(0.0);
                let scale = exact.to_f64().abs().max(1.0);
                assert!(
                    error <= 1e-70 * scale,
                    "{e_text} at {point}: error {error}, exact {exact}"
                );
            }
        }
    }
}

/// Each value to 100 digits, as published (the sources agree: OEIS A001113, A000796,
/// A049469, A002162; `atanh(1/2) = ln(3)/2`); the error function's from mpmath at 120 digits
/// (`erf(1)` is OEIS A099286), near 1 too, where `1 - erf(10)` is `2e-45`.
const KNOWN: &[(&str, &str)] = &[
    (
        "exp(x)",
        "2.718281828459045235360287471352662497757247093699959574966967627724076630353547594571382178525166427",
    ),
    (
        "pi",
        "3.141592653589793238462643383279502884197169399375105820974944592307816406286208998628034825342117068",
    ),
    (
        "sin(x)",
        "0.8414709848078965066525023216302989996225630607983710656727517099919104043912396689486397435430526959",
    ),
    (
        "atanh(x/2)",
        "0.5493061443340548456976226184612628523237452789113747258673471668187471466093044834368078774068660444",
    ),
    (
        "ln(2*x)",
        "0.6931471805599453094172321214581765680755001343602552541206800094933936219696947156058633269964186875",
    ),
    (
        "erf(x)",
        "0.8427007929497148693412206350826092592960669979663029084599378978347172540960108412619833253481448885",
    ),
    (
        "-erf(-x/2)",
        "0.5204998778130465376827466538919645287364515757579637000588057256471935217168535709147882187347877570",
    ),
    (
        "erf(6*x)",
        "0.9999999999999999784802632875010868834066496008126153695224859383114578994721079489436627615150721396",
    ),
    (
        "erf(10*x)",
        "0.9999999999999999999999999999999999999999999979115124162374552429992137050422113884391818806788362730",
    ),
];

/// `|value of text at x = 1 - digits|` with `bits` of precision.
fn distance_to_known(text: &str, digits: &str, bits: usize) -> f64 {
    let f = parse(text).unwrap_or_else(|e| panic!("{text}: {e}"));
    let known = Number::from_decimal(digits, 10).unwrap_or_else(|| panic!("{digits}"));
    let difference = f - Expr::num(known);
    eval_precise(&difference, &Env::new().with("x", 1.0), bits)
        .unwrap_or_else(|e| panic!("{text}: {e}"))
        .abs_error(0.0)
}

#[test]
fn known_values_to_sixty_digits_and_more_with_more_bits() {
    for (text, digits) in KNOWN {
        let at_256 = distance_to_known(text, digits, 256);
        assert!(at_256 < 1e-60, "{text}: off by {at_256} at 256 bits");
        // 512 bits hold 154 digits: the difference is the constant's own truncation.
        let at_512 = distance_to_known(text, digits, 512);
        assert!(at_512 < 1e-99, "{text}: off by {at_512} at 512 bits");
    }
}

/// The complementary error function to 100 digits (mpmath at 130 digits), where `1 - erf(x)`
/// cancels: `erfc(15)` is `7.2e-100`, which `1 - erf(15)` at 256 bits rounds to 0. 14 is
/// read as `1 - erf` with more bits, 15 and past by the asymptotic series (at 256 bits); the
/// relative error is taken below `2^1024`, as every intermediate value is.
const ERFC: &[(f64, &str)] = &[
    (
        0.5,
        "4.79500122186953462317253346108035471263548424242036299941194274352806478283146429085211781265212243e-1",
    ),
    (
        3.0,
        "2.209049699858544137277612958232037984770708739924965723895484294245668362013226781625465081531628714e-5",
    ),
    (
        14.0,
        "3.037229847750311665115172806783328447911896669343422595150070601995958059719163205975101393653711563e-87",
    ),
    (
        15.0,
        "7.212994172451206666565066558692927109934090929825383240467341996599971144880466360372322023830654908e-100",
    ),
    (
        20.0,
        "5.39586561160790092893499916790534560408827267092360528347010378491301876315666993333543074240234371e-176",
    ),
    (
        26.0,
        "5.663192408856142846475727896926092580328777560925807368646253847912917371237803861456591320001227226e-296",
    ),
    (
        -2.0,
        "1.99532226501895273416206925636725292861089179704006007673835232620043728071999517736762900801968068",
    ),
];

#[test]
fn erfc_keeps_its_digits_where_one_minus_erf_loses_them() {
    let erfc = Expr::call(Func::Erfc, Expr::sym("x"));
    for (x, digits) in ERFC {
        let known = Number::from_decimal(digits, 1000).unwrap_or_else(|| panic!("{digits}"));
        let relative = erfc.clone() / Expr::num(known) - Expr::one();
        for (bits, bound) in [(256, 1e-70), (512, 1e-98)] {
            let error = eval_precise(&relative, &Env::new().with("x", *x), bits)
                .unwrap_or_else(|e| panic!("erfc({x}): {e}"))
                .abs_error(0.0);
            assert!(
                error < bound,
                "erfc({x}) at {bits} bits: relative error {error}"
            );
        }
    }
}

#[test]
fn exact_powers_of_two_and_irrational_roots() {
    let env = Env::new().with("x", 2.0);
    let root = eval_precise(&Expr::sym("x").sqrt(), &env, BITS).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        root.to_decimal(50),
        "1.4142135623730950488016887242096980785696718753769e0"
    );
    let power =
        eval_precise(&Expr::sym("x").pow(100), &env, BITS).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(power.to_decimal(31), "1.267650600228229401496703205376e30");
    assert_eq!(power.abs_error(2f64.powi(100)), 0.0);
}

/// The failure of `e` at `x = value`, from both evaluators; they must be the same.
fn failure(e: &Expr, value: f64) -> EvalError {
    let env = Env::new().with("x", value);
    let high = eval_precise(e, &env, BITS).err();
    let low = eval(e, &env).err();
    assert_eq!(high, low, "{e} at {value}");
    high.unwrap_or_else(|| panic!("{e} at {value} has a value"))
}

#[test]
fn domain_errors_are_those_of_f64_and_name_the_subexpression() {
    let x = || Expr::sym("x");
    let cases = [
        (x().ln(), 0.0, EvalReason::Domain),
        (x().ln(), -1.0, EvalReason::Domain),
        (x().recip(), 0.0, EvalReason::DivisionByZero),
        (x().sqrt(), -1.0, EvalReason::Domain),
        (x().pow(Expr::ratio(1, 3)), -8.0, EvalReason::Domain),
        (x().asin(), 2.0, EvalReason::Domain),
        (Expr::call(Func::Acos, x()), -1.5, EvalReason::Domain),
        (Expr::call(Func::Acosh, x()), 0.5, EvalReason::Domain),
        (Expr::call(Func::Atanh, x()), 1.0, EvalReason::Domain),
        (Expr::call(Func::Acoth, x()), 0.5, EvalReason::Domain),
        (Expr::call(Func::Asec, x()), 0.5, EvalReason::Domain),
        (Expr::call(Func::Acsc, x()), -0.5, EvalReason::Domain),
        (Expr::call(Func::Asech, x()), 1.5, EvalReason::Domain),
        (Expr::call(Func::Asech, x()), 0.0, EvalReason::Domain),
        (Expr::call(Func::Csch, x()), 0.0, EvalReason::Domain),
        (Expr::call(Func::Coth, x()), 0.0, EvalReason::Domain),
        (Expr::call(Func::Acsch, x()), 0.0, EvalReason::Domain),
        (Expr::call(Func::Cot, x()), 0.0, EvalReason::Domain),
        (Expr::call(Func::Csc, x()), 0.0, EvalReason::Domain),
        (x().exp(), 710.0, EvalReason::NonFinite),
        (
            Expr::undef("f".into(), 0, x()),
            1.0,
            EvalReason::UndefinedFunction("f".into()),
        ),
    ];
    for (e, value, reason) in cases {
        let err = failure(&e, value);
        assert_eq!(err.reason, reason, "{e} at {value}");
        assert_eq!(err.expr, e, "{e} at {value}");
    }
    // The smallest failing subexpression is named, inside a larger expression.
    let inner = (x() - 2).ln();
    let err = failure(&(x().sin() + inner.clone() * x()), 1.0);
    assert_eq!((err.expr, err.reason), (inner, EvalReason::Domain));
    let unbound = eval_precise(&(x() + Expr::sym("y")), &Env::new().with("x", 1.0), BITS);
    assert_eq!(
        unbound.map_err(|e| e.reason).err(),
        Some(EvalReason::Unbound("y".into()))
    );
    let zero_to_minus_one = Expr::int(0).pow(-1);
    assert_eq!(
        failure(&zero_to_minus_one, 0.0).reason,
        EvalReason::DivisionByZero
    );
}

#[test]
fn ends_of_domains_and_conventions_match_the_f64_table() {
    let x = || Expr::sym("x");
    let at = |e: &Expr, v: f64| {
        let env = Env::new().with("x", v);
        let high = eval_precise(e, &env, BITS).map(|p| p.to_f64());
        let low = eval(e, &env);
        assert_eq!(high, low, "{e} at {v}");
        high.unwrap_or(f64::NAN)
    };
    assert_eq!(
        at(&Expr::call(Func::Acot, x()), 0.0),
        std::f64::consts::FRAC_PI_2
    );
    assert_eq!(at(&x().sign(), 0.0), 0.0);
    assert_eq!(at(&x().sign(), -3.0), -1.0);
    assert_eq!(at(&x().abs(), -3.0), 3.0);
    assert_eq!(at(&x().asin(), 1.0), std::f64::consts::FRAC_PI_2);
    assert_eq!(at(&Expr::call(Func::Acosh, x()), 1.0), 0.0);
    assert_eq!(at(&Expr::call(Func::Asech, x()), 1.0), 0.0);
    assert_eq!(at(&x().pow(3), -2.0), -8.0);
    assert_eq!(at(&x().pow(-2), -2.0), 0.25);
    assert_eq!(at(&x().sqrt(), 0.0), 0.0);
}

#[test]
fn deep_expressions_do_not_recurse() {
    let mut e = Expr::sym("x");
    for k in 0..20_000 {
        e = if k % 2 == 0 { e.sin() } else { e + 1 };
    }
    let env = Env::new().with("x", 0.5);
    let value = eval_precise(&e, &env, 128).map(|p| p.to_f64());
    let expected = eval(&e, &env);
    let (Ok(value), Ok(expected)) = (value, expected) else {
        panic!("no value");
    };
    assert!(close(value, expected, 1e-10), "{value} {expected}");
}

/// [`eval_settled`] against mpmath at 500 digits, where 256 bits alone are wrong: sums that
/// cancel, functions of arguments that 256 bits round (`10^120` needs 399), powers of a base
/// that rounds to 1.
#[test]
fn settled_values_are_right_where_256_bits_are_not() {
    let cases = [
        ("min(1, exp(180))", 1.0),
        ("exp(10^-200) - 1", 1e-200),
        ("(1 + 10^-100)^(10^100)", std::f64::consts::E),
        ("ln(1 + 10^-40) - 10^-40", -5e-81),
        ("sqrt(10^80 + 1) - 10^40", 5e-41),
        ("sin(10^120)", -0.623_221_041_186_642_6),
        ("sin(10^300)", -0.985_750_425_160_377),
        ("tan(pi/2 + 10^-70)", -1e70),
        ("1/(cos(10^-20) - 1 + 10^-40/2)", 2.4e81),
        ("exp(sin(3/10))", 1.343_825_243_731_653_4),
        // Noise at every precision that nothing after it magnifies.
        ("exp(acosh(2) - ln(2 + sqrt(3)))", 1.0),
        ("tan(pi/2 - 10^-150)", 1e150),
    ];
    for (text, expected) in cases {
        let e = parse(text).unwrap_or_else(|err| panic!("{text}: {err}"));
        let value = eval_settled(&e, &Env::new())
            .unwrap_or_else(|err| panic!("{text}: {err}"))
            .to_f64();
        let error = ((value - expected) / expected).abs();
        assert!(error < 1e-15, "{text}: {value}, not {expected}");
    }
    // 256 bits alone: wrong, or no value.
    let cancelled = parse("min(1, exp(180))").unwrap_or_else(|e| panic!("{e}"));
    let rough = eval_precise(&cancelled, &Env::new(), 256).map(|v| v.to_f64());
    assert_ne!(rough, Ok(1.0));
}

/// What cancels at every precision is refused, naming what cancels, not answered with the
/// noise of the last precision (or its sign).
#[test]
fn values_that_never_settle_are_refused() {
    for (text, culprit) in [
        ("sin(2)^2 + cos(2)^2 - 1", "sin(2)^2 + cos(2)^2 - 1"),
        ("sign(sin(10^18*pi))", "sin(1000000000000000000*pi)"),
        // 1 exactly, rounded below 1: a domain error at every precision, but at the end.
        (
            "acosh(cosh(1/2)^2 - sinh(1/2)^2) + 1",
            "acosh(cosh(1/2)^2 - sinh(1/2)^2)",
        ),
    ] {
        let e = parse(text).unwrap_or_else(|err| panic!("{text}: {err}"));
        let err = eval_settled(&e, &Env::new()).map(|v| v.to_f64());
        let Err(err) = err else {
            panic!("{text}: {err:?}");
        };
        assert_eq!(err.reason, EvalReason::Unsettled(SETTLE_TO_BITS), "{text}");
        let named = err.expr.to_string();
        assert_eq!(named, culprit, "{text}");
    }
}
