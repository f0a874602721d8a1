//! Listing incidents: pages filtered by service, owning team, status, priority and creation time
//! (and by who may see them), newest first; and a person's open incidents for their home page.
//!
//! The list has one SQL text per filter shape, built once: an optional filter written as
//! `($n IS NULL OR column = $n)` keeps either backend from using an index, which at a million
//! incidents turns a filtered page or a later page into a scan.
use std::sync::LazyLock;

use jiff::Timestamp;
use tocsin_domain::id::{ServiceId, TeamId, UserId};
use tocsin_domain::incident::IncidentStatus;
use tocsin_domain::incident::visibility::Viewer;
use tocsin_domain::priority::Priority;
use uuid::Uuid;

use super::Incident;
use super::reads::{COLUMNS, IncidentRow, VISIBLE_TO_2_3, viewer_args};
use crate::Reader;
use crate::error::StoreError;
use crate::sql::Arg;
use crate::time::to_micros;

/// Which incidents a list returns.
#[derive(Debug, Clone, Default)]
pub struct IncidentFilter {
    pub status: Option<IncidentStatus>,
    pub service_id: Option<ServiceId>,
    /// Incidents on the services this team owns.
    pub team_id: Option<TeamId>,
    pub priority: Option<Priority>,
    /// Created at or after this instant.
    pub created_from: Option<Timestamp>,
    /// Created before this instant.
    pub created_to: Option<Timestamp>,
    /// Who is asking: restricted incidents they may not see are left out (`None`: only normal
    /// incidents are listed).
    pub viewer: Option<Viewer>,
}

/// The list's optional conditions in parameter order; `{}` is the parameter's number. The last
/// is the cursor.
const CONDITIONS: [&str; 7] = [
    "service_id = ${}",
    "service_id IN (SELECT id FROM services WHERE team_id = ${})",
    "status = ${}",
    "priority = ${}",
    "created_at >= ${}",
    "created_at < ${}",
    "id < ${}",
];

/// The text for the filter shape `mask` (bit i set: `CONDITIONS[i]` present). `$1` is the limit,
/// `$2` and `$3` the viewer, then the present conditions' values in order.
fn list_text(mask: usize) -> String {
    let mut text = format!("SELECT {COLUMNS} FROM incidents WHERE ");
    let mut next = 4;
    for (bit, condition) in CONDITIONS.iter().enumerate() {
        if mask & (1 << bit) != 0 {
            text.push_str(&condition.replace("{}", &next.to_string()));
            text.push_str(" AND ");
            next += 1;
        }
    }
    text.push_str(VISIBLE_TO_2_3);
    text.push_str(" ORDER BY id DESC LIMIT $1");
    text
}

static LIST_TEXTS: LazyLock<Vec<String>> =
    LazyLock::new(|| (0..1 << CONDITIONS.len()).map(list_text).collect());

/// Up to `limit` incidents matching `filter`, newest first, after the cursor id `before`.
pub async fn list(
    reader: Reader<'_>,
    filter: &IncidentFilter,
    before: Option<Uuid>,
    limit: i64,
) -> Result<Vec<Incident>, StoreError> {
    let values: [Option<Arg>; 7] = [
        filter.service_id.map(|s| Arg::from(s.0)),
        filter.team_id.map(|t| Arg::from(t.0)),
        filter.status.map(|s| Arg::from(s.as_str())),
        filter.priority.map(|p| Arg::from(i64::from(p.rank()))),
        filter.created_from.map(|t| Arg::from(to_micros(t))),
        filter.created_to.map(|t| Arg::from(to_micros(t))),
        before.map(Arg::from),
    ];
    let mask = values
        .iter()
        .enumerate()
        .filter(|(_, value)| value.is_some())
        .fold(0, |mask, (bit, _)| mask | (1 << bit));
    let (role_pattern, user) = viewer_args(filter.viewer);
    let mut args = crate::args![limit, role_pattern, user];
    args.extend(values.into_iter().flatten());
    let text: &'static str = match LIST_TEXTS.get(mask) {
        Some(text) => text,
        None => return Err(StoreError::Corrupt(format!("no list text {mask}"))),
    };
    let rows: Vec<IncidentRow> = reader.fetch_all(text, args).await?;
    rows.into_iter().map(IncidentRow::into_incident).collect()
}

