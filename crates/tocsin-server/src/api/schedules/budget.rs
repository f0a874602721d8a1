//! A bound on the work one request asks of the calculator. Validation allows shifts of a minute
//! and fifty layers, so a schedule drawn over 90 days could be millions of pieces; the cost is
//! estimated from the schedule (turns and restriction windows per layer) before computing.
use jiff::{SignedDuration, Timestamp};
use tocsin_domain::oncall::{Schedule, ShiftLength};

use crate::error::ApiError;

/// The most pieces (turns, windows, overrides, temporary shifts) one request computes.
pub const MOST_PIECES: u64 = 200_000;

/// The shortest a turn of `shift` can be, in seconds (a local day can be 23 hours).
fn shortest_turn_seconds(shift: ShiftLength) -> u64 {
    let seconds = match shift {
        ShiftLength::Hours(hours) => u64::from(hours) * 3600,
        ShiftLength::Days(days) => u64::from(days) * 23 * 3600,
        ShiftLength::Weeks(weeks) => u64::from(weeks) * (7 * 24 - 1) * 3600,
        ShiftLength::Custom { seconds } => seconds,
    };
    seconds.max(60)
}

/// About how many pieces computing `schedule` over `[from, to)` takes.
pub fn estimated_pieces(schedule: &Schedule, from: Timestamp, to: Timestamp) -> u64 {
    let span = u64::try_from(from.duration_until(to).as_secs()).unwrap_or(0);
    let layers: u64 = schedule
        .layers
        .iter()
        .map(|layer| {
            let turns = span / shortest_turn_seconds(layer.rotation.shift) + 2;
            let windows: u64 = layer
                .restrictions
                .iter()
                .map(|r| span / u64::from(r.period_seconds()) + 2)
                .sum();
            turns.saturating_add(windows)
        })
        .fold(0, u64::saturating_add);
    let temporary: u64 = schedule
        .temporary
        .iter()
        .map(|t| t.shifts.len() as u64)
        .sum();
    layers
        .saturating_add(temporary)
        .saturating_add(schedule.overrides.len() as u64)
}

/// Refuses (400 naming `parameter`) a range whose computation would exceed the bound.
pub fn check(
    schedule: &Schedule,
    from: Timestamp,
    to: Timestamp,
    parameter: &str,
) -> Result<(), ApiError> {
    if estimated_pieces(schedule, from, to) > MOST_PIECES {
        return Err(ApiError::parameter(
            parameter,
            "this schedule's shifts are too short to compute that long a range at once; ask for \
             a shorter range",
        ));
    }
    Ok(())
}

/// The latest end, no later than `to`, that keeps computing `[from, end)` within the bound
/// (found by shrinking the range in proportion, a few times at most).
pub fn fit(schedule: &Schedule, from: Timestamp, to: Timestamp) -> Timestamp {
    let mut end = to;
    for _ in 0..8 {
        let pieces = estimated_pieces(schedule, from, end);
        if pieces <= MOST_PIECES {
            return end;
        }
        let span = from.duration_until(end).as_secs();
        let keep = span.saturating_mul(9) / 10;
        let scaled = i64::try_from(
            u128::from(MOST_PIECES) * u128::try_from(keep).unwrap_or(0) / u128::from(pieces.max(1)),
        )
        .unwrap_or(0);
        end = from
            .checked_add(SignedDuration::from_secs(scaled))
            .unwrap_or(from);
    }
    from
}

#[cfg(test)]
mod tests {
    use super::*;

    fn schedule(shift: serde_json::Value, layers: usize) -> Schedule {
        let layer = serde_json::json!({"name": "L", "starts_at": "2026-01-01T00:00:00Z",
            "rotation": {"participants": ["0192f0c4-0000-7000-8000-000000000001"], "shift": shift,
                "first_handoff": "2026-01-01T09:00", "time_zone": "UTC"}});
        serde_json::from_value(serde_json::json!({
            "time_zone": "UTC", "layers": vec![layer; layers]
        }))
        .expect("a valid schedule")
    }

    fn at(text: &str) -> Timestamp {
        text.parse().expect("valid")
    }

    #[test]
    fn ordinary_schedules_fit_and_minute_shifts_on_many_layers_do_not() {
        let (from, to) = (at("2026-01-01T00:00:00Z"), at("2026-04-01T00:00:00Z"));
        let weekly = schedule(serde_json::json!({"weeks": 1}), 50);
        assert!(check(&weekly, from, to, "to").is_ok());
        assert_eq!(fit(&weekly, from, to), to);
        let minutes = schedule(serde_json::json!({"custom": {"seconds": 60}}), 50);
        let refused = check(&minutes, from, to, "to").expect_err("too much work");
        assert_eq!(refused.errors[0].pointer, "/to");
        assert_eq!(refused.kind.status().as_u16(), 400);
        let end = fit(&minutes, from, to);
        assert!(from < end && end < to, "{end}");
        assert!(estimated_pieces(&minutes, from, end) <= MOST_PIECES);
    }
}
