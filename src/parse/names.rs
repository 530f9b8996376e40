//! What a name means: the known functions and their aliases, the constants, and the nearest
//! known function to a misspelt one.

use crate::expr::{Constant, Expr, Func};

/// Names that read as another function.
const ALIASES: &[(&str, Func)] = &[
    ("arcsin", Func::Asin),
    ("arccos", Func::Acos),
    ("arctan", Func::Atan),
    ("arccot", Func::Acot),
    ("arcsec", Func::Asec),
    ("arccsc", Func::Acsc),
    // NumPy's names of the inverse hyperbolic functions, and ISO 80000-2's.
    ("arcsinh", Func::Asinh),
    ("arccosh", Func::Acosh),
    ("arctanh", Func::Atanh),
    ("arccoth", Func::Acoth),
    ("arcsech", Func::Asech),
    ("arccsch", Func::Acsch),
    ("arsinh", Func::Asinh),
    ("arcosh", Func::Acosh),
    ("artanh", Func::Atanh),
    ("arcoth", Func::Acoth),
    ("arsech", Func::Asech),
    ("arcsch", Func::Acsch),
    // The names of Russian and much of European schooling, and Fortran's `cotan`.
    ("tg", Func::Tan),
    ("ctg", Func::Cot),
    ("cotan", Func::Cot),
    ("cosec", Func::Csc),
    ("arctg", Func::Atan),
    ("arcctg", Func::Acot),
];

/// The function an alias names (`arcsin` is `asin`).
fn alias(name: &str) -> Option<Func> {
    ALIASES
        .iter()
        .find(|(alias, _)| *alias == name)
        .map(|&(_, f)| f)
}

/// A function the grammar knows by name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Known {
    /// One of [`Func::ALL`] (or an alias of one).
    Func(Func),
    /// `log(u)` is `ln(u)`; `log(u, b)` is `ln(u)/ln(b)`.
    Log,
    /// `log10(u)` is `ln(u)/ln(10)`, `log2(u)` is `ln(u)/ln(2)`: the logarithm to a fixed
    /// base, by the name C, NumPy and SymPy's printers give it.
    LogTo(u8),
    /// `sqrt(u)` is `u^(1/2)`.
    Sqrt,
    /// `cbrt(u)` is the real cube root, `sign(u)*abs(u)^(1/3)`, as C and NumPy compute it:
    /// `cbrt(-8) = -2`, where `(-8)^(1/3)` has no real value.
    Cbrt,
    /// `root(u, n)` is `u^(1/n)`, SymPy's `root`: the principal root, as `sqrt` is.
    Root,
    /// `pow(u, v)` is `u^v`, as C, Python and JavaScript write it.
    Pow,
    /// `max(u, v)` is `(u + v + abs(u - v))/2` and `min(u, v)` is `(u + v - abs(u - v))/2`:
    /// equal to the larger and the smaller of the two at every real point, so their
    /// derivatives are those of `abs` (`d/dx max(x, 0) = (1 + sign(x))/2`).
    Max,
    /// See [`Known::Max`].
    Min,
    /// `hypot(u, v)` is `sqrt(u^2 + v^2)`, C's and NumPy's name for it.
    Hypot,
}

impl Known {
    /// Looks a function up by name, aliases included.
    pub(super) fn from_name(name: &str) -> Option<Known> {
        match name {
            "log" => Some(Known::Log),
            "log10" => Some(Known::LogTo(10)),
            "log2" => Some(Known::LogTo(2)),
            "sqrt" => Some(Known::Sqrt),
            "cbrt" => Some(Known::Cbrt),
            "root" => Some(Known::Root),
            "pow" => Some(Known::Pow),
            "max" => Some(Known::Max),
            "min" => Some(Known::Min),
            "hypot" => Some(Known::Hypot),
            _ => Func::from_name(name)
                .or_else(|| alias(name))
                .map(Known::Func),
        }
    }

