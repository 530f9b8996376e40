//! Tests of the normal forms: exact expected forms for small cases, and properties (values
//! preserved at random rational points, forms agreeing with each other, gcd laws) for random
//! inputs.

use proptest::prelude::*;

use crate::expr::{Expr, Kind};
use crate::num::Number;

use super::gcd::{Evaluated, Images, gcd, gcd_with, image};
use super::polynomial::{Budget, Poly};
use super::{cancel, expand, factor, normal_forms, proper_fractions, smallest_normal_form};

fn x() -> Expr {
    Expr::sym("x")
}

fn y() -> Expr {
    Expr::sym("y")
}

fn z() -> Expr {
    Expr::sym("z")
}

fn int(n: i64) -> Expr {
    Expr::int(n)
}

/// A plain prefix rendering for failure messages (printing is another module's business).
fn show(e: &Expr) -> String {
    let list = |op: &str, xs: &[Expr]| {
        let parts: Vec<String> = xs.iter().map(show).collect();
        format!("({op} {})", parts.join(" "))
    };
    match e.kind() {
        Kind::Num(n) => n.to_string(),
        Kind::Sym(s) => s.to_string(),
        Kind::Add(xs) => list("+", xs),
        Kind::Mul(xs) => list("*", xs),
        Kind::Pow(b, k) => list("^", &[b.clone(), k.clone()]),
        Kind::Call(f, a) => format!("({} {})", f.name(), show(a)),
        Kind::Const(c) => c.name().to_string(),
        Kind::Undef { name, order, arg } => {
            format!("({name}{} {})", "'".repeat(*order as usize), show(arg))
        }
    }
}

/// The exact value of a rational expression with the symbols replaced by numbers; `None`
/// where it is undefined (a zero denominator) or not rational.
fn subst_rational(e: &Expr, point: &[(&str, Number)]) -> Option<Number> {
    match e.kind() {
        Kind::Num(n) => Some(n.clone()),
        Kind::Sym(s) => point
            .iter()
            .find(|(name, _)| **name == **s)
            .map(|(_, v)| v.clone()),
        Kind::Add(xs) => xs.iter().try_fold(Number::zero(), |acc, t| {
            Some(acc.add(&subst_rational(t, point)?))
        }),
        Kind::Mul(xs) => xs.iter().try_fold(Number::one(), |acc, t| {
            Some(acc.mul(&subst_rational(t, point)?))
        }),
        Kind::Pow(b, k) => subst_rational(b, point)?.pow(k.as_num()?),
        _ => None,
    }
}

/// The derivative of a polynomial expression (sums, products, integer powers) in `var`: the
/// product and power rules, applied by hand so the tests do not depend on the differentiator.
fn diff_poly(e: &Expr, var: &str) -> Expr {
    match e.kind() {
        Kind::Sym(s) if **s == *var => int(1),
        Kind::Add(xs) => Expr::sum(xs.iter().map(|t| diff_poly(t, var))),
        Kind::Mul(xs) => Expr::sum((0..xs.len()).map(|i| {
            let others = xs
                .iter()
                .enumerate()
                .filter(|(j, _)| *j != i)
                .map(|(_, f)| f.clone());
            Expr::product(others.chain([diff_poly(&xs[i], var)]))
        })),
        Kind::Pow(b, k) => Expr::product([k.clone(), b.clone().pow(k - 1), diff_poly(b, var)]),
        _ => int(0),
    }
}

/// The logistic-map iterate `64 x (1 - x) (1 - 2x)^2 (1 - 8x + 8x^2)^2`.
fn l4() -> Expr {
    let x = x();
    Expr::product([
        int(64),
        x.clone(),
        int(1) - x.clone(),
        (int(1) - x.clone() * 2).pow(2),
        (int(1) - x.clone() * 8 + x.clone().pow(2) * 8).pow(2),
    ])
}

#[test]
fn expand_distributes_and_collects() {
    assert_eq!(expand(&(x() + 1).pow(2)), Some(x().pow(2) + x() * 2 + 1));
    assert_eq!(
        expand(&((x() + y()) * (x() - y()))),
        Some(x().pow(2) - y().pow(2))
    );
    let cube = (x() + y() + 1).pow(3);
    let expanded = expand(&cube).and_then(|e| match e.kind() {
        Kind::Add(terms) => Some(terms.len()),
        _ => None,
    });
    assert_eq!(expanded, Some(10));
}

