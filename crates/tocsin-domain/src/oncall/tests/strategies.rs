//! Random rotations and schedules for the property tests, built around an instant near a daylight
//! saving transition of the zone under test.
use jiff::civil::Time;
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp, ToSpan};
use proptest::prelude::*;
use proptest::sample::select;

use super::{user, zone_of};
use crate::alerting::maintenance::DayOfWeek;
use crate::oncall::{
    Layer, LayerMode, Override, Restriction, Rotation, Schedule, ShiftLength, TemporarySchedule,
    TemporaryShift,
};
use crate::values::TimeZoneName;

/// Zones with northern and southern daylight saving, none (Kolkata), a half-hour change (Lord
/// Howe) and a change at midnight (Santiago).
pub const ZONES: [&str; 7] = [
    "America/New_York",
    "Europe/London",
    "Australia/Sydney",
    "Asia/Kolkata",
    "America/Santiago",
    "Europe/Berlin",
    "Australia/Lord_Howe",
];

/// Where to look: a base instant (2012 to 2034) and an offset from the zone's next transition.
#[derive(Debug, Clone, Copy)]
pub struct InstantSeed {
    pub base_second: i64,
    pub offset_seconds: i64,
}

pub fn instant_seed() -> impl Strategy<Value = InstantSeed> {
    let offset = prop_oneof![-2i64..=2, -7_200i64..=7_200, -4 * 86_400i64..=4 * 86_400];
    (1_325_376_000i64..2_019_686_400, offset).prop_map(|(base_second, offset_seconds)| {
        InstantSeed {
            base_second,
            offset_seconds,
        }
    })
}

impl InstantSeed {
    /// An instant `offset_seconds` from the zone's first transition after the base instant (or
    /// from the base instant, in a zone without transitions).
    pub fn instant(self, zone: &TimeZone) -> Timestamp {
        let base = Timestamp::from_second(self.base_second).expect("in range");
        let transition = zone
            .following(base)
            .next()
            .map(|transition| transition.timestamp())
            .filter(|at| at.duration_since(base) < SignedDuration::from_hours(400 * 24));
        transition.unwrap_or(base) + SignedDuration::from_secs(self.offset_seconds)
    }
}

pub fn shift_length() -> impl Strategy<Value = ShiftLength> {
    prop_oneof![
        (1u32..=48).prop_map(ShiftLength::Hours),
        select(vec![72u32, 168, 336]).prop_map(ShiftLength::Hours),
        (1u32..=14).prop_map(ShiftLength::Days),
        (1u32..=4).prop_map(ShiftLength::Weeks),
        (1_800u64..=3 * 86_400).prop_map(|seconds| ShiftLength::Custom { seconds }),
    ]
}

/// Local times, often ones that fall into a gap or fold in one of the zones.
pub fn local_time() -> impl Strategy<Value = Time> {
    let tricky = select(vec![
        (0, 0),
        (0, 30),
        (1, 0),
        (1, 30),
        (1, 45),
        (2, 0),
        (2, 15),
        (2, 30),
        (3, 0),
        (9, 0),
        (23, 30),
    ]);
    prop_oneof![tricky, (0i8..24, 0i8..60)]
        .prop_map(|(hour, minute)| Time::new(hour, minute, 0, 0).expect("valid time"))
}

/// How to build a rotation around an instant.
#[derive(Debug, Clone)]
pub struct RotationSeed {
    pub zone: &'static str,
    pub participants: Vec<u128>,
    pub shift: ShiftLength,
    pub handoff: Time,
    /// The first handoff's local date is this many days before the instant's (negative: after).
    pub anchor_days: i64,
    /// For day-based lengths: move the anchor so a handoff falls on the instant's local date.
    pub aligned: bool,
}

pub fn rotation_seed() -> impl Strategy<Value = RotationSeed> {
    (
        select(ZONES.to_vec()),
        prop::collection::vec(1u128..=4, 1..=6),
        shift_length(),
        local_time(),
        -1_100i64..=1_100,
        any::<bool>(),
    )
        .prop_map(
            |(zone, participants, shift, handoff, anchor_days, aligned)| RotationSeed {
                zone,
                participants,
                shift,
                handoff,
                anchor_days,
                aligned,
            },
        )
}

impl RotationSeed {
    pub fn rotation(&self, at: Timestamp) -> Rotation {
        let day_length = match self.shift {
            ShiftLength::Days(days) => i64::from(days),
            ShiftLength::Weeks(weeks) => 7 * i64::from(weeks),
            ShiftLength::Hours(_) | ShiftLength::Custom { .. } => 1,
        };
        let days_back = if self.aligned {
            self.anchor_days - self.anchor_days.rem_euclid(day_length)
        } else {
            self.anchor_days
        };
        let today = zone_of(self.zone).to_datetime(at).date();
        let anchor = today.checked_sub(days_back.days()).expect("in range");
        Rotation {
            participants: self.participants.iter().map(|n| user(*n)).collect(),
            shift: self.shift,
            first_handoff: anchor.to_datetime(self.handoff),
            time_zone: TimeZoneName::parse(self.zone).expect("known zone"),
        }
    }
}

