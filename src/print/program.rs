//! Printing a [`Program`]: `u = ...; u_x = ...; result` in the input language, which the
//! parser reads back to the substituted formula, and LaTeX with the bindings after the
//! result (`... \quad\text{where}\quad u = ...`), as a person writes them.

use std::fmt;

use super::{PrintLimits, TooLarge, remaining, to_latex, to_text};
use crate::program::Program;

/// Prints `program` as `name = value; ...; result`; [`crate::parse`] reads it back to
/// [`Program::inline`].
///
/// ```
/// use deriv::{ParseOptions, PrintLimits, parse_program, program_to_text};
///
/// let program = parse_program("u = sin(x); u^2 + u", &ParseOptions::default())?.program;
/// assert_eq!(program_to_text(&program, &PrintLimits::default())?, "u = sin(x); u^2 + u");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn program_to_text(program: &Program, limits: &PrintLimits) -> Result<String, TooLarge> {
    let mut out = String::new();
    for binding in program.bindings() {
        out.push_str(&binding.name);
        out.push_str(" = ");
        out.push_str(&to_text(&binding.value, &remaining(limits, out.len()))?);
        out.push_str("; ");
    }
    out.push_str(&to_text(program.result(), &remaining(limits, out.len()))?);
    Ok(out)
}

/// Prints `program` in LaTeX: the result, then `\quad\text{where}\quad` and the bindings
/// one per line of an `aligned` block (just the result when there are none).
///
/// ```
/// use deriv::{ParseOptions, PrintLimits, parse_program, program_to_latex};
///
/// let program = parse_program("u = sin(x); u^2 + u", &ParseOptions::default())?.program;
/// assert_eq!(
///     program_to_latex(&program, &PrintLimits::default())?,
///     r"u^{2} + u \quad\text{where}\quad \begin{aligned} u &= \sin\left(x\right) \end{aligned}"
/// );
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn program_to_latex(program: &Program, limits: &PrintLimits) -> Result<String, TooLarge> {
    let mut out = to_latex(program.result(), limits)?;
    if program.bindings().is_empty() {
        return Ok(out);
    }
    out.push_str(r" \quad\text{where}\quad \begin{aligned} ");
    for (i, binding) in program.bindings().iter().enumerate() {
        if i > 0 {
            out.push_str(r" \\ ");
        }
        let name = to_latex(&crate::expr::Expr::symbol(binding.name.clone()), limits)?;
        out.push_str(&name);
        out.push_str(" &= ");
        out.push_str(&to_latex(&binding.value, &remaining(limits, out.len()))?);
    }
    out.push_str(r" \end{aligned}");
    Ok(out)
}

impl fmt::Display for Program {
    /// The text form ([`program_to_text`] with default limits); a program too large for them
    /// prints as a short note saying so.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match program_to_text(self, &PrintLimits::default()) {
            Ok(text) => f.write_str(&text),
            Err(err) => write!(f, "<{err}>"),
        }
    }
}
