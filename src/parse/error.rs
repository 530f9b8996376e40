//! What went wrong while reading a formula, and where: [`ParseError`] and [`ParseErrorKind`].
//!
//! The error is owned and positioned (byte offset, 1-based line and column in characters) and
//! keeps a short excerpt of the offending line, so that it can be rendered the way rustc and
//! just render theirs: the message, the position, the line, and a caret under the mistake.

use std::fmt;

/// The longest name or token quoted in a message; longer ones are cut with `…`.
const QUOTE_LIMIT: usize = 32;

/// How many characters of the source line are shown on each side of the caret.
const EXCERPT_RADIUS: usize = 40;

/// What went wrong. Each variant names the facts a person needs to fix the input.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ParseErrorKind {
    /// The input holds nothing but white space.
    Empty,
    /// Something stands where the grammar allows something else.
    Unexpected {
        /// What the grammar allows here, as a phrase (`an expression after `+``).
        expected: String,
        /// What stands here instead (`end of input`, `` `$` ``).
        found: String,
    },
    /// An opening bracket that is never closed; the error points at the bracket.
    Unclosed {
        /// The opening bracket: `(` or `[`.
        bracket: char,
    },
    /// A closing bracket that closes nothing; the error points at the bracket.
    Unopened {
        /// The closing bracket: `)` or `]`.
        bracket: char,
    },
    /// A malformed number such as `1.2.3` or `1.`.
    BadNumber {
        /// The malformed text (cut when long).
        text: String,
        /// Why it is malformed.
        reason: String,
    },
    /// A number literal with more digits, or a larger decimal exponent, than the limit
    /// ([`ParseOptions::max_exponent_digits`](crate::ParseOptions::max_exponent_digits)).
    NumberTooLarge {
        /// The limit in force.
        limit: u32,
    },
    /// A product whose numbers, multiplied exactly, could have more bits than
    /// [`MAX_PRODUCT_BITS`](crate::MAX_PRODUCT_BITS) (`1e10000*1e10000*1e10000*1e10000`): each
    /// literal is bounded, but without this a line of a few kilobytes could ask for a number
    /// of millions of digits. The error points at the factor that went over.
    ProductTooLarge {
        /// The limit in force, in bits.
        limit: u64,
    },
    /// A name followed by `(` that is neither a function nor a single letter (`sinn(x)`).
    UnknownFunction {
        /// The name as written.
        name: String,
        /// The nearest known function, when one is close.
        suggestion: Option<String>,
    },
    /// A function called with the wrong number of arguments.
    Arity {
        /// The function's name as written.
        name: String,
        /// How many arguments it takes (`1`, `1 or 2`).
        expected: String,
        /// How many it was given.
        found: usize,
    },
    /// A function name that is not followed by its argument in parentheses (`sin x`).
    BareFunction {
        /// The function's name.
        name: String,
        /// The whole power written between the name and its argument (`sin^2(x)`,
        /// `sin²(x)`), which goes after the call.
        power: Option<i64>,
    },
    /// A known function's name glued to a variable of differentiation (`sinx`, `lnx`,
    /// `sin2x`), which would read as a new variable whose derivative is silently 0.
    GluedFunction {
        /// The name as written.
        name: String,
        /// The length in bytes of the function's name it starts with; the rest is the
        /// argument the function was likely meant to take.
        function_len: usize,
    },
    /// A prime `'` after a name that is not a declared function applied to an argument
    /// (`x'`, `sin'(x)`).
    MisplacedPrime {
        /// The name before the prime.
        name: String,
    },
    /// A name used in a binding before a later binding in the same input defines it.
    UndefinedBinding {
        /// The name.
        name: String,
    },
    /// A binding of a name that cannot be bound: a constant, a function, or a variable of
    /// differentiation.
    ReservedName {
        /// The name.
        name: String,
        /// What the name already is (`a constant`, `a function`).
        role: String,
    },
    /// The input ends with a binding: the formula after it is missing.
    MissingFormula,
    /// Parentheses, calls, signs or powers nested deeper than the limit.
    TooDeep {
        /// The limit in force.
        limit: usize,
    },
}