#[test]
fn expand_collects_rational_powers_of_one_base() {
    let s = x().sqrt();
    assert_eq!(
        expand(&(s.clone() * (s.clone() + 1))),
        Some(x() + s.clone())
    );
    assert_eq!(
        expand(&(s.clone() + 1).pow(2)),
        Some(x() + s.clone() * 2 + 1)
    );
    let three_halves = x().pow(Expr::ratio(3, 2));
    assert_eq!(
        expand(&((three_halves - s.clone()) * s)),
        Some(x().pow(2) - x())
    );
}

#[test]
fn expand_keeps_atoms_and_laurent_terms() {
    let inner = (x() + 1).pow(2);
    assert_eq!(expand(&inner.clone().sin()), Some(inner.sin()));
    let s = x().sin();
    assert_eq!(
        expand(&(s.clone() * (s.clone() + 1))),
        Some(s.clone().pow(2) + s)
    );
    assert_eq!(
        expand(&((x() + 1).pow(2) / x())),
        Some(x() + 2 + x().recip())
    );
    let over_sum = x() / (x() + 1);
    assert_eq!(expand(&over_sum), Some(over_sum));
}

#[test]
fn expand_gives_up_past_the_bounds() {
    assert_eq!(expand(&(x() + 1).pow(100_000)), None);
    assert_eq!(expand(&(x() + y() + z() + 1).pow(40)), None);
    assert_eq!(expand(&x().pow(1_000_000)), None);
    assert_eq!(
        smallest_normal_form(&(x() + 1).pow(100_000)),
        (x() + 1).pow(100_000)
    );
}

#[test]
fn cancel_examples() {
    assert_eq!(cancel(&((x().pow(2) - 4) / (x() + 2))), Some(x() - 2));
    let nested = (int(1) + (int(1) + x()).recip()).recip();
    assert_eq!(cancel(&nested), Some((x() + 1) / (x() + 2)));
    let stays = x() / (x().pow(2) + 1);
    assert_eq!(cancel(&stays), Some(stays));
    let difference = (x() - 2).recip() - (x() + 2).recip();
    assert_eq!(cancel(&difference), Some(int(4) / (x().pow(2) - 4)));
}

#[test]
fn cancel_multivariate() {
    assert_eq!(
        cancel(&((x().pow(2) - y().pow(2)) / (x() - y()))),
        Some(x() + y())
    );
    assert_eq!(
        cancel(&((x() * y() + x()) / (y().pow(2) - 1))),
        Some(x() / (y() - 1))
    );
    let halves = x() / (y() * 2 + 4);
    assert_eq!(cancel(&halves), Some(x() * Expr::ratio(1, 2) / (y() + 2)));
    let over_monomial = (x().pow(2) * y() + x() * y().pow(2)) / (x() * y());
    assert_eq!(cancel(&over_monomial), Some(x() + y()));
}

#[test]
fn cancel_over_atoms() {
    let s = x().sin();
    let quotient = (s.clone().pow(2) - 1) / (s.clone() + 1);
    assert_eq!(cancel(&quotient), Some(s - 1));
    let r = x().sqrt();
    assert_eq!(cancel(&((x() - 1) / (r.clone() - 1))), Some(r + 1));
}

#[test]
fn factor_examples() {
    assert_eq!(
        factor(&(x().pow(3) - x())),
        Some(Expr::product([x() - 1, x(), x() + 1]))
    );
    assert_eq!(
        factor(&(x().pow(2) * 2 - 2)),
        Some(Expr::product([int(2), x() - 1, x() + 1]))
    );
    let square = x().pow(2) + x() * y() * 2 + y().pow(2);
    assert_eq!(factor(&square), Some((x() + y()).pow(2)));
    let grid = x() * y() + x() + y() + 1;
    assert_eq!(factor(&grid), Some((x() + 1) * (y() + 1)));
    let expanded = expand(&((x().pow(2) + 1).pow(2) * (x() * 3 - 2) / (x() + 5).pow(3)));
    let factored = (x().pow(2) + 1).pow(2) * (x() * 3 - 2) / (x() + 5).pow(3);
    assert_eq!(expanded.and_then(|e| factor(&e)), Some(factored));
    let sophie_germain = (x().pow(2) - x() * 2 + 2) * (x().pow(2) + x() * 2 + 2);
    assert_eq!(factor(&(x().pow(4) + 4)), Some(sophie_germain));
    let irreducible = x().pow(4) + x() + 1;
    assert_eq!(factor(&irreducible), Some(irreducible));
    let cubics = (x().pow(3) + x() * 2 + 7) * (x().pow(3) * 3 - 5);
    assert_eq!(expand(&cubics).and_then(|e| factor(&e)), Some(cubics));
}

