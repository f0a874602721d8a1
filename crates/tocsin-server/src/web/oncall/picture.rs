//! A schedule drawn as a timeline picture: the geometry (time → x) and the rows of bars, the
//! gaps, the day columns and the "now" line that `templates/oncall/_timeline.html` turns into
//! inline SVG. Pure, so every coordinate is unit-tested.
use jiff::Timestamp;

/// The picture's coordinate width (it scales to the page with its `viewBox`).
pub const WIDTH: f64 = 1000.0;
/// The column of row names on the left.
const LABELS: f64 = 130.0;
/// The band of day names at the top.
const AXIS: f64 = 24.0;
const ROW: f64 = 30.0;
const ROW_SPACE: f64 = 8.0;
/// About how wide one character of a bar's text is (12px system font).
const CHAR: f64 = 7.0;

/// Rounds a coordinate to a tenth (short SVG, stable tests).
fn tenth(value: f64) -> f64 {
    (value * 10.0).round() / 10.0
}

/// Maps the instants of `[from, to)` onto x from `left` to `right`; instants outside are clamped
/// to the edges.
#[derive(Debug, Clone, Copy)]
pub struct Scale {
    pub from: Timestamp,
    pub to: Timestamp,
    pub left: f64,
    pub right: f64,
}

impl Scale {
    pub fn x(&self, at: Timestamp) -> f64 {
        let total = self.from.duration_until(self.to).as_secs_f64();
        if total <= 0.0 {
            return self.left;
        }
        let part = self.from.duration_until(at).as_secs_f64() / total;
        tenth(self.left + (self.right - self.left) * part.clamp(0.0, 1.0))
    }

    /// Whether `at` is inside the range (the "now" line is drawn only then).
    pub fn contains(&self, at: Timestamp) -> bool {
        self.from <= at && at < self.to
    }
}

/// What a bar shows: someone's shift, an override, or nobody on call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Shift,
    Override,
    Gap,
}

impl Kind {
    /// The SVG class (the stylesheet paints gaps red).
    pub fn class(self) -> &'static str {
        match self {
            Kind::Shift => "shift",
            Kind::Override => "override",
            Kind::Gap => "gap",
        }
    }
}

/// A period to draw in a row: `text` on the bar when it fits, `title` as its tooltip.
#[derive(Debug, Clone)]
pub struct Span {
    pub start: Timestamp,
    pub end: Timestamp,
    pub kind: Kind,
    pub text: String,
    pub title: String,
}

/// A drawn bar.
#[derive(Debug, Clone, PartialEq)]
pub struct Bar {
    pub class: &'static str,
    pub x: f64,
    pub y: f64,
    pub width: f64,
    pub height: f64,
    pub title: String,
    /// The text drawn on the bar, when it fits.
    pub text: Option<String>,
    pub text_x: f64,
    pub text_y: f64,
}

/// A drawn row: its name on the left and its bars.
#[derive(Debug, Clone)]
pub struct Row {
    pub label: String,
    pub label_y: f64,
    pub bars: Vec<Bar>,
}

/// A local day to draw as a column (clicking it fills the override form).
#[derive(Debug, Clone)]
pub struct Day {
    pub start: Timestamp,
    pub end: Timestamp,
    pub label: String,
    /// The day's start and end as `datetime-local` values of the schedule's zone.
    pub input_start: String,
    pub input_end: String,
}

/// A drawn day column.
#[derive(Debug, Clone)]
pub struct Column {
    pub x: f64,
    pub width: f64,
    pub label: String,
    pub label_x: f64,
    pub input_start: String,
    pub input_end: String,
}

/// The whole picture.
#[derive(Debug, Clone)]
pub struct Picture {
    pub width: f64,
    pub height: f64,
    pub axis_y: f64,
    pub label_y: f64,
    pub columns: Vec<Column>,
    pub rows: Vec<Row>,
    pub now: Option<f64>,
    pub summary: String,
}