    /// How many arguments it takes, at least and at most.
    pub(super) fn arity(self) -> (usize, usize) {
        match self {
            Known::Log => (1, 2),
            Known::Root | Known::Pow | Known::Max | Known::Min | Known::Hypot => (2, 2),
            Known::Func(_) | Known::Sqrt | Known::Cbrt | Known::LogTo(_) => (1, 1),
        }
    }

    /// Applies the function to its argument, and the second one when it takes two.
    pub(super) fn apply(self, arg: Expr, second: Option<Expr>) -> Expr {
        match (self, second) {
            (Known::Func(f), _) => Expr::call(f, arg),
            (Known::Sqrt, _) => arg.sqrt(),
            (Known::Cbrt, _) => arg.clone().sign() * arg.abs().pow(Expr::ratio(1, 3)),
            // The arity is checked before: both take two arguments.
            (Known::Root, n) => arg.pow(Expr::one() / n.unwrap_or_else(Expr::one)),
            (Known::Pow, v) => arg.pow(v.unwrap_or_else(Expr::one)),
            (Known::Max, Some(v)) => half_sum_and_distance(arg, v, 1),
            (Known::Min, Some(v)) => half_sum_and_distance(arg, v, -1),
            (Known::Max | Known::Min, None) => arg,
            (Known::Hypot, v) => (arg.pow(2) + v.unwrap_or_else(Expr::zero).pow(2)).sqrt(),
            (Known::Log, None) => arg.ln(),
            (Known::Log, Some(base)) => logarithm(arg, base),
            (Known::LogTo(base), _) => logarithm(arg, Expr::int(i64::from(base))),
        }
    }
}

/// The name of the inverse of the function `name` when a known function is its inverse
/// (`asin` for `sin`, `sinh` for `asinh` and `arsinh`, `exp` for `ln` and `log`): what
/// `sin^-1(x)` means in books that write it so.
pub(super) fn inverse(name: &str) -> Option<&'static str> {
    let f = match Known::from_name(name)? {
        Known::Func(f) => f,
        Known::Log => Func::Ln,
        Known::Sqrt
        | Known::LogTo(_)
        | Known::Cbrt
        | Known::Root
        | Known::Pow
        | Known::Max
        | Known::Min
        | Known::Hypot => return None,
    };
    let inverse = match f {
        Func::Ln => Func::Exp,
        Func::Exp => Func::Ln,
        _ => {
            let name = f.name();
            let other = match name.strip_prefix('a') {
                Some(direct) => direct.to_owned(),
                None => format!("a{name}"),
            };
            Func::from_name(&other)?
        }
    };
    Some(inverse.name())
}

/// `(u + v + sign*abs(u - v))/2`: the larger of `u` and `v` for `sign = 1`, the smaller for
/// `sign = -1`, at every point where both are defined.
fn half_sum_and_distance(u: Expr, v: Expr, sign: i64) -> Expr {
    let distance = (u.clone() - v.clone()).abs();
    (u + v + Expr::int(sign) * distance) / Expr::int(2)
}

/// The logarithm of `arg` to `base`, `ln(arg)/ln(base)`; a number when both are positive
/// numbers, one a rational power of the other, as every CAS folds it: `log(8, 2) = 3`,
/// `log10(0.001) = -3`, `log(2, 8) = 1/3`, `log(8, 4) = 3/2`.
fn logarithm(arg: Expr, base: Expr) -> Expr {
    if let (Some(u), Some(b)) = (arg.as_num(), base.as_num())
        && let Some(k) = u.rational_log(b)
    {
        return Expr::num(k);
    }
    arg.ln() / base.ln()
}

/// The arity as words: `1`, `1 or 2`.
pub(super) fn arity_words((min, max): (usize, usize)) -> String {
    if min == max {
        min.to_string()
    } else {
        format!("{min} or {max}")
    }
}

/// The constant a name stands for: `pi` and `π` are π, `e` is Euler's number.
pub(super) fn constant(name: &str) -> Option<Constant> {
    match name {
        "pi" | "π" => Some(Constant::Pi),
        "e" => Some(Constant::E),
        _ => None,
    }
}

