//! Every simplification rule is sound where it fires: wherever its input is defined, each
//! output is defined and has the same value. Checked on inputs chosen to make each rule fire
//! and on random expressions.

use deriv::{Env, EvalReason, Expr, RULES, eval, eval_precise, parse};
use proptest::prelude::*;

mod common;

const XS: &[f64] = &[-2.3, -1.1, -0.4, 0.3, 0.9, 1.7, 2.6];

/// Inputs that make each rule fire at least once.
const TRIGGERS: &[&str] = &[
    "cosh(x) - sinh(x)",
    "x*sinh(x^2) + x*cosh(x^2) + 1",
    "2^(3*x)",
    "y*2^(x^2/4 + 1) + 9^((x - 1)/2)",
    "y*2^(x^2)*3^(x^2)",
    "5^(-x)*(1/3)^(-x)*x",
    "2*ln(3) + 2*ln(x) - y*ln(x + 1) + y*ln(x^2 + 1)",
    "x^2*sqrt(-x)",
    "y*(x - 1)^3*(1 - x)^(3/2)",
    "(x - y)^2*(y - x)^(-3)",
    "(2/3)^(2*x*y) + 5^(2*sin(x))",
    "x^2 - (4 - x)",
    "3*(x - 2*y) + sin(x) - (2/3)*(cos(x) + x^2)",
    "exp(x) + exp(-x)",
    "x*exp(x^2) - x*exp(-x^2) + 1",
    "(exp(x) - exp(-x))/(exp(x) + exp(-x))",
    "3*exp(2*x) + 3*exp(-2*x) + exp(x)",
    "(x^2 - 4)/(x + 2)",
    "y/cos(x/2)^2",
    "-y/sin(x/2)^2",
    "sinh(3*x/2)^(-2)",
    "(x^3 + y*x + 1)/(x^2 + 1)",
    "(sin(x)^2 + y)/(2*sin(x) - 1)^2",
    "(x + sqrt(x) + 1)/(sqrt(x) - 3)",
    "x^3 - x",
    "1/(x - 2) - 1/(x + 2)",
    "(x + 1)^2 - x^2",
    "sqrt(x^2)",
    "(x^4)^(1/4)",
    "(x^6)^(1/3)",
    "((x^2 + 1)^3)^(1/2)",
    "(exp(x)*(x^2 + 1))^(1/3)",
    "abs(x^2 + 1)",
    "abs(-exp(x))",
    "abs(-(x^2) - 1)",
    "abs(x)^2",
    "abs(x)^4",
    "sign(x)*abs(x)",
    "sign(tanh(x - 1))*x + sign(csch(x))",
    "(x^2*y)^(y - 1)*x^2*y^2",
    "(x*y)^x/(x*y^2)",
    "sign(x + sqrt(x^2 + 1))",
    "0^(x^2 + 1)",
    "sign(-exp(x) - y^2)",
    "abs(x - sqrt(x^2 + 1))",
    "sign(x - 1)*(x - 1)*y",
    "sign(cos(x))/abs(cos(x))",
    "sign(x)*abs(x)^(-3)*y",
    "sign(x - 1)^2*y/abs(x - 1)^(2/3)",
    "sign(x)^3/x^2",
    "sign(x - 2)*y/(x - 2)^3",
    "(x + 1)*y/abs(x + 1)",
    "x*(x + 2)*y/(abs(x)*abs(x + 2))",
    "sign(x)*sign(x - 1)*abs(x)*abs(x - 1)*y",
    "y*(cos(x) + abs(cos(x) - 1)) + x",
    "abs(2 - sin(x)^2)*y + x*sign(sin(x) - 2)",
    "abs(x)/x^2",
    "sqrt(1 - 4*x^2/(x^2 + 1)^2)",
    "(x^2*(x - 2))^(1/3)",
    "sqrt(x)^x",
    "y*(x^(1/4))^(1/3)*(x^(1/4))^(1/5)",
    "x^(3*(y - 1) + 2)",
    "sin(x + pi)",
    "y*asin(x/3) + x + y*acos(x/3)",
    "y*erf(x/3) + x + y*erfc(x/3)",
    "3*erfc(1 - x) - 3*erf(x - 1) + x",
    "y*erfc(x^2 - 1) + y*erfc(1 - x^2)",
    "asec(x + 2) - acsc(x + 2)*(-1)",
    "exp(x*ln(2))",
    "exp(2*y*ln(x))",
    "cos(pi/2 - x)",
    "sin(2*pi*(x + 1))",
    "3*tan(x)^2 + 3*tan(x)^4 + cos(x)",
    "x^2*sin(x) + x*y*sin(x) + cos(x) - y/(x + 1) + x/(x + 1)",
    "cos(pi*(2*x*y + 1)/2)",
    "tan(pi*(x - 1/2))*csc(3*pi*(x + 1/3))",
    "sec(3*pi*(x + 1/3))",
    "tan(x - 3*pi/2)",
    "csc(x*y + 5*pi/2)",
    "sec(2*x - pi)",
    "ln(sqrt(x))",
    "ln(x^(-3))",
    "exp(-x)/sqrt(1 - exp(-2*x))",
    "y + exp(-x)/(exp(-x) + 1)^2",
    "sign(x - 1)*abs(x - 1)^3",
    "(2*x - 3)^2*sign(2*x - 3)*y",
    "ln(x*exp(x))",
    "ln((x^2 + 1)*x)",
    "ln(x^2)",
    "ln((x^2 + 1)^3)",
    "ln(x^3)",
    "ln(x^4)",
    "exp(x)*exp(y)",
    "e*exp(x - 1)*y",
    "exp(x + ln(x))",
    "exp(2*x - y)",
    "sin(x)^2 + cos(x)^2",
    "tan(x)^2 + 1",
    "3*sec(x)^2 - x",
    "cot(x)^2 - csc(x)^2",
    "sin(x)^3 + x",
    "sin(x)*cos(x)",
    "x*cos(x)*cos(y) - x*sin(x)*sin(y) + 1",
    "sin(x + 1)*cos(x - 1) - cos(x + 1)*sin(x - 1)",
    "cosh(x)*cosh(2*y) + sinh(2*y)*sinh(x)",
    "sinh(x)*cosh(y)*y - cosh(x)*sinh(y)*y",
    "3*sin(x)*cos(x)*x",
    "cos(x)^2 - sin(x)^2",
    "2*sin(x)^2 + y",
    "2*sinh(x)^2 + cosh(x)^2*y",
    "sin(x)/cos(x)",
    "1/cos(x)^2",
    "cos(x)/sin(x)",
    "sin(x)^3/cos(x)",
    "sinh(x)/cosh(x)^2",
    "1/sinh(x)",
    "tan(x)",
    "cot(x)",
    "sec(x)",
    "csc(x)",
    "tanh(x)",
    "coth(x)",
    "sech(x)",
    "csch(x)",
    "cosh(x)^2 - sinh(x)^2",
    "tanh(x)^2 + sech(x)^2",
    "sinh(x)^2 + 1",
    "sinh(x)*cosh(x)",
    "y*sec(x + y)^2/tan(x + y)^2",
    "tan(x)^3*cot(x)*csc(x)^2*sin(x)",
    "x*tanh(x)^2/sech(x)^3 + coth(x)*sinh(x)",
    "1/(sinh(x)*cosh(x)^3)",
    "x*sin(x - y)^3*cos(x - y)^3",
    "1/(sin(x)*cos(x))",
    "x/tan(x)^2 + 1/cot(x)",
    "1/(cosh(x)^2*tanh(x)) - 1/coth(x)^3",
    "sin(asin(x/3))",
    "cos(asin(x/3))",
    "tan(asin(x/3))",
    "tan(acos(x/3))",
    "sin(acos(x/3))",
    "cos(atan(x))",
    "sin(atan(x^2))",
    "sec(atan(x))",
    "tan(atan(x))",
    "sinh(asinh(x))",
    "cosh(asinh(x))",
    "tanh(asinh(x))",
    "sinh(acosh(x^2 + 1))",
    "tanh(acosh(x^2 + 1))",
    "cosh(acosh(x^2 + 1))",
    "sinh(atanh(x/3))",
    "cosh(atanh(x/3))",
    "tanh(atanh(x/3))",
    "csc(acos(x/3))",
    "cot(acos(x/3))",
    "sec(asin(x/3))",
    "cot(atan(x))",
    "coth(asinh(x))",
    "sech(atanh(x/3))",
    "csch(acosh(x^2 + 2))",
    "sec(asec(x + 3))",
    "csc(acsc(x^2 + 1))",
    "cot(acot(x))",
    "sech(asech(x/5))",
    "csch(acsch(x))",
    "coth(acoth(x^2 + 2))",
    "cos(2*acos(x/3))",
    "sin(2*asin(x/3))",
    "cos(2*asec(x + 3))",
    "sin(2*acsc(3*x))",
    "cosh(2*acosh(x^2 + 1))",
    "sinh(2*atanh(x/3))",
    "cosh(2*asech(x^2/9))",
    "sin(2*atan(x))",
    // Each function of an inverse of a reciprocal, at arguments of both signs.
    "cos(asec(3*x)) + sin(asec(3*x)) + tan(asec(3*x))",
    "cos(acsc(3*x)) + sin(acsc(3*x))",
    "cosh(asech(x^2/9)) + sinh(asech(x^2/9)) + tanh(asech(x^2/9))",
    "cosh(acsch(x)) + sinh(acsch(x)) + tanh(acsch(x))",
    "cosh(acoth(2*x)) + sinh(acoth(2*x)) + tanh(acoth(2*x))",
    "cos(asec(3*x))",
    "sin(asec(3*x))",
    "tan(asec(3*x))",
    "cos(acsc(3*x))",
    "sin(acsc(3*x))",
    "cosh(asech(x^2/9))",
    "sinh(asech(x^2/9))",
    "tanh(asech(x^2/9))",
    "cosh(acsch(x))",
    "sinh(acsch(x))",
    "tanh(acsch(x))",
    "cosh(acoth(2*x))",
    "sinh(acoth(2*x))",
    "tanh(acoth(2*x))",
    "cos(x)/(1 - sin(x)) - tan(x)",
    "tanh(x)/sinh(2*x)",
    "cos(2*x)/(sin(x) + cos(x))",
    "sin(x*y)^2/(1 - cos(x*y)) + y",
    "(cosh(x)^3 - cosh(x))/sinh(x)",
    "(exp(2*x) - 1)/(exp(x) - 1)",
    "(exp(2*x + 2) - 1)/(e*exp(x) - 1)",
    "exp(3*x*y/2)/(exp(x*y/2) + exp(x*y))",
    "sinh(x)/(exp(x) - 1) + tanh(2*x)*exp(-x)",
    "cosh(x)*coth(x)*exp(-x) + sech(x)*csch(x)*exp(x)",
    // A whole power over a root, and a root over a whole power: `tan` to a fractional power
    // is real only where both functions are non-negative.
    "sin(x)^2/cos(x)^(5/3)",
    "sin(x)^(5/3)/cos(x)^2",
    "sinh(x)^2/cosh(x)^(3/2)",
    "cos(x)^(3/2)/sin(x)^3",
    // An even power of a base that is 0 on an interval (`x >= 0`), and of one that is not.
    "sqrt(-(abs(x) - x)^2)",
    "sqrt((x - 1)^2*x)",
    "5*cos(3*x)*cos(5*x) - 3*sin(3*x)*sin(5*x) + y",
    "y*sinh(2*x)*cosh(x/2) - sinh(x)*sinh(3*x)",
    "sin(x)*sin(3*x)",
    // Fourier forms: multiples of one angle (and of a unit `x/2`), hyperbolic ones, and a
    // cofactor that holds the angle but no polynomial in its waves.
    "(1 - 4*sin(x)^2)*cos(x)*exp(cos(2*x)) + y",
    "cos(x/2)^3*sin(3*x/2) - y*sin(-x)^2",
    "(4*sinh(x*y)^2 + 1)*cosh(x*y)^2*sinh(2*x*y)",
    // Half angles both ways and both signs; a doubled sine joining its half's monomial.
    "y*cos(2*x) + y - (cosh(4*x/3) - 1)*exp(x)",
    "sin(2*x)*csc(x) + y*sinh(2*x*y)^2/cosh(x*y)",
    "y*exp(x)/(exp(2*x) + 1)",
    "x*sqrt(x/y)/y",
    "(2/(x + 2))^y/(x + 2)^2",
    "abs(cos(2)*x*exp(y)) + sign(pi*(x - y))",
    "sign(x - y)^5",
    "sign(x)^(-2)",
    "sign(x)^(-3)",
    "abs((x - y)^(-3))",
    "sign((x - y)^(-2))",
    "abs(sqrt(x + 3))",
    "sign((x + 3)^(-3/2))",
    "sign((x + 3)^(2/3))",
    // Expanded, this loses 1.5e-9 to cancellation in f64 at x = 0.3: round-off, not a bug.
    "1/(x^3*(x - 1/3)^6)",
];

