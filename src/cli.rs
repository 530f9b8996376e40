//! The command line: arguments, input and output, exit codes, rendering of errors.
//!
//! This is the only module that does I/O. Each input line is answered on its own: a line
//! that fails (bad syntax, a limit, even a panic in a dependency) becomes an error for that
//! line and never costs another line its answer.

use std::io::{self, BufRead, Write};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use clap::{Parser, Subcommand, ValueEnum};
use serde_json::{Value, json};

use crate::expr::{Expr, Symbol};
use crate::parse::{ParseError, ParseOptions, parse_with};
use crate::print::{PrintLimits, to_latex, to_text};
use crate::simplify::{Limits, Report, Step, simplify};

/// Longest input line the batch mode reads; longer lines are refused, not read into memory.
pub const MAX_LINE_BYTES: usize = 64 << 20;

/// Stack size of the worker thread: generous, so that deep (but bounded) inputs are safe.
const STACK_BYTES: usize = 256 << 20;

#[derive(Parser, Debug)]
#[command(
    name = "deriv",
    version,
    about = "Exact symbolic derivatives, simplified.",
    args_conflicts_with_subcommands = true
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    /// The formula to differentiate, or `-` to read one formula per line from standard input.
    expr: Option<String>,
    /// Read formulas from this file, one per line.
    #[arg(long, value_name = "FILE")]
    file: Option<PathBuf>,
    #[command(flatten)]
    options: Options,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Simplify a formula without differentiating it (`-` reads lines from standard input).
    Simplify {
        /// The formula, or `-`.
        expr: String,
        #[command(flatten)]
        options: Options,
    },
}

#[derive(clap::Args, Debug, Clone)]
struct Options {
    /// Differentiate with respect to VAR; repeat for mixed partials (`--wrt x --wrt y`).
    /// Defaults to `x` if present, else the only free symbol.
    #[arg(long, value_name = "VAR")]
    wrt: Vec<String>,
    /// Differentiate N times.
    #[arg(long, default_value_t = 1, value_name = "N")]
    order: u32,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Print the raw derivative, without simplification.
    #[arg(long)]
    no_simplify: bool,
    /// Report sizes, e-graph figures and per-phase times (stderr in text mode, a "stats"
    /// object in JSON).
    #[arg(long)]
    stats: bool,
    /// Show the named rewrite steps from the raw derivative to the answer (before the answer
    /// in text mode, an "explain" array in JSON).
    #[arg(long)]
    explain: bool,
    /// Declare NAME an undefined function, like the default `f`, `g`, `h`.
    #[arg(long = "fn", value_name = "NAME")]
    functions: Vec<String>,
    /// E-graph node limit of the simplifier.
    #[arg(long, value_name = "N", default_value_t = Limits::default().nodes)]
    node_limit: usize,
    /// Iteration limit of the simplifier.
    #[arg(long, value_name = "N", default_value_t = Limits::default().iterations)]
    iter_limit: usize,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum Format {
    Text,
    Latex,
    Json,
}

/// Whether a line differentiates or only simplifies.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Task {
    Differentiate,
    Simplify,
}

/// Runs the command with the process's arguments; the worker thread has a large stack.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    let worker = std::thread::Builder::new()
        .stack_size(STACK_BYTES)
        .spawn(move || run(cli));
    match worker.map(|w| w.join()) {
        Ok(Ok(code)) => code,
        _ => {
            eprintln!("error: deriv stopped unexpectedly");
            ExitCode::from(1)
        }
    }
}

fn run(cli: Cli) -> ExitCode {
    let (task, source, options) = match cli.command {
        Some(Command::Simplify { expr, options }) => {
            (Task::Simplify, Source::from_arg(expr), options)
        }
        None => {
            let source = match (cli.expr, cli.file) {
                (_, Some(path)) => Source::File(path),
                (Some(expr), None) => Source::from_arg(expr),
                (None, None) => {
                    eprintln!(
                        "error: give a formula, `-` for standard input, or --file FILE\n\nFor more information, try '--help'."
                    );
                    return ExitCode::from(2);
                }
            };
            (Task::Differentiate, source, cli.options)
        }
    };
    let job = Job::new(task, options);
    match source {
        Source::One(text) => job.one(&text),
        Source::Stdin => job.batch(io::stdin().lock()),
        Source::File(path) => match std::fs::File::open(&path) {
            Ok(file) => job.batch(io::BufReader::new(file)),
            Err(e) => {
                eprintln!("error: cannot read {}: {e}", path.display());
                ExitCode::from(2)
            }
        },
    }
}

