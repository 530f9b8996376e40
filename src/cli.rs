//! The command line: arguments, input and output, exit codes, rendering of errors.
//!
//! This is the only module that does I/O. Each input line is answered on its own: a line
//! that fails (bad syntax, a limit, even a panic in a dependency) becomes an error for that
//! line and never costs another line its answer.

use std::ffi::OsString;
use std::io::{self, BufRead, Write};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use clap::{Parser, Subcommand, ValueEnum};
use rayon::iter::{IntoParallelIterator, ParallelIterator};
use serde_json::{Value, json};

use crate::diff::{DiffError, DiffLimits, MAX_ORDER};
use crate::expr::{Expr, Symbol};
use crate::higher::differentiate_simplifying;
use crate::parse::{
    ParseError, ParseOptions, ProgramRead, parse_program, parse_with, parse_with_cancelled,
};
use crate::prepare::{check_derivative, prepare_at_point, prepare_parsed, prepare_parsed_list};
use crate::print::{
    PrintLimits, TooLarge, program_to_latex, program_to_text, to_cse, to_latex, to_text,
};
use crate::program::Program;
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
    /// Evaluate a formula at a point: `deriv eval 'x*y' x=0.3 y=2` (values may be formulas,
    /// `x=pi/4`).
    Eval {
        /// The formula.
        expr: String,
        /// The point, as NAME=VALUE assignments.
        #[arg(value_name = "NAME=VALUE")]
        point: Vec<String>,
        /// Output format (`latex` prints as `text`).
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// The symbolic gradient: one partial derivative per line, in the order of --vars.
    Grad {
        #[command(flatten)]
        args: MatrixArgs,
    },
    /// The symbolic Hessian matrix: one row per line.
    Hessian {
        #[command(flatten)]
        args: MatrixArgs,
    },
    /// The symbolic Jacobian matrix of a bracketed list `[f1, f2, ...]`: one row per line.
    Jacobian {
        #[command(flatten)]
        args: MatrixArgs,
    },
    /// Differentiate at a point in every way (symbolic, forward and reverse AD, forward and
    /// central differences) and compare values, errors and times.
    Compare {
        /// The formula.
        expr: String,
        /// The point, as NAME=VALUE assignments (repeat or separate with commas).
        #[arg(
            long,
            value_name = "NAME=VALUE",
            value_delimiter = ',',
            required = true
        )]
        at: Vec<String>,
        /// The variable of differentiation (default: `x` if present, else the only symbol).
        #[arg(long, value_name = "VAR", value_parser = variable_name)]
        wrt: Option<String>,
        /// Output format (`latex` prints as `text`).
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        /// Also write the finite-difference error against the step, log-log, to this SVG file.
        #[arg(long, value_name = "FILE")]
        plot: Option<PathBuf>,
    },
}

/// Arguments of the matrix subcommands (`grad`, `hessian`, `jacobian`).
#[derive(clap::Args, Debug, Clone)]
struct MatrixArgs {
    /// The formula (for `jacobian`, a bracketed list of formulas).
    expr: String,
    /// The variables, in order, separated by commas.
    #[arg(long, value_name = "VARS", value_delimiter = ',', required = true, value_parser = variable_name)]
    vars: Vec<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Print each entry as shared bindings (`t1 = ...; t2 = ...; result`), at the size of its
    /// DAG; one entry per line.
    #[arg(long)]
    cse: bool,
    /// Print the raw derivatives, without simplification.
    #[arg(long)]
    no_simplify: bool,
    /// Declare NAME an undefined function, like the default `f`, `g`, `h`.
    #[arg(long = "fn", value_name = "NAME")]
    functions: Vec<String>,
}

