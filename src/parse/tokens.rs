//! The tokens of the grammar: white space, numbers, names and primes, each a small nom parser
//! over a [`Span`] (a slice of the text), and the error type the productions share.
//!
//! **Invariant:** nothing here backtracks over more than one token, so reading is linear.
//!
//! Each token first reads ASCII bytes directly, which is what formulas are mostly made of,
//! and falls back to the general (Unicode) nom parser at the first byte that is not ASCII,
//! so both paths accept exactly the same text.

use nom::branch::alt;
use nom::bytes::complete::{take_while, take_while1};
use nom::character::complete::{char, digit1, one_of, satisfy};
use nom::combinator::{opt, recognize};
use nom::{IResult, Input, Parser};

use super::error::{ParseErrorKind, quote};
use crate::num::Number;

/// The input still to read: the rest of the whole text, as a slice of it.
///
/// A span carries no position of its own: where it starts in the text is found from the text
/// once, when an error is reported ([`position`]), rather than tracked on every step (as a span
/// that counts its lines must). Every production passes spans around, so this keeps each step
/// a slice.
pub(super) type Span<'a> = &'a str;

/// Where `at`, a slice of `text`, starts: its byte offset, and its 1-based line and column
/// (in characters).
pub(super) fn position(text: &str, at: Span<'_>) -> (usize, usize, usize) {
    let offset = (at.as_ptr() as usize)
        .checked_sub(text.as_ptr() as usize)
        .map_or(text.len(), |k| k.min(text.len()));
    let before = text.as_bytes().get(..offset).unwrap_or_default();
    let line_start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |k| k + 1);
    let line = 1 + before.iter().filter(|&&b| b == b'\n').count();
    // Characters are the bytes that do not continue a UTF-8 sequence.
    let column = 1 + before
        .get(line_start..)
        .unwrap_or_default()
        .iter()
        .filter(|&&b| b & 0xC0 != 0x80)
        .count();
    (offset, line, column)
}

/// What every production returns.
pub(super) type PResult<'a, T> = IResult<Span<'a>, T, Failure<'a>>;

/// An error as the productions return it.
pub(super) type Fatal<'a> = nom::Err<Failure<'a>>;

/// The error inside the parser: where, and what (when known).
///
/// A recoverable `nom::Err::Error` with no kind means "nothing here starts this production";
/// the caller that required one turns it into a fatal `Unexpected` that says what it expected.
/// Every other error is a fatal `nom::Err::Failure` with its kind, so no alternative is tried
/// after a mistake and the first mistake is the one reported.
///
/// The kind is boxed to keep results small: every production's frame holds a few of them,
/// and nesting multiplies the frames.
#[derive(Debug)]
pub(super) struct Failure<'a> {
    pub(super) at: Span<'a>,
    pub(super) kind: Option<Box<ParseErrorKind>>,
}

impl<'a> nom::error::ParseError<Span<'a>> for Failure<'a> {
    fn from_error_kind(input: Span<'a>, _kind: nom::error::ErrorKind) -> Self {
        Failure {
            at: input,
            kind: None,
        }
    }

    fn append(_input: Span<'a>, _kind: nom::error::ErrorKind, other: Self) -> Self {
        other
    }
}

/// A fatal error of `kind` at `at`.
pub(super) fn fatal(at: Span<'_>, kind: ParseErrorKind) -> Fatal<'_> {
    nom::Err::Failure(Failure {
        at,
        kind: Some(Box::new(kind)),
    })
}

/// A recoverable "nothing here starts this production" at `at`.
pub(super) fn no_match(at: Span<'_>) -> Fatal<'_> {
    nom::Err::Error(Failure { at, kind: None })
}

/// A fatal `Unexpected`: `expected`, and a description of what stands at `at`.
pub(super) fn unexpected<'a>(at: Span<'a>, expected: &str) -> Fatal<'a> {
    let found = describe(&at);
    fatal(
        at,
        ParseErrorKind::Unexpected {
            expected: expected.to_owned(),
            found,
        },
    )
}

/// Turns "nothing here starts an expression" from a required production into a fatal error
/// that says what was expected; passes every other outcome through.
pub(super) fn required<'a, T>(
    result: PResult<'a, T>,
    expected: impl FnOnce() -> String,
) -> PResult<'a, T> {
    match result {
        Err(nom::Err::Error(Failure { at, kind: None })) => Err(unexpected(at, &expected())),
        Err(nom::Err::Error(failure)) => Err(nom::Err::Failure(failure)),
        other => other,
    }
}

