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
    /// `sqrt(u)` is `u^(1/2)`.
    Sqrt,
}

impl Known {
    /// Looks a function up by name, aliases included.
    pub(super) fn from_name(name: &str) -> Option<Known> {
        match name {
            "log" => Some(Known::Log),
            "sqrt" => Some(Known::Sqrt),
            _ => Func::from_name(name)
                .or_else(|| alias(name))
                .map(Known::Func),
        }
    }

    /// How many arguments it takes, at least and at most.
    pub(super) fn arity(self) -> (usize, usize) {
        match self {
            Known::Log => (1, 2),
            Known::Func(_) | Known::Sqrt => (1, 1),
        }
    }

    /// Applies the function to its argument, and the second one when it takes two.
    pub(super) fn apply(self, arg: Expr, second: Option<Expr>) -> Expr {
        match (self, second) {
            (Known::Func(f), _) => Expr::call(f, arg),
            (Known::Sqrt, _) => arg.sqrt(),
            (Known::Log, None) => arg.ln(),
            (Known::Log, Some(base)) => arg.ln() / base.ln(),
        }
    }
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
        .chain(["log", "sqrt"])
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
        for other in ["", "x", "si", "sinx", "Sin", "arcsinh", "lg", "sqr", "exp2"] {
            assert_eq!(Known::from_name(other), None, "{other}");
        }
    }

    #[test]
    fn aliases_and_specials_resolve() {
        assert_eq!(Known::from_name("arctan"), Some(Known::Func(Func::Atan)));
        assert_eq!(Known::from_name("acsch"), Some(Known::Func(Func::Acsch)));
        assert_eq!(Known::from_name("log"), Some(Known::Log));
        assert_eq!(Known::from_name("x"), None);
    }
}