enum Source {
    One(String),
    Stdin,
    File(PathBuf),
}

impl Source {
    fn from_arg(arg: String) -> Source {
        if arg == "-" {
            Source::Stdin
        } else {
            Source::One(arg)
        }
    }
}

/// Everything needed to answer a line.
struct Job {
    task: Task,
    options: Options,
    parse: ParseOptions,
    limits: Limits,
}

/// A successful answer for one line.
struct Answer {
    raw: Expr,
    result: Expr,
    steps: Vec<Step>,
    stats: Stats,
}

/// Sizes and per-phase times for `--stats`.
#[derive(Default)]
struct Stats {
    input_tree: u64,
    input_dag: usize,
    raw_tree: u64,
    raw_dag: usize,
    report: Option<Report>,
    micros: [u128; 4],
}

/// Why a line has no answer.
enum LineError {
    Parse(ParseError),
    Other(String),
}

impl LineError {
    fn message(&self) -> String {
        match self {
            LineError::Parse(e) => e.message().to_string(),
            LineError::Other(m) => m.clone(),
        }
    }

    /// The full rendering: for a parse error, the source line with a caret.
    fn render(&self) -> String {
        match self {
            LineError::Parse(e) => e.to_string(),
            LineError::Other(m) => format!("error: {m}"),
        }
    }

    fn to_json(&self) -> Value {
        match self {
            LineError::Parse(e) => {
                json!({"message": e.message(), "line": e.line(), "column": e.column(), "offset": e.offset()})
            }
            LineError::Other(m) => json!({"message": m}),
        }
    }
}

impl Job {
    fn new(task: Task, options: Options) -> Job {
        let mut parse = ParseOptions::default();
        for name in &options.functions {
            parse = parse.with_function(name);
        }
        let limits = Limits::default()
            .with_nodes(options.node_limit)
            .with_iterations(options.iter_limit);
        Job {
            task,
            options,
            parse,
            limits,
        }
    }

    /// Answers one formula given on the command line.
    fn one(&self, text: &str) -> ExitCode {
        let answer = self.answer_guarded(text);
        let failed = answer.is_err();
        let mut out = io::stdout().lock();
        let written = match self.options.format {
            Format::Json => writeln!(out, "{}", self.json_line(text, &answer)),
            _ => match &answer {
                Ok(a) => self.write_answer(&mut out, text, a),
                Err(e) => {
                    eprintln!("{}", e.render());
                    Ok(())
                }
            },
        };
        if written.is_err() || failed {
            ExitCode::from(1)
        } else {
            ExitCode::SUCCESS
        }
    }

    /// Answers every line of `input`, one output line per input line, in order.
    fn batch(&self, mut input: impl BufRead) -> ExitCode {
        let mut out = io::BufWriter::new(io::stdout().lock());
        let mut any_failed = false;
        let mut buffer = Vec::new();
        loop {
            let line = match read_line_bounded(&mut input, &mut buffer, MAX_LINE_BYTES) {
                Ok(Some(line)) => line,
                Ok(None) => break,
                Err(e) => {
                    eprintln!("error: reading input: {e}");
                    return ExitCode::from(1);
                }
            };
            let (text, answer) = match line {
                Line::Text(text) if is_skippable(&text) => {
                    let written = match self.options.format {
                        Format::Json => {
                            writeln!(out, "{}", json!({"input": text, "skipped": true}))
                        }
                        _ => writeln!(out, "{text}"),
                    };
                    if written.is_err() {
                        return ExitCode::from(1);
                    }
                    continue;
                }
                Line::Text(text) => {
                    let answer = self.answer_guarded(&text);
                    (text, answer)
                }
                Line::NotUtf8 => (
                    String::new(),
                    Err(LineError::Other("the line is not valid UTF-8".into())),
                ),
                Line::TooLong(n) => (
                    String::new(),
                    Err(LineError::Other(format!(
                        "the line is {n} bytes long; the limit is {MAX_LINE_BYTES}"
                    ))),
                ),
            };
            any_failed |= answer.is_err();
            let written = match (self.options.format, &answer) {
                (Format::Json, _) => writeln!(out, "{}", self.json_line(&text, &answer)),
                (_, Ok(a)) => self.write_answer(&mut out, &text, a),
                (_, Err(e)) => writeln!(out, "error: {}", e.message().replace('\n', " ")),
            };
            if written.is_err() {
                return ExitCode::from(1);
            }
        }
        if out.flush().is_err() || any_failed {
            ExitCode::from(1)
        } else {
            ExitCode::SUCCESS
        }
    }