/// Lays out `rows` (name, spans) under day columns over `[from, to)`, with a "now" line at
/// `now` when it falls inside.
pub fn draw(
    from: Timestamp,
    to: Timestamp,
    days: &[Day],
    rows: Vec<(String, Vec<Span>)>,
    now: Timestamp,
    summary: String,
) -> Picture {
    let scale = Scale {
        from,
        to,
        left: LABELS,
        right: WIDTH - 4.0,
    };
    let columns = days
        .iter()
        .map(|day| {
            let (x, end) = (scale.x(day.start), scale.x(day.end));
            let width = tenth(end - x);
            // Narrow columns show the day of the month only.
            let label = if width >= 44.0 {
                day.label.clone()
            } else {
                day.label.rsplit(' ').next().unwrap_or_default().to_owned()
            };
            Column {
                x,
                width,
                label_x: tenth(x + 3.0),
                label,
                input_start: day.input_start.clone(),
                input_end: day.input_end.clone(),
            }
        })
        .collect();
    let rows: Vec<Row> = rows
        .into_iter()
        .enumerate()
        .map(|(index, (label, spans))| {
            let y = AXIS + ROW_SPACE + index as f64 * (ROW + ROW_SPACE);
            Row {
                label,
                label_y: tenth(y + ROW / 2.0 + 4.0),
                bars: spans.iter().map(|span| bar(&scale, span, y)).collect(),
            }
        })
        .collect();
    let height = tenth(AXIS + ROW_SPACE + rows.len() as f64 * (ROW + ROW_SPACE));
    Picture {
        width: WIDTH,
        height,
        axis_y: AXIS,
        label_y: AXIS - 8.0,
        columns,
        rows,
        now: scale.contains(now).then(|| scale.x(now)),
        summary,
    }
}

/// The bar of `span` in the row at `y`; its text only when it fits.
fn bar(scale: &Scale, span: &Span, y: f64) -> Bar {
    let x = scale.x(span.start);
    let width = tenth((scale.x(span.end) - x).max(1.0));
    let fits = (span.text.chars().count() as f64) * CHAR + 8.0 <= width;
    Bar {
        class: span.kind.class(),
        x,
        y,
        width,
        height: ROW,
        title: span.title.clone(),
        text: fits.then(|| span.text.clone()),
        text_x: tenth(x + 4.0),
        text_y: tenth(y + ROW / 2.0 + 4.0),
    }
}

