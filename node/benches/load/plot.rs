//! The bench's PNG plot, for a README or an issue note: the title on top, throughput over time
//! (operations finalized in each second, the end of the load window marked) above, the
//! distribution of submission-to-finality latencies (a CDF, p50 and p99 in the legend) below;
//! one line per run, `old` and `new` or `this build`.
//!
//! Text is DejaVu Sans, embedded by the `dejavu` crate and rasterized by plotters' `ab_glyph`
//! backend, so drawing needs no system fonts or fontconfig.

use std::{collections::BTreeSet, fmt::Display, path::Path, time::Duration};

use plotters::{
    coord::{types::RangedCoordf64, Shift},
    prelude::*,
    style::{register_font, FontStyle},
};

use super::percentile;

/// One run in the plot.
pub struct Series {
    /// `old`, `new` or `this build`.
    pub label: String,
    /// Bench operations seen finalized in each 1 s bin since the window's start, through the
    /// drain.
    pub per_second: Vec<f64>,
    /// The load window (bins past it are the drain).
    pub window: Duration,
    /// Submission-to-finality latencies, sorted.
    pub latencies: Vec<Duration>,
}

const WIDTH: u32 = 1200;
const HEIGHT: u32 = 1100;
/// The family every text style below names; `register_fonts` gives it the embedded faces.
const FONT: &str = "sans-serif";
/// Okabe–Ito blue, vermillion and bluish green: told apart with any colour vision, and in grey.
const COLOURS: [RGBColor; 3] = [RGBColor(0, 114, 178), RGBColor(213, 94, 0), RGBColor(0, 158, 115)];
/// Points of each latency curve: the CDF read at this many evenly spaced ranks, smooth at this
/// size however many operations finalized.
const CDF_POINTS: usize = 1000;

/// Draws `series` into a PNG at `path`, under `title`.
pub fn write_png(path: &Path, title: &str, series: &[Series]) -> Result<(), String> {
    register_fonts()?;
    let root = BitMapBackend::new(path, (WIDTH, HEIGHT)).into_drawing_area();
    root.fill(&WHITE).map_err(drawing)?;
    let title_style = fitted(&root, title, (FONT, 28, FontStyle::Bold).into_font())?;
    let body = root.margin(12, 0, 0, 0).titled(title, title_style).map_err(drawing)?;
    let (upper, lower) = body.split_vertically(body.dim_in_pixel().1 / 2);
    throughput(&upper, series)?;
    latency(&lower, series)?;
    root.present().map_err(drawing)
}

fn register_fonts() -> Result<(), String> {
    let faces = [
        (FontStyle::Normal, dejavu::sans::regular(), "DejaVu Sans"),
        (FontStyle::Bold, dejavu::sans::bold(), "DejaVu Sans Bold"),
    ];
    for (style, bytes, name) in faces {
        register_font(FONT, style, bytes).map_err(|_| format!("the embedded {name} is not a font"))?;
    }
    Ok(())
}

/// `style`, made smaller until `text` fits the picture's width with a margin.
fn fitted<'a>(
    area: &DrawingArea<BitMapBackend, Shift>,
    text: &str,
    style: FontDesc<'a>,
) -> Result<FontDesc<'a>, String> {
    let mut style = style;
    while style.get_size() > 12.0
        && area.estimate_text_size(text, &style.clone().into()).map_err(drawing)?.0 + 40 > WIDTH
    {
        style = style.resize(style.get_size() - 1.0);
    }
    Ok(style)
}

fn drawing(e: impl Display) -> String {
    format!("drawing failed: {e}")
}

fn colour(i: usize) -> RGBColor {
    COLOURS[i % COLOURS.len()]
}

fn caption_style() -> FontDesc<'static> {
    (FONT, 22).into_font()
}

fn axis_style() -> FontDesc<'static> {
    (FONT, 18).into_font()
}

fn tick_style() -> FontDesc<'static> {
    (FONT, 16).into_font()
}

fn legend_style() -> FontDesc<'static> {
    (FONT, 17).into_font()
}