/// The known or declared function nearest to a misspelt `name`, when it is close: one edit
/// for names of up to four letters, two for longer ones.
pub(super) fn suggest<'n>(name: &str, declared: impl Iterator<Item = &'n str>) -> Option<String> {
    let length = name.chars().count();
    let budget = if length <= 4 { 1 } else { 2 };
    let known = Func::ALL
        .iter()
        .map(|f| f.name())
        .chain([
            "log", "log10", "log2", "sqrt", "cbrt", "root", "pow", "max", "min", "hypot",
        ])
        .chain(ALIASES.iter().map(|(a, _)| *a));
    let mut best: Option<(usize, &str)> = None;
    for candidate in known.chain(declared) {
        if candidate.chars().count().abs_diff(length) > budget {
            continue;
        }
        let distance = edit_distance(name, candidate);
        if distance <= budget && best.is_none_or(|(d, _)| distance < d) {
            best = Some((distance, candidate));
        }
    }
    best.map(|(_, candidate)| candidate.to_owned())
}

/// The Levenshtein distance between two short strings, in characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut current = vec![i + 1];
        for (j, &cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != cb);
            current.push(substitution.min(previous[j + 1] + 1).min(current[j] + 1));
        }
        previous = current;
    }
    previous[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edit_distance_counts_single_edits() {
        assert_eq!(edit_distance("sinn", "sin"), 1);
        assert_eq!(edit_distance("cso", "cos"), 2);
        assert_eq!(edit_distance("θx", "θy"), 1);
        assert_eq!(edit_distance("", "abc"), 3);
    }

    #[test]
    fn suggestions_only_when_close() {
        assert_eq!(suggest("sinn", std::iter::empty()).as_deref(), Some("sin"));
        assert_eq!(
            suggest("arcsinn", std::iter::empty()).as_deref(),
            Some("arcsin")
        );
        assert_eq!(suggest("foo", std::iter::empty()), None);
        assert_eq!(
            suggest("gamm", ["gamma"].into_iter()).as_deref(),
            Some("gamma")
        );
    }

    #[test]
    fn every_function_and_alias_is_known_by_its_name() {
        for &f in Func::ALL {
            assert_eq!(
                Known::from_name(f.name()),
                Some(Known::Func(f)),
                "{}",
                f.name()
            );
        }
        for &(alias, f) in ALIASES {
            assert_eq!(Known::from_name(alias), Some(Known::Func(f)), "{alias}");
        }
        for other in [
            "", "x", "si", "sinx", "Sin", "arcsinhh", "lg", "sqr", "exp2", "log3",
        ] {
            assert_eq!(Known::from_name(other), None, "{other}");
        }
    }

    #[test]
    fn aliases_and_specials_resolve() {
        assert_eq!(Known::from_name("arctan"), Some(Known::Func(Func::Atan)));
        assert_eq!(Known::from_name("acsch"), Some(Known::Func(Func::Acsch)));
        assert_eq!(Known::from_name("log"), Some(Known::Log));
        assert_eq!(Known::from_name("log10"), Some(Known::LogTo(10)));
        assert_eq!(Known::from_name("arcosh"), Some(Known::Func(Func::Acosh)));
        assert_eq!(Known::from_name("tg"), Some(Known::Func(Func::Tan)));
        assert_eq!(Known::from_name("cosec"), Some(Known::Func(Func::Csc)));
        assert_eq!(Known::from_name("cbrt"), Some(Known::Cbrt));
        assert_eq!(Known::from_name("root").map(Known::arity), Some((2, 2)));
        assert_eq!(Known::from_name("pow").map(Known::arity), Some((2, 2)));
        assert_eq!(Known::from_name("max").map(Known::arity), Some((2, 2)));
        assert_eq!(Known::from_name("hypot").map(Known::arity), Some((2, 2)));
        assert_eq!(Known::from_name("x"), None);
    }
}
