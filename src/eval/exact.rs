//! Exact evaluation in rationals: the value of an expression at a rational point, when that
//! value is rational and the constructors can show it (`x^2/3` at `x = 1/2` is `1/12`,
//! `sqrt(x)` at `x = 4` is `2`, `sin(x)` at `x = 0` is `0`; `sin(1)` has no exact value).

use rustc_hash::FxHashMap;

use crate::expr::{Expr, Kind};
use crate::num::Number;
use crate::parse::MAX_PRODUCT_BITS;

/// The exact value of `e` with each symbol of `point` replaced by its number, or `None` when
/// the value is not rational (or not known to be), is undefined (`1/0`), needs a symbol that
/// `point` lacks, or would be a number of more than [`MAX_PRODUCT_BITS`](crate::MAX_PRODUCT_BITS)
/// bits.
///
/// ```
/// use deriv::{Number, eval_exact, parse};
/// let f = parse("x^2/3 + y")?;
/// let point = [("x", Number::ratio(1, 2).unwrap()), ("y", Number::ratio(1, 7).unwrap())];
/// assert_eq!(eval_exact(&f, &point), Number::ratio(19, 84));
/// assert_eq!(eval_exact(&parse("sin(x)")?, &[("x", Number::int(1))]), None);
/// # Ok::<(), deriv::ParseError>(())
/// ```
pub fn eval_exact(e: &Expr, point: &[(&str, Number)]) -> Option<Number> {
    let nodes = e.postorder();
    let mut values: FxHashMap<usize, Number> = FxHashMap::default();
    for node in &nodes {
        let value = node_value(node, |c| values.get(&c.id()), point)?;
        if value.bits() > MAX_PRODUCT_BITS {
            return None;
        }
        values.insert(node.id(), value);
    }
    values.remove(&e.id())
}

/// One node's exact value from its children's values `v`.
fn node_value<'a>(
    node: &Expr,
    v: impl Fn(&Expr) -> Option<&'a Number>,
    point: &[(&str, Number)],
) -> Option<Number> {
    match node.kind() {
        Kind::Num(n) => Some(n.clone()),
        Kind::Sym(s) => point
            .iter()
            .find(|(name, _)| *name == &**s)
            .map(|(_, n)| n.clone()),
        Kind::Add(terms) => terms
            .iter()
            .try_fold(Number::zero(), |sum, t| Some(sum.add(v(t)?))),
        Kind::Mul(factors) => factors
            .iter()
            .try_fold(Number::one(), |product, f| Some(product.mul(v(f)?))),
        // The canonical constructors fold exactly what is exact (`4^(1/2) = 2`) and leave the
        // rest, undefined powers (`0^-1`) included, unevaluated.
        Kind::Pow(base, exp) => {
            let folded = Expr::num(v(base)?.clone()).pow(Expr::num(v(exp)?.clone()));
            folded.as_num().cloned()
        }
        Kind::Call(f, arg) => Expr::call(*f, Expr::num(v(arg)?.clone())).as_num().cloned(),
        Kind::Const(_) | Kind::Undef { .. } => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::parse;

    fn r(p: i64, q: i64) -> Number {
        Number::ratio(p, q).unwrap_or_else(Number::zero)
    }

    fn exact(text: &str, point: &[(&str, Number)]) -> Option<Number> {
        eval_exact(&parse(text).ok()?, point)
    }

    #[test]
    fn rational_expressions_have_exact_values() {
        let half = [("x", r(1, 2))];
        assert_eq!(exact("x^2/3", &half), Some(r(1, 12)));
        assert_eq!(exact("(x + 1)^-2", &half), Some(r(4, 9)));
        assert_eq!(exact("sqrt(x + 7/2)", &half), Some(Number::int(2)));
        assert_eq!(exact("abs(x - 1)", &half), Some(r(1, 2)));
        assert_eq!(
            exact("sin(x - 1/2) + exp(2*x - 1)", &half),
            Some(Number::int(1))
        );
    }

    #[test]
    fn irrational_undefined_or_unbound_values_have_none() {
        let one = [("x", Number::int(1))];
        assert_eq!(exact("sin(x)", &one), None);
        assert_eq!(exact("sqrt(x + 1)", &one), None);
        assert_eq!(exact("pi*x", &one), None);
        assert_eq!(exact("1/(x - 1)", &one), None);
        assert_eq!(exact("x*y", &one), None);
    }

    #[test]
    fn exact_values_agree_with_floating_point() {
        let point = [("x", r(3, 7)), ("y", r(-5, 2))];
        let env = crate::eval::Env::new().with("x", 3.0 / 7.0).with("y", -2.5);
        for text in ["x^3*y - y/x", "(x + y)^5/(1 - x*y)^2", "x^(1/1)*y^4 - 3"] {
            let f = parse(text).unwrap_or_else(|e| panic!("{e}"));
            let value = eval_exact(&f, &point).map(|n| n.to_f64());
            let float = crate::eval::eval(&f, &env).ok();
            let (Some(a), Some(b)) = (value, float) else {
                panic!("{text}: {value:?} {float:?}");
            };
            assert!((a - b).abs() <= 1e-12 * b.abs().max(1.0), "{text}: {a} {b}");
        }
    }
}