/// The next character, if any.
#[inline]
pub(super) fn peek(i: &Span<'_>) -> Option<char> {
    match i.as_bytes().first() {
        Some(&b) if b.is_ascii() => Some(char::from(b)),
        _ => i.chars().next(),
    }
}

/// The input after its first `bytes` bytes (which the caller has seen to be one token).
#[inline]
pub(super) fn skip<'a>(i: Span<'a>, bytes: usize) -> Span<'a> {
    i.take_from(bytes.min(i.len()))
}

/// `whitespace`: any run of Unicode white space, line breaks included.
///
/// Skips ASCII white space with the standard library's byte loop; only a vertical tab (white
/// space to Unicode, not to ASCII) or a byte that is not ASCII hands the rest of the run to
/// the general path.
#[inline]
pub(super) fn whitespace(i: Span<'_>) -> PResult<'_, ()> {
    let i = i.trim_ascii_start();
    if i.as_bytes()
        .first()
        .is_some_and(|&b| b == 0x0B || !b.is_ascii())
    {
        return Ok((unicode_whitespace(i), ()));
    }
    Ok((i, ()))
}

/// The input after a run of Unicode white space at its start.
#[cold]
#[inline(never)]
fn unicode_whitespace(i: Span<'_>) -> Span<'_> {
    let run = i.find(|c: char| !c.is_whitespace());
    skip(i, run.unwrap_or(i.len()))
}

/// A character that may continue a name.
pub(super) fn is_name_char(c: char) -> bool {
    (c.is_alphanumeric() && superscript_digit(c).is_none()) || c == '_'
}

/// The value of a superscript digit (`²` is 2): a raised exponent, never part of a name.
fn superscript_digit(c: char) -> Option<u8> {
    match c {
        '⁰' => Some(0),
        '¹' => Some(1),
        '²' => Some(2),
        '³' => Some(3),
        '⁴'..='⁹' => u8::try_from(u32::from(c) - u32::from('⁰')).ok(),
        _ => None,
    }
}

/// The most digits a raised exponent may have: it is a machine integer.
const MAX_SUPERSCRIPT_DIGITS: usize = 18;

/// `superscript = [ "⁻" | "⁺" ] superdigit { superdigit }`: an exponent written raised, as
/// text pasted from a document has it (`x²` is `x^2`, `x⁻¹` is `x^-1`). `None` when `i`
/// does not start with one.
pub(super) fn superscript(i: Span<'_>) -> Result<Option<(Span<'_>, i64)>, Fatal<'_>> {
    let mut chars = i.char_indices().peekable();
    let negative = match chars.peek() {
        Some(&(_, '⁻')) => true,
        Some(&(_, '⁺')) => false,
        _ if peek(&i).and_then(superscript_digit).is_some() => false,
        _ => return Ok(None),
    };
    if matches!(chars.peek(), Some(&(_, '⁻' | '⁺'))) {
        chars.next();
    }
    let mut value: i64 = 0;
    let mut digits = 0usize;
    let mut end = i.len();
    for (at, c) in chars {
        let Some(digit) = superscript_digit(c) else {
            end = at;
            break;
        };
        digits += 1;
        if digits > MAX_SUPERSCRIPT_DIGITS {
            let reason = format!("a raised exponent has at most {MAX_SUPERSCRIPT_DIGITS} digits");
            return Err(fatal(
                i,
                ParseErrorKind::BadNumber {
                    text: quote(&i[..at]),
                    reason,
                },
            ));
        }
        value = value * 10 + i64::from(digit);
    }
    if digits == 0 {
        let sign = &i[..end.min(i.len())];
        let reason = "a raised sign needs raised digits after it".to_owned();
        return Err(fatal(
            i,
            ParseErrorKind::BadNumber {
                text: quote(sign),
                reason,
            },
        ));
    }
    Ok(Some((skip(i, end), if negative { -value } else { value })))
}

/// `name = letter { letter | digit | "_" }`, letters and digits in the Unicode sense.
///
/// An ASCII name is read byte by byte; a name with a character that is not ASCII is read
/// again by the general path.
#[inline]
pub(super) fn name(i: Span<'_>) -> PResult<'_, Span<'_>> {
    let bytes = i.as_bytes();
    match bytes.first() {
        Some(b) if b.is_ascii_alphabetic() => {}
        Some(b) if b.is_ascii() => return Err(no_match(i)),
        _ => return unicode_name(i),
    }
    let length = 1 + bytes[1..]
        .iter()
        .take_while(|&&b| b.is_ascii_alphanumeric() || b == b'_')
        .count();
    if bytes.get(length).is_some_and(|b| !b.is_ascii()) {
        return unicode_name(i);
    }
    Ok(i.take_split(length))
}

/// `name` in general, for names with characters that are not ASCII.
#[cold]
#[inline(never)]
fn unicode_name(i: Span<'_>) -> PResult<'_, Span<'_>> {
    recognize((satisfy(char::is_alphabetic), take_while(is_name_char))).parse(i)
}

/// `primes = { "'" }`: how many primes follow a name (`f''` has two).
#[inline]
pub(super) fn primes(i: Span<'_>) -> PResult<'_, usize> {
    let marks = i.bytes().take_while(|&b| b == b'\'').count();
    Ok((skip(i, marks), marks))
}

/// Whether a number starts here: a digit, or a point followed by a digit (`.5`).
pub(super) fn starts_number(i: &Span<'_>) -> bool {
    let mut chars = i.chars();
    match chars.next() {
        Some(c) if c.is_ascii_digit() => true,
        Some('.') => chars.next().is_some_and(|c| c.is_ascii_digit()),
        _ => false,
    }
}

/// `number = ( digits [ "." [ digits ] ] | "." digits ) [ exponent ]`, read exactly: `5.`
/// is 5, as in Python and every CAS (`5.*x`, `1.e3`).
///
/// A second decimal point (`1.2.3`, `1..2`) is a `BadNumber` at that point. A literal with
/// more than `limit` digits (leading zeros aside), or an exponent beyond `limit`, is
/// `NumberTooLarge`, before anything large is allocated.
pub(super) fn number(i: Span<'_>, limit: u32) -> PResult<'_, Number> {
    let start = i;
    let mut integer_or_fraction = alt((
        recognize((digit1, opt((char('.'), opt(digit1))))),
        recognize((char('.'), digit1)),
    ));
    let (i, mantissa) = integer_or_fraction.parse(i)?;
    let (i, exponent) = opt(exponent).parse(i)?;
    if peek(&i) == Some('.') {
        let reason = if exponent.is_some() {
            "an exponent is a whole number"
        } else {
            "a number has at most one decimal point"
        };
        return Err(bad_number(start, i, reason));
    }
    if significant_digits(mantissa) > limit as usize || exponent.is_some_and(|e| exceeds(e, limit))
    {
        return Err(fatal(start, ParseErrorKind::NumberTooLarge { limit }));
    }
    let length = start.len() - i.len();
    match start
        .get(..length)
        .and_then(|text| Number::from_decimal(text, limit))
    {
        Some(n) => Ok((i, n)),
        None => Err(fatal(start, ParseErrorKind::NumberTooLarge { limit })),
    }
}

/// `number` without nom, for a literal that reads without error: its extent is found in one
/// pass over the bytes and its value made from that slice, as [`number`] makes it.
///
/// `None` when the literal is malformed or over the limit (a point after it, too many digits,
/// too large an exponent): [`number`] then reads it again and reports the error.
#[inline]
pub(super) fn plain_number(i: Span<'_>, limit: u32) -> Option<(Span<'_>, Number)> {
    let bytes = i.as_bytes();
    let digits_from = |k: usize| {
        k + bytes
            .get(k..)
            .unwrap_or_default()
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .count()
    };
    let integer_end = digits_from(0);
    let mut end = integer_end;
    if bytes.get(end) == Some(&b'.') {
        let fraction_end = digits_from(end + 1);
        if fraction_end == end + 1 && integer_end == 0 {
            return None;
        }
        end = fraction_end;
    } else if integer_end == 0 {
        return None;
    }
    let mantissa_end = end;
    if matches!(bytes.get(end), Some(b'e' | b'E')) {
        let sign = usize::from(matches!(bytes.get(end + 1), Some(b'+' | b'-')));
        let exponent_end = digits_from(end + 1 + sign);
        if exponent_end > end + 1 + sign {
            end = exponent_end;
        }
    }
    if bytes.get(end) == Some(&b'.') {
        return None;
    }
    let mantissa = i.get(..mantissa_end)?;
    let exponent = i.get(mantissa_end..end)?.get(1..).unwrap_or_default();
    if significant_digits(mantissa) > limit as usize
        || (!exponent.is_empty() && exceeds(exponent, limit))
    {
        return None;
    }
    let value = Number::from_decimal(i.get(..end)?, limit)?;
    Some((skip(i, end), value))
}

/// The length and value of a plain integer literal at the start of `i` (digits only, and no
/// point or exponent after them) when it has at most 18 digits and at most `limit`
/// significant ones: what [`number`] reads it as, without its general path, in one pass over
/// the digits. `None` leaves the literal to [`plain_number`] or [`number`].
#[inline]
pub(super) fn small_integer(i: Span<'_>, limit: u32) -> Option<(usize, i64)> {
    let (mut length, mut leading_zeros, mut value) = (0usize, 0usize, 0i64);
    for &b in i.as_bytes() {
        if !b.is_ascii_digit() {
            break;
        }
        if length == 18 {
            return None;
        }
        value = value * 10 + i64::from(b - b'0');
        // While the value is still zero, every digit read is a leading zero.
        leading_zeros += usize::from(value == 0);
        length += 1;
    }
    let plain = !matches!(i.as_bytes().get(length), Some(b'.' | b'e' | b'E'));
    (plain && length > 0 && length - leading_zeros <= limit as usize).then_some((length, value))
}

/// `exponent = ( "e" | "E" ) [ "+" | "-" ] digits`; its signed digits. Without digits after
/// it, the `e` is not an exponent (`2e` is `2*e`).
fn exponent(i: Span<'_>) -> PResult<'_, Span<'_>> {
    let (i, _) = one_of("eE").parse(i)?;
    recognize((opt(one_of("+-")), digit1)).parse(i)
}

/// The digits a mantissa stands for: those of the integer part without its leading zeros,
/// and every digit of the fraction (each one is a factor of ten in the denominator).
fn significant_digits(mantissa: &str) -> usize {
    let bytes = mantissa.as_bytes();
    // The leading zeros stop at the point, if any: they are the integer part's.
    let leading_zeros = bytes.iter().take_while(|&&b| b == b'0').count();
    let point = usize::from(bytes.contains(&b'.'));
    bytes.len() - leading_zeros - point
}

/// Whether a signed exponent's magnitude exceeds `limit` (without overflowing on long ones).
fn exceeds(signed: &str, limit: u32) -> bool {
    let magnitude = signed
        .trim_start_matches(['+', '-'])
        .trim_start_matches('0');
    magnitude.len() > 10 || magnitude.parse::<u64>().is_ok_and(|m| m > u64::from(limit))
}

/// The `BadNumber` at the point `at` where reading the number from `start` stopped.
fn bad_number<'a>(start: Span<'a>, at: Span<'a>, reason: &str) -> Fatal<'a> {
    let run = start
        .bytes()
        .take_while(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E'));
    let text: String = run.map(char::from).collect();
    fatal(
        at,
        ParseErrorKind::BadNumber {
            text: quote(&text),
            reason: reason.to_owned(),
        },
    )
}

/// What stands at `i`, for a message: `end of input`, or the next token in backticks.
pub(super) fn describe(i: &Span<'_>) -> String {
    let rest: &str = i;
    let Some(first) = rest.chars().next() else {
        return "end of input".to_owned();
    };
    let token = if first.is_alphabetic() {
        take_while1::<_, _, ()>(is_name_char)
            .parse(rest)
            .map_or(rest, |(_, t)| t)
    } else if starts_number(i) {
        let end = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        &rest[..end]
    } else if rest.starts_with("**") {
        "**"
    } else {
        &rest[..first.len_utf8()]
    };
    if matches!(
        first,
        '\u{2010}'..='\u{2015}' | '\u{FE58}' | '\u{FE63}' | '\u{FF0D}'
    ) {
        // A word processor's dash where `-` was typed: not read as minus, which it may not be.
        return format!("`{token}` (a dash: the minus sign is `-` or `−`)");
    }
    if token.chars().all(|c| !c.is_control()) {
        format!("`{}`", quote(token))
    } else {
        format!("`{}`", token.escape_debug())
    }
}
