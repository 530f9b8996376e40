//! Printing and parsing are inverse: the text of any expression parses back to the same
//! canonical expression, and simplification is deterministic and keeps values.

use deriv::{
    Env, Expr, Limits, PrintLimits, eval, eval_precise, parse, simplify, to_text,
    write_out_inverses,
};
use proptest::prelude::*;

mod common;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(500))]

    #[test]
    fn text_parses_back_to_the_same_expression(e in common::expr()) {
        let text = to_text(&e, &PrintLimits::default()).expect("small expressions print");
        let back = parse(&text);
        prop_assert!(back.as_ref().is_ok_and(|b| *b == e), "{} read back as {:?}", text, back.map(|b| b.to_string()));
    }

    #[test]
    fn simplification_keeps_the_value_and_is_deterministic(e in common::expr(), x in -2.5f64..2.5) {
        let limits = Limits::default().with_nodes(2_000).with_iterations(4);
        let first = simplify(&e, &limits).expr;
        let second = simplify(&e, &limits).expr;
        prop_assert_eq!(first.to_string(), second.to_string());
        // Never larger than the input, or than the input with functions of inverse functions
        // written out (`sec(asin(x))` as `1/sqrt(1 - x^2)`), which is how answers show them.
        prop_assert!(first.tree_size() <= e.tree_size().max(write_out_inverses(&e).tree_size()));
        let env = Env::new().with("x", x).with("y", 0.7);
        if let Ok(before) = eval(&e, &env)
            && before.is_finite()
        {
            let after = eval(&first, &env);
            let close = |a: f64, b: f64, tolerance: f64| (a - b).abs() <= tolerance * (1.0 + b.abs());
            if !after.as_ref().is_ok_and(|&a| close(a, before, 1e-8)) {
                // Round-off, or a wrong answer? `sin(1/(x^5*sech(5/4)))` near x = -0.024 takes
                // the sine of 1.3e8, where two equal forms differ by 3e-8 in f64: decide at
                // 256 bits.
                // An input defined in f64 only by rounding (`sec(acsc(1))`, `pi/2` rounded) is
                // undefined at 256 bits: there is no value to keep.
                let precise = |f: &Expr| eval_precise(f, &env, 256).map(|v| v.to_f64());
                let (before, after) = (precise(&e), precise(&first));
                prop_assert!(
                    before.is_err()
                        || matches!((&before, &after), (Ok(b), Ok(a)) if close(*a, *b, 1e-12)),
                    "{} = {:?} but simplified {} = {:?} (256 bits)", e, before, first, after
                );
            }
        }
    }
}

#[test]
fn generated_formulas_parse_and_read_back() {
    // The formulas that the parser is measured on (polynomials, products with functions,
    // quotients, nested calls, several symbols) all read, and their text reads back.
    let text = common::formulas::formulas(7, 20_000);
    for line in text.lines() {
        let e = parse(line).unwrap_or_else(|err| panic!("{line}: {err}"));
        let printed = to_text(&e, &PrintLimits::default()).expect("short formulas print");
        assert_eq!(parse(&printed).ok(), Some(e), "{line} printed as {printed}");
    }
}