#[derive(clap::Args, Debug, Clone)]
struct Options {
    /// Differentiate with respect to VAR; repeat for mixed partials (`--wrt x --wrt y`).
    /// Defaults to `x`; a single formula without `x` is differentiated by its only free symbol.
    #[arg(long, value_name = "VAR", value_parser = variable_name)]
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
    /// Print the answer as shared bindings (`t1 = ...; t2 = ...; result`), at the size of its
    /// DAG; they parse back to the same expression. JSON lines get a "cse" field besides.
    #[arg(long)]
    cse: bool,
    /// Keep the formula's bindings as names: differentiate them one by one (forward mode,
    /// each simplified) and print the derivative as bindings, `u = ...; u_x = ...; result`,
    /// which grow linearly with the bindings.
    #[arg(long, conflicts_with = "cse")]
    keep_bindings: bool,
    /// Answer batch lines on N threads (default: one per core). Output order is input order
    /// whatever N is.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    jobs: Option<u16>,
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
    let parsed = Cli::try_parse_from(signed_formulas_marked(std::env::args_os()))
        .map(Cli::with_formulas_unmarked)
        .or_else(|e| match marked_value_refused(&e) {
            // A marked word given as an option's value (`--wrt -x`): clap's own error.
            true => Cli::try_parse(),
            false => Err(e),
        });
    let cli = match parsed {
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

/// The arguments, with each formula that starts with a sign (`deriv '-x^2'`, `deriv eval -x
/// x=2`) marked as a value by a space before it, which the grammar skips as white space:
/// clap takes any word starting with `-` for an option. Every option of deriv is a long one
/// (`--order`) but `-h` and `-V`, so any other word with a single `-` is a formula. Words
/// after `--` are values already; a mistyped `--option` is left for clap to report.
fn signed_formulas_marked(args: impl IntoIterator<Item = OsString>) -> Vec<OsString> {
    let mut values_only = false;
    args.into_iter()
        .map(|arg| {
            values_only |= arg == "--";
            match arg.to_str() {
                Some(text) if !values_only && is_signed_formula(text) => {
                    OsString::from(format!(" {text}"))
                }
                _ => arg,
            }
        })
        .collect()
}

/// Whether clap refused a word [`signed_formulas_marked`] marked, as an option's value
/// (`--wrt -x`, `--order -1`): its message would show the mark.
fn marked_value_refused(e: &clap::Error) -> bool {
    use clap::error::{ContextKind, ContextValue};
    matches!(
        e.get(ContextKind::InvalidValue),
        Some(ContextValue::String(value)) if value.starts_with(" -")
    )
}

/// Whether a word of the command line is a formula that starts with a minus sign (`-x`,
/// `-sin(x)`, `-2`), not an option.
fn is_signed_formula(word: &str) -> bool {
    word.len() > 1
        && word.starts_with('-')
        && !word.starts_with("--")
        && !matches!(word, "-h" | "-V")
}

impl Cli {
    /// The formulas as the user wrote them, without the space [`signed_formulas_marked`]
    /// put before those that start with a sign, so that echoes and error columns are theirs.
    fn with_formulas_unmarked(mut self) -> Cli {
        let unmark = |text: &mut String| {
            if text.starts_with(" -") {
                text.remove(0);
            }
        };
        match &mut self.command {
            None => self.expr.iter_mut().for_each(unmark),
            Some(
                Command::Simplify { expr, .. }
                | Command::Eval { expr, .. }
                | Command::Compare { expr, .. }
                | Command::Grad {
                    args: MatrixArgs { expr, .. },
                }
                | Command::Hessian {
                    args: MatrixArgs { expr, .. },
                }
                | Command::Jacobian {
                    args: MatrixArgs { expr, .. },
                },
            ) => unmark(expr),
        }
        self
    }
}

fn run(cli: Cli) -> ExitCode {
    let (task, source, options) = match cli.command {
        Some(Command::Simplify { expr, options }) => {
            (Task::Simplify, Source::from_arg(expr), options)
        }
        Some(Command::Eval {
            expr,
            point,
            format,
        }) => return numbers::eval_command(&expr, &point, format),
        Some(Command::Grad { args }) => return matrix::run(matrix::Kind::Gradient, &args),
        Some(Command::Hessian { args }) => return matrix::run(matrix::Kind::Hessian, &args),
        Some(Command::Jacobian { args }) => return matrix::run(matrix::Kind::Jacobian, &args),
        Some(Command::Compare {
            expr,
            at,
            wrt,
            format,
            plot,
        }) => return numbers::compare_command(&expr, &at, wrt.as_deref(), format, plot.as_deref()),
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
    let implied = match source {
        Source::One(_) => ImpliedVariable::XOrOnlySymbol,
        Source::Stdin | Source::File(_) => ImpliedVariable::X,
    };
    let job = Job::new(task, options, implied);
    match source {
        Source::One(text) => job.one(&text),
        Source::Stdin => job.batch(io::stdin().lock()),
        Source::File(path) => match std::fs::File::open(&path) {
            Ok(file) => job.batch(file),
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
    /// The variable when `--wrt` is not given.
    implied: ImpliedVariable,
    parse: ParseOptions,
    limits: Limits,
}

/// A successful answer for one line.
struct Answer {
    raw: Expr,
    result: Expr,
    /// With `--keep-bindings`, the answer with its bindings (`result` is its result).
    program: Option<Program>,
    steps: Vec<Step>,
    stats: Stats,
}

/// What `--keep-bindings` makes of a formula: an answer with its bindings, or the prepared
/// substituted formula to answer as usual.
enum WithBindings {
    Answer(Box<Answer>),
    Substituted(Expr),
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

    /// The one line a text batch prints for the input line: the message, and for a parse
    /// error the column it points at (the input line is the output line's own).
    fn batch_line(&self) -> String {
        let message = self.message().replace('\n', " ");
        match self {
            LineError::Parse(e) => format!("error: {message} (column {})", e.column()),
            LineError::Other(_) => format!("error: {message}"),
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

/// Which variable a formula is differentiated by when `--wrt` does not say.
#[derive(Clone, Copy, PartialEq, Eq)]
enum ImpliedVariable {
    /// `x` for every line. A batch asks one question of many formulas: a line without `x`
    /// has the derivative 0, not a derivative by whatever symbol it happens to have.
    X,
    /// `x` if the formula has it, else its only free symbol (`deriv 'sin(t)'` is `cos(t)`),
    /// else an error asking for `--wrt`: one formula typed on the command line.
    XOrOnlySymbol,
}

impl Job {
    fn new(task: Task, options: Options, implied: ImpliedVariable) -> Job {
        let mut parse = ParseOptions::default();
        for name in &options.functions {
            parse = parse.with_function(name);
        }
        // `--wrt y 'y = x^2; y^2'` would differentiate a formula without `y`: refused.
        for name in &options.wrt {
            parse = parse.with_variable(name);
        }
        let limits = Limits::default()
            .with_nodes(options.node_limit)
            .with_iterations(options.iter_limit);
        Job {
            task,
            options,
            implied,
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
                Ok(a) => {
                    let mut diagnostics = String::new();
                    let written = self.write_answer(&mut out, &mut diagnostics, a);
                    eprint!("{diagnostics}");
                    written
                }
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
    ///
    /// Lines are answered in parallel, a chunk at a time: a chunk is the lines already
    /// waiting in the input buffer (at most [`CHUNK_LINES`] and about [`CHUNK_BYTES`]), so a
    /// file keeps every core busy while a program that writes one line and waits for its
    /// answer gets it at once. Memory is bounded by one chunk and one over-long line.
    fn batch(&self, input: impl io::Read) -> ExitCode {
        let pool = match rayon::ThreadPoolBuilder::new()
            .num_threads(self.options.jobs.map_or(0, usize::from))
            .stack_size(STACK_BYTES)
            .build()
        {
            Ok(pool) => pool,
            Err(e) => {
                eprintln!("error: cannot start worker threads: {e}");
                return ExitCode::from(1);
            }
        };
        let mut input = io::BufReader::with_capacity(READ_BUFFER_BYTES, input);
        let mut out = io::BufWriter::new(io::stdout().lock());
        let mut any_failed = false;
        loop {
            let chunk = match read_chunk(&mut input) {
                Ok(chunk) if chunk.is_empty() => break,
                Ok(chunk) => chunk,
                Err(e) => {
                    eprintln!("error: reading input: {e}");
                    return ExitCode::from(1);
                }
            };
            let rendered: Vec<Rendered> = pool.install(|| {
                chunk
                    .into_par_iter()
                    .map(|line| self.render_line(line))
                    .collect()
            });
            for r in rendered {
                any_failed |= r.failed;
                if !r.diagnostics.is_empty() {
                    let _ = out.flush();
                    eprint!("{}", r.diagnostics);
                }
                if out.write_all(r.output.as_bytes()).is_err() {
                    return ExitCode::from(1);
                }
            }
            // A program waiting for its answers must get them before the next read blocks.
            if input.buffer().is_empty() && out.flush().is_err() {
                return ExitCode::from(1);
            }
        }
        if out.flush().is_err() || any_failed {
            ExitCode::from(1)
        } else {
            ExitCode::SUCCESS
        }
    }

    /// The output of one batch line (never a panic: one is turned into an error line).
    fn render_line(&self, line: Line) -> Rendered {
        catch_unwind(AssertUnwindSafe(|| self.render_line_unguarded(line))).unwrap_or_else(|_| {
            Rendered {
                output: "error: internal error while answering this line (please report it)\n"
                    .into(),
                diagnostics: String::new(),
                failed: true,
            }
        })
    }

    fn render_line_unguarded(&self, line: Line) -> Rendered {
        let (text, answer) = match line {
            Line::Text(text) if is_skippable(&text) => {
                let output = match self.options.format {
                    Format::Json => json!({"input": text, "skipped": true}).to_string(),
                    _ => text,
                };
                return Rendered {
                    output: output + "\n",
                    diagnostics: String::new(),
                    failed: false,
                };
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
        let mut output = Vec::new();
        let mut diagnostics = String::new();
        // Writing into a Vec cannot fail.
        let _ = match (self.options.format, &answer) {
            (Format::Json, _) => writeln!(output, "{}", self.json_line(&text, &answer)),
            (_, Ok(a)) => self.write_answer(&mut output, &mut diagnostics, a),
            (_, Err(e)) => writeln!(output, "{}", e.batch_line()),
        };
        Rendered {
            output: String::from_utf8_lossy(&output).into_owned(),
            diagnostics,
            failed: answer.is_err(),
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
        let input = if self.options.keep_bindings {
            match self.answer_program(text)? {
                WithBindings::Answer(answer) => return Ok(*answer),
                WithBindings::Substituted(input) => input,
            }
        } else {
            let parsed = parse_with_cancelled(text, &self.parse).map_err(LineError::Parse)?;
            prepare_parsed(&parsed).map_err(LineError::Other)?
        };
        stats.micros[0] = clock.elapsed().as_micros();
        stats.input_tree = input.tree_size();
        if self.options.stats {
            // A walk over the whole DAG: only when asked for.
            stats.input_dag = input.dag_size();
        }
        let clock = Instant::now();
        let raw = match self.task {
            Task::Simplify => input.clone(),
            Task::Differentiate => self.differentiate(&input)?,
        };
        stats.micros[1] = clock.elapsed().as_micros();
        stats.raw_tree = raw.tree_size();
        if self.options.stats {
            stats.raw_dag = raw.dag_size();
        }
        let clock = Instant::now();
        let (result, steps) = if self.options.no_simplify {
            (raw.clone(), Vec::new())
        } else {
            let simplified = simplify(&raw, &self.limits);
            stats.report = Some(simplified.report);
            (simplified.expr, simplified.steps)
        };
        stats.micros[2] = clock.elapsed().as_micros();
        if self.task == Task::Differentiate {
            check_derivative(&result).map_err(LineError::Other)?;
        }
        Ok(Answer {
            raw,
            result,
            program: None,
            steps,
            stats,
        })
    }

    /// The answer with `--keep-bindings`: the formula's bindings kept as names, each
    /// derivative binding simplified as it is made. The prepared substituted formula, to be
    /// answered as usual, when the formula has no bindings, or when the checks before
    /// differentiating wrote an operand as the constant it is (`u = abs(x) - sqrt(x^2);
    /// sqrt(u)`): the chain rule through `u` would divide by that zero.
    ///
    /// `--stats` gives the program's sizes (all values and the result) and no e-graph
    /// figures; the time of each binding's simplification counts as `diff`.
    fn answer_program(&self, text: &str) -> Result<WithBindings, LineError> {
        let mut stats = Stats::default();
        let clock = Instant::now();
        let ProgramRead {
            program: value,
            substituted,
        } = parse_program(text, &self.parse).map_err(LineError::Parse)?;
        let prepared = prepare_parsed(&substituted).map_err(LineError::Other)?;
        if value.bindings().is_empty() || prepared != substituted.value {
            return Ok(WithBindings::Substituted(prepared));
        }
        stats.micros[0] = clock.elapsed().as_micros();
        stats.input_tree = value.tree_size();
        stats.input_dag = value.dag_size();
        let clock = Instant::now();
        let mut steps = Vec::new();
        let mut tidy = |e: &Expr| {
            if self.options.no_simplify {
                return e.clone();
            }
            let simplified = simplify(e, &self.limits);
            steps.extend(simplified.steps);
            simplified.expr
        };
        let mut program = value;
        match self.task {
            Task::Simplify => program = program.map_values(&mut tidy),
            Task::Differentiate => {
                for var in self.variables(&substituted.value)? {
                    program = program
                        .diff_with(&var, &DiffLimits::default(), &mut tidy)
                        .map_err(|e| LineError::Other(e.to_string()))?;
                }
            }
        }
        stats.micros[1] = clock.elapsed().as_micros();
        stats.raw_tree = program.tree_size();
        stats.raw_dag = program.dag_size();
        Ok(WithBindings::Answer(Box::new(Answer {
            raw: program.result().clone(),
            result: program.result().clone(),
            program: Some(program),
            steps,
            stats,
        })))
    }

    /// The variables to differentiate by, in turn (`--wrt`, or the implied one, each
    /// `--order` times), within [`MAX_ORDER`] differentiations.
    fn variables(&self, input: &Expr) -> Result<Vec<Symbol>, LineError> {
        let vars: Vec<Symbol> = if self.options.wrt.is_empty() {
            vec![match self.implied {
                ImpliedVariable::X => Symbol::from("x"),
                ImpliedVariable::XOrOnlySymbol => default_variable(input)?,
            }]
        } else {
            self.options
                .wrt
                .iter()
                .map(|v| Symbol::from(v.as_str()))
                .collect()
        };
        // The whole count of differentiations is bounded before the list of them is made.
        let order = self.options.order as usize;
        let total = order.saturating_mul(vars.len());
        if total > MAX_ORDER as usize {
            let e = DiffError::OrderTooHigh {
                order: u32::try_from(total).unwrap_or(u32::MAX),
                max: MAX_ORDER,
            };
            return Err(LineError::Other(e.to_string()));
        }
        Ok(vars
            .iter()
            .flat_map(|v| std::iter::repeat_n(v.clone(), order))
            .collect())
    }

    fn differentiate(&self, input: &Expr) -> Result<Expr, LineError> {
        let vars = self.variables(input)?;
        let steps: Vec<&str> = vars.iter().map(|v| &**v).collect();
        let result = if self.options.no_simplify {
            crate::diff::diff_wrt(input, &steps)
        } else {
            differentiate_simplifying(input, &steps, &DiffLimits::default(), &self.limits)
        };
        result.map_err(|e| LineError::Other(e.to_string()))
    }

    /// Writes the answer to `out` and, with `--stats`, the figures to `diagnostics` (they go
    /// to standard error).
    fn write_answer(
        &self,
        out: &mut impl Write,
        diagnostics: &mut String,
        answer: &Answer,
    ) -> io::Result<()> {
        let limits = PrintLimits::default();
        let clock = Instant::now();
        let printed = match self.options.format {
            Format::Latex => latex_of(answer, &limits),
            _ if self.options.cse => to_cse(&answer.result, &limits),
            _ => text_of(answer, &limits),
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
            diagnostics.push_str(&render_stats(&stats));
            diagnostics.push('\n');
        }
        Ok(())
    }

    fn json_line(&self, input: &str, answer: &Result<Answer, LineError>) -> Value {
        match answer {
            Err(e) => json!({"input": input, "error": e.to_json()}),
            Ok(a) => {
                let limits = PrintLimits::default();
                let clock = Instant::now();
                let text = text_of(a, &limits);
                let latex = latex_of(a, &limits);
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
                if self.options.cse {
                    line["cse"] = match to_cse(&a.result, &limits) {
                        Ok(text) => json!(text),
                        Err(e) => json!({"error": e.to_string()}),
                    };
                }
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

/// The answer in text: its program with `--keep-bindings`, else its result.
fn text_of(answer: &Answer, limits: &PrintLimits) -> Result<String, TooLarge> {
    match &answer.program {
        Some(program) => program_to_text(program, limits),
        None => to_text(&answer.result, limits),
    }
}

/// The answer in LaTeX, as [`text_of`] chooses.
fn latex_of(answer: &Answer, limits: &PrintLimits) -> Result<String, TooLarge> {
    match &answer.program {
        Some(program) => program_to_latex(program, limits),
        None => to_latex(&answer.result, limits),
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
            const SHOWN: usize = 5;
            let names: Vec<&str> = symbols.iter().take(SHOWN).map(|s| &**s).collect();
            let more = symbols.len().saturating_sub(SHOWN);
            let more = if more > 0 {
                format!(" and {more} more")
            } else {
                String::new()
            };
            Err(LineError::Other(format!(
                "which variable? the formula has {}{more} and no x: choose with --wrt",
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

/// The most lines answered in parallel at once.
const CHUNK_LINES: usize = 1024;

/// A chunk stops growing past this many bytes of input.
const CHUNK_BYTES: usize = 8 << 20;

/// Size of the batch input buffer: what is already in it makes up a chunk.
const READ_BUFFER_BYTES: usize = 256 << 10;

/// What one batch line prints: its output line(s) and, with `--stats` in text mode, the
/// figures for standard error.
struct Rendered {
    output: String,
    diagnostics: String,
    failed: bool,
}

/// The next lines to answer together: at least one line unless the input has ended, then
/// more only while they are already buffered, so reading never waits for a line that the
/// writer has not sent yet.
fn read_chunk(input: &mut io::BufReader<impl io::Read>) -> io::Result<Vec<Line>> {
    let mut chunk = Vec::new();
    let mut bytes = 0;
    let mut buffer = Vec::new();
    while chunk.len() < CHUNK_LINES && bytes < CHUNK_BYTES {
        if !chunk.is_empty() && input.buffer().is_empty() {
            break;
        }
        match read_line_bounded(input, &mut buffer, MAX_LINE_BYTES)? {
            Some(line) => {
                bytes += line.len();
                chunk.push(line);
            }
            None => break,
        }
    }
    Ok(chunk)
}

/// One line of batch input.
enum Line {
    Text(String),
    NotUtf8,
    TooLong(usize),
}

impl Line {
    /// Bytes held in memory for this line.
    fn len(&self) -> usize {
        match self {
            Line::Text(text) => text.len(),
            Line::NotUtf8 | Line::TooLong(_) => 0,
        }
    }
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

/// Writes `text` to standard output; exit status 0, or 1 if it could not be written.
fn print_out(text: &str) -> ExitCode {
    let mut out = io::stdout().lock();
    if writeln!(out, "{text}").is_err() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// A formula read and prepared for a subcommand (what cancels as it is read checked too):
/// a parse error is rendered with its caret.
fn read_formula(text: &str, options: &ParseOptions) -> Result<Expr, String> {
    let parsed = parse_with_cancelled(text, options).map_err(|e| e.to_string())?;
    prepare_parsed(&parsed)
}

/// A name given by `--wrt`, `--vars` or a point: one that a formula reads as that variable,
/// not a constant (`pi`), a function (`sin`) or anything else (`x y`, an empty name).
fn variable_name(text: &str) -> Result<String, String> {
    let name = text.trim();
    match parse_with(name, &ParseOptions::default()) {
        Ok(e) if matches!(e.kind(), crate::expr::Kind::Sym(s) if &**s == name) => {
            Ok(name.to_owned())
        }
        _ => Err(format!("`{text}` is not a variable name")),
    }
}

/// Reports a failed command: the message on standard error (or as a JSON object on standard
/// output), exit status `code`.
fn fail(format: Format, input: &str, message: &str, code: u8) -> ExitCode {
    // A rendered parse error carries its own `error: ` heading.
    let message = message.strip_prefix("error: ").unwrap_or(message);
    if format == Format::Json {
        println!("{}", json!({"input": input, "error": {"message": message}}));
    } else {
        eprintln!("error: {message}");
    }
    ExitCode::from(code)
}

/// `deriv eval` and `deriv compare`: numbers at a point.
mod numbers {
    use std::path::Path;

    use super::*;
    use crate::compare::{Comparison, compare};
    use crate::eval::{Env, EvalReason, eval, eval_exact, eval_settled};
    use crate::plot::error_plot_svg;

    /// A point read from `NAME=VALUE` assignments.
    pub(super) struct Point {
        /// The values, for the f64 evaluators.
        pub(super) env: Env,
        /// Each name with its value, in the order given.
        pub(super) listed: Vec<(String, f64)>,
        /// Each name with its value as read, exact (`x=pi/2` is `pi/2`).
        values: Vec<(Symbol, Expr)>,
    }

    /// The point from `NAME=VALUE` assignments; a value may be any constant formula.
    pub(super) fn read_point(assignments: &[String]) -> Result<Point, String> {
        let mut env = Env::new();
        let mut listed = Vec::new();
        let mut values = Vec::new();
        for assignment in assignments {
            let Some((name, value)) = assignment.split_once('=') else {
                return Err(format!("expected NAME=VALUE, found `{assignment}`"));
            };
            let name = variable_name(name)
                .map_err(|m| format!("expected NAME=VALUE, found `{assignment}`: {m}"))?;
            let name = name.as_str();
            if listed.iter().any(|(n, _)| n == name) {
                return Err(format!("`{name}` is given two values"));
            }
            let value = parse_with_cancelled(value, &ParseOptions::default())
                .map_err(|e| e.message())
                .and_then(|parsed| prepare_parsed(&parsed))
                .map_err(|m| format!("the value of `{name}`: {m}"))?;
            let number =
                eval(&value, &Env::new()).map_err(|e| format!("the value of `{name}`: {e}"))?;
            env.set(name, number);
            listed.push((name.to_owned(), number));
            values.push((Symbol::from(name), value));
        }
        Ok(Point {
            env,
            listed,
            values,
        })
    }

    /// The formula read with the point's `values` in place of its variables, refused where
    /// it is undefined there (what its reading cancelled included), as `deriv eval` reads it.
    fn read_at_point(text: &str, values: Vec<(Symbol, Expr)>) -> Result<Expr, String> {
        let at: Vec<String> = values.iter().map(|(n, v)| format!("{n} = {v}")).collect();
        let at = at.join(", ");
        let options = ParseOptions {
            values,
            ..ParseOptions::default()
        };
        parse_with_cancelled(text, &options)
            .map_err(|e| e.to_string())
            .and_then(|parsed| prepare_at_point(&parsed).map_err(|m| format!("at {at}: {m}")))
    }

    /// Whether the formula has a value at the point, as written ([`read_at_point`]); a value
    /// that does not settle (`sin(x)^2 + cos(x)^2 - 1`, exactly 0) is one.
    fn defined_at(text: &str, values: Vec<(Symbol, Expr)>) -> Result<(), String> {
        let formula = read_at_point(text, values)?;
        match eval_settled(&formula, &Env::new()) {
            Err(e) if !matches!(e.reason, EvalReason::Unsettled(_)) => Err(e.to_string()),
            _ => Ok(()),
        }
    }

    /// `deriv eval EXPR x=0.3 y=2`: the formula is read with the point's values in place of
    /// its variables, so that what is undefined there is refused (`(x - 1)/(x - 1)` at
    /// `x = 1`, `tan(x)` at `x = pi/2`) and numbers fold exactly (`(x + 1)^2 - x^2 - 2*x`
    /// at `x = 10^20` is 1); the value is computed until it settles ([`eval_settled`]) and rounded once.
    pub(super) fn eval_command(text: &str, point: &[String], format: Format) -> ExitCode {
        let point = match read_point(point) {
            Ok(p) => p,
            Err(m) => return fail(format, text, &m, 2),
        };
        let formula = read_at_point(text, point.values);
        let value = formula.clone().and_then(|e| {
            eval_settled(&e, &Env::new())
                .map(|v| v.to_f64())
                .map_err(|e| e.to_string())
        });
        match (value, format) {
            (Ok(v), Format::Json) => {
                let mut line = json!({"input": text, "value": v});
                if let Some(exact) = formula.ok().and_then(|f| eval_exact(&f, &[])) {
                    line["exact"] = json!(exact.to_string());
                }
                print_out(&line.to_string())
            }
            (Ok(v), _) => print_out(&v.to_string()),
            (Err(m), _) => fail(format, text, &m, 1),
        }
    }

    /// `deriv compare EXPR --at x=0.3 [--wrt x] [--plot FILE]`.
    pub(super) fn compare_command(
        text: &str,
        at: &[String],
        wrt: Option<&str>,
        format: Format,
        plot: Option<&Path>,
    ) -> ExitCode {
        let Point {
            env,
            listed: point,
            values,
        } = match read_point(at) {
            Ok(p) => p,
            Err(m) => return fail(format, text, &m, 2),
        };
        // Defined at the point as written, as `eval` asks: `sqrt(x)^2` reads as `x`, whose
        // derivative at -2 is 1, but it has no value there.
        if let Err(m) = defined_at(text, values) {
            return fail(format, text, &m, 1);
        }
        let options = match wrt {
            Some(v) => ParseOptions::default().with_variable(v),
            None => ParseOptions::default(),
        };
        let result = read_formula(text, &options).and_then(|e| {
            let var = match wrt {
                Some(v) => v.to_owned(),
                None => default_variable(&e).map_err(|e| e.message())?.to_string(),
            };
            compare(&e, &env, &var, &Limits::default()).map_err(|e| e.to_string())
        });
        let c = match result {
            Ok(c) => c,
            Err(m) => return fail(format, text, &m, 1),
        };
        if let Some(path) = plot {
            let title = format!(
                "d/d{} {text} at {}: error against step h",
                c.var,
                point_text(&point)
            );
            let written = error_plot_svg(&c, &title)
                .and_then(|svg| std::fs::write(path, svg).map_err(|e| e.to_string()));
            if let Err(m) = written {
                return fail(
                    format,
                    text,
                    &format!("cannot write {}: {m}", path.display()),
                    1,
                );
            }
        }
        match format {
            Format::Json => print_out(&comparison_json(text, &point, &c).to_string()),
            _ => print_out(&comparison_table(text, &point, &c)),
        }
    }

    fn point_text(point: &[(String, f64)]) -> String {
        let parts: Vec<String> = point.iter().map(|(n, v)| format!("{n} = {v}")).collect();
        parts.join(", ")
    }

    /// The comparison as a table for people.
    pub(super) fn comparison_table(text: &str, point: &[(String, f64)], c: &Comparison) -> String {
        let mut lines = vec![
            format!("d/d{} {text} at {}", c.var, point_text(point)),
            format!("symbolic derivative: {}", c.derivative),
            format!(
                "reference: {} = {}",
                reference_name(c),
                c.reference.to_decimal(REFERENCE_DIGITS)
            ),
            String::new(),
            format!(
                "{:<20} {:<8} {:<24} {:<10} {:<10} {}",
                "method", "h", "value", "abs error", "rel error", "time/eval"
            ),
        ];
        for m in &c.methods {
            let h = m.h.map_or("-".to_owned(), |h| format!("{h:.0e}"));
            let rel = m.rel_error.map_or("-".to_owned(), |r| format!("{r:.1e}"));
            lines.push(format!(
                "{:<20} {:<8} {:<24} {:<10} {:<10} {}",
                m.method,
                h,
                format!("{:.16e}", m.value),
                format!("{:.1e}", m.abs_error),
                rel,
                duration(m.nanos)
            ));
        }
        lines.join("\n")
    }

    /// Significant digits of the reference shown in the table (the JSON has them all).
    const REFERENCE_DIGITS: usize = 30;

    /// What the errors are measured against: `symbolic derivative at 512 bits`.
    fn reference_name(c: &Comparison) -> String {
        format!("symbolic derivative at {} bits", c.reference.bits())
    }

    /// `850 ns`, `12.3 µs`, `4.1 ms`.
    fn duration(nanos: f64) -> String {
        if nanos < 1e3 {
            format!("{nanos:.0} ns")
        } else if nanos < 1e6 {
            format!("{:.1} µs", nanos / 1e3)
        } else {
            format!("{:.1} ms", nanos / 1e6)
        }
    }

    /// The comparison as one JSON object.
    pub(super) fn comparison_json(text: &str, point: &[(String, f64)], c: &Comparison) -> Value {
        let at: serde_json::Map<String, Value> =
            point.iter().map(|(n, v)| (n.clone(), json!(v))).collect();
        let methods: Vec<Value> = c
            .methods
            .iter()
            .map(|m| {
                json!({"method": m.method, "h": m.h, "value": m.value, "abs_error": m.abs_error,
                       "rel_error": m.rel_error, "nanos": m.nanos})
            })
            .collect();
        let sweep: Vec<Value> = c
            .sweep
            .iter()
            .map(|p| json!({"h": p.h, "forward_error": p.forward, "central_error": p.central}))
            .collect();
        let reference = json!({"of": reference_name(c), "bits": c.reference.bits(),
                               "value": c.reference.to_f64(), "digits": c.reference.to_string()});
        json!({"input": text, "var": c.var, "at": at, "derivative": c.derivative.to_string(),
               "reference": reference, "methods": methods, "sweep": sweep})
    }
}

/// `deriv grad`, `deriv hessian`, `deriv jacobian`: matrices of symbolic derivatives.
mod matrix {
    use super::*;
    use crate::diff::{gradient, hessian, jacobian};
    use crate::parse::parse_list_with_cancelled;
    use crate::print::to_cse;

    /// Which matrix.
    #[derive(Clone, Copy, PartialEq, Eq, Debug)]
    pub(super) enum Kind {
        Gradient,
        Hessian,
        Jacobian,
    }

    impl Kind {
        fn key(self) -> &'static str {
            match self {
                Kind::Gradient => "gradient",
                Kind::Hessian => "hessian",
                Kind::Jacobian => "jacobian",
            }
        }
    }

    pub(super) fn run(kind: Kind, args: &MatrixArgs) -> ExitCode {
        match catch_unwind(AssertUnwindSafe(|| answer(kind, args))) {
            Ok(Ok(text)) => print_out(&text),
            Ok(Err(m)) => fail(args.format, &args.expr, &m, 1),
            Err(_) => fail(
                args.format,
                &args.expr,
                "internal error (please report it)",
                1,
            ),
        }
    }

    /// The rows of the matrix (one row for a gradient), simplified unless asked not to.
    fn rows(kind: Kind, args: &MatrixArgs) -> Result<Vec<Vec<Expr>>, String> {
        let mut options = ParseOptions::default();
        for name in &args.functions {
            options = options.with_function(name);
        }
        let vars: Vec<&str> = args.vars.iter().map(|v| v.trim()).collect();
        if vars.iter().any(|v| v.is_empty()) {
            return Err("--vars: empty variable name".into());
        }
        for name in &vars {
            options = options.with_variable(name);
        }
        let list = match kind {
            Kind::Jacobian => parse_list_with_cancelled(&args.expr, &options)
                .map_err(|e| e.to_string())
                .and_then(|list| prepare_parsed_list(&list)),
            _ => read_formula(&args.expr, &options).map(|e| vec![e]),
        }?;
        let raw = match kind {
            Kind::Gradient => list
                .first()
                .map_or(Ok(vec![]), |e| gradient(e, &vars).map(|g| vec![g])),
            Kind::Hessian => list.first().map_or(Ok(vec![]), |e| hessian(e, &vars)),
            Kind::Jacobian => jacobian(&list, &vars),
        }
        .map_err(|e| e.to_string())?;
        if args.no_simplify {
            return Ok(raw);
        }
        let limits = Limits::default();
        let rows: Vec<Vec<Expr>> = raw
            .iter()
            .map(|row| row.iter().map(|e| simplify(e, &limits).expr).collect())
            .collect();
        // A partial derivative real on no interval is refused, as a line's derivative is.
        rows.iter().flatten().try_for_each(check_derivative)?;
        Ok(rows)
    }

    fn answer(kind: Kind, args: &MatrixArgs) -> Result<String, String> {
        let rows = rows(kind, args)?;
        let limits = PrintLimits::default();
        let print = |e: &Expr| -> Result<String, String> {
            let printed = match args.format {
                Format::Latex => to_latex(e, &limits),
                _ if args.cse => to_cse(e, &limits),
                _ => to_text(e, &limits),
            };
            printed.map_err(|e| e.to_string())
        };
        let printed = rows
            .iter()
            .map(|row| {
                row.iter()
                    .map(print)
                    .collect::<Result<Vec<String>, String>>()
            })
            .collect::<Result<Vec<Vec<String>>, String>>()?;
        Ok(match args.format {
            Format::Json => {
                let value = if kind == Kind::Gradient {
                    json!(printed.first().cloned().unwrap_or_default())
                } else {
                    json!(printed)
                };
                json!({"input": args.expr, "vars": args.vars, kind.key(): value, "cse": args.cse})
                    .to_string()
            }
            // The gradient as a column vector.
            Format::Latex if kind == Kind::Gradient => {
                let column: Vec<Vec<String>> =
                    printed.into_iter().flatten().map(|g| vec![g]).collect();
                latex_matrix(&column)
            }
            Format::Latex => latex_matrix(&printed),
            _ if kind == Kind::Gradient || args.cse => printed
                .into_iter()
                .flatten()
                .collect::<Vec<String>>()
                .join("\n"),
            _ => printed
                .iter()
                .map(|row| format!("[{}]", row.join(", ")))
                .collect::<Vec<String>>()
                .join("\n"),
        })
    }

    /// `\begin{pmatrix} a & b \\ c & d \end{pmatrix}`.
    fn latex_matrix(rows: &[Vec<String>]) -> String {
        let body: Vec<String> = rows.iter().map(|row| row.join(" & ")).collect();
        format!(
            "\\begin{{pmatrix}} {} \\end{{pmatrix}}",
            body.join(" \\\\ ")
        )
    }
}