/// Whether `a` and `b` have the same value at `env` when evaluated with 256 bits (or are
/// both undefined there).
fn agree_precisely(a: &Expr, b: &Expr, env: &Env) -> bool {
    let precise = |f: &Expr| eval_precise(f, env, 256).map(|v| v.to_f64());
    match (precise(a), precise(b)) {
        (Ok(a), Ok(b)) => (a - b).abs() <= 1e-12 * (1.0 + a.abs()),
        (Err(_), Err(_)) => true,
        _ => false,
    }
}

/// Checks every output of every rule on `e`; returns the names of the rules that fired.
fn check_rules_on(e: &Expr) -> Vec<&'static str> {
    let mut fired = Vec::new();
    for rule in RULES {
        for output in (rule.apply)(e) {
            fired.push(rule.name);
            for &x in XS {
                let env = Env::new().with("x", x).with("y", 0.7);
                let Ok(before) = eval(e, &env) else { continue };
                if !before.is_finite() {
                    continue;
                }
                let after = match eval(&output, &env) {
                    Ok(after) => after,
                    // Floating-point overflow in an intermediate (`sinh(sinh(20))` in
                    // `tanh = sinh/cosh`) says nothing about the rule.
                    Err(err) if err.reason == EvalReason::NonFinite => continue,
                    // Next to a pole, round-off can make one form 0 in f64 and not the
                    // other (at x = -0.4, y = 0.7, `x + 2*y + sign(x)` is -1.1e-16 in f64 and
                    // `2*y^2 + x*y + y*sign(x)` exactly 0): decide at 256 bits.
                    Err(_) if agree_precisely(e, &output, &env) => continue,
                    Err(err) => panic!(
                        "{}: {e} => {output}: defined before, not after at x = {x}: {err}",
                        rule.name
                    ),
                };
                if (before - after).abs() <= 1e-9 * (1.0 + before.abs()) {
                    continue;
                }
                // Round-off, or a wrong rule? An expanded form can lose many digits to
                // cancellation near a pole (`1/(x^3*(x - 1/3)^6)` at 0.3, expanded, is off by
                // 1.5e-9 in f64): decide at 256 bits, where both forms keep 60 digits.
                assert!(
                    agree_precisely(e, &output, &env),
                    "{}: {e} => {output}: {before} != {after} at x = {x}, also at 256 bits",
                    rule.name
                );
            }
        }
    }
    fired
}

#[test]
fn every_rule_fires_and_is_sound_on_its_triggers() {
    let mut fired = Vec::new();
    for text in TRIGGERS {
        let e = parse(text).unwrap_or_else(|err| panic!("{text}: {err}"));
        fired.extend(check_rules_on(&e));
    }
    for rule in RULES {
        assert!(
            fired.contains(&rule.name),
            "no trigger makes {} fire",
            rule.name
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn rules_are_sound_on_random_expressions(e in common::expr()) {
        check_rules_on(&e);
    }
}
