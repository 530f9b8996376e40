//! The rewrite rules: one table row per rule, grouped by topic.
//!
//! A rule is a function from the best-known expression of an e-class to equal expressions.
//! Working on whole canonical expressions (n-ary sums and products) instead of binary
//! patterns lets one rule see all terms of a sum at once: "two of these terms are
//! `a*sin(u)^2` and `a*cos(u)^2`" is one match, not a search through associativity.
//!
//! **Invariant:** every rule is sound where it fires: wherever the input is defined, each
//! output is defined and equal. A rule that needs `u != 0` or `u > 0` asks [`sign`] and fires
//! only on a proof. `tests/rules.rs` instantiates every rule at random points.

use crate::expr::{Constant, Expr, Func, Kind};
use crate::num::Number;
use crate::poly;

use super::fourier;
use super::sign::{Sign, is_analytic, sign};

/// Which family of identities a rule belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Topic {
    /// Polynomial and rational-function normal forms.
    Algebra,
    /// Powers, roots, absolute values.
    Powers,
    /// `exp` and `ln`.
    ExpLog,
    /// Circular functions, and a function of an inverse function (circular or hyperbolic).
    Trig,
    /// Hyperbolic functions.
    Hyperbolic,
    /// Special functions: the error function.
    Special,
}

/// A named rewrite: `apply` returns expressions equal to its argument (possibly none).
#[derive(Clone, Copy)]
pub struct Rule {
    /// Kebab-case name, shown by `--explain`.
    pub name: &'static str,
    /// Its family.
    pub topic: Topic,
    /// Where it looks.
    pub scope: Scope,
    /// The rewrite itself.
    pub apply: fn(&Expr) -> Vec<Expr>,
}

/// Which e-classes a rule looks at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// Every e-class.
    Everywhere,
    /// Only where a polynomial region begins (the root, function arguments, non-integer
    /// powers): a normal form of the whole region covers its parts, at a fraction of the cost.
    PolynomialBoundaries,
    /// Not in the e-graph: at the polynomial boundaries of a run's answer, whose rewritten
    /// form then starts a second run, kept if its answer is smaller. A rule whose forms
    /// would become an e-class's best expression, which the other rules read, and hide
    /// from them what they find from the expression it replaced.
    Answer,
}

use Scope::*;
use Topic::*;

/// The name of the rule that multiplies sines and cosines out into their Fourier form
/// ([`fourier`]): the answer stage also tries without it, as no rule factors it again.
pub const FOURIER_FORM: &str = "fourier-form";

/// Every rule, in the order the runner tries them.
#[rustfmt::skip]
pub const RULES: &[Rule] = &[
    Rule { name: "rational-normal-form",   topic: Algebra,    scope: PolynomialBoundaries, apply: rational_normal_forms },
    Rule { name: "sum-of-scaled-sums",     topic: Algebra,    scope: Everywhere, apply: sum_of_scaled_sums },
    Rule { name: "part-normal-form",       topic: Algebra,    scope: PolynomialBoundaries, apply: part_normal_forms },
    Rule { name: "sqrt-of-square",         topic: Powers,     scope: Everywhere, apply: root_of_even_power },
    Rule { name: "power-of-positive",      topic: Powers,     scope: Everywhere, apply: power_of_positive_power },
    Rule { name: "number-base-power",      topic: Powers,     scope: Everywhere, apply: number_base_power },
    Rule { name: "negated-base",           topic: Powers,     scope: Everywhere, apply: negated_base },
    Rule { name: "zero-base-power",        topic: Powers,     scope: Everywhere, apply: zero_base_power },
    Rule { name: "abs-of-signed",          topic: Powers,     scope: Everywhere, apply: abs_of_signed },
    Rule { name: "signed-abs-in-sum",      topic: Powers,     scope: Everywhere, apply: signed_abs_in_sum },
    Rule { name: "sign-of-signed",         topic: Powers,     scope: Everywhere, apply: sign_of_signed },
    Rule { name: "abs-even-power",         topic: Powers,     scope: Everywhere, apply: abs_even_power },
    Rule { name: "sign-times-abs",         topic: Powers,     scope: Everywhere, apply: sign_times_abs },
    Rule { name: "sign-power-off-zero",    topic: Powers,     scope: Everywhere, apply: sign_power_off_zero },
    Rule { name: "sign-power-parity",      topic: Powers,     scope: Everywhere, apply: sign_power_parity },
    Rule { name: "abs-sign-of-power",      topic: Powers,     scope: Everywhere, apply: abs_sign_of_power },
    Rule { name: "abs-times-power",        topic: Powers,     scope: Everywhere, apply: abs_times_power },
    Rule { name: "power-absorbs-base",     topic: Powers,     scope: Everywhere, apply: power_absorbs_base },
    Rule { name: "ln-split-positive",      topic: ExpLog,     scope: Everywhere, apply: ln_split_positive },
    Rule { name: "ln-power",               topic: ExpLog,     scope: Everywhere, apply: ln_power },
    Rule { name: "ln-join",                topic: ExpLog,     scope: Everywhere, apply: ln_join },
    Rule { name: "number-powers-join",     topic: Powers,     scope: Everywhere, apply: number_powers_joined },
    Rule { name: "exp-of-log",             topic: ExpLog,     scope: Everywhere, apply: exp_of_log },
    Rule { name: "exp-merge",              topic: ExpLog,     scope: Everywhere, apply: exp_merge },
    Rule { name: "exp-split",              topic: ExpLog,     scope: Everywhere, apply: exp_split },
    Rule { name: "exp-into-root",          topic: ExpLog,     scope: Everywhere, apply: exp_into_root },
    Rule { name: "exp-into-square",        topic: ExpLog,     scope: Answer,     apply: exp_into_square },
    Rule { name: "quarter-turn-shift",     topic: Trig,       scope: Everywhere, apply: quarter_turn_shift },
    Rule { name: "complementary-inverses", topic: Trig,       scope: Everywhere, apply: complementary_inverses },
    Rule { name: "pythagorean",            topic: Trig,       scope: Everywhere, apply: pythagorean },
    Rule { name: "double-angle-sin",       topic: Trig,       scope: Everywhere, apply: double_angle_sin },
    Rule { name: "angle-addition",         topic: Trig,       scope: Everywhere, apply: angle_addition },
    Rule { name: "product-to-sum",         topic: Trig,       scope: Answer,     apply: products_to_sums },
    Rule { name: FOURIER_FORM,             topic: Trig,       scope: Answer,     apply: fourier::forms },
    Rule { name: "power-reduction",        topic: Trig,       scope: Everywhere, apply: power_reduction },
    Rule { name: "half-angle-reciprocal",  topic: Trig,       scope: Everywhere, apply: half_angle_reciprocals },
    Rule { name: "half-angle",             topic: Trig,       scope: Everywhere, apply: half_angles },
    Rule { name: "quotient-to-tan",        topic: Trig,       scope: Everywhere, apply: quotients_to_named },
    Rule { name: "sin-cos-monomial",       topic: Trig,       scope: Everywhere, apply: sin_cos_monomials },
    Rule { name: "power-of-power-factors", topic: Powers,     scope: Answer,     apply: powers_of_powers_in_products },
    Rule { name: "power-absorbs-factors",  topic: Powers,     scope: Answer,     apply: power_absorbs_factors },
    Rule { name: "exponent-distributed",   topic: Powers,     scope: Answer,     apply: exponents_distributed },
    Rule { name: "pythagorean-normal-form", topic: Trig,      scope: Answer,     apply: pythagorean_normal_forms },
    Rule { name: "exp-normal-form",        topic: ExpLog,     scope: Answer,     apply: exponential_normal_forms },
    Rule { name: "proper-fraction",        topic: Algebra,    scope: Answer,     apply: poly::proper_fractions },
    Rule { name: "reciprocal-expand",      topic: Trig,       scope: Everywhere, apply: reciprocal_expand },
    Rule { name: "function-of-inverse",    topic: Trig,       scope: Everywhere, apply: function_of_inverse },
    Rule { name: "double-inverse-angle",   topic: Trig,       scope: Everywhere, apply: double_inverse_angle },
    Rule { name: "hyperbolic-pythagorean", topic: Hyperbolic, scope: Everywhere, apply: hyperbolic_pythagorean },
    Rule { name: "double-angle-sinh",      topic: Hyperbolic, scope: Everywhere, apply: double_angle_sinh },
    Rule { name: "sinh-cosh-monomial",     topic: Hyperbolic, scope: Everywhere, apply: sinh_cosh_monomials },
    Rule { name: "exp-to-hyperbolic",      topic: Hyperbolic, scope: Everywhere, apply: exp_to_hyperbolic },
    Rule { name: "hyperbolic-to-exp",      topic: Hyperbolic, scope: Everywhere, apply: hyperbolic_to_exp },
    Rule { name: "erf-complement",         topic: Special,    scope: Everywhere, apply: erf_complements },
];

// ---------------------------------------------------------------------------------------------
// Algebra.

fn rational_normal_forms(e: &Expr) -> Vec<Expr> {
    match e.kind() {
        Kind::Add(_) | Kind::Mul(_) | Kind::Pow(..) => {}
        _ => return Vec::new(),
    }
    poly::normal_forms(e)
}

/// The most terms of a sum whose parts [`part_normal_forms`] reads.
const MAX_PART_TERMS: usize = 8;

/// The normal forms of a part of a sum, the terms over the same bases other than variables,
/// beside the other terms: `3*tan(x)^2 + 3*tan(x)^4 + cos(x)` is `3*(tan(x)^2 + 1)*tan(x)^2 +
/// cos(x)`, which the Pythagorean rule makes `3*tan(x)^2/cos(x)^2 + cos(x)`. The normal form
/// of the whole sum factors less (`cos(x)` shares no factor with the rest). Variables do not
/// tell parts apart, so that a polynomial stays whole (`24*x^2 + 10*x - 7` is not split into
/// `2*x*(12*x + 5) - 7`). Equal by the sum's associativity; only sums of at most
/// [`MAX_PART_TERMS`] terms and parts of at least two terms, so the e-graph grows by a few
/// forms a sum.
fn part_normal_forms(e: &Expr) -> Vec<Expr> {
    let Kind::Add(terms) = e.kind() else {
        return Vec::new();
    };
    if terms.len() < 3 || terms.len() > MAX_PART_TERMS {
        return Vec::new();
    }
    let bases = |t: &Expr| -> Vec<Expr> {
        let factors = match t.kind() {
            Kind::Mul(fs) => fs.to_vec(),
            _ => vec![t.clone()],
        };
        let mut bases: Vec<Expr> = factors
            .into_iter()
            .filter(|f| f.as_num().is_none())
            .map(|f| match f.kind() {
                Kind::Pow(b, _) => b.clone(),
                _ => f,
            })
            .filter(|b| !matches!(b.kind(), Kind::Sym(_)))
            .collect();
        bases.sort();
        bases.dedup();
        bases
    };
    let keys: Vec<Vec<Expr>> = terms.iter().map(bases).collect();
    let mut out = Vec::new();
    for (i, key) in keys.iter().enumerate() {
        // Each part once, from its first term.
        if key.is_empty() || keys[..i].contains(key) {
            continue;
        }
        let (part, rest): (Vec<_>, Vec<_>) = terms.iter().zip(&keys).partition(|&(_, k)| k == key);
        if part.len() < 2 || rest.is_empty() {
            continue;
        }
        let part = Expr::sum(part.into_iter().map(|(t, _)| t.clone()));
        let rest: Vec<Expr> = rest.into_iter().map(|(t, _)| t.clone()).collect();
        out.extend(
            poly::normal_forms(&part)
                .into_iter()
                .map(|form| Expr::sum(rest.iter().cloned().chain([form]))),
        );
    }
    out
}

/// A term `c*(a + b)` of a sum (a number times a sum) joins the sum as `c*a + c*b`:
/// `x^2 - (4 - x)` is `x^2 + x - 4`. The normal forms see this only where a polynomial
/// region begins; a sum that is one factor of a product of functions is not such a place.
fn sum_of_scaled_sums(e: &Expr) -> Vec<Expr> {
    let Kind::Add(terms) = e.kind() else {
        return Vec::new();
    };
    let scaled_sum = |t: &Expr| match t.kind() {
        Kind::Mul(fs) => match &fs[..] {
            [c, sum] if c.as_num().is_some() && matches!(sum.kind(), Kind::Add(_)) => {
                Some((c.clone(), sum.clone()))
            }
            _ => None,
        },
        _ => None,
    };
    let mut out = Vec::with_capacity(terms.len() + 2);
    let mut joined = false;
    for t in terms.iter() {
        match scaled_sum(t) {
            Some((c, sum)) => {
                joined = true;
                out.extend(sum.child_vec().into_iter().map(|u| &c * &u));
            }
            None => out.push(t.clone()),
        }
    }
    if !joined {
        return Vec::new();
    }
    vec![Expr::sum(out)]
}

// ---------------------------------------------------------------------------------------------
// Powers.

/// `(u^(2k))^b = |u|^(2k*b)`: an even power is never negative, so its root is the root of
/// `|u|`. For `u > 0`, `(u^a)^b = u^(a*b)` is [`power_of_positive_power`].
fn root_of_even_power(e: &Expr) -> Vec<Expr> {
    let Kind::Pow(inner, b) = e.kind() else {
        return Vec::new();
    };
    let Kind::Pow(u, a) = inner.kind() else {
        return Vec::new();
    };
    if !is_even_integer(a) || b.as_num().is_none() {
        return Vec::new();
    }
    vec![u.clone().abs().pow(a * b)]
}

/// `(u^a)^b = u^(a*b)` for `u > 0`, or for a number `a` that is not an integer (then `u^a`
/// is real only for `u >= 0`: `sqrt(x)^x = x^(x/2)`), and `(p*q)^b = p^b * q^b` for the factors `p` of a
/// product that are positive or even powers (`(u^(2k))^b = |u|^(2k*b)`): with `p > 0`,
/// `p*q` has a real power exactly where `q` has; with `p = 0` only at isolated points, the
/// two sides differ at most there (see [`power_of_factors`]), so
/// `sqrt((x^2 - 1)^2/(x^2 + 1)^2)` is `|x^2 - 1|/(x^2 + 1)`. A root of a sum is read through
/// the sum's factored normal form, where such factors show: `sqrt(1 - x^2/(x^2 + 1)^2)` is
/// `sqrt(x^4 + x^2 + 1)/(x^2 + 1)`.
fn power_of_positive_power(e: &Expr) -> Vec<Expr> {
    let Kind::Pow(inner, b) = e.kind() else {
        return Vec::new();
    };
    match inner.kind() {
        Kind::Pow(..) => power_of_power_joined(inner, b).into_iter().collect(),
        Kind::Mul(factors) => power_of_factors(factors, b).into_iter().collect(),
        Kind::Add(_) if is_fraction(b) => {
            let factored = poly::factor_square_free(inner);
            match factored.as_ref().map(Expr::kind) {
                Some(Kind::Mul(factors)) => power_of_factors(factors, b).into_iter().collect(),
                _ => Vec::new(),
            }
        }
        _ => Vec::new(),
    }
}