#[test]
fn rational_roots_among_thousands_of_candidates() {
    // The constant 105840 has 120 divisors and the leading 210 has 16: nearly two thousand
    // candidate roots `±p/q`, of which four are roots. The others are ruled out modulo a
    // prime, without evaluating a degree-28 polynomial exactly at each.
    let rest = x().pow(24) + 5040;
    let product = (x() * 2 - 3) * (x() * 5 + 7) * (x() * 3 + 1) * (x() * 7 - 1) * rest.clone();
    let expanded = expand(&product);
    let expected = Expr::product([x() * 2 - 3, x() * 3 + 1, x() * 5 + 7, x() * 7 - 1, rest]);
    assert_eq!(expanded.and_then(|e| factor(&e)), Some(expected));
}

#[test]
fn logistic_derivative_sizes() {
    let l4 = l4();
    let d = diff_poly(&l4, "x");
    let expanded = expand(&d).unwrap_or_else(|| d.clone());
    let factored = factor(&d).unwrap_or_else(|| d.clone());
    let best = smallest_normal_form(&d);
    println!(
        "l4: {}; l4': input {}, expanded {}, factored {}, smallest {}",
        l4.tree_size(),
        d.tree_size(),
        expanded.tree_size(),
        factored.tree_size(),
        best.tree_size()
    );
    assert_eq!(expand(&factored), Some(expanded.clone()));
    assert!(matches!(expanded.kind(), Kind::Add(terms) if terms.len() == 8));
    // The known factors: 1 - 2x and 8x^2 - 8x + 1 (derivatives of the logistic map's
    // iterates), with the rest of degree four.
    println!(
        "expanded: {}\nfactored: {}\nsmallest: {}",
        show(&expanded),
        show(&factored),
        show(&best)
    );
    let Kind::Mul(factors) = factored.kind() else {
        panic!("not a product: {}", show(&factored))
    };
    assert!(factors.contains(&(x() * 2 - 1)));
    assert!(factors.contains(&(x().pow(2) * 8 - x() * 8 + 1)));
    assert!(best.tree_size() <= factored.tree_size());
    assert!(best.tree_size() < d.tree_size());
}

#[test]
fn smallest_picks_the_smallest_form() {
    let half = x() / 2;
    assert_eq!(smallest_normal_form(&(half.clone() + half.clone())), x());
    let difference = (x() - 2).recip() - (x() + 2).recip();
    assert_eq!(smallest_normal_form(&difference), int(4) / (x().pow(2) - 4));
    assert_eq!(
        smallest_normal_form(&(x().pow(2) * 2 - x() * 4 + 2)),
        (x() - 1).pow(2) * 2
    );
    assert_eq!(smallest_normal_form(&x()), x());
}

#[test]
fn whole_powers_come_out_of_roots_of_sums() {
    // d/dx x^3/sqrt(x^2 + 4): the sum under the root meets the same sum in the numerator.
    let u = x().pow(2) + 4;
    let d = int(3) * x().pow(2) * u.clone().pow(Expr::ratio(-1, 2))
        - x().pow(4) * u.clone().pow(Expr::ratio(-3, 2));
    let best = int(2) * x().pow(2) * (x().pow(2) + 6) * u.clone().pow(Expr::ratio(-3, 2));
    assert_eq!(smallest_normal_form(&d), best);
    // A factor that is the sum (up to sign) collects with its root: x^3*(4 - 9*x^2)*w^(3/2).
    let w = int(1) - x().pow(2);
    let d = int(4) * x().pow(3) * w.clone().pow(Expr::ratio(5, 2))
        - int(5) * x().pow(5) * w.clone().pow(Expr::ratio(3, 2));
    let forms = normal_forms(&d);
    let collected = x().pow(3) * (int(4) - int(9) * x().pow(2)) * w.pow(Expr::ratio(3, 2));
    assert!(
        forms.contains(&collected),
        "{}",
        forms.iter().map(show).collect::<Vec<_>>().join("; ")
    );
}