/// One way of being involved: up to `$1` open incidents `$4` is involved in that way, newest
/// first. `$from` starts from the person's own rows (by their user index) and reaches
/// `incidents` through `$open`, so a person involved in nothing costs nothing however many
/// incidents are open, and one involved in thousands of past incidents costs one probe each.
macro_rules! involved_by {
    ($from:literal, $open:literal, $condition:literal, $order:literal) => {
        concat!(
            "SELECT incident_id FROM (SELECT DISTINCT ",
            $order,
            " AS incident_id FROM ",
            $from,
            " CROSS JOIN ",
            $open,
            " WHERE ",
            $condition,
            " AND ",
            tocsin_domain::open_incident_sql!(),
            " AND ",
            super::reads::visible!("$2", "$3"),
            " ORDER BY ",
            $order,
            " DESC LIMIT $1) AS involved"
        )
    };
}
/// Open incidents `$4` is involved in: participant, role holder, paged, or on a service their
/// team owns; the union of four small reads, sorted once. `$open` names the incidents table for
/// the probes by id: SQLite, which keeps no statistics, is pointed at the small index of open
/// incidents (by the status index it would probe once per open status; measured at a million
/// incidents, a person in 2,500 past incidents: 13.8 ms against 1.2 ms); PostgreSQL chooses itself.
macro_rules! open_mine {
    ($open:literal) => {
        concat!(
            "SELECT ",
            super::reads::columns!(),
            " FROM incidents WHERE id IN (",
            involved_by!(
                "incident_participants part",
                $open,
                "incidents.id = part.incident_id AND part.user_id = $4",
                "part.incident_id"
            ),
            " UNION ",
            involved_by!(
                "incident_role_assignments held",
                $open,
                "incidents.id = held.incident_id AND held.user_id = $4 AND held.ended_at IS NULL",
                "held.incident_id"
            ),
            " UNION ",
            involved_by!(
                "notification_outbox paged",
                $open,
                "incidents.id = paged.incident_id AND paged.user_id = $4",
                "paged.incident_id"
            ),
            " UNION SELECT incident_id FROM (SELECT id AS incident_id FROM incidents WHERE \
             service_id IN (SELECT s.id FROM services s JOIN team_members m ON m.team_id = s.team_id \
             WHERE m.user_id = $4) AND ",
            tocsin_domain::open_incident_sql!(),
            " AND ",
            super::reads::visible!("$2", "$3"),
            " ORDER BY id DESC LIMIT $1) AS owned) ORDER BY id DESC LIMIT $1"
        )
    };
}
const OPEN_MINE_SQLITE: &str = open_mine!("incidents INDEXED BY incidents_open");
const OPEN_MINE_POSTGRES: &str = open_mine!("incidents");
/// Every open incident the viewer may see, newest first.
const OPEN_ALL: &str = concat!(
    "SELECT ",
    super::reads::columns!(),
    " FROM incidents WHERE ",
    tocsin_domain::open_incident_sql!(),
    " AND ",
    super::reads::visible!("$2", "$3"),
    " ORDER BY id DESC LIMIT $1"
);

/// An open incident on someone's home page, and whether they are involved in it.
#[derive(Debug, Clone)]
pub struct OpenIncident {
    pub incident: Incident,
    /// They take part, hold a role, were paged, or their team owns its service.
    pub involved: bool,
}

/// Up to `limit` open incidents `viewer` may see, those `user` is involved in first (each part
/// newest first).
pub async fn open_for_user(
    reader: Reader<'_>,
    user: UserId,
    viewer: Viewer,
    limit: i64,
) -> Result<Vec<OpenIncident>, StoreError> {
    let (role_pattern, viewer_user) = viewer_args(Some(viewer));
    let open_mine = match reader {
        Reader::Sqlite(_) => OPEN_MINE_SQLITE,
        Reader::Postgres(_) => OPEN_MINE_POSTGRES,
    };
    let mine: Vec<IncidentRow> = reader
        .fetch_all(
            open_mine,
            crate::args![limit, role_pattern.clone(), viewer_user, user.0],
        )
        .await?;
    let all: Vec<IncidentRow> = reader
        .fetch_all(OPEN_ALL, crate::args![limit, role_pattern, viewer_user])
        .await?;
    let mut listed: Vec<OpenIncident> = Vec::new();
    for (rows, involved) in [(mine, true), (all, false)] {
        for row in rows {
            let incident = row.into_incident()?;
            if !listed.iter().any(|o| o.incident.id == incident.id) {
                listed.push(OpenIncident { incident, involved });
            }
        }
    }
    listed.truncate(usize::try_from(limit).unwrap_or(0));
    Ok(listed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_filter_shape_numbers_its_parameters_in_order() {
        let none = list_text(0);
        assert!(none.contains("WHERE (visibility"), "{none}");
        let status_and_cursor = list_text(0b100_0100);
        assert!(
            status_and_cursor.contains("status = $4 AND id < $5 AND (visibility"),
            "{status_and_cursor}"
        );
        let every = list_text(0b111_1111);
        assert!(every.contains("created_at < $9 AND id < $10"), "{every}");
        assert!(!every.contains("IS NULL OR"), "{every}");
    }
}