    /// [`Job::answer`], with any panic turned into an error for this line alone.
    fn answer_guarded(&self, text: &str) -> Result<Answer, LineError> {
        catch_unwind(AssertUnwindSafe(|| self.answer(text))).unwrap_or_else(|_| {
            Err(LineError::Other(
                "internal error while answering this line (please report it)".into(),
            ))
        })
    }

    fn answer(&self, text: &str) -> Result<Answer, LineError> {
        let mut stats = Stats::default();
        let clock = Instant::now();
        let input = parse_with(text, &self.parse).map_err(LineError::Parse)?;
        if let Some(bad) = crate::expr::undefined_subexpression(&input) {
            return Err(LineError::Other(format!("`{bad}` is undefined")));
        }
        stats.micros[0] = clock.elapsed().as_micros();
        stats.input_tree = input.tree_size();
        stats.input_dag = input.dag_size();
        let clock = Instant::now();
        let raw = match self.task {
            Task::Simplify => input.clone(),
            Task::Differentiate => self.differentiate(&input)?,
        };
        stats.micros[1] = clock.elapsed().as_micros();
        stats.raw_tree = raw.tree_size();
        stats.raw_dag = raw.dag_size();
        let clock = Instant::now();
        let (result, steps) = if self.options.no_simplify {
            (raw.clone(), Vec::new())
        } else {
            let simplified = simplify(&raw, &self.limits);
            stats.report = Some(simplified.report);
            (simplified.expr, simplified.steps)
        };
        stats.micros[2] = clock.elapsed().as_micros();
        Ok(Answer {
            raw,
            result,
            steps,
            stats,
        })
    }

    fn differentiate(&self, input: &Expr) -> Result<Expr, LineError> {
        let vars: Vec<Symbol> = if self.options.wrt.is_empty() {
            vec![default_variable(input)?]
        } else {
            self.options
                .wrt
                .iter()
                .map(|v| Symbol::from(v.as_str()))
                .collect()
        };
        let mut result = input.clone();
        for var in &vars {
            result = crate::diff::diff(&result, var, self.options.order)
                .map_err(|e| LineError::Other(e.to_string()))?;
        }
        Ok(result)
    }

    fn write_answer(&self, out: &mut impl Write, _input: &str, answer: &Answer) -> io::Result<()> {
        let limits = PrintLimits::default();
        let clock = Instant::now();
        let printed = match self.options.format {
            Format::Latex => to_latex(&answer.result, &limits),
            _ => to_text(&answer.result, &limits),
        };
        let print_micros = clock.elapsed().as_micros();
        if self.options.explain {
            for line in explanation_lines(answer) {
                writeln!(out, "{line}")?;
            }
        }
        match printed {
            Ok(text) => writeln!(out, "{text}")?,
            Err(e) => writeln!(out, "error: {e}")?,
        }
        if self.options.stats {
            let mut stats = stats_json(&answer.stats);
            stats["micros"]["print"] = json!(print_micros);
            eprintln!("{}", render_stats(&stats));
        }
        Ok(())
    }

    fn json_line(&self, input: &str, answer: &Result<Answer, LineError>) -> Value {
        match answer {
            Err(e) => json!({"input": input, "error": e.to_json()}),
            Ok(a) => {
                let limits = PrintLimits::default();
                let clock = Instant::now();
                let text = to_text(&a.result, &limits);
                let latex = to_latex(&a.result, &limits);
                let print_micros = clock.elapsed().as_micros();
                let key = if self.task == Task::Simplify {
                    "simplified"
                } else {
                    "derivative"
                };
                let mut line = match (text, latex) {
                    (Ok(text), Ok(latex)) => json!({"input": input, key: text, "latex": latex}),
                    (Err(e), _) | (_, Err(e)) => {
                        json!({"input": input, "error": {"message": e.to_string()}})
                    }
                };
                if self.options.stats {
                    let mut stats = stats_json(&a.stats);
                    stats["micros"]["print"] = json!(print_micros);
                    line["stats"] = stats;
                }
                if self.options.explain {
                    let steps: Vec<Value> = a
                        .steps
                        .iter()
                        .map(|s| json!({"rule": s.rule, "before": s.before.to_string(), "after": s.after.to_string()}))
                        .collect();
                    line["explain"] = json!(steps);
                }
                line
            }
        }
    }
}