/// The parts of `[from, to)` that none of `covered` covers, in order (nobody on call there).
pub fn uncovered(
    covered: &[(Timestamp, Timestamp)],
    from: Timestamp,
    to: Timestamp,
) -> Vec<(Timestamp, Timestamp)> {
    let mut sorted: Vec<(Timestamp, Timestamp)> = covered.to_vec();
    sorted.sort();
    let mut gaps = Vec::new();
    let mut reached = from;
    for (start, end) in sorted {
        if start > reached && reached < to {
            gaps.push((reached, start.min(to)));
        }
        reached = reached.max(end);
    }
    if reached < to {
        gaps.push((reached, to));
    }
    gaps
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(raw: &str) -> Timestamp {
        format!("2026-11-{raw}:00Z").parse().expect("test instant")
    }

    fn scale() -> Scale {
        Scale {
            from: at("01T00:00"),
            to: at("03T00:00"),
            left: 100.0,
            right: 900.0,
        }
    }

    #[test]
    fn time_maps_linearly_onto_x_and_is_clamped_to_the_range() {
        let scale = scale();
        assert_eq!(scale.x(at("01T00:00")), 100.0);
        assert_eq!(scale.x(at("02T00:00")), 500.0);
        assert_eq!(scale.x(at("01T08:00")), 233.3);
        assert_eq!(scale.x(at("03T00:00")), 900.0);
        assert_eq!(scale.x(at("05T00:00")), 900.0);
        assert_eq!(
            scale.x("2026-10-01T00:00:00Z".parse().expect("valid")),
            100.0
        );
        assert!(scale.contains(at("02T23:59")));
        assert!(!scale.contains(at("03T00:00")));
        let empty = Scale {
            to: scale.from,
            ..scale
        };
        assert_eq!(empty.x(at("02T00:00")), 100.0);
    }

    #[test]
    fn gaps_are_the_holes_between_shifts_inside_the_range() {
        let shifts = [
            (at("01T06:00"), at("01T12:00")),
            (at("01T10:00"), at("01T14:00")),
            (at("02T00:00"), at("04T00:00")),
        ];
        assert_eq!(
            uncovered(&shifts, at("01T00:00"), at("03T00:00")),
            [
                (at("01T00:00"), at("01T06:00")),
                (at("01T14:00"), at("02T00:00"))
            ]
        );
        assert_eq!(
            uncovered(&[], at("01T00:00"), at("02T00:00")),
            [(at("01T00:00"), at("02T00:00"))]
        );
        let whole = [(at("01T00:00"), at("03T00:00"))];
        assert!(uncovered(&whole, at("01T00:00"), at("03T00:00")).is_empty());
    }

    fn span(start: &str, end: &str, kind: Kind, text: &str) -> Span {
        Span {
            start: at(start),
            end: at(end),
            kind,
            text: text.to_owned(),
            title: format!("{text} on call"),
        }
    }

    #[test]
    fn rows_stack_downwards_and_bars_carry_their_class_title_and_fitting_text() {
        let days = [Day {
            start: at("01T00:00"),
            end: at("02T00:00"),
            label: "Sun 1".to_owned(),
            input_start: "2026-11-01T00:00".to_owned(),
            input_end: "2026-11-02T00:00".to_owned(),
        }];
        let rows = vec![
            (
                "Weekly".to_owned(),
                vec![
                    span("01T00:00", "01T12:00", Kind::Shift, "Ada"),
                    span("01T12:00", "01T12:10", Kind::Shift, "Bartholomew"),
                ],
            ),
            (
                "Final".to_owned(),
                vec![span("01T12:00", "02T00:00", Kind::Gap, "nobody")],
            ),
        ];
        let picture = draw(
            at("01T00:00"),
            at("02T00:00"),
            &days,
            rows,
            at("01T06:00"),
            "summary".to_owned(),
        );
        assert_eq!(picture.rows[0].bars[0].class, "shift");
        assert_eq!(picture.rows[0].bars[0].x, 130.0);
        assert_eq!(picture.rows[0].bars[0].width, 433.0);
        assert_eq!(picture.rows[0].bars[0].text.as_deref(), Some("Ada"));
        assert_eq!(picture.rows[0].bars[0].title, "Ada on call");
        // Ten minutes is too narrow for a long name: the tooltip still names them.
        assert_eq!(picture.rows[0].bars[1].text, None);
        let gap = &picture.rows[1].bars[0];
        assert_eq!((gap.class, gap.x, gap.y), ("gap", 563.0, 70.0));
        assert!(gap.y > picture.rows[0].bars[0].y);
        assert_eq!(picture.height, 108.0);
        assert_eq!(picture.now, Some(346.5));
        assert_eq!(picture.columns[0].width, 866.0);
        assert_eq!(picture.columns[0].label, "Sun 1");
    }

    #[test]
    fn narrow_day_columns_show_the_day_of_the_month_and_now_outside_is_not_drawn() {
        let days: Vec<Day> = (1..=30)
            .map(|d| Day {
                start: at(&format!("{d:02}T00:00")),
                end: at(&format!("{d:02}T23:59")),
                label: format!("Mon {d}"),
                input_start: String::new(),
                input_end: String::new(),
            })
            .collect();
        let picture = draw(
            at("01T00:00"),
            at("30T23:59"),
            &days,
            Vec::new(),
            at("30T23:59"),
            String::new(),
        );
        assert_eq!(picture.columns[9].label, "10");
        assert_eq!(picture.now, None);
    }
}