#[test]
fn forms_collect_by_functions() {
    let (c, s) = (x().cos(), x().sin());
    let e = x().pow(2) * c.clone() - x() * c.clone() + int(2) * x() * s.clone() - s.clone();
    let collected = x() * (x() - 1) * c.clone() + (int(2) * x() - 1) * s.clone();
    let forms = normal_forms(&e);
    assert!(
        forms.contains(&collected),
        "{}",
        forms.iter().map(show).collect::<Vec<_>>().join("; ")
    );
    // The common factor goes in front: x^2*(3*cos(x) - x*sin(x)).
    let e = int(3) * x().pow(2) * c.clone() - x().pow(3) * s.clone();
    let collected = x().pow(2) * (int(3) * c.clone() - x() * s.clone());
    assert!(normal_forms(&e).contains(&collected));
    // And the coefficients' common polynomial factor: (x + 2)^2*((x + 2)*cos(x) + 3*sin(x)).
    let p = x() + 2;
    let e = p.clone().pow(3) * c.clone() + int(3) * p.clone().pow(2) * s.clone();
    let collected = p.clone().pow(2) * (p * c + int(3) * s);
    assert!(normal_forms(&e).contains(&collected));
}

// ---------------------------------------------------------------------------------------------
// Properties.

fn arb_expr() -> impl Strategy<Value = Expr> {
    let leaf = prop_oneof![Just(x()), Just(y()), Just(z()), (-3i64..=3).prop_map(int)];
    leaf.prop_recursive(4, 24, 3, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 2..=3).prop_map(Expr::sum),
            prop::collection::vec(inner.clone(), 2..=3).prop_map(Expr::product),
            (inner, -2i64..=3).prop_map(|(b, k)| b.pow(k)),
        ]
    })
}

fn arb_polynomial_expr() -> impl Strategy<Value = Expr> {
    let leaf = prop_oneof![Just(x()), Just(y()), Just(z()), (-3i64..=3).prop_map(int)];
    leaf.prop_recursive(4, 24, 3, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 2..=3).prop_map(Expr::sum),
            prop::collection::vec(inner.clone(), 2..=3).prop_map(Expr::product),
            (inner, 0i64..=3).prop_map(|(b, k)| b.pow(k)),
        ]
    })
}

fn arb_point() -> impl Strategy<Value = Vec<(&'static str, Number)>> {
    prop::collection::vec((-9i64..=9, 1i64..=5), 3).prop_map(|vs| {
        ["x", "y", "z"]
            .into_iter()
            .zip(vs)
            .map(|(name, (p, q))| (name, Number::ratio(p, q).unwrap_or_else(Number::zero)))
            .collect()
    })
}

/// A random polynomial in three variables with up to four terms.
fn arb_poly() -> impl Strategy<Value = Poly> {
    prop::collection::vec(((0i32..3, 0i32..3, 0i32..3), -4i64..=4), 1..=4).prop_map(|terms| {
        Poly::from_terms(
            3,
            terms
                .into_iter()
                .map(|((a, b, c), k)| (vec![a, b, c], Number::int(k))),
        )
    })
}

/// Like [`arb_poly`], with fractions among the coefficients.
fn arb_rational_poly() -> impl Strategy<Value = Poly> {
    let term = ((0i32..4, 0i32..3, 0i32..3), -6i64..=6, 1i64..=4);
    prop::collection::vec(term, 1..=5).prop_map(|terms| {
        Poly::from_terms(
            3,
            terms
                .into_iter()
                .filter_map(|((a, b, c), p, q)| Number::ratio(p, q).map(|k| (vec![a, b, c], k))),
        )
    })
}

/// The exact value of `p` with its atoms replaced by `point`.
fn poly_value(p: &Poly, point: &[Number]) -> Number {
    p.terms().fold(Number::zero(), |acc, (mono, c)| {
        let term = mono.iter().zip(point).fold(c.clone(), |t, (&k, v)| {
            let power = v.pow(&Number::int(i64::from(k)));
            t.mul(&power.unwrap_or_else(|| panic!("{v}^{k} is in range")))
        });
        acc.add(&term)
    })
}