pub fn restriction() -> impl Strategy<Value = Restriction> {
    let daily = prop_oneof![Just(86_400u32), 1_800u32..=86_400];
    let weekly = prop_oneof![Just(604_800u32), 3_600u32..=604_800];
    let day = select(vec![
        DayOfWeek::Monday,
        DayOfWeek::Tuesday,
        DayOfWeek::Wednesday,
        DayOfWeek::Thursday,
        DayOfWeek::Friday,
        DayOfWeek::Saturday,
        DayOfWeek::Sunday,
    ]);
    prop_oneof![
        (local_time(), daily).prop_map(|(start, duration_seconds)| Restriction::Daily {
            start,
            duration_seconds
        }),
        (day, local_time(), weekly).prop_map(|(day, start, duration_seconds)| {
            Restriction::Weekly {
                day,
                start,
                duration_seconds,
            }
        }),
    ]
}

/// Seconds from the instant under test, within three days of it.
fn near() -> impl Strategy<Value = i64> {
    -3 * 86_400i64..=3 * 86_400
}

fn length() -> impl Strategy<Value = i64> {
    prop_oneof![1i64..=3_600, 3_600i64..=3 * 86_400]
}

/// A layer around the instant; `start` and `length` are seconds (no start: it always was).
#[derive(Debug, Clone)]
pub struct LayerSeed {
    pub rotation: RotationSeed,
    pub restrictions: Vec<Restriction>,
    pub alongside: bool,
    pub start: Option<i64>,
    pub length: Option<i64>,
}

/// Someone on call from `start` seconds after the instant, for `length` seconds.
#[derive(Debug, Clone, Copy)]
pub struct TimedSeed {
    pub who: u128,
    pub start: i64,
    pub length: i64,
}

#[derive(Debug, Clone)]
pub struct TemporarySeed {
    pub period: TimedSeed,
    pub shifts: Vec<TimedSeed>,
}

/// How to build a schedule around an instant.
#[derive(Debug, Clone)]
pub struct ScheduleSeed {
    pub instant: InstantSeed,
    pub layers: Vec<LayerSeed>,
    pub overrides: Vec<TimedSeed>,
    pub temporary: Vec<TemporarySeed>,
}

fn timed(people: std::ops::RangeInclusive<u128>) -> impl Strategy<Value = TimedSeed> {
    (people, near(), length()).prop_map(|(who, start, length)| TimedSeed { who, start, length })
}

fn layer_seed() -> impl Strategy<Value = LayerSeed> {
    let restrictions = prop_oneof![
        Just(Vec::new()),
        prop::collection::vec(restriction(), 1..=3)
    ];
    (
        rotation_seed(),
        restrictions,
        prop::bool::weighted(0.25),
        prop::option::of(near()),
        prop::option::of(length()),
    )
        .prop_map(
            |(rotation, restrictions, alongside, start, length)| LayerSeed {
                rotation,
                restrictions,
                alongside,
                start,
                length,
            },
        )
}

pub fn schedule_seed() -> impl Strategy<Value = ScheduleSeed> {
    let temporary = (timed(0..=0), prop::collection::vec(timed(5..=8), 0..=3))
        .prop_map(|(period, shifts)| TemporarySeed { period, shifts });
    (
        instant_seed(),
        prop::collection::vec(layer_seed(), 1..=3),
        prop::collection::vec(timed(1..=6), 0..=2),
        prop::collection::vec(temporary, 0..=1),
    )
        .prop_map(|(instant, layers, overrides, temporary)| ScheduleSeed {
            instant,
            layers,
            overrides,
            temporary,
        })
}

impl ScheduleSeed {
    /// The instant under test, near a transition of the first layer's zone.
    pub fn instant(&self) -> Timestamp {
        let zone = self
            .layers
            .first()
            .map_or("UTC", |layer| layer.rotation.zone);
        self.instant.instant(&zone_of(zone))
    }

    pub fn schedule(&self) -> Schedule {
        let at = self.instant();
        let offset = |seconds: i64| at + SignedDuration::from_secs(seconds);
        let layers = self.layers.iter().enumerate().map(|(index, seed)| {
            let starts_at = seed.start.map_or(Timestamp::MIN, offset);
            Layer {
                name: format!("layer {index}"),
                rotation: seed.rotation.rotation(at),
                restrictions: seed.restrictions.clone(),
                mode: if seed.alongside {
                    LayerMode::Alongside
                } else {
                    LayerMode::Replace
                },
                starts_at,
                ends_at: seed
                    .length
                    .map(|seconds| starts_at.max(at) + SignedDuration::from_secs(seconds)),
            }
        });
        let overrides = self.overrides.iter().map(|over| Override {
            user: user(over.who),
            start: offset(over.start),
            end: offset(over.start + over.length),
        });
        let temporary = self.temporary.iter().map(|temporary| TemporarySchedule {
            start: offset(temporary.period.start),
            end: offset(temporary.period.start + temporary.period.length),
            shifts: temporary
                .shifts
                .iter()
                .map(|shift| TemporaryShift {
                    user: user(shift.who),
                    start: offset(shift.start),
                    end: offset(shift.start + shift.length),
                })
                .collect(),
        });
        Schedule {
            time_zone: TimeZoneName::utc(),
            layers: layers.collect(),
            overrides: overrides.collect(),
            temporary: temporary.collect(),
        }
    }
}