/// `(u^a)^b = u^(a*b)` where that holds wherever `u^a` is defined (see
/// [`power_of_positive_power`]), for `inner = u^a`.
fn power_of_power_joined(inner: &Expr, b: &Expr) -> Option<Expr> {
    match inner.kind() {
        Kind::Pow(u, a) if sign(u).positive || is_fraction(a) => Some(u.clone().pow(a * b)),
        _ => None,
    }
}

/// `e` with each factor `(u^a)^b` of its products joined into `u^(a*b)` as
/// [`power_of_positive_power`] joins a power: a product merges the powers of one base, so
/// `(x^(1/16))^(1/32)*(x^(1/16))^(1/128)` holds a factor `(x^(1/16))^(5/128)` that no e-class
/// holds and no rule sees (twelve nested square roots were answered
/// `1/(4096*x^(4085/4096)*(x^(1/16))^(5/128))`). A rule of [`Scope::Answer`]: in the e-graph,
/// the joined product would become the class's form and hide its factors from the rules
/// that read them (`2*x^2*sqrt(x^(3/2))*sign(x^2)` from `sign-times-abs`).
fn powers_of_powers_in_products(e: &Expr) -> Vec<Expr> {
    rewritten_throughout(e, |node| {
        let Kind::Mul(factors) = node.kind() else {
            return None;
        };
        let mut joined_any = false;
        let factors: Vec<Expr> = factors
            .iter()
            .map(|f| match f.kind() {
                Kind::Pow(inner, b) => power_of_power_joined(inner, b)
                    .inspect(|_| joined_any = true)
                    .unwrap_or_else(|| f.clone()),
                _ => f.clone(),
            })
            .collect();
        joined_any.then(|| Expr::product(factors))
    })
}

/// `e` with each exponent that is a sum with a number times a sum among its terms written
/// with the number distributed ([`sum_of_scaled_sums`]): a product adds the exponents of
/// one base, so `csc(x)^((sqrt(2) - 1)/2)*sqrt(csc(x))` is `csc(x)^((sqrt(2) - 1)/2 + 1/2)`,
/// an exponent that no e-class holds, which is `sqrt(2)/2`. A rule of [`Scope::Answer`], as
/// [`powers_of_powers_in_products`] is.
fn exponents_distributed(e: &Expr) -> Vec<Expr> {
    rewritten_throughout(e, |node| match node.kind() {
        Kind::Pow(base, exponent) => {
            let exponent = sum_of_scaled_sums(exponent).pop()?;
            Some(base.clone().pow(exponent))
        }
        _ => None,
    })
}

/// `e` with `rewrite` applied to each node, children first, or nothing when no node
/// changed.
fn rewritten_throughout(e: &Expr, rewrite: impl Fn(&Expr) -> Option<Expr>) -> Vec<Expr> {
    let rewritten = e.rewrite_bottom_up(|_, node| rewrite(node));
    match rewritten == *e {
        true => Vec::new(),
        false => vec![rewritten],
    }
}

/// `(p_1*...*p_n)^b` with the factors that are positive or even powers taken out (see
/// [`power_of_positive_power`]), or `None` when there are none.
///
/// An even power `u^(2k)` is taken out beside other factors only when `u` is
/// [`is_analytic`], zero at isolated points only: where `u` is 0 the left side is `0^b` while
/// the right side needs the rest's power to be real, so for a `u` that is 0 on an interval
/// the right side would lose that interval (`sqrt(-(x - abs(x))^2)` is 0 for `x >= 0`, and
/// `|x - abs(x)|*sqrt(-1)` is real nowhere).
fn power_of_factors(factors: &[Expr], b: &Expr) -> Option<Expr> {
    let mut pulled = Vec::new();
    let mut rest = Vec::new();
    // Even powers of bases that may be 0 on an interval: taken out only with everything else.
    let mut held = Vec::new();
    for f in factors {
        match f.kind() {
            _ if sign(f).positive => pulled.push(f.clone().pow(b.clone())),
            Kind::Pow(u, a) if is_even_integer(a) && is_analytic(u) => {
                pulled.push(u.clone().abs().pow(a * b));
            }
            Kind::Pow(u, a) if is_even_integer(a) => held.push((f, u.clone().abs().pow(a * b))),
            _ => rest.push(f.clone()),
        }
    }
    if rest.is_empty() {
        pulled.extend(held.into_iter().map(|(_, pulled)| pulled));
    } else {
        rest.extend(held.into_iter().map(|(f, _)| f.clone()));
    }
    if pulled.is_empty() {
        return None;
    }
    if !rest.is_empty() {
        pulled.push(Expr::product(rest).pow(b.clone()));
    }
    Some(Expr::product(pulled))
}

/// Whether `a` is a number that is not an integer: `u^a` is real only for `u >= 0`.
fn is_fraction(a: &Expr) -> bool {
    a.as_num().is_some_and(|a| !a.is_integer())
}

/// Whether `a` is an even integer (that fits 64 bits).
fn is_even_integer(a: &Expr) -> bool {
    a.as_num()
        .and_then(Number::to_i64)
        .is_some_and(|n| n % 2 == 0)
}

/// `b^(k*u) = (b^k)^u` for a positive number `b` and a positive number `k` where `b^k` is
/// rational: `2^(3*x)` is `8^x`, `9^(3*x/2)` is `27^x` (true for every real `u` because
/// `b > 0`). Only where `b^k` is short to write ([`SHORT_POWER`] characters): `10^(400*x)`
/// stays as it is.
fn number_base_power(e: &Expr) -> Vec<Expr> {
    let Kind::Pow(base, exponent) = e.kind() else {
        return Vec::new();
    };
    let Some(b) = base.as_num().filter(|b| b.is_positive()) else {
        return Vec::new();
    };
    let mut out = number_term_out_of_exponent(b, exponent);
    let (k, u) = exponent.split_coeff();
    if !k.is_positive() || k.is_one() {
        return out;
    }
    match b.pow(&k) {
        Some(power) if power.to_string().len() <= SHORT_POWER => out.push(Expr::num(power).pow(u)),
        _ => {}
    }
    out
}

/// `b^(u + c) = b^c * b^u` for a positive number `b` and a number `c` where `b^c` is a
/// short rational (true for every real `u`): `2^(x^2/4 + 1)` is `2*2^(x^2/4)`. The exponent
/// is read with a number times a sum multiplied out (`(x^2 + 4)/4`).
fn number_term_out_of_exponent(b: &Number, exponent: &Expr) -> Vec<Expr> {
    let Some(terms) = terms_distributed(exponent) else {
        return Vec::new();
    };
    let Some((c, rest)) = terms.split_last() else {
        return Vec::new();
    };
    let Some(c) = c.as_num() else {
        return Vec::new();
    };
    match b.pow(c) {
        Some(power) if power.to_string().len() <= SHORT_POWER => {
            let rest = Expr::sum(rest.iter().cloned());
            vec![Expr::num(power) * Expr::num(b.clone()).pow(rest)]
        }
        _ => Vec::new(),
    }
}

/// `0^u = 0` where `u > 0` is proved: `(sin(x)^2 + cos(x)^2 - 1)^(x^2 + 1)` is 0 once its
/// base is.
fn zero_base_power(e: &Expr) -> Vec<Expr> {
    match e.kind() {
        Kind::Pow(base, u) if base.is_int(0) && sign(u).positive => vec![Expr::zero()],
        _ => Vec::new(),
    }
}

/// `u^n * (-u)^a = (-1)^n * (-u)^(n + a)` for a whole `n`, in a product: `u^n = (-1)^n *
/// (-u)^n`, and whole powers join any other power of the same base wherever that power is
/// defined (a real power of a negative base is not), so `x^2*sqrt(-x) = (-x)^(5/2)` and
/// `(x - 1)^2*(1 - x)^(3/2) = (1 - x)^(7/2)`. The power with the whole exponent is the one
/// that moves, so each pair is offered once (twice when both exponents are whole).
fn negated_base(e: &Expr) -> Vec<Expr> {
    let Kind::Mul(factors) = e.kind() else {
        return Vec::new();
    };
    let parts: Vec<(Expr, Expr)> = factors.iter().map(Expr::split_pow).collect();
    let mut out = Vec::new();
    for (i, (base, n)) in parts.iter().enumerate() {
        let Some(n) = n.as_num().filter(|n| n.is_integer()) else {
            continue;
        };
        if base.as_num().is_some() {
            continue;
        }
        let negated = -base;
        let Some(j) = parts.iter().position(|(other, _)| *other == negated) else {
            continue;
        };
        let sign = Expr::int(-1).pow(Expr::num(n.clone()));
        let rest = factors
            .iter()
            .enumerate()
            .filter(|&(k, _)| k != i && k != j)
            .map(|(_, f)| f.clone());
        let joined = negated.pow(Expr::num(n.clone()) + &parts[j].1);
        out.push(Expr::product(rest.chain([sign, joined])));
    }
    out
}

/// The longest `b^k` that [`number_base_power`] writes out, in characters.
const SHORT_POWER: usize = 6;

/// `|u| = u` where `u >= 0` is proved, `-u` where `u <= 0` is; and a product's factors of
/// proved sign come out (`|a*v| = |a|*|v|`): `|pi*x| = pi*|x|`, `|cos(2)*x| = -cos(2)*|x|`.
fn abs_of_signed(e: &Expr) -> Vec<Expr> {
    let Kind::Call(Func::Abs, u) = e.kind() else {
        return Vec::new();
    };
    match abs_written_out(u) {
        Some(written) => vec![written],
        None => signed_factors(u)
            .map(|signed| signed.magnitude * Expr::call(Func::Abs, signed.rest))
            .into_iter()
            .collect(),
    }
}

/// `|u|` as `u` where `u >= 0` is proved, as `-u` (negated term by term, `1 - cos(x)` for
/// `cos(x) - 1`) where `u <= 0` is; `None` otherwise.
fn abs_written_out(u: &Expr) -> Option<Expr> {
    match proved_side(u, |s| s.nonnegative)? {
        1 => Some(u.clone()),
        _ => Some(u.negated_term_by_term()),
    }
}

/// A sum with each `|u|` among its terms (or their factors) whose argument's sign is proved
/// written as `u` or `-u`, so that it meets the other terms: `cos(x) + |cos(x) - 1| + 1` is
/// 2 (`cos(x) - 1 <= 0`), which is `max(1, cos(x))` doubled. `abs-of-signed` rewrites such a
/// `|u|` alone too, but alone `1 - cos(x)` is no simpler than `|cos(x) - 1|`, so the sum
/// would never see it.
fn signed_abs_in_sum(e: &Expr) -> Vec<Expr> {
    let Kind::Add(terms) = e.kind() else {
        return Vec::new();
    };
    let unsigned = |f: &Expr| match f.kind() {
        Kind::Call(Func::Abs, u) => abs_written_out(u),
        _ => None,
    };
    // Each term with its factors (a term that is no product is its own one factor) written
    // out where their sign is proved; `None` when none is.
    let written_out = |term: &Expr| {
        let factors = match term.kind() {
            Kind::Mul(factors) => &factors[..],
            _ => std::slice::from_ref(term),
        };
        let unsigned: Vec<Option<Expr>> = factors.iter().map(unsigned).collect();
        unsigned.iter().any(Option::is_some).then(|| {
            let written = factors
                .iter()
                .zip(unsigned)
                .map(|(f, u)| u.unwrap_or_else(|| f.clone()));
            Expr::product(written)
        })
    };
    let written: Vec<Option<Expr>> = terms.iter().map(written_out).collect();
    if written.iter().all(Option::is_none) {
        return Vec::new();
    }
    let terms = terms
        .iter()
        .zip(written)
        .map(|(t, w)| w.unwrap_or_else(|| t.clone()));
    vec![Expr::sum(terms)]
}

/// A product split as `sign * magnitude * rest`: its factors of proved sign (positive or
/// negative) apart from the others.
struct SignedFactors {
    /// `1` or `-1`: the sign of the product of the signed factors.
    sign: i64,
    /// The product of the signed factors' absolute values (each factor or its negation).
    magnitude: Expr,
    /// The product of the other factors.
    rest: Expr,
}

/// [`SignedFactors`] of `u`, or `None` when `u` is not a product, or no factor's sign is
/// proved, or every one's is (then the whole product's is).
fn signed_factors(u: &Expr) -> Option<SignedFactors> {
    let Kind::Mul(factors) = u.kind() else {
        return None;
    };
    let mut sign = 1;
    let mut magnitude = Vec::new();
    let mut rest = Vec::new();
    for f in factors.iter() {
        match proved_side(f, |s| s.positive) {
            Some(side) => {
                sign *= side;
                magnitude.push(Expr::int(side) * f);
            }
            None => rest.push(f.clone()),
        }
    }
    (!magnitude.is_empty() && !rest.is_empty()).then(|| SignedFactors {
        sign,
        magnitude: Expr::product(magnitude),
        rest: Expr::product(rest),
    })
}

/// `1` when `holds` is proved of `u`'s sign, `-1` when it is of `-u`'s.
fn proved_side(u: &Expr, holds: impl Fn(Sign) -> bool) -> Option<i64> {
    if holds(sign(u)) {
        Some(1)
    } else if holds(sign(&-u)) {
        Some(-1)
    } else {
        None
    }
}

/// `sign(u) = 1` where `u > 0` is proved, `-1` where `u < 0` is; `sign(f(v)) = sign(v)` for a
/// function with the sign of its argument ([`Func::keeps_sign`]).
fn sign_of_signed(e: &Expr) -> Vec<Expr> {
    let Kind::Call(Func::Sign, u) = e.kind() else {
        return Vec::new();
    };
    let mut out: Vec<Expr> = proved_side(u, |s| s.positive)
        .map(Expr::int)
        .into_iter()
        .collect();
    // `sign(a*v) = sign(a)*sign(v)` for factors `a` of proved sign: `sign(pi*x) = sign(x)`.
    if let Some(signed) = signed_factors(u) {
        out.push(Expr::int(signed.sign) * Expr::call(Func::Sign, signed.rest));
    }
    // `sign(sinh(v)) = sign(v)`: a function with the sign of its argument.
    if let Kind::Call(f, v) = u.kind()
        && f.keeps_sign()
    {
        out.push(Expr::call(Func::Sign, v.clone()));
    }
    out
}

fn abs_even_power(e: &Expr) -> Vec<Expr> {
    let Kind::Pow(base, exp) = e.kind() else {
        return Vec::new();
    };
    let Kind::Call(Func::Abs, u) = base.kind() else {
        return Vec::new();
    };
    let even = exp
        .as_num()
        .and_then(Number::to_i64)
        .is_some_and(|n| n % 2 == 0);
    if even {
        vec![u.clone().pow(exp.clone())]
    } else {
        Vec::new()
    }
}