fn ratio(p: i64, q: i64) -> Number {
    Number::ratio(p, q).unwrap_or_else(|| panic!("{p}/{q} is a number"))
}

#[test]
fn powers_and_products_with_fractions_and_big_coefficients_are_exact() {
    // Past 64-bit coefficients both are computed on the operands' integer parts and scaled
    // once; the values must be those of the rational arithmetic.
    let p = Poly::from_terms(
        2,
        [
            (vec![1, 0], ratio(31, 5)),
            (vec![0, 1], ratio(-2, 3)),
            (vec![0, 0], Number::int(37)),
        ],
    );
    let q = Poly::from_terms(2, [(vec![2, 0], ratio(1, 7)), (vec![0, 0], ratio(-9, 2))]);
    let mut product = Poly::one(2);
    for n in 0..=24 {
        let power = p.pow(n, &mut Budget::new());
        assert_eq!(power.as_ref(), Some(&product), "power {n}");
        product = product
            .mul(&p, &mut Budget::new())
            .unwrap_or_else(|| panic!("power {} is within the bounds", n + 1));
    }
    let mut budget = Budget::new();
    let (p20, q15) = (p.pow(20, &mut budget), q.pow(15, &mut budget));
    let both = p20.zip(q15).and_then(|(a, b)| a.mul(&b, &mut budget));
    let both = both.unwrap_or_else(|| panic!("p^20 * q^15 is within the bounds"));
    for point in [[ratio(1, 3), ratio(-5, 2)], [Number::int(7), ratio(2, 9)]] {
        let expected = poly_value(&p, &point)
            .pow(&Number::int(20))
            .zip(poly_value(&q, &point).pow(&Number::int(15)))
            .map(|(a, b)| a.mul(&b));
        assert_eq!(Some(poly_value(&both, &point)), expected);
    }
}

