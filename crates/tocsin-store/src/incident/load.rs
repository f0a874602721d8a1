//! Responder load: for the people engaged on an incident (participants and current role
//! holders), the other open incidents they are engaged on (participant, role holder or owner of
//! an unfinished task); for the team owning the incident's service, its services' other open
//! incidents. Visibility is left to the caller of these reads.
use serde::Serialize;
use tocsin_domain::id::{IncidentId, TeamId, UserId};
use tocsin_domain::incident::{IncidentStatus, Visibility};
use tocsin_domain::open_incident_sql;
use uuid::Uuid;

use crate::Reader;
use crate::error::StoreError;

/// Another open incident, as the load lists it.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct EngagedIncident {
    pub id: IncidentId,
    pub number: i64,
    pub title: String,
    pub status: IncidentStatus,
    pub visibility: Visibility,
}

type Row = (Uuid, i64, String, String, String);

fn engaged(rows: Vec<Row>) -> Vec<EngagedIncident> {
    rows.into_iter()
        .filter_map(|(id, number, title, status, visibility)| {
            Some(EngagedIncident {
                id: IncidentId(id),
                number,
                title,
                status: IncidentStatus::parse(&status)?,
                visibility: Visibility::parse(&visibility)?,
            })
        })
        .collect()
}

/// The people engaged on the incident: its participants and current role holders, by name.
pub async fn engaged_people(
    reader: Reader<'_>,
    incident: IncidentId,
) -> Result<Vec<(UserId, String)>, StoreError> {
    let rows: Vec<(Uuid, String)> = reader
        .fetch_all(
            "SELECT u.id, u.name FROM users u WHERE \
             EXISTS (SELECT 1 FROM incident_participants p WHERE p.incident_id = $1 AND p.user_id = u.id) \
             OR EXISTS (SELECT 1 FROM incident_role_assignments a WHERE a.incident_id = $1 \
                        AND a.user_id = u.id AND a.ended_at IS NULL) \
             ORDER BY u.name, u.id",
            crate::args![incident.0],
        )
        .await?;
    Ok(rows
        .into_iter()
        .map(|(id, name)| (UserId(id), name))
        .collect())
}

/// The open incidents other than `incident` that `user` is engaged on, by number.
pub async fn other_incidents_of_person(
    reader: Reader<'_>,
    user: UserId,
    incident: IncidentId,
) -> Result<Vec<EngagedIncident>, StoreError> {
    let rows: Vec<Row> = reader
        .fetch_all(
            concat!(
                "SELECT i.id, i.number, i.title, i.status, i.visibility FROM incidents i \
                 WHERE i.id <> $2 AND ",
                open_incident_sql!(),
                " AND (EXISTS (SELECT 1 FROM incident_participants p \
                               WHERE p.incident_id = i.id AND p.user_id = $1) \
                  OR EXISTS (SELECT 1 FROM incident_role_assignments a \
                             WHERE a.incident_id = i.id AND a.user_id = $1 AND a.ended_at IS NULL) \
                  OR EXISTS (SELECT 1 FROM incident_tasks t WHERE t.incident_id = i.id \
                             AND t.owner_user_id = $1 AND t.status IN ('open', 'in_progress'))) \
                 ORDER BY i.number"
            ),
            crate::args![user.0, incident.0],
        )
        .await?;
    Ok(engaged(rows))
}

/// The team owning the incident's service, if any, with its name.
pub async fn owning_team(
    reader: Reader<'_>,
    incident: IncidentId,
) -> Result<Option<(TeamId, String)>, StoreError> {
    let row: Option<(Uuid, String)> = reader
        .fetch_optional(
            "SELECT t.id, t.name FROM incidents i JOIN services s ON s.id = i.service_id \
             JOIN teams t ON t.id = s.team_id WHERE i.id = $1",
            crate::args![incident.0],
        )
        .await?;
    Ok(row.map(|(id, name)| (TeamId(id), name)))
}

/// The open incidents other than `incident` of the services `team` owns, by number.
pub async fn other_incidents_of_team(
    reader: Reader<'_>,
    team: TeamId,
    incident: IncidentId,
) -> Result<Vec<EngagedIncident>, StoreError> {
    let rows: Vec<Row> = reader
        .fetch_all(
            concat!(
                "SELECT i.id, i.number, i.title, i.status, i.visibility FROM incidents i \
                 JOIN services s ON s.id = i.service_id WHERE s.team_id = $1 AND i.id <> $2 AND i.",
                open_incident_sql!(),
                " ORDER BY i.number"
            ),
            crate::args![team.0, incident.0],
        )
        .await?;
    Ok(engaged(rows))
}