/// A short line in the series' colour, for its legend entry.
fn legend_mark(colour: RGBColor) -> impl Fn((i32, i32)) -> PathElement<(i32, i32)> {
    move |(x, y)| PathElement::new(vec![(x, y), (x + 24, y)], colour.stroke_width(3))
}

/// One axis of a panel: its range, its description and how its ticks read.
type Axis<'a> = (std::ops::Range<f64>, &'a str, &'a dyn Fn(&f64) -> String);

/// A panel of the picture with its caption, axes and light grid drawn.
fn panel<'a, 'b>(
    area: &'a DrawingArea<BitMapBackend<'b>, Shift>,
    caption: &str,
    (x_range, x_desc, x_format): Axis<'_>,
    (y_range, y_desc, y_format): Axis<'_>,
) -> Result<ChartContext<'a, BitMapBackend<'b>, Cartesian2d<RangedCoordf64, RangedCoordf64>>, String> {
    let mut chart = ChartBuilder::on(area)
        .caption(caption, caption_style())
        .margin(20)
        .margin_top(10)
        .x_label_area_size(55)
        .y_label_area_size(85)
        .build_cartesian_2d(x_range, y_range)
        .map_err(drawing)?;
    chart
        .configure_mesh()
        .x_desc(x_desc)
        .y_desc(y_desc)
        .axis_desc_style(axis_style())
        .label_style(tick_style())
        .x_label_formatter(x_format)
        .y_label_formatter(y_format)
        .light_line_style(WHITE.mix(0.0))
        .bold_line_style(BLACK.mix(0.08))
        .draw()
        .map_err(drawing)?;
    Ok(chart)
}

/// The series' legend at `position`, on a light box.
fn legend<'a, 'b: 'a>(
    chart: &mut ChartContext<'a, BitMapBackend<'b>, Cartesian2d<RangedCoordf64, RangedCoordf64>>,
    position: SeriesLabelPosition,
) -> Result<(), String> {
    chart
        .configure_series_labels()
        .position(position)
        .label_font(legend_style())
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK.mix(0.3))
        .margin(12)
        .draw()
        .map_err(drawing)
}

/// Seconds each point of the throughput line averages over: GRANDPA finalizes one or two
/// blocks at a time, so single seconds alternate between 0 and two blocks' worth.
const SMOOTHING_SECONDS: usize = 5;

/// The mean of each bin and its neighbours, `SMOOTHING_SECONDS` wide (narrower at the ends).
fn smoothed(bins: &[f64]) -> Vec<f64> {
    let half = SMOOTHING_SECONDS / 2;
    (0..bins.len())
        .map(|i| {
            let around = &bins[i.saturating_sub(half)..(i + half + 1).min(bins.len())];
            around.iter().sum::<f64>() / around.len() as f64
        })
        .collect()
}