/// `sign(u)*|u| = u` and `sign(u)*u^m = |u|*u^(m - 1)` (`m >= 1`), for every real `u`,
/// so that `(2*x - 3)^2*sign(2*x - 3)` meets `|2*x - 3|` as a like term; `sign(u)*|u|^k =
/// u*|u|^(k - 1)` for an odd `k` (for a negative one both sides are undefined at `u = 0`
/// only), so that `abs-even-power` makes it `u^k` (`sign(u)/|u| = 1/u`, `sign(u)*|u|^3 =
/// u^3`); `sign(u)*u^m = |u|^m` for a negative odd `m` (`sign(u)/u = 1/|u|`, so that
/// `sign(u)/u - 1/|u|` cancels). Other powers of `|u|` stay: the swap would only trade `sign(u)` for `u`
/// (`sign(x)/sqrt(|x|)`, not `x/|x|^(3/2)`).
fn sign_times_abs(e: &Expr) -> Vec<Expr> {
    joined_repeatedly(e, sign_joined_once)
}

/// One join of [`sign_times_abs`], if `e` has a pair to join.
fn sign_joined_once(e: &Expr) -> Option<Expr> {
    let Kind::Mul(factors) = e.kind() else {
        return None;
    };
    for (i, f) in factors.iter().enumerate() {
        let Kind::Call(Func::Sign, u) = f.kind() else {
            continue;
        };
        let abs = u.clone().abs();
        for (j, g) in factors.iter().enumerate() {
            let joined = if *g == abs {
                u.clone()
            } else if g == u {
                abs.clone()
            } else if let Kind::Pow(b, k) = g.kind()
                && *b == abs
                && k.as_num()
                    .and_then(Number::to_i64)
                    .is_some_and(|k| k % 2 != 0)
            {
                u * abs.clone().pow(k - 1)
            } else if let Kind::Pow(b, m) = g.kind()
                && b == u
                && m.as_num().and_then(Number::to_i64).is_some_and(|m| m >= 2)
            {
                abs.clone() * u.clone().pow(m - 1)
            } else if let Kind::Pow(b, m) = g.kind()
                && b == u
                && m.as_num()
                    .and_then(Number::to_i64)
                    .is_some_and(|m| m < 0 && m % 2 != 0)
            {
                // `sign(u)/u = 1/|u|`: for an odd `m`, `u^m = sign(u)*|u|^m` where `u != 0`,
                // and at `u = 0` both sides are undefined.
                abs.clone().pow(m.clone())
            } else {
                continue;
            };
            return Some(pair_replaced(factors, (i, j), joined));
        }
    }
    None
}

/// `sign(u)^k*|u|^r = |u|^r` for an even `k` and a negative `r`, and so with `u^r`: where
/// `u != 0`, `sign(u)^2 = 1`, and where `u = 0` both sides are undefined. The chain rule
/// writes it for the real cube root: `d/dx cbrt(x)`, from `sign(x)*|x|^(1/3)`, is
/// `sign(x)^2/(3*|x|^(2/3))`, which is `1/(3*|x|^(2/3))`. (An odd `k` is
/// `sign-power-parity`'s: `sign(u)^k = sign(u)` everywhere.)
fn sign_power_off_zero(e: &Expr) -> Vec<Expr> {
    let Kind::Mul(factors) = e.kind() else {
        return Vec::new();
    };
    for (i, f) in factors.iter().enumerate() {
        let Kind::Pow(sign, k) = f.kind() else {
            continue;
        };
        let (Kind::Call(Func::Sign, u), Some(k)) =
            (sign.kind(), k.as_num().and_then(Number::to_i64))
        else {
            continue;
        };
        if k < 2 || k % 2 != 0 {
            continue;
        }
        let undefined_at_zero = |g: &Expr| match g.kind() {
            Kind::Pow(b, r) => {
                r.as_num().is_some_and(Number::is_negative)
                    && (b == u || matches!(b.kind(), Kind::Call(Func::Abs, v) if v == u))
            }
            _ => false,
        };
        if !factors.iter().any(undefined_at_zero) {
            continue;
        }
        let rest = factors.iter().enumerate().filter(|&(j, _)| j != i);
        return vec![Expr::product(rest.map(|(_, g)| g.clone()))];
    }
    Vec::new()
}

/// `sign(u)^k = sign(u)` for an odd integer `k` and `sign(u)^2` for an even one, since
/// `sign(u)` is -1, 0 or 1 (a negative `k` is undefined where `u = 0`, so it only gains points
/// where it is defined). The chain rule writes such powers (`d/dx cbrt(x)^3` is `sign(x)^4`,
/// `cbrt(x)^3` is `|x|*sign(x)^3`), and `sign-times-abs` then meets `sign(u)` whole.
fn sign_power_parity(e: &Expr) -> Vec<Expr> {
    let Kind::Pow(sign, k) = e.kind() else {
        return Vec::new();
    };
    let (Kind::Call(Func::Sign, _), Some(k)) = (sign.kind(), k.as_num().and_then(Number::to_i64))
    else {
        return Vec::new();
    };
    match k {
        1 | 2 => Vec::new(),
        _ if k % 2 != 0 => vec![sign.clone()],
        _ => vec![sign.clone().pow(2)],
    }
}

/// `|u^k| = |u|^k` and `sign(u^k) = sign(u)^k` for an integer `k`, for every real `u` (both
/// sides undefined at `u = 0` when `k < 0`). They take the power out of the call, where it
/// meets the other powers of `u`: `|x|*|1/x|` is `|x|/|x|`, which is 1 (`d/dx asec(sqrt(x^2 +
/// 1)/x)` has it), and `sign(1/x)` meets `sign(x)`. For a number `r` that is not an integer,
/// `u^r` is real only where `u >= 0`, so there `sign(u^r)` is `sign(u)` for `r > 0` and 1 for
/// `r < 0` (where `u > 0`); `|u^r| = u^r` is `abs-of-signed`'s, which proves `u^r >= 0`.
fn abs_sign_of_power(e: &Expr) -> Vec<Expr> {
    let Kind::Call(f @ (Func::Abs | Func::Sign), power) = e.kind() else {
        return Vec::new();
    };
    let Kind::Pow(u, r) = power.kind() else {
        return Vec::new();
    };
    let Some(n) = r.as_num() else {
        return Vec::new();
    };
    let out = match (f, n.is_integer()) {
        (_, true) => Expr::call(*f, u.clone()).pow(r.clone()),
        (Func::Abs, false) => return Vec::new(),
        (_, false) if n.is_negative() => Expr::one(),
        (_, false) => u.clone().sign(),
    };
    vec![out]
}

/// The product of `factors` with the two at `pair` replaced by `joined`.
fn pair_replaced(factors: &[Expr], pair: (usize, usize), joined: Expr) -> Expr {
    let rest = factors
        .iter()
        .enumerate()
        .filter(|&(k, _)| k != pair.0 && k != pair.1)
        .map(|(_, g)| g.clone());
    Expr::product(rest.chain([joined]))
}

/// `B^a` times the factors of `B` is `B^(a + 1)` (`(x^2*y)^(y - 1)*x^2*y^2 = (x^2*y)^y*y`,
/// `x*sqrt(x/a)/a = (x/a)^(3/2)`), and `B^a` over them is `B^(a - 1)`, for a base `B` that is
/// a product or a power with whole exponents, whose factors the canonical product keeps apart
/// from `B^a` (it joins like bases only), and an exponent `a` that is not whole.
///
/// Sound where the input is defined: `B` is 0 only where a factor with a positive exponent
/// is. The other factors hold each factor of `B` to at least its power (of the same sign),
/// so where `B` is 0 both sides are 0 (`0^a` is defined only for `a >= 0`, and `0^(a + 1)`
/// is then 0); or to at least the opposite power, so each factor with a positive exponent
/// is not 0 there, nor is `B`.
fn power_absorbs_base(e: &Expr) -> Vec<Expr> {
    powers_absorbing_bases(e, |exponent| exponent.as_num().is_none())
}

/// [`power_absorbs_base`] for a number exponent that is not whole: `x*sqrt(x/a)/a =
/// (x/a)^(3/2)`. On answers only: as an e-class's best form, `(x^3)^(3/2)` hid `x^3*sqrt(x^3)`
/// from the rules that take roots apart.
fn power_absorbs_factors(e: &Expr) -> Vec<Expr> {
    powers_absorbing_bases(e, |exponent| exponent.as_num().is_some())
}

/// The rewrites of [`power_absorbs_base`] for the powers `B^a` whose exponent `a` passes
/// `chosen` (and is not whole: the canonical product has distributed a whole one).
fn powers_absorbing_bases(e: &Expr, chosen: impl Fn(&Expr) -> bool) -> Vec<Expr> {
    let Kind::Mul(factors) = e.kind() else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (i, factor) in factors.iter().enumerate() {
        let Kind::Pow(base, exponent) = factor.kind() else {
            continue;
        };
        let whole = exponent.as_num().is_some_and(Number::is_integer);
        if whole || !chosen(exponent) || !matches!(base.kind(), Kind::Mul(_) | Kind::Pow(..)) {
            continue;
        }
        let Some(parts) = whole_power_factors(base) else {
            continue;
        };
        let others: Vec<(&Expr, i64)> = factors
            .iter()
            .enumerate()
            .filter(|&(j, _)| j != i)
            .filter_map(|(_, f)| whole_power(f))
            .collect();
        let power_in_others = |b: &Expr| {
            others
                .iter()
                .filter(|(o, _)| *o == b)
                .map(|&(_, k)| k)
                .sum::<i64>()
        };
        let rest = || {
            let rest = factors.iter().enumerate().filter(|&(j, _)| j != i);
            Expr::product(rest.map(|(_, f)| f.clone()))
        };
        // Whether the others hold `b^k` (`b^k` times a power of `b` of `k`'s sign).
        let holds = |b: &Expr, k: i64| match k > 0 {
            true => power_in_others(b) >= k,
            false => power_in_others(b) <= k,
        };
        if parts.iter().all(|&(b, k)| holds(b, k)) {
            let step = exponent.clone() + Expr::one();
            out.push(base.clone().pow(step) * (rest() * base.clone().recip()));
        } else if parts.iter().all(|&(b, k)| holds(b, -k)) {
            let step = exponent.clone() - Expr::one();
            out.push(base.clone().pow(step) * (rest() * base.clone()));
        }
    }
    out
}

/// A factor as its base and a whole exponent that fits `i64` (`x` is `(x, 1)`), or `None` for
/// a number or another exponent.
fn whole_power(f: &Expr) -> Option<(&Expr, i64)> {
    match f.kind() {
        Kind::Num(_) => None,
        Kind::Pow(b, k) => Some((b, k.as_num().filter(|k| k.is_integer())?.to_i64()?)),
        _ => Some((f, 1)),
    }
}

/// The factors of a product or power other than its number, each as a base and a nonzero
/// whole exponent (`x^2*y` is `[(x, 2), (y, 1)]`, `x/y` is `[(x, 1), (y, -1)]`), or `None`
/// when one is not such a power.
fn whole_power_factors(base: &Expr) -> Option<Vec<(&Expr, i64)>> {
    let factors = match base.kind() {
        Kind::Mul(xs) => xs.as_ref(),
        _ => std::slice::from_ref(base),
    };
    factors
        .iter()
        .filter(|f| f.as_num().is_none())
        .map(|f| whole_power(f).filter(|&(_, k)| k != 0))
        .collect()
}

/// `u^m*|u|^k` for integers `m` and `k`: `|u|^(m + k)` for an even `m` (`u^m = |u|^m`), and
/// `sign(u)*u^(m + k)` for odd `m` and `k` (`u^m = sign(u)*|u|^m`, and an even power of
/// `|u|` is one of `u`). So `(x + 1)/|x + 1|` is `sign(x + 1)` and `|x|/x^2` is `1/|x|`.
/// Where the left side is defined, so is the right.
fn abs_times_power(e: &Expr) -> Vec<Expr> {
    joined_repeatedly(e, abs_joined_once)
}

/// `e` with pairs of its factors joined by `once` until none is left, or nothing when there
/// was none: `-2*x*(x + 2)/(|x|*|x + 2|)` is `-2*sign(x)*sign(x + 2)` in one step. One pair
/// at a time, the half-joined form has to win its class before the rule sees it again, and
/// it need not (`(x + 2)*sign(x)/|x + 2|` was an answer).
fn joined_repeatedly(e: &Expr, once: fn(&Expr) -> Option<Expr>) -> Vec<Expr> {
    let mut joined = None;
    let mut now = e.clone();
    // Each join takes an `abs` or a `sign` factor away, so there are at most as many as
    // factors.
    for _ in 0..e.children().count() {
        match once(&now) {
            Some(next) => {
                joined = Some(next.clone());
                now = next;
            }
            None => break,
        }
    }
    joined.into_iter().collect()
}

/// One join of [`abs_times_power`], if `e` has a pair to join.
fn abs_joined_once(e: &Expr) -> Option<Expr> {
    let Kind::Mul(factors) = e.kind() else {
        return None;
    };
    // Each factor as a base and a whole exponent, read once.
    let split: Vec<Option<(&Expr, i64)>> = factors
        .iter()
        .map(|f| match f.kind() {
            Kind::Pow(b, k) => k
                .as_num()
                .filter(|k| k.is_integer())
                .and_then(Number::to_i64)
                .map(|k| (b, k)),
            _ => Some((f, 1)),
        })
        .collect();
    for (i, &(abs, k)) in split
        .iter()
        .enumerate()
        .filter_map(|(i, s)| Some((i, s.as_ref()?)))
    {
        let Kind::Call(Func::Abs, u) = abs.kind() else {
            continue;
        };
        for (j, &(base, m)) in split
            .iter()
            .enumerate()
            .filter_map(|(j, s)| Some((j, s.as_ref()?)))
        {
            if base != u {
                continue;
            }
            let Some(total) = m.checked_add(k) else {
                continue;
            };
            let joined = if m % 2 == 0 {
                abs.clone().pow(total)
            } else if k % 2 != 0 {
                base.clone().sign() * base.clone().pow(total)
            } else {
                continue;
            };
            return Some(pair_replaced(factors, (i, j), joined));
        }
    }
    None
}

// ---------------------------------------------------------------------------------------------
// exp and ln.

/// `ln(a*p) = ln(a) + ln(p)` for `p > 0`: where the left side is defined, `a > 0` too.
fn ln_split_positive(e: &Expr) -> Vec<Expr> {
    let Kind::Call(Func::Ln, arg) = e.kind() else {
        return Vec::new();
    };
    let Kind::Mul(factors) = arg.kind() else {
        return Vec::new();
    };
    let (positive, rest): (Vec<Expr>, Vec<Expr>) =
        factors.iter().cloned().partition(|f| sign(f).positive);
    if positive.is_empty() {
        return Vec::new();
    }
    let logs = positive.into_iter().map(Expr::ln);
    let rest = if rest.is_empty() {
        Expr::zero()
    } else {
        Expr::product(rest).ln()
    };
    vec![Expr::sum(logs.chain([rest]))]
}

