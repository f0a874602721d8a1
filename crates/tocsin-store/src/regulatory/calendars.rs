//! Holiday calendars: a name, a time zone and the dates business-day clocks skip. Read by name;
//! replaced whole (`holiday_calendar.set`, with the dates added and removed). A deadline already
//! started keeps the date it was given: a clock is recorded once, at its start.
use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use serde::{Deserialize, Serialize};
use serde_json::json;
use tocsin_domain::regulatory::HolidayCalendar;
use uuid::Uuid;

use crate::Reader;
use crate::error::StoreError;
use crate::events::NewEvent;
use crate::time::{from_micros, to_micros};
use crate::tx::Tx;

const SELECT: &str = "SELECT id, name, time_zone, holidays, version, updated_at \
    FROM holiday_calendars WHERE name = $1";
const INSERT: &str = "INSERT INTO holiday_calendars (id, name, time_zone, holidays, version, \
    updated_at) VALUES ($1, $2, $3, $4, 1, $5)";
const UPDATE: &str = "UPDATE holiday_calendars SET time_zone = $2, holidays = $3, \
    version = version + 1, updated_at = $4 WHERE id = $1";

/// One closed day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Holiday {
    pub date: Date,
    pub name: String,
}

/// A calendar as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredCalendar {
    pub id: Uuid,
    pub name: String,
    /// An IANA time zone name (`America/New_York`).
    pub time_zone: String,
    /// Sorted by date, each date once.
    pub holidays: Vec<Holiday>,
    pub version: i64,
    pub updated_at: Timestamp,
}

impl StoredCalendar {
    /// The calendar the business-day rule counts in.
    pub fn to_domain(&self) -> Result<HolidayCalendar, StoreError> {
        let time_zone = TimeZone::get(&self.time_zone)
            .map_err(|e| StoreError::Corrupt(format!("calendar {} time zone: {e}", self.name)))?;
        Ok(HolidayCalendar {
            name: self.name.clone(),
            time_zone,
            holidays: self.holidays.iter().map(|h| h.date).collect(),
        })
    }
}

crate::sql_row! {
    struct CalendarRow {
        id: Uuid, name: String, time_zone: String, holidays: String, version: i64, updated_at: i64
    }
}

impl TryFrom<CalendarRow> for StoredCalendar {
    type Error = StoreError;

    fn try_from(row: CalendarRow) -> Result<Self, StoreError> {
        let holidays = serde_json::from_str(&row.holidays)
            .map_err(|e| StoreError::Corrupt(format!("calendar {} holidays: {e}", row.name)))?;
        Ok(StoredCalendar {
            id: row.id,
            name: row.name,
            time_zone: row.time_zone,
            holidays,
            version: row.version,
            updated_at: from_micros(row.updated_at),
        })
    }
}

/// The calendar named `name`, if any.
pub async fn get_calendar(
    reader: Reader<'_>,
    name: &str,
) -> Result<Option<StoredCalendar>, StoreError> {
    let row: Option<CalendarRow> = reader.fetch_optional(SELECT, crate::args![name]).await?;
    row.map(StoredCalendar::try_from).transpose()
}

/// The same, inside a write.
pub(super) async fn calendar_in(
    tx: &mut Tx,
    name: &str,
) -> Result<Option<StoredCalendar>, StoreError> {
    let row: Option<CalendarRow> = tx.fetch_optional(SELECT, crate::args![name]).await?;
    row.map(StoredCalendar::try_from).transpose()
}

/// Creates or replaces the calendar `name` (the caller validated the zone and sorted the dates)
/// and appends `holiday_calendar.set` with the dates added and removed.
pub async fn put_calendar(
    tx: &mut Tx,
    name: &str,
    time_zone: &str,
    holidays: Vec<Holiday>,
    actor: &str,
    at: Timestamp,
) -> Result<StoredCalendar, StoreError> {
    let before = calendar_in(tx, name).await?;
    let encoded = serde_json::to_string(&holidays)
        .map_err(|e| StoreError::Corrupt(format!("holidays not serialisable: {e}")))?;
    let id = match &before {
        Some(found) => {
            let args = crate::args![found.id, time_zone, encoded.as_str(), to_micros(at)];
            tx.execute(UPDATE, args).await?;
            found.id
        }
        None => {
            let id = tocsin_domain::id::uuid_v7_at(at);
            let args = crate::args![id, name, time_zone, encoded.as_str(), to_micros(at)];
            tx.execute(INSERT, args).await?;
            id
        }
    };
    let old: Vec<Date> = before
        .iter()
        .flat_map(|found| found.holidays.iter().map(|h| h.date))
        .collect();
    let new: Vec<Date> = holidays.iter().map(|h| h.date).collect();
    let added: Vec<&Date> = new.iter().filter(|d| !old.contains(d)).collect();
    let removed: Vec<&Date> = old.iter().filter(|d| !new.contains(d)).collect();
    let payload = json!({ "name": name, "time_zone": time_zone, "holidays": holidays.len(),
        "added": added, "removed": removed,
        "previous_time_zone": before.as_ref().map(|found| found.time_zone.as_str()) });
    tx.append(NewEvent::new(
        "holiday_calendar",
        id,
        "holiday_calendar.set",
        actor,
        at,
        payload,
    ))
    .await?;
    calendar_in(tx, name)
        .await?
        .ok_or(StoreError::NotFound("holiday calendar"))
}
