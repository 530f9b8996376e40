//! The logistic-map lecture example: three ways to differentiate, and expression swell.
//!
//! `l(1) = x`, `l(n+1) = 4 l(n) (1 - l(n))`, so that
//! `l(4) = 64 x (1-x) (1-2x)^2 (1-8x+8x^2)^2`. The example
//!
//! 1. checks that closed form, prints the simplified derivative of `l(4)` and its value at a
//!    few points by every method (symbolic, forward and reverse AD, forward and central
//!    differences at their best step), each with its error against the symbolic derivative
//!    evaluated with 256 bits;
//! 2. prints the swell table for `n = 1..10`: the tree size of `l(n)`, of its raw derivative
//!    and of the simplified derivative (up to `n = 7`, where simplifying stays cheap), and the
//!    raw derivative's DAG size and number of shared bindings.
//!
//! Run with `cargo run --release --example logistic`. It uses the public library API only.

use std::error::Error;

use deriv::{Env, Expr, Limits, PrintLimits, compare, diff, expand, simplify, to_cse};

/// Above this `n`, the swell table leaves the simplified derivative out: its polynomial
/// normal form passes the simplifier's bounds from `n = 8` on (degree 128 and more).
const SIMPLIFY_UP_TO: usize = 7;

/// `l(n)` as a shared expression: each step refers to the previous one twice, so the DAG
/// grows by a few nodes per step while the tree doubles.
fn logistic(n: usize) -> Expr {
    let mut l = Expr::sym("x");
    for _ in 1..n {
        l = Expr::int(4) * l.clone() * (Expr::int(1) - l);
    }
    l
}

/// `64 x (1-x) (1-2x)^2 (1-8x+8x^2)^2`, the closed form of `l(4)` from the lecture.
fn lecture_l4() -> Expr {
    let x = || Expr::sym("x");
    let one = || Expr::int(1);
    Expr::int(64)
        * x()
        * (one() - x())
        * (one() - Expr::int(2) * x()).pow(2)
        * (one() - Expr::int(8) * x() + Expr::int(8) * x().pow(2)).pow(2)
}

fn main() -> Result<(), Box<dyn Error>> {
    let l4 = logistic(4);
    let closed = lecture_l4();
    let difference = expand(&(l4.clone() - closed.clone()))
        .ok_or("l(4) minus the closed form is past the normal forms' bounds")?;
    println!("l(4) = {closed}");
    println!("l(4) minus the closed form, expanded: {difference}");
    if !difference.is_int(0) {
        return Err("the closed form of l(4) does not match the recurrence".into());
    }

    let limits = Limits::default();
    let derivative = simplify(&diff(&l4, "x", 1)?, &limits).expr;
    println!("d/dx l(4) = {derivative}");
    println!();
    println!("errors against the symbolic derivative evaluated to well past f64 accuracy");
    for x in [0.1, 0.3, 0.7] {
        print_comparison(&l4, x, &limits)?;
    }
    println!();
    print_swell_table(&limits)?;
    Ok(())
}

/// Every way of differentiating `f` at `x`, one line each.
fn print_comparison(f: &Expr, x: f64, limits: &Limits) -> Result<(), Box<dyn Error>> {
    let c = compare(f, &Env::new().with("x", x), "x", limits)?;
    println!();
    println!("x = {x}: reference {}", c.reference.to_decimal(25));
    println!(
        "  {:<20} {:<7} {:<24} {:<10} rel error",
        "method", "h", "value", "abs error"
    );
    for m in &c.methods {
        let h = m.h.map_or("-".to_owned(), |h| format!("{h:.0e}"));
        let rel = m.rel_error.map_or("-".to_owned(), |r| format!("{r:.1e}"));
        println!(
            "  {:<20} {:<7} {:<24} {:<10} {}",
            m.method,
            h,
            format!("{:.16e}", m.value),
            format!("{:.1e}", m.abs_error),
            rel
        );
    }
    Ok(())
}

/// Sizes of `l(n)` and its derivative, raw and simplified, as trees and as a DAG.
fn print_swell_table(limits: &Limits) -> Result<(), Box<dyn Error>> {
    println!("expression swell, n = 1..10 (sizes in nodes)");
    println!(
        "{:>3} {:>10} {:>14} {:>14} {:>10} {:>13}",
        "n", "l(n) tree", "raw d/dx tree", "simplified", "raw DAG", "CSE bindings"
    );
    let print_limits = PrintLimits::default();
    for n in 1..=10 {
        let l = logistic(n);
        let raw = diff(&l, "x", 1)?;
        let simplified = if n <= SIMPLIFY_UP_TO {
            simplify(&raw, limits).expr.tree_size().to_string()
        } else {
            "-".to_owned()
        };
        let bindings = to_cse(&raw, &print_limits)?.matches("; ").count();
        println!(
            "{:>3} {:>10} {:>14} {:>14} {:>10} {:>13}",
            n,
            l.tree_size(),
            raw.tree_size(),
            simplified,
            raw.dag_size(),
            bindings
        );
    }
    Ok(())
}