/// `a*ln(u) + a*ln(v) = a*ln(u*v)` and `a*ln(u) - a*ln(v) = a*ln(u/v)` for two terms of a
/// sum: where the left side is defined, `u > 0` and `v > 0`, and there the logarithm of a
/// product is the sum of the logarithms (`ln(2) + ln(3) = ln(6)`, `ln(3) + ln(x) =
/// ln(3*x)`). The twin of [`ln_split_positive`], which goes the other way.
fn ln_join(e: &Expr) -> Vec<Expr> {
    combine_pairs(
        e,
        |f| f == Func::Ln,
        |(_, u, a), (_, v, b)| {
            let v = match same_or_opposite(a, b)? {
                1 => v.clone(),
                _ => v.clone().recip(),
            };
            Some(a * Expr::product([u.clone(), v]).ln())
        },
    )
}

/// `p^u * q^u = (p*q)^u` for positive numbers `p` and `q` whose product is short to write
/// ([`SHORT_POWER`] characters), in a product (true for every real `u`): `2^x*3^x` is `6^x`.
fn number_powers_joined(e: &Expr) -> Vec<Expr> {
    let Kind::Mul(factors) = e.kind() else {
        return Vec::new();
    };
    let powers: Vec<Option<(Number, &Expr)>> = factors
        .iter()
        .map(|f| match f.kind() {
            Kind::Pow(b, u) => b
                .as_num()
                .filter(|b| b.is_positive())
                .map(|b| (b.clone(), u)),
            _ => None,
        })
        .collect();
    for (i, first) in powers.iter().enumerate() {
        let Some((p, u)) = first else { continue };
        for (j, second) in powers.iter().enumerate().skip(i + 1) {
            let Some((q, v)) = second else { continue };
            let pq = p.mul(q);
            if u != v || pq.to_string().len() > SHORT_POWER {
                continue;
            }
            let joined = Expr::num(pq).pow((*u).clone());
            return vec![Expr::product(all_but_two(factors, i, j).chain([joined]))];
        }
    }
    Vec::new()
}

/// The items but the `i`-th and the `j`-th (one item when `i == j`): the rest of a product
/// two factors of which join, or one of which is rewritten.
fn all_but_two(items: &[Expr], i: usize, j: usize) -> impl Iterator<Item = Expr> + '_ {
    items
        .iter()
        .enumerate()
        .filter(move |&(k, _)| k != i && k != j)
        .map(|(_, x)| x.clone())
}

/// `ln(u^k) = k*ln(u)` for `u > 0`, and for a number `k` that is an odd integer or not an
/// integer: then `u^k > 0` only where `u > 0` (a root of a negative number is not real), so
/// both sides are defined on the same points (`ln(sqrt(x)) = ln(x)/2`). `ln(u^(2k)) =
/// 2k*ln|u|` for every `u != 0` (both sides undefined at 0).
fn ln_power(e: &Expr) -> Vec<Expr> {
    let Kind::Call(Func::Ln, arg) = e.kind() else {
        return Vec::new();
    };
    let Kind::Pow(u, k) = arg.kind() else {
        return Vec::new();
    };
    let n = k.as_num();
    let even = is_even_integer(k);
    let positive_only = n.is_some_and(|n| match n.to_i64() {
        Some(n) => n % 2 != 0,
        None => !n.is_integer(),
    });
    if positive_only || sign(u).positive {
        return vec![k * u.clone().ln()];
    }
    if even {
        vec![k * u.clone().abs().ln()]
    } else {
        Vec::new()
    }
}

/// `exp(c*ln(u)) = u^c`: the left side is defined only where `u > 0` (and `c` is), and there
/// the two are equal, so `exp(x*ln(2)) = 2^x` and `exp(2*ln(x)) = x^2`. One output per
/// logarithm among the factors.
fn exp_of_log(e: &Expr) -> Vec<Expr> {
    let Kind::Call(Func::Exp, t) = e.kind() else {
        return Vec::new();
    };
    let Kind::Mul(factors) = t.kind() else {
        return Vec::new();
    };
    factors
        .iter()
        .enumerate()
        .filter_map(|(i, f)| match f.kind() {
            Kind::Call(Func::Ln, u) => {
                let others = factors
                    .iter()
                    .enumerate()
                    .filter(|&(j, _)| j != i)
                    .map(|(_, g)| g.clone());
                Some(u.clone().pow(Expr::product(others)))
            }
            _ => None,
        })
        .collect()
}

/// `exp(a)*exp(b) = exp(a + b)`, with `e` read as `exp(1)`: `e*exp(x - 1) = exp(x)`.
fn exp_merge(e: &Expr) -> Vec<Expr> {
    let Kind::Mul(factors) = e.kind() else {
        return Vec::new();
    };
    let exponent_of = |f: &Expr| match f.kind() {
        Kind::Call(Func::Exp, a) => Some(a.clone()),
        Kind::Const(Constant::E) => Some(Expr::one()),
        _ => None,
    };
    let mut exponents = Vec::new();
    let mut rest = Vec::new();
    for f in factors.iter() {
        match exponent_of(f) {
            Some(a) => exponents.push(a),
            None => rest.push(f.clone()),
        }
    }
    if exponents.len() < 2 {
        return Vec::new();
    }
    vec![Expr::product(
        rest.into_iter().chain([Expr::sum(exponents).exp()]),
    )]
}

/// `exp(a + b) = exp(a)*exp(b)`; with `exp(ln(u)) = u` it turns `exp(x + ln(x))` into
/// `x*exp(x)`.
fn exp_split(e: &Expr) -> Vec<Expr> {
    let Kind::Call(Func::Exp, arg) = e.kind() else {
        return Vec::new();
    };
    let Kind::Add(terms) = arg.kind() else {
        return Vec::new();
    };
    vec![Expr::product(terms.iter().map(|t| t.clone().exp()))]
}

/// `exp(a)*S^r = (S*exp(a/r))^r` for a sum `S` and a fractional `r` or `r = -1`, the
/// exponentials of each term merged: `exp(a) = (exp(a/r))^r` is positive, so it moves under
/// any real power. Only where some term's exponential cancels (`exp(-x)/sqrt(1 - exp(-2*x))`
/// is `1/sqrt(exp(2*x) - 1)`) or the terms become a hyperbolic pair (`exp(x)/(exp(2*x) + 1)`
/// is `1/(exp(x) + exp(-x))`, which is `1/(2*cosh(x))`: `d/dx atan(exp(x))`).
fn exp_into_root(e: &Expr) -> Vec<Expr> {
    exp_into_powers(e, |r| !r.is_integer() || r.is_minus_one())
}

/// [`exp_into_root`] for the reciprocal of a square, which the logistic function's
/// derivative is: `exp(-x)/(exp(-x) + 1)^2` is `1/(exp(x/2) + exp(-x/2))^2`, which is
/// `1/(2*cosh(x) + 2)`. A rule of [`Scope::Answer`], anywhere in the answer: as an e-class's
/// form, the hyperbolic one hid the term from the rational normal form of a sum it is in
/// (`exp(x)/(exp(x) + 1)^2 - 2*exp(2*x)/(exp(x) + 1)^3` goes over one denominator). No
/// higher power: the pair's power would have to be written out to get smaller.
fn exp_into_square(e: &Expr) -> Vec<Expr> {
    rewritten_throughout(e, |node| {
        exp_into_powers(node, |r| r.to_i64() == Some(-2)).pop()
    })
}

/// `exp(a)*S^r = (S*exp(a/r))^r` for each power of a sum `S` in the product `e` whose number
/// exponent `r` passes `moves`, where some term's exponential cancels (for an `r` that is not
/// whole) or the terms become a hyperbolic pair (see [`exp_into_root`]).
fn exp_into_powers(e: &Expr, moves: impl Fn(&Number) -> bool) -> Vec<Expr> {
    let Kind::Mul(factors) = e.kind() else {
        return Vec::new();
    };
    let Some(i) = factors.iter().position(is_exp) else {
        return Vec::new();
    };
    let Kind::Call(Func::Exp, a) = factors[i].kind() else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (j, f) in factors.iter().enumerate() {
        let Kind::Pow(sum, r) = f.kind() else {
            continue;
        };
        let (Kind::Add(terms), Some(r)) = (sum.kind(), r.as_num().filter(|r| moves(r))) else {
            continue;
        };
        let Some(shift) = Number::one().div(r).map(|q| Expr::num(q) * a.clone()) else {
            continue;
        };
        let moved: Vec<Expr> = terms.iter().map(|t| times_exp(t, &shift)).collect();
        // Only where an exponential cancels (`exp(2*x)/sqrt(exp(2*x) + 1)` stays), or the
        // terms become a hyperbolic pair.
        let cancels = terms
            .iter()
            .zip(&moved)
            .any(|(t, m)| has_exp(t) && !has_exp(m));
        let moved = Expr::sum(moved);
        // Into a reciprocal only for the pair: `exp(x)/(exp(x) + 1)` stays, not
        // `1/(exp(-x) + 1)`.
        let pair = !exp_to_hyperbolic(&moved).is_empty();
        let moves_in = pair || (cancels && !r.is_integer());
        if !moves_in {
            continue;
        }
        out.push(pair_replaced(
            factors,
            (i, j),
            moved.pow(Expr::num(r.clone())),
        ));
    }
    out
}

/// Whether the term `t` is an exponential or has one among its factors.
fn has_exp(t: &Expr) -> bool {
    match t.kind() {
        Kind::Mul(fs) => fs.iter().any(is_exp),
        _ => is_exp(t),
    }
}

fn is_exp(f: &Expr) -> bool {
    matches!(f.kind(), Kind::Call(Func::Exp, _))
}

/// `t*exp(shift)` with the exponentials of `t` merged into one.
fn times_exp(t: &Expr, shift: &Expr) -> Expr {
    let factors = match t.kind() {
        Kind::Mul(fs) => fs.to_vec(),
        _ => vec![t.clone()],
    };
    let mut exponents = vec![shift.clone()];
    let mut rest = Vec::new();
    for f in factors {
        match f.kind() {
            Kind::Call(Func::Exp, b) => exponents.push(b.clone()),
            _ => rest.push(f),
        }
    }
    Expr::product(rest.into_iter().chain([Expr::sum(exponents).exp()]))
}

// ---------------------------------------------------------------------------------------------
// Trigonometry.

/// A circular function of `v + m*pi/2` for a whole `m`, written as one of `v`: `sin(x + pi) =
/// -sin(x)`, `cos(pi/2 - x) = sin(x)`, `tan(x + pi/2) = -cot(x)`, as every CAS writes them. Both
/// sides are defined at the same points (a pole moves with its function), so the rule needs no
/// guard.
fn quarter_turn_shift(e: &Expr) -> Vec<Expr> {
    use Func::*;
    let Kind::Call(f, u) = e.kind() else {
        return Vec::new();
    };
    if !matches!(f, Sin | Cos | Tan | Cot | Sec | Csc) {
        return Vec::new();
    }
    let Some((quarters, v)) = quarter_turns(u) else {
        return Vec::new();
    };
    let call = |g: Func| Expr::call(g, v.clone());
    let shifted = match (f, quarters) {
        (Sin, 1) | (Cos, 0) => call(Cos),
        (Sin, 2) | (Cos, 1) => -call(Sin),
        (Sin, 3) | (Cos, 2) => -call(Cos),
        (Sin, 0) | (Cos, 3) => call(Sin),
        (Tan, 1 | 3) => -call(Cot),
        (Tan, _) => call(Tan),
        (Cot, 1 | 3) => -call(Tan),
        (Cot, _) => call(Cot),
        (Sec, 1) | (Csc, 2) => -call(Csc),
        (Sec, 2) | (Csc, 3) => -call(Sec),
        (Sec, 3) | (Csc, 0) => call(Csc),
        (Sec, 0) | (Csc, 1) => call(Sec),
        _ => return Vec::new(),
    };
    vec![shifted]
}

/// `u` as `v + m*pi/2` with `m` in 0..4 (whole turns dropped) and a term that is a nonzero
/// multiple of `pi/2` taken out, reading a number times a sum with the number distributed
/// (`(pi - 2*x)/2` is `pi/2 - x`), and `pi` times a sum with `pi` distributed
/// (`2*pi*(x + 1)` is `2*pi*x + 2*pi`); `None` when `u` has no such term.
fn quarter_turns(u: &Expr) -> Option<(i64, Expr)> {
    let is_pi = |t: &Expr| matches!(t.kind(), Kind::Const(Constant::Pi));
    let (c, rest) = u.split_coeff();
    // Quarter turns in `multiple*c*pi`, when whole.
    let quarters = |multiple: &Number| {
        let halves = multiple.mul(&c).mul(&Number::int(2));
        halves.to_i64().filter(|_| halves.is_integer())
    };
    if let Kind::Mul(factors) = rest.kind()
        && let [pi, sum] = &factors[..]
        && is_pi(pi)
        && let Kind::Add(terms) = sum.kind()
    {
        let (last, others) = terms.split_last()?;
        let m = quarters(last.as_num()?)?;
        let v = Expr::num(c) * pi.clone() * Expr::sum(others.iter().cloned());
        return Some((m.rem_euclid(4), v));
    }
    let Kind::Add(terms) = rest.kind() else {
        return None;
    };
    let (at, multiple) = terms.iter().enumerate().find_map(|(i, t)| {
        let (k, p) = t.split_coeff();
        is_pi(&p).then_some((i, k))
    })?;
    let m = quarters(&multiple)?;
    let v = Expr::sum(
        terms
            .iter()
            .enumerate()
            .filter(|&(i, _)| i != at)
            .map(|(_, t)| &Expr::num(c.clone()) * t),
    );
    Some((m.rem_euclid(4), v))
}

/// The rule `f(u)^2 = a + s*g(u)^2` applied to every `f(u)^n` (n >= 2) factor of the terms of
/// a sum, then one level of distribution, so like terms meet:
/// `sin^2 = 1 - cos^2`, `cos^2 = 1 - sin^2`.
fn pythagorean(e: &Expr) -> Vec<Expr> {
    [
        substitute_square(e, Func::Sin, Func::Cos, 1, -1),
        substitute_square(e, Func::Cos, Func::Sin, 1, -1),
        substitute_square(e, Func::Tan, Func::Sec, -1, 1),
        substitute_square(e, Func::Sec, Func::Tan, 1, 1),
        substitute_square(e, Func::Cot, Func::Csc, -1, 1),
        substitute_square(e, Func::Csc, Func::Cot, 1, 1),
    ]
    .into_iter()
    .flatten()
    .collect()
}