#[test]
fn coprime_multivariate_polynomials_are_settled_by_their_images() {
    // `u^2 + 1` and its derivative in `x`, for `u` of degree 7 in `x` with `y` and `z` in
    // it: the remainder sequence would grow the coefficients for a long while; the images
    // prove the gcd is 1 with a few units of work.
    let u = Poly::from_terms(
        3,
        [
            (vec![7, 0, 0], Number::int(1)),
            (vec![2, 0, 0], Number::int(7)),
            (
                vec![0, 0, 2],
                Number::ratio(-4, 3).unwrap_or_else(Number::one),
            ),
            (vec![1, 0, 0], Number::int(-1)),
            (vec![0, 1, 0], Number::int(28)),
            (vec![0, 0, 0], Number::int(-2)),
        ],
    );
    let mut budget = Budget::new();
    let f = u.mul(&u, &mut budget).map(|sq| sq.add(&Poly::one(3)));
    let f = f.unwrap_or_else(|| panic!("u^2 + 1 is within the bounds"));
    let df = f.derivative(0);
    assert_eq!(
        gcd(&f, &df, &mut Budget::with_limit(100)),
        Some(Poly::one(3))
    );
    // And a polynomial with a multiple of itself: one exact division.
    let multiple = f.scale(&Number::int(6));
    assert_eq!(
        gcd(&f, &multiple, &mut Budget::with_limit(10_000)),
        Some(f.normalized())
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn powers_are_repeated_products(p in arb_rational_poly(), n in 0u32..6) {
        let mut product = Poly::one(3);
        for _ in 0..n {
            product = product.mul(&p, &mut Budget::new()).expect("small powers are in bounds");
        }
        prop_assert_eq!(p.pow(n, &mut Budget::new()), Some(product));
    }

    #[test]
    fn images_from_one_evaluation_are_the_images(
        p in arb_rational_poly(),
        laurent in prop::collection::vec(((-1i32..2, 0i32..3), -3i64..=3), 1..=4),
        v in 0usize..3,
    ) {
        let evaluated = Evaluated::of(&p).and_then(|at| at.image(v));
        prop_assert_eq!(evaluated, image(&p, v));
        // A negative exponent anywhere leaves every image undefined, both ways.
        let laurent = Poly::from_terms(
            3,
            laurent.into_iter().map(|((a, b), k)| (vec![a, b, 1], Number::int(k))),
        );
        let evaluated = Evaluated::of(&laurent).and_then(|at| at.image(v));
        prop_assert_eq!(evaluated, image(&laurent, v));
    }

    #[test]
    fn gcds_from_images_agree_with_the_remainder_sequence(
        a in arb_rational_poly(),
        b in arb_rational_poly(),
        c in arb_rational_poly(),
    ) {
        let mut budget = Budget::new();
        let (Some(ac), Some(bc)) = (a.mul(&c, &mut budget), b.mul(&c, &mut budget)) else {
            return Ok(());
        };
        for (p, q) in [(&a, &b), (&ac, &bc), (&ac, &c), (&c, &bc)] {
            let fast = gcd_with(p, q, &mut Budget::new(), Images::Tried);
            let exact = gcd_with(p, q, &mut Budget::new(), Images::Skipped);
            if let (Some(fast), Some(exact)) = (fast, exact) {
                prop_assert_eq!(fast, exact);
            }
        }
    }

    #[test]
    fn forms_preserve_values(e in arb_expr(), point in arb_point()) {
        if let Some(value) = subst_rational(&e, &point) {
            for form in [expand(&e), cancel(&e), factor(&e), Some(smallest_normal_form(&e))] {
                let form = form.unwrap_or_else(|| e.clone());
                prop_assert_eq!(subst_rational(&form, &point), Some(value.clone()), "{} -> {}", show(&e), show(&form));
            }
        }
    }

    #[test]
    fn cancel_is_canonical(e in arb_expr()) {
        let normal = cancel(&e);
        prop_assume!(normal.is_some());
        for other in [expand(&e), factor(&e)].into_iter().flatten() {
            prop_assert_eq!(cancel(&other), normal.clone());
        }
        prop_assert_eq!(normal.as_ref().and_then(cancel), normal.clone());
    }

    #[test]
    fn factor_expands_back(e in arb_polynomial_expr()) {
        if let (Some(expanded), Some(factored)) = (expand(&e), factor(&e)) {
            prop_assert_eq!(expand(&factored), Some(expanded));
        }
    }

    #[test]
    fn gcd_of_multiples_contains_the_common_factor(a in arb_poly(), b in arb_poly(), c in arb_poly()) {
        let mut budget = Budget::new();
        let (Some(ac), Some(bc)) = (a.mul(&c, &mut budget), b.mul(&c, &mut budget)) else {
            return Ok(());
        };
        let g = gcd(&ac, &bc, &mut budget);
        let g_ab = gcd(&a, &b, &mut budget);
        let (Some(g), Some(g_ab)) = (g, g_ab) else { return Ok(()) };
        prop_assert!(ac.is_zero() || ac.exact_div(&g, &mut budget).is_some());
        prop_assert!(bc.is_zero() || bc.exact_div(&g, &mut budget).is_some());
        if let Some(expected) = c.mul(&g_ab, &mut budget)
            && !expected.is_zero()
        {
            prop_assert_eq!(g, expected.normalized());
        }
    }
}

/// The forms modulo `sin(u)^2 + cos(u)^2 = 1` (and `cosh(u)^2 - sinh(u)^2 = 1`): what
/// cancels only through the relation is found, by lowering powers or by making numerator
/// and denominator homogeneous.
#[test]
fn forms_modulo_the_pythagorean_relations_cancel_through_them() {
    use super::{Pythagorean, forms_modulo};
    let circular = Pythagorean {
        a: x().sin(),
        b: x().cos(),
        sign: -1,
    };
    let hyperbolic = Pythagorean {
        a: x().sinh(),
        b: x().cosh(),
        sign: 1,
    };
    let (s, c) = (x().sin(), x().cos());
    let (sh, ch) = (x().sinh(), x().cosh());
    for (e, relation, expected) in [
        // (1 - sin^2)/cos = cos.
        (
            (int(1) - s.clone().pow(2)) / c.clone(),
            &circular,
            c.clone(),
        ),
        // (cos^2 - sin^2 + 1)/cos = 2*cos.
        (
            (c.clone().pow(2) - s.clone().pow(2) + 1) / c.clone(),
            &circular,
            int(2) * c.clone(),
        ),
        // (1 + 2*sin*cos)/(sin + cos) = sin + cos, homogeneous only.
        (
            (int(1) + int(2) * s.clone() * c.clone()) / (s.clone() + c.clone()),
            &circular,
            s.clone() + c.clone(),
        ),
        // (cosh^2 - 1)/(sinh*cosh^3) = sinh/cosh^3, the denominator not lowered.
        (
            (ch.clone().pow(2) - 1) / (sh.clone() * ch.clone().pow(3)),
            &hyperbolic,
            sh.clone() / ch.clone().pow(3),
        ),
    ] {
        let forms = forms_modulo(&e, std::slice::from_ref(relation));
        assert!(forms.contains(&expected), "{e}: {forms:?}");
    }
    // Without both atoms of a relation there is nothing to say.
    assert!(forms_modulo(&(s.clone().pow(2) / (s + 1)), &[hyperbolic]).is_empty());
}

/// `lowered` is the remainder modulo `atom^2 - r`; `homogenized` refuses mixed parities.
#[test]
fn lowering_and_homogenizing_keep_the_value_modulo_the_relation() {
    let mut budget = Budget::new();
    // Atoms 0 = s, 1 = c; r = 1 - s^2 for lowering c, 1 = s^2 + c^2 for homogenizing.
    let s = Poly::atom_power(2, 0, 1);
    let c = Poly::atom_power(2, 1, 1);
    let one = Poly::one(2);
    let s2 = s.mul(&s, &mut budget).expect("small");
    let c2 = c.mul(&c, &mut budget).expect("small");
    let c5 = c2
        .mul(&c2, &mut budget)
        .and_then(|p| p.mul(&c, &mut budget))
        .expect("small");
    let r = one.sub(&s2);
    // c^5 = c*(1 - s^2)^2.
    let expected = r
        .mul(&r, &mut budget)
        .and_then(|p| p.mul(&c, &mut budget))
        .expect("small");
    assert_eq!(c5.lowered(1, &r, &mut budget), Some(expected));
    // 1 + 2*s*c = s^2 + 2*s*c + c^2.
    let sc2 = s
        .mul(&c, &mut budget)
        .expect("small")
        .scale(&Number::int(2));
    let unit = s2.add(&c2);
    assert_eq!(
        one.add(&sc2).homogenized(0, 1, &unit, &mut budget),
        Some(s2.add(&sc2).add(&c2))
    );
    // 1 + s has degrees 0 and 1: no homogeneous form.
    assert_eq!(one.add(&s).homogenized(0, 1, &unit, &mut budget), None);
}

#[test]
fn proper_fractions_split_off_the_polynomial_part() {
    let shown = |e: &Expr| proper_fractions(e).iter().map(show).collect::<Vec<_>>();
    // (x^2 + 1)/(x + 1) = x - 1 + 2/(x + 1).
    let e = (x().pow(2) + 1) / (x() + 1);
    assert!(
        shown(&e).contains(&show(&(x() - 1 + int(2) / (x() + 1)))),
        "{:?}",
        shown(&e)
    );
    // Over the denominator factored: (x^2 + 2*x)/(x + 1)^2 = 1 - 1/(x + 1)^2.
    let e = (x().pow(2) + int(2) * x()) / (x() + 1).pow(2);
    assert!(
        shown(&e).contains(&show(&(int(1) - (x() + 1).pow(-2)))),
        "{:?}",
        shown(&e)
    );
    // Other atoms ride in the coefficients: (x^2 + y)/(x - 1) = x + 1 + (y + 1)/(x - 1).
    let e = (x().pow(2) + y()) / (x() - 1);
    let split = x() + 1 + (y() + 1) / (x() - 1);
    assert!(shown(&e).contains(&show(&split)), "{:?}", shown(&e));
    // Nothing to split: a proper fraction, an exact quotient, a denominator in two atoms.
    assert!(proper_fractions(&(x() / (x().pow(2) + 1))).is_empty());
    assert!(proper_fractions(&((x().pow(2) - 1) / (x() - 1))).is_empty());
    assert!(proper_fractions(&(x().pow(2) / (x() + y()))).is_empty());
}