impl fmt::Display for ParseErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use ParseErrorKind::*;
        match self {
            Empty => write!(f, "the input is empty: expected an expression"),
            Unexpected { expected, found } => write!(f, "expected {expected}, found {found}"),
            Unclosed { bracket } => write!(f, "this `{bracket}` is never closed"),
            Unopened { bracket } => write!(f, "this `{bracket}` closes nothing"),
            BadNumber { text, reason } => write!(f, "malformed number `{text}`: {reason}"),
            NumberTooLarge { limit } => write!(
                f,
                "number too large: a literal may have at most {limit} digits and an exponent of at most {limit}"
            ),
            ProductTooLarge { limit } => write!(
                f,
                "numbers too large: the numbers multiplied here would have more than {limit} bits"
            ),
            UnknownFunction { name, suggestion } => {
                let name = quote(name);
                match suggestion {
                    Some(s) => write!(f, "unknown function `{name}`, did you mean `{s}`?")?,
                    None => write!(f, "unknown function `{name}`:")?,
                }
                write!(f, " write `{name}*(...)` for a product")
            }
            Arity {
                name,
                expected,
                found,
            } => {
                let plural = if expected == "1" { "" } else { "s" };
                write!(
                    f,
                    "`{name}` takes {expected} argument{plural}, found {found}"
                )
            }
            BareFunction { name, power: None } => {
                write!(f, "`{name}` is a function: write `{name}(...)`")
            }
            BareFunction {
                name,
                power: Some(-1),
            } if let Some(inverse) = super::names::inverse(name) => write!(
                f,
                "`{name}` is a function: for its inverse write `{inverse}(...)`, for a power \
                 `{name}(...)^-1`"
            ),
            BareFunction {
                name,
                power: Some(k),
            } => write!(
                f,
                "`{name}` is a function: a power of it goes after its argument, `{name}(...)^{k}`"
            ),
            GluedFunction { name, function_len } => {
                let (function, argument) =
                    name.split_at_checked(*function_len).unwrap_or((name, ""));
                write!(
                    f,
                    "`{}` reads as one name, a new variable: write `{function}({argument})` for \
                     the function",
                    quote(name)
                )
            }
            MisplacedPrime { name } => write!(
                f,
                "`{}'`: a prime marks the derivative of a declared function applied to an argument, as in `f'(x)`",
                quote(name)
            ),
            UndefinedBinding { name } => {
                write!(
                    f,
                    "`{}` is used before it is defined by a later binding",
                    quote(name)
                )
            }
            ReservedName { name, role } => write!(f, "cannot bind `{}`: it is {role}", quote(name)),
            MissingFormula => write!(
                f,
                "expected the formula after the bindings, found end of input"
            ),
            TooDeep { limit } => write!(f, "nested too deeply: the limit is {limit} levels"),
        }
    }
}

/// Cuts a quoted name or token to [`QUOTE_LIMIT`] characters.
pub(super) fn quote(text: &str) -> String {
    match text.char_indices().nth(QUOTE_LIMIT) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_owned(),
    }
}

/// An error in the input text: what went wrong and where.
///
/// `Display` renders the message, the position, the source line and a caret:
///
/// ```
/// let error = deriv::parse("x + ").unwrap_err();
/// assert_eq!((error.line(), error.column()), (1, 5));
/// assert_eq!(
///     error.to_string(),
///     "error: expected an expression after `+`, found end of input\n --> 1:5\n  |\n1 | x + \n  |     ^"
/// );
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError {
    kind: ParseErrorKind,
    offset: usize,
    line: usize,
    column: usize,
    excerpt: Excerpt,
}

/// The part of the source line shown under the message, and where the caret goes in it.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Excerpt {
    text: String,
    caret: usize,
}

impl ParseError {
    /// Builds the error for `kind` at byte `offset` (line and column 1-based, the column in
    /// characters); `source_line` is the whole line that holds the offset.
    pub(super) fn new(
        kind: ParseErrorKind,
        offset: usize,
        line: usize,
        column: usize,
        source_line: &str,
    ) -> Self {
        let excerpt = Excerpt::around(source_line, column.saturating_sub(1));
        ParseError {
            kind,
            offset,
            line,
            column,
            excerpt,
        }
    }

    /// What went wrong.
    pub fn kind(&self) -> &ParseErrorKind {
        &self.kind
    }

    /// The byte offset of the mistake in the input.
    pub fn offset(&self) -> usize {
        self.offset
    }

    /// The line of the mistake, from 1.
    pub fn line(&self) -> usize {
        self.line
    }

    /// The column of the mistake, from 1, counted in characters.
    pub fn column(&self) -> usize {
        self.column
    }

    /// The one-line message, without position or excerpt.
    pub fn message(&self) -> String {
        self.kind.to_string()
    }
}

impl Excerpt {
    /// Takes at most [`EXCERPT_RADIUS`] characters on each side of the caret, marking cuts
    /// with `…`; tabs and other control characters become spaces so the caret lines up.
    fn around(line: &str, caret: usize) -> Excerpt {
        let start = caret.saturating_sub(EXCERPT_RADIUS);
        let chars = line.chars().skip(start).take(2 * EXCERPT_RADIUS + 1);
        let mut text: String = chars
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect();
        let mut caret = caret - start;
        if start > 0 {
            text.insert(0, '…');
            caret += 1;
        }
        if line.chars().count() > start + 2 * EXCERPT_RADIUS + 1 {
            text.push('…');
        }
        Excerpt { text, caret }
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let line = self.line.to_string();
        let gutter = " ".repeat(line.len());
        writeln!(f, "error: {}", self.kind)?;
        writeln!(f, "{gutter}--> {}:{}", self.line, self.column)?;
        writeln!(f, "{gutter} |")?;
        writeln!(f, "{line} | {}", self.excerpt.text)?;
        write!(f, "{gutter} | {}^", " ".repeat(self.excerpt.caret))
    }
}

impl std::error::Error for ParseError {}