fn hyperbolic_pythagorean(e: &Expr) -> Vec<Expr> {
    [
        substitute_square(e, Func::Cosh, Func::Sinh, 1, 1),
        substitute_square(e, Func::Sinh, Func::Cosh, -1, 1),
        substitute_square(e, Func::Tanh, Func::Sech, 1, -1),
        substitute_square(e, Func::Sech, Func::Tanh, 1, -1),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// In a sum (or a lone term), replaces `from(u)^n` by `from(u)^(n-2) * (a + s*to(u)^2)` and
/// distributes. `from(u)^n` may be written with the reciprocal function: `1/tan(u)^2` is
/// `cot(u)^2` (equal where `tan(u)` is defined and not 0, which is where the term is defined).
fn substitute_square(e: &Expr, from: Func, to: Func, a: i64, s: i64) -> Option<Expr> {
    let Kind::Add(terms) = e.kind() else {
        return None;
    };
    let factors_of = |t: &Expr| match t.kind() {
        Kind::Mul(fs) => fs.to_vec(),
        _ => vec![t.clone()],
    };
    let squared = |f: &Expr| power_of(f, from).is_some_and(|(_, n)| n >= 2);
    // Most sums have no such square: answer them without building anything.
    if !terms.iter().any(|t| match t.kind() {
        Kind::Mul(fs) => fs.iter().any(squared),
        _ => squared(t),
    }) {
        return None;
    }
    let new_terms = terms.iter().map(|t| {
        let mut out = Vec::new();
        let mut replacement = None;
        for f in factors_of(t) {
            if replacement.is_none()
                && let Some((u, n)) = power_of(&f, from)
                && n >= 2
            {
                replacement = Some(Expr::int(a) + Expr::int(s) * Expr::call(to, u.clone()).pow(2));
                out.push(Expr::call(from, u.clone()).pow(n - 2));
                continue;
            }
            out.push(f);
        }
        match replacement {
            Some(r) => distribute(Expr::product(out), &r),
            None => t.clone(),
        }
    });
    Some(Expr::sum(new_terms.collect::<Vec<_>>()))
}

/// Pairs of functions each one over the other.
#[rustfmt::skip]
const RECIPROCALS: [(Func, Func); 6] = [
    (Func::Cos, Func::Sec), (Func::Sin, Func::Csc), (Func::Tan, Func::Cot),
    (Func::Cosh, Func::Sech), (Func::Sinh, Func::Csch), (Func::Tanh, Func::Coth),
];

/// The function that is one over `f`, if any (`sec` for `cos`, `cos` for `sec`).
fn reciprocal_of(f: Func) -> Option<Func> {
    RECIPROCALS.iter().find_map(|&(a, b)| match f {
        _ if f == a => Some(b),
        _ if f == b => Some(a),
        _ => None,
    })
}

/// `factor` as a function of an argument to a whole power: `sin(u)^3` is `(sin, u, 3)`,
/// `sin(u)` is `(sin, u, 1)`.
fn call_power(factor: &Expr) -> Option<(Func, &Expr, i64)> {
    let (base, n) = match factor.kind() {
        Kind::Pow(base, n) => (base, n.as_num()?.to_i64()?),
        _ => (factor, 1),
    };
    match base.kind() {
        Kind::Call(g, u) => Some((*g, u, n)),
        _ => None,
    }
}

/// `factor` read as `f(u)^n` for a whole `n`: written so, or as `g(u)^(-n)` with `g` one
/// over `f`.
fn power_of(factor: &Expr, f: Func) -> Option<(&Expr, i64)> {
    let (g, u, n) = call_power(factor)?;
    match g {
        _ if g == f => Some((u, n)),
        _ if Some(g) == reciprocal_of(f) => Some((u, n.checked_neg()?)),
        _ => None,
    }
}

/// `m * (a + b + ...) = m*a + m*b + ...`.
fn distribute(m: Expr, sum: &Expr) -> Expr {
    match sum.kind() {
        Kind::Add(terms) => Expr::sum(terms.iter().map(|t| &m * t)),
        _ => m * sum,
    }
}

/// `sin(u)*cos(u) = sin(2u)/2` inside a product, and so for equal integer powers of both.
fn double_angle_sin(e: &Expr) -> Vec<Expr> {
    double_angle(e, Func::Sin, Func::Cos, Func::Sin)
}

/// `sinh(u)*cosh(u) = sinh(2u)/2` inside a product, and so for equal integer powers of both.
fn double_angle_sinh(e: &Expr) -> Vec<Expr> {
    double_angle(e, Func::Sinh, Func::Cosh, Func::Sinh)
}

/// `cos(u)*cos(v) - sin(u)*sin(v) = cos(u + v)`, `sin(u)*cos(v) + cos(u)*sin(v) = sin(u + v)`
/// (and with the other sign, `u - v`), for two terms of a sum with one cofactor, and their
/// hyperbolic twins (`cosh(u)*cosh(v) + sinh(u)*sinh(v) = cosh(u + v)`): true for every real
/// `u` and `v`. The product rule writes exactly these: `d/dx sin(x)*cos(x + 1)` is
/// `cos(x)*cos(x + 1) - sin(x)*sin(x + 1)`, which is `cos(2*x + 1)`.
fn angle_addition(e: &Expr) -> Vec<Expr> {
    let Kind::Add(terms) = e.kind() else {
        return Vec::new();
    };
    let split: Vec<Option<AnglePair>> = terms.iter().map(angle_pair).collect();
    joined_pairs(terms, &split, added_angles)
}

/// `sin(u)*cos(v) = (sin(u + v) + sin(u - v))/2`, `cos(u)*cos(v) = (cos(u - v) + cos(u +
/// v))/2`, `sin(u)*sin(v) = (cos(u - v) - cos(u + v))/2` and their hyperbolic twins, for
/// every term of a sum (or a lone product) whose two angles are commensurate: `u + v` and
/// `u - v` no larger than the larger angle (`3*x` and `5*x`, not `x` and `x + 1`). The
/// halves of the terms then collect: `d/dx cos(3*x)*sin(5*x)` is `5*cos(3*x)*cos(5*x) -
/// 3*sin(3*x)*sin(5*x)`, which is `cos(2*x) + 4*cos(8*x)`. True for every real `u` and `v`.
fn products_to_sums(e: &Expr) -> Vec<Expr> {
    let terms: &[Expr] = match e.kind() {
        Kind::Add(terms) => terms,
        Kind::Mul(_) => std::slice::from_ref(e),
        _ => return Vec::new(),
    };
    let mut out = Vec::with_capacity(terms.len() + 2);
    let mut rewritten = false;
    for term in terms {
        match angle_pair(term).and_then(|pair| product_as_sum(&pair)) {
            Some(halves) => {
                rewritten = true;
                out.extend(halves);
            }
            None => out.push(term.clone()),
        }
    }
    match rewritten {
        true => vec![Expr::sum(out)],
        false => Vec::new(),
    }
}

/// The two halves a term `a*f(u)*g(v)` is the sum of ([`products_to_sums`]), or `None` when
/// its angles are not commensurate.
fn product_as_sum(pair: &AnglePair) -> Option<[Expr; 2]> {
    use Func::*;
    let [(f, u), (g, v)] = &pair.calls;
    // The sine-like factor first: `cos(u)*sin(v)` is `sin(v)*cos(u)`.
    let ((f, u), (g, v)) = match (f, g) {
        (Cos, Sin) | (Cosh, Sinh) => ((g, v), (f, u)),
        _ => ((f, u), (g, v)),
    };
    let (sum, difference) = (u + v, u - v);
    let larger = u.tree_size().max(v.tree_size());
    if sum.tree_size() > larger || difference.tree_size() > larger {
        return None;
    }
    let half = |sign: i64, f: Func, angle: Expr| {
        Expr::product([
            Expr::ratio(sign, 2),
            pair.cofactor.clone(),
            Expr::call(f, angle),
        ])
    };
    Some(match (f, g) {
        (Sin, Cos) => [half(1, Sin, sum), half(1, Sin, difference)],
        (Cos, Cos) => [half(1, Cos, difference), half(1, Cos, sum)],
        (Sin, Sin) => [half(1, Cos, difference), half(-1, Cos, sum)],
        (Sinh, Cosh) => [half(1, Sinh, sum), half(1, Sinh, difference)],
        (Cosh, Cosh) => [half(1, Cosh, sum), half(1, Cosh, difference)],
        (Sinh, Sinh) => [half(1, Cosh, sum), half(-1, Cosh, difference)],
        _ => return None,
    })
}

/// The sum of `terms` with pairs of them replaced by what `join` makes of their readings in
/// `split` (every pair it accepts, each term in one pair at most), or nothing when it joins
/// none.
fn joined_pairs<T>(
    terms: &[Expr],
    split: &[Option<T>],
    join: impl Fn(&T, &T) -> Option<Expr>,
) -> Vec<Expr> {
    let mut used = vec![false; terms.len()];
    let mut out = Vec::with_capacity(terms.len());
    for (i, first) in split.iter().enumerate() {
        let Some(first) = first.as_ref().filter(|_| !used[i]) else {
            continue;
        };
        let partner = split
            .iter()
            .enumerate()
            .skip(i + 1)
            .find_map(|(j, second)| {
                let second = second.as_ref().filter(|_| !used[j])?;
                Some((j, join(first, second)?))
            });
        if let Some((j, joined)) = partner {
            used[i] = true;
            used[j] = true;
            out.push(joined);
        }
    }
    if out.is_empty() {
        return Vec::new();
    }
    let others = terms
        .iter()
        .zip(&used)
        .filter(|(_, used)| !**used)
        .map(|(t, _)| t.clone());
    vec![Expr::sum(others.chain(out))]
}

/// A term `a*f(u)*g(v)` with `f` and `g` from one family (`sin`, `cos` or `sinh`, `cosh`),
/// each to the first power, and no other function of that family among its factors.
struct AnglePair {
    /// Whether the family is the hyperbolic one.
    hyperbolic: bool,
    /// The sine-like factor's argument and the cosine-like one's, or two of one kind.
    calls: [(Func, Expr); 2],
    cofactor: Expr,
}

/// The [`AnglePair`] a term is, if it is one.
fn angle_pair(term: &Expr) -> Option<AnglePair> {
    let Kind::Mul(factors) = term.kind() else {
        return None;
    };
    for hyperbolic in [false, true] {
        let (sin, cos) = match hyperbolic {
            false => (Func::Sin, Func::Cos),
            true => (Func::Sinh, Func::Cosh),
        };
        let in_family = |x: &Expr| match x.split_pow().0.kind() {
            Kind::Call(f, _) => *f == sin || *f == cos,
            _ => false,
        };
        let members: Vec<usize> = (0..factors.len())
            .filter(|&i| in_family(&factors[i]))
            .collect();
        let [i, j] = members[..] else {
            continue;
        };
        let call = |x: &Expr| match x.kind() {
            Kind::Call(f, u) => Some((*f, u.clone())),
            _ => None,
        };
        let calls = [call(&factors[i])?, call(&factors[j])?];
        let rest = factors
            .iter()
            .enumerate()
            .filter(|&(k, _)| k != i && k != j)
            .map(|(_, x)| x.clone());
        return Some(AnglePair {
            hyperbolic,
            calls,
            cofactor: Expr::product(rest),
        });
    }
    None
}

/// Two terms joined by the addition theorems, or `None`.
fn added_angles(first: &AnglePair, second: &AnglePair) -> Option<Expr> {
    if first.hyperbolic != second.hyperbolic {
        return None;
    }
    let (sin, cos) = match first.hyperbolic {
        false => (Func::Sin, Func::Cos),
        true => (Func::Sinh, Func::Cosh),
    };
    // `sin` and `cos` of `u` as the pair holds them, for `f(u)*g(v)` with `f` and `g` each
    // one of them.
    let arguments = |pair: &AnglePair, f: Func, g: Func| -> Option<(Expr, Expr)> {
        let [(f1, u1), (f2, u2)] = &pair.calls;
        if *f1 == f && *f2 == g {
            Some((u1.clone(), u2.clone()))
        } else if *f1 == g && *f2 == f {
            Some((u2.clone(), u1.clone()))
        } else {
            None
        }
    };
    // The second cofactor is the first one times `sign` (and so the other way round).
    let sign = same_or_opposite(&first.cofactor, &second.cofactor)?;
    // The cos-cos (or sin-cos) term first.
    for (p, q) in [(first, second), (second, first)] {
        // `cos(u)cos(v) -+ sin(u)sin(v) = cos(u +- v)`; hyperbolic: `cosh(u)cosh(v) +- sinh(u)sinh(v) = cosh(u +- v)`.
        if let (Some((u, v)), Some((s, t))) = (arguments(p, cos, cos), arguments(q, sin, sin)) {
            let plus_sign = if first.hyperbolic { 1 } else { -1 };
            let cofactor = p.cofactor.clone();
            let same_pair = (u == s && v == t) || (u == t && v == s);
            if !same_pair {
                return None;
            }
            let angle = if sign == plus_sign { u + v } else { u - v };
            return Some(cofactor * Expr::call(cos, angle));
        }
        // `sin(u)cos(v) +- cos(u)sin(v) = sin(u +- v)`.
        if let (Some((u, v)), Some((w, z))) = (arguments(p, sin, cos), arguments(q, cos, sin))
            && u == w
            && v == z
        {
            let cofactor = p.cofactor.clone();
            let angle = if sign == 1 { u + v } else { u - v };
            return Some(cofactor * Expr::call(sin, angle));
        }
    }
    None
}

/// `a*exp(u) + a*exp(-u) = 2*a*cosh(u)` and `a*exp(u) - a*exp(-u) = 2*a*sinh(u)` for two
/// terms of a sum with the same cofactor `a` (true for every real `u`): with
/// `sinh(u)/cosh(u) = tanh(u)` this is how `d/dx ln(exp(x) + exp(-x))` becomes `tanh(x)`.
fn exp_to_hyperbolic(e: &Expr) -> Vec<Expr> {
    combine_pairs(
        e,
        |f| f == Func::Exp,
        |(_, u, a), (_, v, b)| {
            if !is_negation(v, u) {
                return None;
            }
            let f = match same_or_opposite(a, b)? {
                1 => Func::Cosh,
                _ => Func::Sinh,
            };
            Some(Expr::int(2) * a * Expr::call(f, u.clone()))
        },
    )
}

/// `a*cosh(u) + a*sinh(u) = a*exp(u)` and `a*cosh(u) - a*sinh(u) = a*exp(-u)` for two terms
/// of a sum (true for every real `u`): `d/dx sinh(x)*exp(-x)` is `exp(-2*x)`.
fn hyperbolic_to_exp(e: &Expr) -> Vec<Expr> {
    combine_pairs(
        e,
        |f| matches!(f, Func::Cosh | Func::Sinh),
        |first, second| {
            let ((_, u, a), (_, v, b)) = match (first.0, second.0) {
                (Func::Cosh, Func::Sinh) => (first, second),
                (Func::Sinh, Func::Cosh) => (second, first),
                _ => return None,
            };
            // Both arguments are written not negative-led (`Expr::call`), so `sinh(-u)`
            // never meets `cosh(u)` here.
            if v != u {
                return None;
            }
            let sign = same_or_opposite(a, b)?;
            Some(a * Expr::call(Func::Exp, Expr::int(sign) * u))
        },
    )
}

/// Whether `v` is `-u`, as a product with `-1` or negated term by term (`1 - x` and
/// `x - 1`): arguments of functions without a parity keep either form.
fn is_negation(v: &Expr, u: &Expr) -> bool {
    *v == -u || *v == u.negated_term_by_term()
}

/// `1` when `b` is `a`, `-1` when it is `-a`: how the cofactors of a pair of terms relate.
fn same_or_opposite(a: &Expr, b: &Expr) -> Option<i64> {
    if b == a {
        Some(1)
    } else if *b == -a {
        Some(-1)
    } else {
        None
    }
}

/// `asin(u) + acos(u) = pi/2` and `asec(u) + acsc(u) = pi/2`, for terms with one cofactor:
/// both sides of each pair are defined on the same set (`|u| <= 1`, `|u| >= 1`), and there the
/// two angles are complementary.
fn complementary_inverses(e: &Expr) -> Vec<Expr> {
    use Func::*;
    combine_pairs(
        e,
        |f| matches!(f, Asin | Acos | Asec | Acsc),
        |(f, u, a), (g, v, b)| {
            let complementary = matches!(
                (f, g),
                (Asin, Acos) | (Acos, Asin) | (Asec, Acsc) | (Acsc, Asec)
            );
            (complementary && u == v && a == b).then(|| a * &(Expr::pi() / 2))
        },
    )
}

/// `erf(u) + erfc(u) = 1`, and with `erfc(-u) = 1 + erf(u)`, `erfc(-u) - erf(u) = 1` and
/// `erfc(u) + erfc(-u) = 2`, for terms with one cofactor: all are defined everywhere.
/// (`erfc(-u)` is kept as written, not made `2 - erfc(u)` as SymPy makes it: a negated
/// `2 - erfc(u)` is a number times a sum, which a sum around it does not absorb, and
/// `2 - (2 - erfc(u))` loses the digits of a small `erfc(u)` in floating point.)
fn erf_complements(e: &Expr) -> Vec<Expr> {
    use Func::*;
    let pair = |(f, u, a): &CallTerm, (g, v, b): &CallTerm| match (f, g) {
        (Erf, Erfc) if u == v && a == b => Some(a.clone()),
        (Erf, Erfc) if is_negation(v, u) && *b == -a => Some(b.clone()),
        (Erfc, Erfc) if is_negation(v, u) && a == b => Some(a * &Expr::int(2)),
        _ => None,
    };
    combine_pairs(
        e,
        |f| matches!(f, Erf | Erfc),
        |first, second| pair(first, second).or_else(|| pair(second, first)),
    )
}

/// A term `a*f(u)` of a sum, split as `(f, u, a)`.
type CallTerm = (Func, Expr, Expr);

/// Replaces pairs of terms of a sum, each `a*f(u)` for an `f` that `calls` accepts, by what
/// `combine` makes of them (every pair it accepts, each term in one pair at most).
fn combine_pairs(
    e: &Expr,
    calls: impl Fn(Func) -> bool,
    combine: impl Fn(&CallTerm, &CallTerm) -> Option<Expr>,
) -> Vec<Expr> {
    let Kind::Add(terms) = e.kind() else {
        return Vec::new();
    };
    let split: Vec<Option<CallTerm>> = terms.iter().map(|t| call_and_cofactor(t, &calls)).collect();
    joined_pairs(terms, &split, combine)
}

/// A term `a*f(u)` as `(f, u, a)`, for the first factor `f(u)` with `calls(f)`.
fn call_and_cofactor(term: &Expr, calls: impl Fn(Func) -> bool) -> Option<CallTerm> {
    let call = |x: &Expr| match x.kind() {
        Kind::Call(f, u) if calls(*f) => Some((*f, u.clone())),
        _ => None,
    };
    match term.kind() {
        Kind::Mul(factors) => {
            let (i, (f, u)) = factors
                .iter()
                .enumerate()
                .find_map(|(i, x)| Some((i, call(x)?)))?;
            let rest = factors
                .iter()
                .enumerate()
                .filter(|&(k, _)| k != i)
                .map(|(_, x)| x.clone());
            Some((f, u, Expr::product(rest)))
        }
        _ => {
            let (f, u) = call(term)?;
            Some((f, u, Expr::one()))
        }
    }
}

/// `f(u)^n * g(u)^n` in a product, for a whole `n`, becomes `(double(2u)/2)^n`: the identity
/// `f(u)*g(u) = double(2u)/2` raised to a whole power, so it holds wherever the left side is
/// defined (`1/(sinh(x)*cosh(x)) = 2/sinh(2*x)`). Unequal powers are left alone:
/// `sinh(x)^2*cosh(x)` reads better than `sinh(x)*sinh(2*x)/2`.
fn double_angle(e: &Expr, f: Func, g: Func, double: Func) -> Vec<Expr> {
    let Kind::Mul(factors) = e.kind() else {
        return Vec::new();
    };
    for (i, fi) in factors.iter().enumerate() {
        let Some((h, u, n)) = call_power(fi) else {
            continue;
        };
        if h != f {
            continue;
        }
        let partner = factors
            .iter()
            .position(|x| call_power(x) == Some((g, u, n)));
        let Some(j) = partner else {
            continue;
        };
        let doubled = (Expr::call(double, Expr::int(2) * u) * Expr::ratio(1, 2)).pow(n);
        return vec![Expr::product(all_but_two(factors, i, j).chain([doubled]))];
    }
    Vec::new()
}

/// `a*cos(2u) + a = 2*a*cos(u)^2`, `a*cos(2u) - a = -2*a*sin(u)^2`, and the hyperbolic
/// `a*cosh(2u) + a = 2*a*cosh(u)^2`, `a*cosh(2u) - a = 2*a*sinh(u)^2`, for two terms of a sum
/// (power reduction read backwards): `-2*(cos(2*x) + 1)*sin(2*x)` is
/// `-4*sin(2*x)*cos(x)^2`. True for every real `u`; only where the doubled angle's number
/// has an even numerator (`cos(2*x)`, not `cos(x)`, which would need `x/2`).
fn half_angles(e: &Expr) -> Vec<Expr> {
    let Kind::Add(terms) = e.kind() else {
        return Vec::new();
    };
    let split: Vec<Option<HalfAngleTerm>> =
        terms.iter().map(|t| Some(half_angle_term(t))).collect();
    joined_pairs(terms, &split, |a, b| {
        let (with, without) = match (&a.doubled, &b.doubled) {
            (Some(_), None) => (a, b),
            (None, Some(_)) => (b, a),
            _ => return None,
        };
        let (f, half) = with.doubled.as_ref()?;
        if with.rest != without.rest {
            return None;
        }
        let plus = if with.coeff == without.coeff {
            true
        } else if with.coeff == without.coeff.neg() {
            false
        } else {
            return None;
        };
        // `cos(2u) + 1 = 2*cos(u)^2`, `cos(2u) - 1 = -2*sin(u)^2`, `cosh(2u) + 1 =
        // 2*cosh(u)^2`, `cosh(2u) - 1 = 2*sinh(u)^2`.
        let (g, sign) = match (f, plus) {
            (Func::Cos, true) => (Func::Cos, 2),
            (Func::Cos, false) => (Func::Sin, -2),
            (_, true) => (Func::Cosh, 2),
            (_, false) => (Func::Sinh, 2),
        };
        Some(Expr::product([
            Expr::num(with.coeff.mul(&Number::int(sign))),
            with.rest.clone(),
            Expr::call(g, half.clone()).pow(2),
        ]))
    })
}

/// A term `c*r*f(2u)` (`f` is `cos` or `cosh`, `c` a number) as its parts, or `c*r` with
/// no such factor: [`half_angles`] joins one of each with the same `r`.
struct HalfAngleTerm {
    coeff: Number,
    rest: Expr,
    doubled: Option<(Func, Expr)>,
}

fn half_angle_term(t: &Expr) -> HalfAngleTerm {
    let (coeff, rest) = t.split_coeff();
    let factors: &[Expr] = match rest.kind() {
        Kind::Mul(fs) => fs,
        _ => std::slice::from_ref(&rest),
    };
    let doubled = factors
        .iter()
        .enumerate()
        .find_map(|(i, f)| match f.kind() {
            Kind::Call(g @ (Func::Cos | Func::Cosh), arg) => Some((i, *g, halved(arg)?)),
            _ => None,
        });
    let Some((i, f, half)) = doubled else {
        return HalfAngleTerm {
            coeff,
            rest,
            doubled: None,
        };
    };
    let others = factors
        .iter()
        .enumerate()
        .filter(|&(j, _)| j != i)
        .map(|(_, f)| f.clone());
    HalfAngleTerm {
        coeff,
        rest: Expr::product(others),
        doubled: Some((f, half)),
    }
}

/// Half of `angle` when its number has an even numerator: `2*x` halves to `x`, `4*x/3` to
/// `2*x/3`; `x` and `x/2` do not (halving those again and again would never end).
fn halved(angle: &Expr) -> Option<Expr> {
    let (multiple, base) = angle.split_coeff();
    let numerator = multiple.numer().to_i64()?;
    if numerator % 2 != 0 {
        return None;
    }
    Some(Expr::product([
        Expr::num(multiple.mul(&Number::ratio(1, 2)?)),
        base,
    ]))
}

/// `1/cos(u)^2 = 2/(1 + cos(2u))`, `1/sin(u)^2 = 2/(1 - cos(2u))` and the hyperbolic twins
/// `1/cosh(u)^2 = 2/(cosh(2u) + 1)`, `1/sinh(u)^2 = 2/(cosh(2u) - 1)`, for a factor of a
/// product (or the whole expression) whose angle is half of a simpler one: `d/dx tan(x/2)`
/// is `1/(cos(x) + 1)`. Each side is undefined exactly where the other is (`cos(u) = 0`
/// where `cos(2u) = -1`, `sinh(u) = 0` where `cosh(2u) = 1`).
fn half_angle_reciprocals(e: &Expr) -> Vec<Expr> {
    let factors = match e.kind() {
        Kind::Mul(fs) => &fs[..],
        _ => std::slice::from_ref(e),
    };
    // The sum `s` with `f(u)^2 = s/2`: `1/f(u)^2 = 2/s`.
    let doubled_sum = |f: &Expr| -> Option<Expr> {
        let Kind::Pow(base, n) = f.kind() else {
            return None;
        };
        let Kind::Call(func, u) = base.kind() else {
            return None;
        };
        let halved_angle = u
            .split_coeff()
            .0
            .denom()
            .to_i64()
            .is_some_and(|d| d % 2 == 0);
        if !n.is_int(-2) || !halved_angle {
            return None;
        }
        let (constant, slope, double) = match func {
            Func::Sin => (1, -1, Func::Cos),
            Func::Cos => (1, 1, Func::Cos),
            Func::Sinh => (-1, 1, Func::Cosh),
            Func::Cosh => (1, 1, Func::Cosh),
            _ => return None,
        };
        Some(Expr::int(constant) + Expr::int(slope) * Expr::call(double, Expr::int(2) * u))
    };
    let Some((i, sum)) = factors
        .iter()
        .enumerate()
        .find_map(|(i, f)| Some((i, doubled_sum(f)?)))
    else {
        return Vec::new();
    };
    // Also with the sum's sign turned (`2/(1 - cos(x)) = -2/(cos(x) - 1)`), so that a
    // negative coefficient beside it cancels: no rule reads the form that is not a class's
    // best (`-1/(2*sin(x/2)^2)` is `1/(cos(x) - 1)`).
    let turned = sum
        .is_negative_led()
        .then(|| Expr::int(-2) * sum.negated_term_by_term().recip());
    [Some(Expr::int(2) * sum.recip()), turned]
        .into_iter()
        .flatten()
        .map(|r| Expr::product(all_but_two(factors, i, i).chain([r])))
        .collect()
}

/// `sin(u)^2 = (1 - cos(2u))/2` and `cos(u)^2 = (1 + cos(2u))/2` in the terms of a sum, and
/// their hyperbolic twins `sinh(u)^2 = (cosh(2u) - 1)/2`, `cosh(u)^2 = (cosh(2u) + 1)/2`:
/// with like terms collected this is how `cos(x)^2 - sin(x)^2` becomes `cos(2*x)` and
/// `2*sinh(x)^2 + 1` becomes `cosh(2*x)`.
fn power_reduction(e: &Expr) -> Vec<Expr> {
    let Kind::Add(terms) = e.kind() else {
        return Vec::new();
    };
    let reduce = |t: &Expr| -> Expr {
        let factors: Vec<Expr> = match t.kind() {
            Kind::Mul(fs) => fs.to_vec(),
            _ => vec![t.clone()],
        };
        let mut rest = Vec::new();
        let mut replaced = None;
        for f in factors {
            if replaced.is_none()
                && let Kind::Pow(base, n) = f.kind()
                && n.is_int(2)
                && let Kind::Call(func, u) = base.kind()
            {
                // `f(u)^2 = constant + slope*g(2u)`.
                let (constant, slope, double) = match func {
                    Func::Sin => (1, -1, Func::Cos),
                    Func::Cos => (1, 1, Func::Cos),
                    Func::Sinh => (-1, 1, Func::Cosh),
                    Func::Cosh => (1, 1, Func::Cosh),
                    _ => {
                        rest.push(f);
                        continue;
                    }
                };
                let doubled = Expr::call(double, Expr::int(2) * u);
                replaced = Some(Expr::ratio(constant, 2) + Expr::ratio(slope, 2) * doubled);
                continue;
            }
            rest.push(f);
        }
        match replaced {
            Some(r) => distribute(Expr::product(rest), &r),
            None => t.clone(),
        }
    };
    vec![Expr::sum(terms.iter().map(reduce).collect::<Vec<_>>())]
}

/// `sin/cos = tan`, `cos/sin = cot` and their hyperbolic twins, and one over a function is
/// its [`RECIPROCALS`] partner (`1/cos = sec`, `1/tan = cot`, `1/sec = cos`), on the factors
/// of a product (each defined wherever the left side is).
fn quotients_to_named(e: &Expr) -> Vec<Expr> {
    let factors: Vec<Expr> = match e.kind() {
        Kind::Mul(fs) => fs.to_vec(),
        Kind::Pow(..) => vec![e.clone()],
        _ => return Vec::new(),
    };
    let mut out = Vec::new();
    #[rustfmt::skip]
    let pairs = [
        (Func::Sin, Func::Cos, Func::Tan), (Func::Cos, Func::Sin, Func::Cot),
        (Func::Sinh, Func::Cosh, Func::Tanh), (Func::Cosh, Func::Sinh, Func::Coth),
    ];
    for (num, den, quotient) in pairs {
        if let Some(r) = merge_quotient(&factors, num, den, quotient) {
            out.push(r);
        }
    }
    let reciprocals = RECIPROCALS.iter().flat_map(|&(a, b)| [(a, b), (b, a)]);
    /// `f(u)^n` with `n < 0`, as `(u, -n)`.
    fn over(x: &Expr, f: Func) -> Option<(&Expr, i64)> {
        match call_power(x) {
            Some((g, u, n)) if g == f && n < 0 => Some((u, n.checked_neg()?)),
            _ => None,
        }
    }
    for (f, reciprocal) in reciprocals {
        if !factors.iter().any(|x| over(x, f).is_some()) {
            continue;
        }
        let new = factors.iter().map(|x| match over(x, f) {
            Some((u, n)) => Expr::call(reciprocal, u.clone()).pow(n),
            None => x.clone(),
        });
        out.push(Expr::product(new.collect::<Vec<_>>()));
    }
    out
}

/// The six circular functions as powers of `sin` and `cos`: `tan = sin^1 * cos^-1`, ...
#[rustfmt::skip]
const CIRCULAR: Family = Family {
    sin: Func::Sin, cos: Func::Cos, tan: Func::Tan, cot: Func::Cot, sec: Func::Sec, csc: Func::Csc,
};

/// The six hyperbolic functions, read as [`CIRCULAR`] reads the circular ones.
#[rustfmt::skip]
const HYPERBOLIC: Family = Family {
    sin: Func::Sinh, cos: Func::Cosh, tan: Func::Tanh, cot: Func::Coth, sec: Func::Sech, csc: Func::Csch,
};

/// Six functions that are products of powers of two of them.
struct Family {
    sin: Func,
    cos: Func,
    tan: Func,
    cot: Func,
    sec: Func,
    csc: Func,
}

impl Family {
    /// `f` as exponents of `sin` and `cos`: `tan` is `(1, -1)`.
    fn exponents(&self, f: Func) -> Option<(i64, i64)> {
        let table = [
            (self.sin, (1, 0)),
            (self.cos, (0, 1)),
            (self.tan, (1, -1)),
            (self.cot, (-1, 1)),
            (self.sec, (0, -1)),
            (self.csc, (-1, 0)),
        ];
        table.iter().find(|(g, _)| *g == f).map(|&(_, e)| e)
    }

    /// `sin(u)^a * cos(u)^b` written with the named functions: `tan` (or `cot`) for the part
    /// where the signs differ, then `sin`/`csc` or `cos`/`sec` for the rest, all with positive
    /// exponents (`sin^3 * cos^-1 = tan * sin^2`, `sin^-1 * cos^-2 = csc * sec^2`).
    fn named(&self, u: &Expr, a: i64, b: i64) -> Expr {
        let power = |f: Func, n: i64| Expr::call(f, u.clone()).pow(n);
        let quotient = match (a.signum(), b.signum()) {
            (1, -1) => power(self.tan, a.min(-b)),
            (-1, 1) => power(self.cot, b.min(-a)),
            _ => Expr::one(),
        };
        let (a, b) = match (a.signum(), b.signum()) {
            (1, -1) => (a - a.min(-b), b + a.min(-b)),
            (-1, 1) => (a + b.min(-a), b - b.min(-a)),
            _ => (a, b),
        };
        let sin_part = if a >= 0 {
            power(self.sin, a)
        } else {
            power(self.csc, -a)
        };
        let cos_part = if b >= 0 {
            power(self.cos, b)
        } else {
            power(self.sec, -b)
        };
        quotient * sin_part * cos_part
    }
}

/// `tan(u)^2 * sec(u)^-2 = sin(u)^2`, `sec(u)^2/tan(u)^2 = csc(u)^2`: in a product, the
/// factors that are whole powers of functions of one family and one argument, read as
/// powers of `sin` and `cos`, become `sin^a*cos^b` and its [`Family::named`] form. A sine
/// of twice an argument that other factors have joins them as `2*sin(u)*cos(u)`
/// (`sinh(2u) = 2*sinh(u)*cosh(u)`): `sin(2*x)*csc(x) = 2*cos(x)`. Each function equals its
/// power of `sin` and `cos` where it is defined, and a negative total power of `sin` (or
/// `cos`) comes from a factor that is undefined where `sin` (or `cos`) is 0, so the result
/// is defined wherever the product is.
fn monomials(e: &Expr, family: &Family) -> Vec<Expr> {
    let Kind::Mul(factors) = e.kind() else {
        return Vec::new();
    };
    // Each factor as its argument and powers of `sin` and `cos`, if it is one of the family.
    let plain: Vec<Option<(&Expr, i64, i64)>> = factors
        .iter()
        .map(|factor| {
            let (f, u, n) = call_power(factor)?;
            let (a, b) = family.exponents(f)?;
            Some((u, a.checked_mul(n)?, b.checked_mul(n)?))
        })
        .collect();
    // A sine of a doubled argument, read at the half when another factor has that: its
    // argument, powers, and how many factors of 2 it brings.
    let read: Vec<Option<(Expr, i64, i64, i64)>> = factors
        .iter()
        .zip(&plain)
        .map(|(factor, reading)| {
            let &(u, a, b) = reading.as_ref()?;
            let doubled = call_power(factor)
                .filter(|&(f, _, n)| f == family.sin && n > 0)
                .and_then(|(_, u, n)| Some((halved(u)?, n)))
                .filter(|(half, _)| plain.iter().flatten().any(|(v, _, _)| *v == half));
            Some(match doubled {
                Some((half, n)) => (half, n, n, n),
                None => (u.clone(), a, b, 0),
            })
        })
        .collect();
    let mut out = Vec::new();
    let mut done: Vec<&Expr> = Vec::new();
    for (u, _, _, _) in read.iter().flatten() {
        if done.contains(&u) {
            continue;
        }
        done.push(u);
        let members = || {
            read.iter()
                .enumerate()
                .filter_map(|(i, r)| r.as_ref().filter(|(v, ..)| v == u).map(|r| (i, r)))
        };
        if members().count() < 2 {
            continue;
        }
        let sum = |n: i64, m: i64| n.checked_add(m);
        let totals = members().try_fold((0i64, 0i64, 0i64), |(a, b, t), (_, (_, x, y, z))| {
            Some((sum(a, *x)?, sum(b, *y)?, sum(t, *z)?))
        });
        let Some((a, b, twos)) = totals else {
            continue;
        };
        let rest: Vec<Expr> = factors
            .iter()
            .enumerate()
            .filter(|(i, _)| !members().any(|(j, _)| j == *i))
            .map(|(_, f)| f.clone())
            .chain([Expr::int(2).pow(twos)])
            .collect();
        let plain =
            Expr::call(family.sin, u.clone()).pow(a) * Expr::call(family.cos, u.clone()).pow(b);
        for form in [plain, family.named(u, a, b)] {
            let product = Expr::product(rest.iter().cloned().chain([form]));
            // Only where it pays: an equal-sized form would change which of two ties the
            // answer shows, and cost e-graph nodes, for nothing.
            if product.tree_size() < e.tree_size() {
                out.push(product);
            }
        }
    }
    out
}

/// Past this depth an expression's skeleton is not read in `sin` and `cos`: the reading
/// recurses once per level.
const MAX_SKELETON_DEPTH: u32 = 64;

/// Past this many tree nodes an expression's skeleton is not read in `sin` and `cos` or in
/// powers of one exponential: several readings, each factored, of a large rational function
/// cost more than the whole e-graph run (half a second on a fuzzer's line), and
/// cancellations through them are rare there.
const MAX_SKELETON_TREE: u64 = 200;

/// Whether [`pythagorean_normal_forms`] and [`exponential_normal_forms`] read `e`: a sum,
/// product or power within [`MAX_SKELETON_DEPTH`] and [`MAX_SKELETON_TREE`].
fn skeleton_worth_reading(e: &Expr) -> bool {
    matches!(e.kind(), Kind::Add(_) | Kind::Mul(_) | Kind::Pow(..))
        && e.depth() <= MAX_SKELETON_DEPTH
        && e.tree_size() <= MAX_SKELETON_TREE
}

/// The rational normal forms of `e` read in `sin(u)` and `cos(u)` (`sinh(u)` and `cosh(u)`)
/// of each argument `u`, with `sin(u)^2 + cos(u)^2 = 1` (`cosh(u)^2 - sinh(u)^2 = 1`) used
/// to cancel: `cos(x)/(1 - sin(x)) - tan(x)` is `1/cos(x)`, which the other rules name
/// `sec(x)`. Each function of a [`Family`] is its power product of `sin` and `cos` where it
/// is defined, and a double angle `sin(2*u)`, `cos(2*u)` is written in `sin(u)` and `cos(u)`
/// where `u` is an argument too; the normal forms then cancel, as every rational normal
/// form does. Only the polynomial skeleton of `e` (sums, products, integer powers) is read,
/// and nothing comes out unless some argument has both `sin` and `cos` there once it is
/// read so. A rule of [`Scope::Answer`]: see there why.
fn pythagorean_normal_forms(e: &Expr) -> Vec<Expr> {
    if !skeleton_worth_reading(e) {
        return Vec::new();
    }
    let mut calls = Vec::new();
    skeleton_calls(e, &mut calls);
    if calls.len() < 2 {
        return Vec::new();
    }
    let mut relations = Vec::new();
    for family in [&CIRCULAR, &HYPERBOLIC] {
        let arguments: Vec<&Expr> = calls
            .iter()
            .filter(|(f, _)| family.exponents(*f).is_some())
            .map(|(_, u)| u)
            .collect();
        for u in &arguments {
            let doubled = halved(u).filter(|v| arguments.contains(&v));
            let u = doubled.unwrap_or_else(|| (*u).clone());
            if relations
                .iter()
                .any(|r: &poly::Pythagorean| r.a == Expr::call(family.sin, u.clone()))
            {
                continue;
            }
            relations.push(poly::Pythagorean {
                a: Expr::call(family.sin, u.clone()),
                b: Expr::call(family.cos, u),
                sign: if family.sin == Func::Sin { -1 } else { 1 },
            });
        }
    }
    let rewritten = in_sines_and_cosines(e, &calls);
    let mut forms = poly::forms_modulo(&rewritten, &relations);
    // Only the forms that pay: the rational normal forms already offer every rearrangement
    // of `e`, and a form that is no smaller costs e-graph nodes for nothing.
    forms.retain(|form| form.tree_size() < e.tree_size());
    forms
}

/// The hyperbolic functions, which [`exponential_normal_forms`] writes in exponentials.
const HYPERBOLIC_FUNCTIONS: [Func; 6] = [
    Func::Sinh,
    Func::Cosh,
    Func::Tanh,
    Func::Coth,
    Func::Sech,
    Func::Csch,
];

/// The rational normal forms of `e` with the exponentials of one argument read as powers
/// of one of them: `exp(2*x) - 1` is `t^2 - 1` for `t = exp(x)`, so `(exp(2*x) - 1)/(exp(x) -
/// 1)` is `exp(x) + 1`. For each `r`, the skeleton's `exp(c*r)` (numbers `c`, two different
/// ones at least; a hyperbolic function of such an argument counts as `exp(c*r)` and
/// `exp(-c*r)`) become powers of a stand-in symbol for `exp(g*r)`, `g` the rationals' gcd;
/// the normal forms of that are read back with `exp(g*r)` in its place (`exp(g*r)^k =
/// exp(k*g*r)` exactly). An argument's whole number term `k` comes out as `e^k`, with a
/// stand-in for `e` too: `exp(2*x + 2) - 1` is `e^2*t^2 - 1`, which cancels against
/// `e*exp(x) - 1`. A rule of [`Scope::Answer`].
fn exponential_normal_forms(e: &Expr) -> Vec<Expr> {
    if !skeleton_worth_reading(e) {
        return Vec::new();
    }
    let mut calls = Vec::new();
    skeleton_calls_of(e, &[Func::Exp], &mut calls);
    let rest_of = |w: &Expr| shift_split(w).1.split_coeff().1;
    let exp_rests: Vec<Expr> = calls.iter().map(|(_, w)| rest_of(w)).collect();
    // Hyperbolic functions of an exponential's argument are exponentials too: `cosh(w) =
    // (exp(w) + exp(-w))/2`.
    let mut hyperbolic = Vec::new();
    skeleton_calls_of(e, &HYPERBOLIC_FUNCTIONS, &mut hyperbolic);
    hyperbolic.retain(|(_, w)| exp_rests.contains(&rest_of(w)));
    let arguments = calls.iter().chain(&hyperbolic).flat_map(|(f, w)| match f {
        Func::Exp => vec![w.clone()],
        _ => vec![w.clone(), -w.clone()],
    });
    // Each argument's rest (without its coefficient) and the gcd of its coefficients.
    let mut units: Vec<(Expr, Number, Vec<Number>)> = Vec::new();
    let mut shifted = false;
    for w in arguments {
        let (k, w) = shift_split(&w);
        shifted |= !k.is_zero();
        let (c, r) = w.split_coeff();
        if r.as_num().is_some() {
            continue;
        }
        match units.iter_mut().find(|(rest, _, _)| *rest == r) {
            Some((_, g, seen)) => {
                *g = g.gcd(&c);
                if !seen.contains(&c) {
                    seen.push(c);
                }
            }
            None => units.push((r, c.abs(), vec![c])),
        }
    }
    units.retain(|(_, g, seen)| seen.len() >= 2 && !g.is_zero());
    if units.is_empty() {
        return Vec::new();
    }
    // Stand-ins no input can name (the parser reads no `#`).
    let stand_ins: Vec<Expr> = (0..units.len())
        .map(|i| Expr::sym(&format!("#exp{i}")))
        .collect();
    let euler = Expr::sym("#e");
    let power_of = |w: &Expr| {
        let (k, w) = shift_split(w);
        let (c, r) = w.split_coeff();
        let i = units.iter().position(|(rest, _, _)| *rest == r)?;
        let power = stand_ins[i].clone().pow(Expr::num(c.div(&units[i].1)?));
        Some(power * euler.clone().pow(Expr::num(k)))
    };
    let powers = e.rewrite_bottom_up(|_, now| {
        let Kind::Call(f, w) = now.kind() else {
            let is_e = matches!(now.kind(), Kind::Const(Constant::E));
            return (shifted && is_e).then(|| euler.clone());
        };
        let (up, down) = match f {
            Func::Exp => return power_of(w),
            _ if HYPERBOLIC_FUNCTIONS.contains(f) => (power_of(w)?, power_of(&-w)?),
            _ => return None,
        };
        let half = Expr::ratio(1, 2);
        let (sinh, cosh) = (
            half.clone() * (up.clone() - down.clone()),
            half * (up + down),
        );
        Some(match f {
            Func::Sinh => sinh,
            Func::Cosh => cosh,
            Func::Tanh => sinh / cosh,
            Func::Coth => cosh / sinh,
            Func::Sech => cosh.recip(),
            _ => sinh.recip(),
        })
    });
    let back = |form: &Expr| {
        form.rewrite_bottom_up(|_, now| {
            if *now == euler {
                return Some(Expr::constant(Constant::E));
            }
            let i = stand_ins.iter().position(|t| t == now)?;
            let (r, g, _) = &units[i];
            Some(Expr::call(Func::Exp, Expr::num(g.clone()) * r.clone()))
        })
    };
    poly::normal_forms(&powers)
        .iter()
        .map(back)
        .filter(|form| form.tree_size() < e.tree_size())
        .collect()
}

/// An exponential's argument `w` as `k + u` for its whole number term `k`, once a number
/// times a sum is multiplied out (`2*(x + 1)` is `2*x + 2`), so that `exp(w) = e^k*exp(u)`;
/// `(0, w)` when it has none.
fn shift_split(w: &Expr) -> (Number, Expr) {
    if let Some(terms) = terms_distributed(w)
        && let Some((last, rest)) = terms.split_last()
        && let Some(k) = last.as_num().filter(|k| k.is_integer())
    {
        return (k.clone(), Expr::sum(rest.iter().cloned()));
    }
    (Number::zero(), w.clone())
}

/// The terms of `e` read as a sum, a number times a sum multiplied out (`(x^2 + 4)/4` is
/// `x^2/4 + 1`), the number term last; `None` when `e` is neither.
fn terms_distributed(e: &Expr) -> Option<Vec<Expr>> {
    match e.kind() {
        Kind::Mul(factors) => match &factors[..] {
            [c, sum] if c.as_num().is_some() => match sum.kind() {
                Kind::Add(terms) => Some(terms.iter().map(|t| c * t).collect()),
                _ => None,
            },
            _ => None,
        },
        Kind::Add(terms) => Some(terms.to_vec()),
        _ => None,
    }
}

/// The calls of the circular and hyperbolic functions in the polynomial skeleton of `e`:
/// its sums, products and integer powers.
fn skeleton_calls(e: &Expr, calls: &mut Vec<(Func, Expr)>) {
    #[rustfmt::skip]
    const TRIGONOMETRIC: [Func; 12] = [
        Func::Sin, Func::Cos, Func::Tan, Func::Cot, Func::Sec, Func::Csc,
        Func::Sinh, Func::Cosh, Func::Tanh, Func::Coth, Func::Sech, Func::Csch,
    ];
    skeleton_calls_of(e, &TRIGONOMETRIC, calls);
}

/// The calls of `functions` in the polynomial skeleton of `e`.
pub(super) fn skeleton_calls_of(e: &Expr, functions: &[Func], calls: &mut Vec<(Func, Expr)>) {
    match e.kind() {
        Kind::Add(xs) | Kind::Mul(xs) => xs
            .iter()
            .for_each(|x| skeleton_calls_of(x, functions, calls)),
        Kind::Pow(b, k) if k.as_num().is_some_and(Number::is_integer) => {
            skeleton_calls_of(b, functions, calls)
        }
        Kind::Call(f, u) if functions.contains(f) => calls.push((*f, u.clone())),
        _ => {}
    }
}

/// `e` with each call of its skeleton ([`skeleton_calls`]) written as a power product of
/// `sin` and `cos` of its argument, or of half of it where `calls` has that half too.
fn in_sines_and_cosines(e: &Expr, calls: &[(Func, Expr)]) -> Expr {
    match e.kind() {
        Kind::Add(xs) => Expr::sum(xs.iter().map(|x| in_sines_and_cosines(x, calls))),
        Kind::Mul(xs) => Expr::product(xs.iter().map(|x| in_sines_and_cosines(x, calls))),
        Kind::Pow(b, k) if k.as_num().is_some_and(Number::is_integer) => {
            in_sines_and_cosines(b, calls).pow(k.clone())
        }
        Kind::Call(f, u) => {
            let Some((family, (a, b))) = [&CIRCULAR, &HYPERBOLIC]
                .into_iter()
                .find_map(|family| Some((family, family.exponents(*f)?)))
            else {
                return e.clone();
            };
            let half = halved(u).filter(|v| {
                calls
                    .iter()
                    .any(|(g, w)| w == v && family.exponents(*g).is_some())
            });
            let (sin, cos) = match half {
                Some(v) => {
                    let (s, c) = (Expr::call(family.sin, v.clone()), Expr::call(family.cos, v));
                    // sin(2v) = 2 sin(v) cos(v); cos(2v) = cos(v)^2 -/+ sin(v)^2.
                    let sign = if family.sin == Func::Sin { -1 } else { 1 };
                    (
                        Expr::int(2) * s.clone() * c.clone(),
                        c.pow(2) + Expr::int(sign) * s.pow(2),
                    )
                }
                None => (
                    Expr::call(family.sin, u.clone()),
                    Expr::call(family.cos, u.clone()),
                ),
            };
            sin.pow(a) * cos.pow(b)
        }
        _ => e.clone(),
    }
}

/// [`monomials`] of the circular functions.
fn sin_cos_monomials(e: &Expr) -> Vec<Expr> {
    monomials(e, &CIRCULAR)
}

/// [`monomials`] of the hyperbolic functions.
fn sinh_cosh_monomials(e: &Expr) -> Vec<Expr> {
    monomials(e, &HYPERBOLIC)
}

/// In `factors`, `num(u)^a * den(u)^(-b)` with `a, b > 0` becomes
/// `quotient(u)^min(a,b)` times what is left over.
///
/// A fractional `k = min(a, b)` needs both functions to be non-negative, or the right side
/// is undefined where the left is not: `sin(x)^2/cos(x)^(5/3)` is real wherever
/// `cos(x) > 0`, and `sin(x)^(1/3)*tan(x)^(5/3)` only where `sin(x) >= 0` too. So it is taken
/// only when neither exponent is whole (the left side is real only where both are
/// non-negative already) or when that is proved (`cosh(u) > 0`).
fn merge_quotient(factors: &[Expr], num: Func, den: Func, quotient: Func) -> Option<Expr> {
    for (i, f) in factors.iter().enumerate() {
        let (base, a) = f.split_pow();
        let Kind::Call(g, u) = base.kind() else {
            continue;
        };
        let Some(a) = a.as_num().filter(|a| a.is_positive()).cloned() else {
            continue;
        };
        if *g != num {
            continue;
        }
        let partner = Expr::call(den, u.clone());
        for (j, h) in factors.iter().enumerate() {
            let (hb, b) = h.split_pow();
            if hb != partner {
                continue;
            }
            let Some(b) = b.as_num().filter(|b| b.is_negative()).map(Number::neg) else {
                continue;
            };
            let k = if a < b { a.clone() } else { b.clone() };
            let both_roots = !a.is_integer() && !b.is_integer();
            let both_signed = sign(&base).nonnegative && sign(&partner).positive;
            if !k.is_integer() && !both_roots && !both_signed {
                continue;
            }
            let rest = factors
                .iter()
                .enumerate()
                .filter(|&(m, _)| m != i && m != j)
                .map(|(_, x)| x.clone());
            let new = [
                Expr::call(quotient, u.clone()).pow(Expr::num(k.clone())),
                base.clone().pow(Expr::num(a.sub(&k))),
                partner.clone().pow(Expr::num(k.sub(&b))),
            ];
            return Some(Expr::product(rest.chain(new)));
        }
    }
    None
}

/// `tan = sin/cos`, `sec = 1/cos`, ...: the long way round, so that products like
/// `tan(x)*cos(x)` can cancel to `sin(x)`.
fn reciprocal_expand(e: &Expr) -> Vec<Expr> {
    let Kind::Call(f, u) = e.kind() else {
        return Vec::new();
    };
    let (s, c) = (u.clone().sin(), u.clone().cos());
    let (sh, ch) = (u.clone().sinh(), u.clone().cosh());
    let expanded = match f {
        Func::Tan => s / c,
        Func::Cot => c / s,
        Func::Sec => c.recip(),
        Func::Csc => s.recip(),
        Func::Tanh => sh / ch,
        Func::Coth => ch / sh,
        Func::Sech => ch.recip(),
        Func::Csch => sh.recip(),
        _ => return Vec::new(),
    };
    vec![expanded]
}

// ---------------------------------------------------------------------------------------------
// A function of an inverse function.

/// `sin(asin(u)) = u`, `cos(asin(u)) = sqrt(1 - u^2)`, `cos(atan(u)) = 1/sqrt(1 + u^2)`,
/// `cosh(asinh(u)) = sqrt(1 + u^2)`, ...: each inverse's range fixes the sign of the root
/// (`asin` and `atan` land where `cos > 0`, `acos` where `sin >= 0`, `acosh` where
/// `sinh >= 0`), so these hold wherever the left side is defined (`acosh` for `u >= 1`,
/// `atanh` for `|u| < 1`), and one over them for `sec`, `csc`, `cot` and their hyperbolic
/// twins. The other way round (`asin(sin(u)) = u`) holds only on part
/// of the line, and is not a rule.
pub(super) fn function_of_inverse(e: &Expr) -> Vec<Expr> {
    let Some((f, g, u)) = call_of_call(e) else {
        return Vec::new();
    };
    // A reciprocal function of its own inverse: `u` wherever the inverse is defined (the
    // others meet their inverses in the table below).
    #[rustfmt::skip]
    let own_inverse = matches!(
        (f, g),
        (Func::Sec, Func::Asec) | (Func::Csc, Func::Acsc) | (Func::Cot, Func::Acot)
            | (Func::Sech, Func::Asech) | (Func::Csch, Func::Acsch) | (Func::Coth, Func::Acoth)
    );
    if own_inverse {
        return vec![u];
    }
    // `sec`, `csc`, `cot` (and the hyperbolic ones) of an inverse: one over the value of the
    // reciprocal function, defined wherever the left side is (there the reciprocal is not 0).
    // Directly, since the two steps through `reciprocal_expand` may lose the middle form.
    let reciprocal = match f {
        Func::Sec => Some(Func::Cos),
        Func::Csc => Some(Func::Sin),
        Func::Cot => Some(Func::Tan),
        Func::Sech => Some(Func::Cosh),
        Func::Csch => Some(Func::Sinh),
        Func::Coth => Some(Func::Tanh),
        _ => None,
    };
    // Of the inverses of reciprocals, only the own one (above): one over their values below
    // shows `1/sign(u)`, which is `sign(u)` only where `u != 0`, and reads no better.
    let of_reciprocal = matches!(
        g,
        Func::Asec | Func::Acsc | Func::Asech | Func::Acsch | Func::Acoth
    );
    if let Some(r) = reciprocal.filter(|_| !of_reciprocal) {
        return function_of_inverse(&Expr::call(r, Expr::call(g, u)))
            .into_iter()
            .map(Expr::recip)
            .collect();
    }
    let square = u.clone().pow(2);
    let value = match (f, g) {
        (Func::Sin, Func::Asin) | (Func::Cos, Func::Acos) | (Func::Tan, Func::Atan) => u,
        (Func::Sinh, Func::Asinh) | (Func::Cosh, Func::Acosh) | (Func::Tanh, Func::Atanh) => u,
        (Func::Cos, Func::Asin) | (Func::Sin, Func::Acos) => half_power(Expr::one() - square, 1),
        (Func::Tan, Func::Asin) => half_power(Expr::one() - square, -1) * u,
        (Func::Tan, Func::Acos) => half_power(Expr::one() - square, 1) / u,
        (Func::Sin, Func::Atan) => half_power(square + 1, -1) * u,
        (Func::Cos, Func::Atan) => half_power(square + 1, -1),
        (Func::Cosh, Func::Asinh) => half_power(square + 1, 1),
        (Func::Tanh, Func::Asinh) => half_power(square + 1, -1) * u,
        (Func::Sinh, Func::Acosh) => half_power(square - 1, 1),
        (Func::Tanh, Func::Acosh) => half_power(square - 1, 1) / u,
        (Func::Sinh, Func::Atanh) => half_power(Expr::one() - square, -1) * u,
        (Func::Cosh, Func::Atanh) => half_power(Expr::one() - square, -1),
        // The inverses of reciprocals are inverses at `1/u` (`asec(u) = acos(1/u)`), on
        // their domains: `|u| >= 1` (`asec`, `acsc`), `0 < u <= 1` (`asech`), `u != 0`
        // (`acsch`), `|u| > 1` (`acoth`). Not `acot`, which is `pi/2` at 0. Not
        // `tan(acsc(u))`: at `u = 1` it is `tan(pi/2)`, a pole that the f64 evaluator gives
        // as a huge finite number (`pi/2` rounded); left for when it has a test of its own.
        (Func::Cos, Func::Asec) | (Func::Sin, Func::Acsc) => u.recip(),
        (Func::Cosh, Func::Asech) | (Func::Sinh, Func::Acsch) | (Func::Tanh, Func::Acoth) => {
            u.recip()
        }
        (Func::Sin, Func::Asec) | (Func::Cos, Func::Acsc) => half_power(square - 1, 1) / u.abs(),
        (Func::Tan, Func::Asec) => half_power(square - 1, 1) * u.clone() / u.abs(),
        (Func::Sinh, Func::Asech) => half_power(Expr::one() - square, 1) / u,
        (Func::Tanh, Func::Asech) => half_power(Expr::one() - square, 1),
        (Func::Cosh, Func::Acsch) => half_power(square + 1, 1) / u.abs(),
        (Func::Tanh, Func::Acsch) => half_power(square + 1, -1) * u.sign(),
        (Func::Cosh, Func::Acoth) => half_power(square - 1, -1) * u.abs(),
        (Func::Sinh, Func::Acoth) => half_power(square - 1, -1) * u.sign(),
        _ => return Vec::new(),
    };
    vec![value]
}

/// `sin`, `cos`, `sinh` or `cosh` of twice an inverse function, by the double-angle
/// identities with each function of the inverse written out ([`function_of_inverse`]):
/// `cos(2*acos(u)) = 2*u^2 - 1`, `sin(2*asin(u)) = 2*u*sqrt(1 - u^2)`, `cosh(2*asinh(u)) =
/// 2*u^2 + 1`. The identities hold for every real angle, and the written-out functions
/// wherever the inverse is defined. `cos` and `cosh` get both forms (`2*cos^2 - 1` and
/// `1 - 2*sin^2`): one of them is a polynomial in `u` for each inverse.
pub(super) fn double_inverse_angle(e: &Expr) -> Vec<Expr> {
    let Kind::Call(f, arg) = e.kind() else {
        return Vec::new();
    };
    let Kind::Mul(factors) = arg.kind() else {
        return Vec::new();
    };
    let [two, w] = &factors[..] else {
        return Vec::new();
    };
    use Func::*;
    let inverse = |g: &Func| {
        matches!(
            g,
            Asin | Acos | Atan | Acot | Asec | Acsc | Asinh | Acosh | Atanh | Acoth | Asech | Acsch
        )
    };
    if !two.is_int(2) || !matches!(w.kind(), Kind::Call(g, _) if inverse(g)) {
        return Vec::new();
    }
    let of_w = |g: Func| {
        let call = Expr::call(g, w.clone());
        function_of_inverse(&call)
            .into_iter()
            .next()
            .unwrap_or(call)
    };
    let (two, one) = (Expr::int(2), Expr::one());
    match f {
        Func::Sin => vec![&two * of_w(Func::Sin) * of_w(Func::Cos)],
        Func::Sinh => vec![&two * of_w(Func::Sinh) * of_w(Func::Cosh)],
        Func::Cos => vec![
            &two * of_w(Func::Cos).pow(2) - &one,
            &one - &two * of_w(Func::Sin).pow(2),
        ],
        Func::Cosh => vec![
            &two * of_w(Func::Cosh).pow(2) - &one,
            &one + &two * of_w(Func::Sinh).pow(2),
        ],
        _ => Vec::new(),
    }
}

/// `f(g(u))` as `(f, g, u)`.
fn call_of_call(e: &Expr) -> Option<(Func, Func, Expr)> {
    let Kind::Call(f, inner) = e.kind() else {
        return None;
    };
    let Kind::Call(g, u) = inner.kind() else {
        return None;
    };
    Some((*f, *g, u.clone()))
}

/// `base^(p/2)`.
fn half_power(base: Expr, p: i64) -> Expr {
    base.pow(Expr::ratio(p, 2))
}
