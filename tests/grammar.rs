//! Every example in the grammar document (`grammar/README.md`) holds: the valid ones parse,
//! and mean what their `==` side means; the invalid ones fail with the kind and at the
//! position given.

use deriv::{Expr, ParseError, ParseOptions, parse, parse_list};

/// Snapshots live in the top-level `snapshots/` folder, named without the module.
macro_rules! assert_snapshot {
    ($name:expr, $value:expr) => {
        insta::with_settings!({
            snapshot_path => concat!(env!("CARGO_MANIFEST_DIR"), "/snapshots"),
            prepend_module_to_snapshot => false,
        }, {
            insta::assert_snapshot!($name, $value);
        })
    };
}

const GRAMMAR: &str = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/grammar/README.md"));

/// The lines of every fenced block whose info string is `tag`.
fn block_lines(tag: &str) -> Vec<&'static str> {
    let mut lines = Vec::new();
    let mut inside = false;
    for line in GRAMMAR.lines() {
        if inside {
            if line.starts_with("```") {
                inside = false;
            } else {
                lines.push(line);
            }
        } else if line.strip_prefix("```") == Some(tag) {
            inside = true;
        }
    }
    lines
}

/// Reads one side of an example as a formula or, for list blocks, as a list.
fn read(text: &str, list: bool) -> Result<Vec<Expr>, ParseError> {
    if list {
        parse_list(text, &ParseOptions::default())
    } else {
        parse(text).map(|e| vec![e])
    }
}

/// The name of an error kind's variant: `Unexpected` for `Unexpected { .. }`.
fn kind_name(error: &ParseError) -> String {
    let debug = format!("{:?}", error.kind());
    debug
        .split([' ', '{', '('])
        .next()
        .unwrap_or_default()
        .to_owned()
}

fn check_valid(tag: &str, list: bool) -> usize {
    let lines = block_lines(tag);
    for line in &lines {
        let (input, meaning) = match line.split_once(" == ") {
            Some((input, meaning)) => (input.trim(), Some(meaning.trim())),
            None => (line.trim(), None),
        };
        let value =
            read(input, list).unwrap_or_else(|e| panic!("valid example `{input}` failed:\n{e}"));
        if let Some(meaning) = meaning {
            let expected =
                read(meaning, list).unwrap_or_else(|e| panic!("meaning `{meaning}` failed:\n{e}"));
            assert!(value == expected, "`{input}` does not mean `{meaning}`");
        }
    }
    lines.len()
}

fn check_invalid(tag: &str, list: bool) -> usize {
    let lines = block_lines(tag);
    for line in &lines {
        let (input, outcome) = line
            .rsplit_once("->")
            .unwrap_or_else(|| panic!("no `->` in `{line}`"));
        let input = input.trim();
        let (kind, position) = outcome
            .trim()
            .split_once(" at ")
            .unwrap_or_else(|| panic!("no ` at ` in `{line}`"));
        let Err(error) = read(input, list) else {
            panic!("invalid example `{input}` parsed");
        };
        assert_eq!(kind_name(&error), kind, "kind for `{input}`:\n{error}");
        assert_eq!(
            format!("{}:{}", error.line(), error.column()),
            position,
            "position for `{input}`:\n{error}"
        );
    }
    lines.len()
}

#[test]
fn valid_examples_parse_and_mean_what_they_say() {
    assert!(check_valid("valid", false) >= 50);
}

#[test]
fn invalid_examples_fail_with_their_kind_and_position() {
    assert!(check_invalid("invalid", false) >= 40);
}

#[test]
fn list_examples() {
    assert!(check_valid("valid-list", true) >= 3);
    assert!(check_invalid("invalid-list", true) >= 5);
}

#[test]
fn every_error_kind_has_an_invalid_example() {
    let kinds = [
        "Empty",
        "Unexpected",
        "Unclosed",
        "Unopened",
        "BadNumber",
        "NumberTooLarge",
        "ProductTooLarge",
        "UnknownFunction",
        "Arity",
        "BareFunction",
        "GluedFunction",
        "MisplacedPrime",
        "UndefinedBinding",
        "ReservedName",
        "MissingFormula",
        "TooDeep",
    ];
    let examples = block_lines("invalid").join("\n");
    for kind in kinds {
        assert!(
            examples.contains(&format!("-> {kind} at")),
            "no invalid example of {kind}"
        );
    }
}

#[test]
fn invalid_examples_render_readably() {
    let mut rendered = String::new();
    for (tag, list) in [("invalid", false), ("invalid-list", true)] {
        for line in block_lines(tag) {
            let input = line
                .rsplit_once("->")
                .map_or(line, |(input, _)| input)
                .trim();
            if let Err(error) = read(input, list) {
                rendered.push_str(&format!("{tag}: {input:?}\n{error}\n\n"));
            }
        }
    }
    assert_snapshot!("grammar_invalid_examples", rendered);
}

#[path = "common/formulas.rs"]
mod formulas;

/// Text as documents typeset it reads as its ASCII form: on thousands of generated formulas,
/// `−` for a binary ` - `, `×` or `·` for `*` and `÷` for `/`; on a few, bars and roots.
#[test]
fn typeset_text_reads_as_its_ascii_form() {
    let text = formulas::formulas(7, 300_000);
    let mut read = 0;
    for (k, line) in text.lines().enumerate() {
        let times = if k % 2 == 0 { "×" } else { "·" };
        let typeset = line
            .replace(" - ", " − ")
            .replace('*', times)
            .replace('/', "÷");
        let (ascii, typeset) = (parse(line), parse(&typeset));
        assert_eq!(typeset.as_ref().ok(), ascii.as_ref().ok(), "{line}");
        read += usize::from(ascii.is_ok());
    }
    assert!(read > 3000, "only {read} lines read");
    for (ascii, typeset) in [
        ("abs(x) + ln(abs(x - 1))", "|x| + ln|x - 1|"),
        ("sqrt(x)*sqrt(x + 1)", "√x √(x + 1)"),
        ("abs(abs(x) - 1)*sqrt(abs(y))", "||x| − 1| × √|y|"),
    ] {
        assert_eq!(parse(typeset).ok(), parse(ascii).ok(), "{typeset}");
    }
}
