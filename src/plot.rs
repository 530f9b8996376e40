//! The finite-difference error plot of a [`Comparison`]: error against step on log-log
//! axes, as SVG. `plotters` stays in this module.
//!
//! The legend sits in the lower right: there the differences' errors are large (truncation
//! at large steps), so the curves pass above it.

use plotters::prelude::*;

use crate::compare::Comparison;

/// Errors below this (an exact zero included) are drawn at it, so that they stay on a
/// logarithmic axis; the legend says so.
pub const ERROR_FLOOR: f64 = 1e-17;

/// The error of forward and central differences against the step `h`, log-log, with the
/// automatic-differentiation and symbolic errors as dashed horizontal reference lines, as an
/// SVG document with `title` as its caption.
///
/// ```
/// use deriv::{Env, Limits, compare, error_plot_svg, parse};
/// let f = parse("sin(x)").unwrap();
/// let c = compare(&f, &Env::new().with("x", 1.0), "x", &Limits::default()).unwrap();
/// let svg = error_plot_svg(&c, "d/dx sin(x) at x = 1").unwrap();
/// assert!(svg.starts_with("<svg"));
/// ```
pub fn error_plot_svg(c: &Comparison, title: &str) -> Result<String, String> {
    let mut svg = String::new();
    draw(c, title, &mut svg)?;
    Ok(svg)
}

/// Draws the plot into `svg`; errors of the drawing backend become their message.
fn draw(c: &Comparison, title: &str, svg: &mut String) -> Result<(), String> {
    let fail = |e: &dyn std::fmt::Display| e.to_string();
    let floor = |e: f64| e.max(ERROR_FLOOR);
    let points = |pick: fn(&crate::compare::SweepPoint) -> Option<f64>| -> Vec<(f64, f64)> {
        c.sweep
            .iter()
            .filter_map(|p| pick(p).filter(|e| e.is_finite()).map(|e| (p.h, floor(e))))
            .collect()
    };
    let forward = points(|p| p.forward);
    let central = points(|p| p.central);
    let top = forward
        .iter()
        .chain(&central)
        .map(|p| p.1)
        .fold(1e-2, f64::max)
        * 10.0;
    let root = SVGBackend::with_string(svg, (900, 600)).into_drawing_area();
    root.fill(&WHITE).map_err(|e| fail(&e))?;
    let caption = title.to_owned();
    let mut chart = ChartBuilder::on(&root)
        .caption(caption, ("sans-serif", 22))
        .margin(20)
        .x_label_area_size(50)
        .y_label_area_size(80)
        .build_cartesian_2d(
            (1e-16f64..1e-1f64).log_scale(),
            (ERROR_FLOOR / 10.0..top).log_scale(),
        )
        .map_err(|e| fail(&e))?;
    chart
        .configure_mesh()
        .x_desc("step h")
        .y_desc("absolute error")
        .x_label_formatter(&|h| format!("{h:.0e}"))
        .y_label_formatter(&|e| format!("{e:.0e}"))
        .axis_desc_style(("sans-serif", 18))
        .label_style(("sans-serif", 14))
        .draw()
        .map_err(|e| fail(&e))?;
    let differences = [
        ("forward difference", forward, RGBColor(31, 119, 180)),
        ("central difference", central, RGBColor(230, 120, 20)),
    ];
    for (name, points, color) in differences {
        let style = color.stroke_width(2);
        chart
            .draw_series(LineSeries::new(points.iter().copied(), style))
            .map_err(|e| fail(&e))?
            .label(name)
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], style));
    }
    let references = [
        ("forward AD", RGBColor(44, 160, 44)),
        ("reverse AD", RGBColor(148, 103, 189)),
        ("symbolic", BLACK),
    ];
    for (name, color) in references {
        let Some(m) = c.methods.iter().find(|m| m.method == name) else {
            continue;
        };
        let level = floor(m.abs_error);
        let label = if m.abs_error < ERROR_FLOOR {
            format!("{name} (error {}, drawn at {ERROR_FLOOR:.0e})", m.abs_error)
        } else {
            format!("{name} (error {:.1e})", m.abs_error)
        };
        let style = color.stroke_width(1);
        chart
            .draw_series(DashedLineSeries::new(
                vec![(1e-16, level), (1e-1, level)],
                8,
                5,
                style,
            ))
            .map_err(|e| fail(&e))?
            .label(label)
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], style));
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::LowerRight)
        .background_style(WHITE.mix(0.9))
        .border_style(BLACK)
        .label_font(("sans-serif", 14))
        .draw()
        .map_err(|e| fail(&e))?;
    root.present().map_err(|e| fail(&e))?;
    Ok(())
}