/// Operations finalized per second over time (a moving mean), one line per run, the end of
/// the load window dashed.
fn throughput(area: &DrawingArea<BitMapBackend, Shift>, series: &[Series]) -> Result<(), String> {
    let lines: Vec<Vec<f64>> = series.iter().map(|s| smoothed(&s.per_second)).collect();
    let seconds = series.iter().map(|s| s.per_second.len()).max().unwrap_or(0).max(1) as f64;
    let peak = lines.iter().flatten().copied().fold(0.0, f64::max);
    // Headroom above the peak keeps the legend off the lines.
    let top = (peak * 1.3).max(10.0);
    let mut chart = panel(
        area,
        &format!("Throughput: operations seen finalized per second ({SMOOTHING_SECONDS} s moving mean)"),
        (0.0..seconds, "time since the load started (s)", &|x| format!("{x:.0}")),
        (0.0..top, "finalized operations per second", &|y| format!("{y:.0}")),
    )?;

    // The legend goes in the headroom on the side away from the window's end, whose label sits
    // beside its line, facing away from the legend unless the picture's edge is in the way.
    let windows: BTreeSet<u64> = series.iter().map(|s| s.window.as_secs()).collect();
    let legend_left = windows.last().is_some_and(|&w| w as f64 > seconds / 2.0);
    let (plot_x, _) = chart.plotting_area().get_pixel_range();
    for &window in &windows {
        let x = window as f64;
        chart
            .draw_series(DashedLineSeries::new([(x, 0.0), (x, top)], 8, 6, BLACK.mix(0.6).stroke_width(2)))
            .map_err(drawing)?;
        let label = format!("end of load ({window} s), drain →");
        let style = tick_style().color(&BLACK.mix(0.75));
        let width = area.estimate_text_size(&label, &style).map_err(drawing)?.0 as i32;
        let (line_x, top_y) = chart.backend_coord(&(x, top));
        let right_of_line = line_x + 8;
        let left_of_line = line_x - 8 - width;
        let left = if legend_left && right_of_line + width <= plot_x.end || left_of_line < plot_x.start {
            right_of_line
        } else {
            left_of_line
        };
        let (base_x, base_y) = area.get_base_pixel();
        area.draw(&Text::new(label, (left - base_x, top_y - base_y + 8), style)).map_err(drawing)?;
    }

    for (i, (s, line)) in series.iter().zip(&lines).enumerate() {
        let colour = colour(i);
        // Each bin's mean drawn at its middle.
        let points = line.iter().enumerate().map(|(bin, &n)| (bin as f64 + 0.5, n));
        let window = s.window.as_secs();
        let in_window = s.per_second.iter().take(window as usize).fold(0.0, |sum, n| sum + n);
        let label = if window > 0 {
            format!("{}: {:.0} operations/s over the {window} s window", s.label, in_window / window as f64)
        } else {
            s.label.clone()
        };
        chart
            .draw_series(LineSeries::new(points, colour.stroke_width(2)))
            .map_err(drawing)?
            .label(label)
            .legend(legend_mark(colour));
    }
    legend(&mut chart, if legend_left { SeriesLabelPosition::UpperLeft } else { SeriesLabelPosition::UpperRight })
}

/// The latency CDF of each run: the share of its finalized operations that took at most x
/// seconds from submission to finality, p50 and p99 marked and given in the legend.
fn latency(area: &DrawingArea<BitMapBackend, Shift>, series: &[Series]) -> Result<(), String> {
    let slowest = series.iter().filter_map(|s| s.latencies.last()).max().map_or(0.0, |d| d.as_secs_f64());
    let right = if slowest > 0.0 { slowest * 1.05 } else { 1.0 };
    let mut chart = panel(
        area,
        "Latency: submission to finality, cumulative",
        (0.0..right, "latency (s)", &|x| if right < 10.0 { format!("{x:.1}") } else { format!("{x:.0}") }),
        (0.0..100.0, "finalized operations (%)", &|y| format!("{y:.0}%")),
    )?;

    for (i, s) in series.iter().enumerate() {
        let colour = colour(i);
        let (Some(p50), Some(p99)) = (percentile(&s.latencies, 50.0), percentile(&s.latencies, 99.0)) else {
            // Nothing finalized: a legend entry saying so, no curve.
            chart
                .draw_series(std::iter::empty::<PathElement<(f64, f64)>>())
                .map_err(drawing)?
                .label(format!("{}: nothing finalized", s.label))
                .legend(legend_mark(colour));
            continue;
        };
        let n = s.latencies.len();
        let at = |rank: usize| (s.latencies[rank].as_secs_f64(), 100.0 * (rank + 1) as f64 / n as f64);
        let curve = std::iter::once((s.latencies[0].as_secs_f64(), 0.0))
            .chain((0..=CDF_POINTS).map(|k| at(k * (n - 1) / CDF_POINTS)));
        chart
            .draw_series(LineSeries::new(curve, colour.stroke_width(2)))
            .map_err(drawing)?
            .label(format!(
                "{}: p50 {:.2} s, p99 {:.2} s ({n} operations)",
                s.label,
                p50.as_secs_f64(),
                p99.as_secs_f64()
            ))
            .legend(legend_mark(colour));
        let marks = [(p50, 50.0), (p99, 99.0)];
        chart
            .draw_series(marks.map(|(d, q)| Circle::new((d.as_secs_f64(), q), 5, colour.filled())))
            .map_err(drawing)?;
    }
    legend(&mut chart, SeriesLabelPosition::LowerRight)
}