/// The explanation, one line per step: the raw derivative, each named rewrite, the answer.
fn explanation_lines(answer: &Answer) -> Vec<String> {
    let width = answer
        .steps
        .iter()
        .map(|s| s.rule.len())
        .max()
        .unwrap_or(0)
        .max("result".len());
    let mut lines = vec![format!("{:width$}  {}", "raw", answer.raw)];
    for step in &answer.steps {
        lines.push(format!(
            "{:width$}  {}  =>  {}",
            step.rule, step.before, step.after
        ));
    }
    lines.push(format!("{:width$}  {}", "result", answer.result));
    lines
}

/// `x` if the formula has it, else its only free symbol.
fn default_variable(e: &Expr) -> Result<Symbol, LineError> {
    let symbols = e.free_symbols();
    if symbols.is_empty() || symbols.iter().any(|s| &**s == "x") {
        return Ok(Symbol::from("x"));
    }
    match symbols.as_slice() {
        [only] => Ok(only.clone()),
        _ => {
            let names: Vec<&str> = symbols.iter().map(|s| &**s).collect();
            Err(LineError::Other(format!(
                "which variable? the formula has {} and no x: choose with --wrt",
                names.join(", ")
            )))
        }
    }
}

fn stats_json(stats: &Stats) -> Value {
    let (result_tree, result_dag) = match &stats.report {
        Some(r) => (r.result_tree, r.result_dag),
        None => (stats.raw_tree, stats.raw_dag),
    };
    let egraph = match &stats.report {
        Some(r) => {
            json!({"nodes": r.egraph_nodes, "classes": r.egraph_classes, "iterations": r.iterations, "stop": r.stop.to_string()})
        }
        None => Value::Null,
    };
    json!({
        "tree": {"input": stats.input_tree, "raw": stats.raw_tree, "simplified": result_tree},
        "dag": {"input": stats.input_dag, "raw": stats.raw_dag, "simplified": result_dag},
        "egraph": egraph,
        "micros": {"parse": stats.micros[0], "diff": stats.micros[1], "simplify": stats.micros[2], "print": 0},
    })
}

fn render_stats(stats: &Value) -> String {
    let t = &stats["tree"];
    let d = &stats["dag"];
    let g = &stats["egraph"];
    let m = &stats["micros"];
    let mut lines = vec![
        format!(
            "tree nodes: input {}, raw {}, simplified {}",
            t["input"], t["raw"], t["simplified"]
        ),
        format!(
            "dag nodes:  input {}, raw {}, simplified {}",
            d["input"], d["raw"], d["simplified"]
        ),
    ];
    if !g.is_null() {
        lines.push(format!(
            "e-graph:    {} nodes, {} classes, {} iterations, stopped: {}",
            g["nodes"],
            g["classes"],
            g["iterations"],
            g["stop"].as_str().unwrap_or("")
        ));
    }
    lines.push(format!(
        "micros:     parse {}, diff {}, simplify {}, print {}",
        m["parse"], m["diff"], m["simplify"], m["print"]
    ));
    lines.join("\n")
}

/// Blank lines and `#` comments are echoed, so output lines still match input lines.
fn is_skippable(text: &str) -> bool {
    let t = text.trim();
    t.is_empty() || t.starts_with('#')
}

/// One line of batch input.
enum Line {
    Text(String),
    NotUtf8,
    TooLong(usize),
}

/// Reads one line without ever holding more than `max` bytes of it: a longer line is
/// consumed to its end and reported as [`Line::TooLong`].
fn read_line_bounded(
    input: &mut impl BufRead,
    buffer: &mut Vec<u8>,
    max: usize,
) -> io::Result<Option<Line>> {
    buffer.clear();
    let mut total = 0usize;
    let mut saw_any = false;
    loop {
        let chunk = input.fill_buf()?;
        if chunk.is_empty() {
            break;
        }
        saw_any = true;
        let (take, done) = match chunk.iter().position(|&b| b == b'\n') {
            Some(i) => (i + 1, true),
            None => (chunk.len(), false),
        };
        total += take;
        if total <= max + 1 {
            buffer.extend_from_slice(&chunk[..take]);
        }
        input.consume(take);
        if done {
            break;
        }
    }
    if !saw_any {
        return Ok(None);
    }
    if buffer.last() == Some(&b'\n') {
        buffer.pop();
        total -= 1;
    }
    if buffer.last() == Some(&b'\r') {
        buffer.pop();
    }
    if total > max {
        return Ok(Some(Line::TooLong(total)));
    }
    Ok(Some(match String::from_utf8(std::mem::take(buffer)) {
        Ok(text) => Line::Text(text),
        Err(_) => Line::NotUtf8,
    }))
}
