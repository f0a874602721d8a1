//! The access matrix: every route in the route table, sent as every role, as a team-scoped
//! manager, anonymously and with an integration key, against the expectation written here by hand.
//! A route added without an entry below fails the test, so every route's permission is decided
//! deliberately. Each case gets fresh objects, so a delete in one case cannot mask another.
use std::collections::BTreeSet;

use futures::StreamExt;
use reqwest::Method;
use serde_json::{Value, json};
use tocsin_domain::catalog::OrgRole;
use tocsin_server::router::RouteSpec;
use tocsin_testkit::sinks::WebhookSink;
use tocsin_testkit::{Client, TestApp, TestResponse, spawn_app};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Who {
    Anonymous,
    IntegrationKey,
    Owner,
    Admin,
    Manager,
    Responder,
    /// A responder who manages the case's team.
    TeamManager,
    Observer,
    Stakeholder,
}

use Who::*;

const EVERYONE: &[Who] = &[
    Anonymous,
    IntegrationKey,
    Owner,
    Admin,
    Manager,
    Responder,
    TeamManager,
    Observer,
    Stakeholder,
];
const USERS: &[Who] = &[
    Owner,
    Admin,
    Manager,
    Responder,
    TeamManager,
    Observer,
    Stakeholder,
];
const OBSERVERS_UP: &[Who] = &[Owner, Admin, Manager, Responder, TeamManager, Observer];
const RESPONDERS_UP: &[Who] = &[Owner, Admin, Manager, Responder, TeamManager];
const MANAGERS: &[Who] = &[Owner, Admin, Manager];
const TEAM_MANAGERS: &[Who] = &[Owner, Admin, Manager, TeamManager];
const ADMINS: &[Who] = &[Owner, Admin];

/// Who may call each route (method, path template).
fn allowed(method: &Method, path: &str) -> Option<&'static [Who]> {
    let m = method.as_str();
    Some(match (m, path) {
        (_, "/healthz" | "/readyz" | "/metrics" | "/problems/{slug}" | "/api/openapi.json") => {
            EVERYONE
        }
        // Console pages and forms: anyone may ask; a browser without a session is sent to sign
        // in, and each page shows only what the API handlers it calls allow the viewer (the
        // `web_*` tests check that per page).
        (_, p)
            if !p.starts_with("/api/") && !p.starts_with("/v2/") && !p.starts_with("/status") =>
        {
            EVERYONE
        }
        // Intake: the integration key (in the body, a header or the path) authenticates.
        (_, p) if p.starts_with("/v2/") => EVERYONE,
        (
            "POST",
            "/api/v1/integrations/{key}/alertmanager" | "/api/v1/integrations/{key}/generic",
        ) => EVERYONE,
        // Heartbeat pings, any method: the ping key in the path authenticates.
        (_, "/api/v1/heartbeats/{key}/ping") => EVERYONE,
        ("GET", "/api/v1/me") | ("POST", "/api/v1/me/password") => USERS,
        (_, "/api/v1/tokens" | "/api/v1/tokens/{id}") => OBSERVERS_UP,
        ("GET", "/api/v1/users" | "/api/v1/users/{id}" | "/api/v1/users/{id}/events") => {
            OBSERVERS_UP
        }
        ("POST", "/api/v1/users") | ("PATCH", "/api/v1/users/{id}") => ADMINS,
        ("GET", "/api/v1/teams" | "/api/v1/teams/{id}") => USERS,
        ("POST", "/api/v1/teams") | ("DELETE", "/api/v1/teams/{id}") => MANAGERS,
        ("PATCH", "/api/v1/teams/{id}") => TEAM_MANAGERS,
        ("GET", "/api/v1/teams/{id}/members" | "/api/v1/teams/{id}/events") => OBSERVERS_UP,
        ("PUT" | "DELETE", "/api/v1/teams/{id}/members/{user_id}") => TEAM_MANAGERS,
        ("GET", "/api/v1/services" | "/api/v1/services/{id}") => USERS,
        ("POST", "/api/v1/services") | ("PATCH" | "DELETE", "/api/v1/services/{id}") => {
            TEAM_MANAGERS
        }
        ("GET", "/api/v1/services/{id}/events") => OBSERVERS_UP,
        (
            _,
            "/api/v1/services/{id}/integration-keys"
            | "/api/v1/services/{id}/integration-keys/{key_id}"
            | "/api/v1/services/{id}/integration-keys/{key_id}/mapping",
        ) => TEAM_MANAGERS,
        // Reads too: heartbeat views carry the ping key.
        (
            _,
            "/api/v1/services/{id}/heartbeats" | "/api/v1/services/{id}/heartbeats/{heartbeat_id}",
        ) => TEAM_MANAGERS,
        (
            "GET",
            "/api/v1/alerts"
            | "/api/v1/alerts/{id}"
            | "/api/v1/alerts/{id}/events"
            | "/api/v1/incidents"
            | "/api/v1/incidents/{id}"
            | "/api/v1/incidents/{id}/events"
            | "/api/v1/incidents/{id}/participants"
            | "/api/v1/incidents/{id}/roles"
            | "/api/v1/incidents/{id}/milestones"
            | "/api/v1/incidents/{id}/cost"
            | "/api/v1/incident-cost-policy"
            | "/api/v1/response-plans"
            | "/api/v1/incidents/{id}/response-plans"
            | "/api/v1/incidents/{id}/cadence"
            | "/api/v1/incident-cadence-policy"
            | "/api/v1/incidents/{id}/pins"
            | "/api/v1/incidents/{id}/tasks"
            | "/api/v1/incidents/{id}/load"
            | "/api/v1/users/{id}/tasks"
            | "/api/v1/incidents/{id}/resolution"
            | "/api/v1/incidents/{id}/bridge"
            | "/api/v1/incidents/{id}/evidence"
            | "/api/v1/incidents/{id}/evidence/{evidence_id}"
            | "/api/v1/incidents/{id}/evidence/{evidence_id}/content"
            | "/api/v1/incidents/{id}/evidence/{evidence_id}/custody"
            | "/api/v1/evidence-hold-policy",
        ) => OBSERVERS_UP,
        ("PUT", "/api/v1/incident-cost-policy" | "/api/v1/response-plans") => ADMINS,
        ("GET", "/api/v1/incidents/{id}/ownership" | "/api/v1/incident-ownership-policy") => {
            OBSERVERS_UP
        }
        (
            "POST",
            "/api/v1/incidents/{id}/ownership-disputes" | "/api/v1/incidents/{id}/handoffs",
        ) => RESPONDERS_UP,
        // Nobody commands the fixture's incident: admins settle.
        ("POST", "/api/v1/incidents/{id}/ownership-disputes/{dispute_id}/settlement")
        | ("PUT", "/api/v1/incident-ownership-policy") => ADMINS,
        ("PUT", "/api/v1/evidence-hold-policy" | "/api/v1/incident-cadence-policy") => ADMINS,
        ("POST", "/api/v1/alerts/{id}/acknowledge" | "/api/v1/alerts/{id}/resolve") => {
            RESPONDERS_UP
        }
        (
            "GET",
            "/api/v1/silences"
            | "/api/v1/silences/{id}"
            | "/api/v1/alert-rules"
            | "/api/v1/inhibit-rules"
            | "/api/v1/maintenance-windows"
            | "/api/v1/services/{id}/alert-rules"
            | "/api/v1/services/{id}/grouping"
            | "/api/v1/services/{id}/incident-lifecycle"
            | "/api/v1/services/{id}/noise-control",
        )
        | ("POST", "/api/v1/silences/preview" | "/api/v1/simulate/alert") => OBSERVERS_UP,
        ("POST", "/api/v1/silences") | ("DELETE", "/api/v1/silences/{id}") => RESPONDERS_UP,
        ("PUT", "/api/v1/alert-rules" | "/api/v1/inhibit-rules")
        | ("POST", "/api/v1/maintenance-windows")
        | ("DELETE", "/api/v1/maintenance-windows/{id}") => MANAGERS,
        (
            "PUT",
            "/api/v1/services/{id}/alert-rules"
            | "/api/v1/services/{id}/grouping"
            | "/api/v1/services/{id}/incident-lifecycle"
            | "/api/v1/services/{id}/noise-control",
        ) => TEAM_MANAGERS,
        // Schedules name people: observers and up read them; changing one is managing its team
        // (overrides too for the team's responders, tested in schedules_access.rs).
        (
            "GET",
            "/api/v1/schedules"
            | "/api/v1/schedules/{id}"
            | "/api/v1/schedules/{id}/overrides"
            | "/api/v1/schedules/{id}/shifts"
            | "/api/v1/schedules/{id}/gaps"
            | "/api/v1/schedules/{id}/events"
            | "/api/v1/oncall",
        )
        | ("POST", "/api/v1/schedules/{id}/calendar-subscription") => OBSERVERS_UP,
        ("POST", "/api/v1/schedules" | "/api/v1/schedules/{id}/overrides")
        | ("PUT" | "DELETE", "/api/v1/schedules/{id}")
        | ("DELETE", "/api/v1/schedules/{id}/overrides/{override_id}") => TEAM_MANAGERS,
        // Someone else's calendar (the fixture's target user): admins only.
        ("POST", "/api/v1/users/{id}/calendar-subscription") => ADMINS,
        // The secret token in the path authenticates.
        ("GET", "/api/v1/calendars/{file}") => EVERYONE,
        // How someone else (the fixture's target user) is reached: admins only.
        (_, p) if is_people_route(p) => ADMINS,
        // Escalation policies name people: observers and up read them (and previews, routing
        // rules, skills); changing a policy or a service's escalation is managing its team; a
        // user's skills are set by themselves or (for the fixture's target user) admins.
        (
            "GET",
            "/api/v1/escalation-policies"
            | "/api/v1/escalation-policies/{id}"
            | "/api/v1/escalation-policies/{id}/preview"
            | "/api/v1/escalation-policies/{id}/events"
            | "/api/v1/services/{id}/escalation-routes"
            | "/api/v1/users/{id}/skills",
        ) => OBSERVERS_UP,
        ("POST", "/api/v1/escalation-policies")
        | ("PUT" | "DELETE", "/api/v1/escalation-policies/{id}")
        | (
            "PUT",
            "/api/v1/services/{id}/escalation-policy" | "/api/v1/services/{id}/escalation-routes",
        ) => TEAM_MANAGERS,
        ("PUT", "/api/v1/users/{id}/skills") => ADMINS,
        // Incident roles name people (their backup, who staffs them): observers and up read them;
        // they belong to no team, so changing one needs the manager role.
        (
            "GET",
            "/api/v1/incident-roles"
            | "/api/v1/incident-roles/{id}"
            | "/api/v1/incident-roles/{id}/staffing"
            | "/api/v1/incident-roles/{id}/events",
        ) => OBSERVERS_UP,
        ("POST", "/api/v1/incident-roles") | ("PUT" | "DELETE", "/api/v1/incident-roles/{id}") => {
            MANAGERS
        }
        (
            "POST",
            "/api/v1/incidents/{id}/acknowledge"
            | "/api/v1/incidents/{id}/resolve"
            | "/api/v1/incidents/{id}/escalate"
            | "/api/v1/incidents/{id}/reassign"
            | "/api/v1/incidents"
            | "/api/v1/incidents/{id}/status"
            | "/api/v1/incidents/{id}/merge"
            | "/api/v1/incidents/{id}/participants"
            | "/api/v1/incidents/{id}/milestones/corrections"
            | "/api/v1/incidents/{id}/entries"
            | "/api/v1/incidents/{id}/delay-justifications"
            | "/api/v1/incidents/{id}/tasks",
        )
        | ("PATCH", "/api/v1/incidents/{id}/tasks/{task_id}")
        | ("PUT", "/api/v1/incidents/{id}/resolution")
        | ("POST", "/api/v1/incidents/{id}/recovery-checks")
        | ("POST" | "DELETE", "/api/v1/incidents/{id}/recovery-checks/{check_id}/confirmation")
        | ("PUT" | "DELETE", "/api/v1/incidents/{id}/bridge")
        | ("POST", "/api/v1/incidents/{id}/evidence")
        | ("DELETE", "/api/v1/incidents/{id}/evidence/{evidence_id}")
        | ("PATCH", "/api/v1/incidents/{id}")
        | ("PUT" | "DELETE", "/api/v1/incidents/{id}/pins/{seq}")
        | ("PUT" | "DELETE", "/api/v1/incidents/{id}/roles/{role}") => RESPONDERS_UP,
        (
            "GET",
            "/api/v1/priority-policy" | "/api/v1/taxonomy" | "/api/v1/incidents/triage-queue",
        )
        | ("GET", "/api/v1/reports/classification-accuracy")
        | ("POST", "/api/v1/priority-policy/preview") => OBSERVERS_UP,
        ("PUT", "/api/v1/priority-policy")
        | ("POST", "/api/v1/taxonomy/proposals" | "/api/v1/taxonomy/proposals/{version}/approve") => {
            ADMINS
        }
        (
            "PUT",
            "/api/v1/incidents/{id}/impact"
            | "/api/v1/incidents/{id}/priority"
            | "/api/v1/incidents/{id}/classification",
        ) => RESPONDERS_UP,
        // The pre-approved authority: managers, and managers of the service's team.
        (
            "POST",
            "/api/v1/incidents/{id}/temporary-p1" | "/api/v1/incidents/{id}/temporary-p1/confirm",
        ) => TEAM_MANAGERS,
        // The signed token in the path authenticates (acting as the person paged).
        (_, "/api/v1/actions/{token}") => EVERYONE,
        ("GET", "/api/v1/notification-templates/{kind}/{channel}")
        | ("POST", "/api/v1/notification-templates/preview") => OBSERVERS_UP,
        ("PUT" | "DELETE", "/api/v1/notification-templates/{kind}/{channel}") => ADMINS,
        // Regulatory clocks name people (owners, approvers): observers and up read them;
        // responders set the profile and record filings; admins change holiday calendars.
        ("GET", "/api/v1/incidents/{id}/regulatory" | "/api/v1/holiday-calendars/{name}") => {
            OBSERVERS_UP
        }
        ("PUT", "/api/v1/incidents/{id}/regulatory")
        | ("POST", "/api/v1/incidents/{id}/regulatory/obligations/{obligation_id}/filing") => {
            RESPONDERS_UP
        }
        ("PUT", "/api/v1/holiday-calendars/{name}") => ADMINS,
        ("GET", "/api/v1/incidents/{id}/guests") => OBSERVERS_UP,
        ("POST", "/api/v1/incidents/{id}/guests")
        | ("DELETE", "/api/v1/incidents/{id}/guests/{guest_id}") => RESPONDERS_UP,
        // Guest routes take a guest pass only (tests/incident_guests.rs); no person may use them.
        (_, p) if p.starts_with("/api/v1/guest/") => &[],
        _ => return None,
    })
}

/// Fresh objects for one case.
struct Fixture {
    team: String,
    empty_team: String,
    service: String,
    key_id: String,
    key_secret: String,
    alertmanager_secret: String,
    alertmanager_key_id: String,
    heartbeat_id: String,
    heartbeat_secret: String,
    member: String,
    target_user: String,
    token_id: Option<String>,
    alert: String,
    incident: String,
    /// A second open incident (declared), to merge the first into.
    other_incident: String,
    silence: String,
    window: String,
    schedule: String,
    override_id: String,
    calendar_file: String,
    policy: String,
    role: String,
    action_token: String,
    /// The incident's GDPR obligation (its regulatory profile is set).
    obligation: String,
    /// A holiday calendar name of this case's own.
    calendar_name: String,
    /// An open task on the incident, owned by the target user.
    task: String,
    /// A guest pass on the incident.
    guest: String,
}

struct Identities {
    tokens: Vec<(Who, String)>,
    team_manager_id: String,
    /// Receives the verification codes of the people fixtures' webhook methods.
    sink: WebhookSink,
}

async fn make_identities(app: &TestApp) -> Identities {
    let mut tokens = vec![(Owner, app.owner.api_token.clone())];
    let mut team_manager_id = String::new();
    for (who, role) in [
        (Admin, OrgRole::Admin),
        (Manager, OrgRole::Manager),
        (Responder, OrgRole::Responder),
        (TeamManager, OrgRole::Responder),
        (Observer, OrgRole::Observer),
        (Stakeholder, OrgRole::Stakeholder),
    ] {
        let user = app.user(role).await;
        if who == TeamManager {
            team_manager_id = user.user.id.to_string();
        }
        tokens.push((who, user.token));
    }
    Identities {
        tokens,
        team_manager_id,
        sink: WebhookSink::start().await,
    }
}

fn id_of(response: TestResponse) -> String {
    let body = response.json();
    body["id"]
        .as_str()
        .unwrap_or_else(|| panic!("fixture creation failed: {body}"))
        .to_owned()
}

async fn make_fixture(app: &TestApp, identities: &Identities, who: Who, case: usize) -> Fixture {
    let owner = app.owner();
    let team = id_of(
        owner
            .post("/api/v1/teams", &json!({"name": format!("team {case}")}))
            .await,
    );
    let empty_team = id_of(
        owner
            .post("/api/v1/teams", &json!({"name": format!("empty {case}")}))
            .await,
    );
    owner
        .put(
            &format!(
                "/api/v1/teams/{team}/members/{}",
                identities.team_manager_id
            ),
            &json!({"role": "manager"}),
        )
        .await
        .expect_status(200);
    let service = id_of(
        owner
            .post(
                "/api/v1/services",
                &json!({"name": format!("service {case}"), "team_id": team}),
            )
            .await,
    );
    let key = owner
        .post(
            &format!("/api/v1/services/{service}/integration-keys"),
            &json!({"name": "k", "kind": "generic"}),
        )
        .await
        .json();
    let alertmanager = owner
        .post(
            &format!("/api/v1/services/{service}/integration-keys"),
            &json!({"name": "am", "kind": "alertmanager"}),
        )
        .await
        .json();
    let heartbeat = owner
        .post(
            &format!("/api/v1/services/{service}/heartbeats"),
            &json!({"name": "hb", "interval_secs": 60}),
        )
        .await
        .json();
    let member = id_of(
        owner
            .post("/api/v1/users", &json!({"email": format!("member{case}@example.com"), "name": "Member", "role": "responder"}))
            .await,
    );
    let target_user = id_of(
        owner
            .post("/api/v1/users", &json!({"email": format!("target{case}@example.com"), "name": "Target", "role": "responder"}))
            .await,
    );
    owner
        .put(
            &format!("/api/v1/teams/{team}/members/{member}"),
            &json!({"role": "responder"}),
        )
        .await
        .expect_status(200);
    let pagerduty = owner
        .post(
            &format!("/api/v1/services/{service}/integration-keys"),
            &json!({"name": "pd", "kind": "pagerduty"}),
        )
        .await
        .json();
    app.anonymous()
        .post(
            "/v2/enqueue",
            &json!({"routing_key": pagerduty["secret"], "event_action": "trigger", "dedup_key": "matrix",
                    "payload": {"summary": "matrix", "source": "test", "severity": "error"}}),
        )
        .await
        .expect_status(202);
    let alerts = owner
        .get(&format!("/api/v1/alerts?service_id={service}"))
        .await
        .json();
    let alert = alerts["items"][0]["id"]
        .as_str()
        .expect("alert id")
        .to_owned();
    let incident = alerts["items"][0]["incident_id"]
        .as_str()
        .expect("incident id")
        .to_owned();
    let action_token = action_token(app, &incident).await;
    let other_incident = owner
        .post(
            "/api/v1/incidents",
            &json!({"title": "the primary", "service_id": service, "page": false}),
        )
        .await
        .expect_status(201)
        .json()["id"]
        .as_str()
        .expect("incident id")
        .to_owned();
    owner
        .put(
            &format!("/api/v1/incidents/{incident}/roles/scribe"),
            &json!({"user_id": target_user}),
        )
        .await
        .expect_status(200);
    let regulatory = owner
        .put(
            &format!("/api/v1/incidents/{incident}/regulatory"),
            &json!({"exposure": {"personal_data": true}, "jurisdictions": ["EU"],
                    "owner_user_id": member}),
        )
        .await
        .json();
    let obligation = regulatory["obligations"][0]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("fixture obligation failed: {regulatory}"))
        .to_owned();
    let created_task = owner
        .post(
            &format!("/api/v1/incidents/{incident}/tasks"),
            &json!({"title": "fixture task", "owner_user_id": target_user}),
        )
        .await
        .json();
    let task = created_task["id"]
        .as_str()
        .unwrap_or_else(|| panic!("fixture task failed: {created_task}"))
        .to_owned();
    let invited = owner
        .post(
            &format!("/api/v1/incidents/{incident}/guests"),
            &json!({"name": "Vera", "email": "vera@cdn.example", "organisation": "CDN"}),
        )
        .await
        .json();
    let guest = invited["guest"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("fixture guest failed: {invited}"))
        .to_owned();
    // The caller's own second token, for the revoke route.
    let token_id = match identities.tokens.iter().find(|(w, _)| *w == who) {
        Some((_, token)) => {
            let created = app
                .with_token(token)
                .post("/api/v1/tokens", &json!({"name": "to revoke"}))
                .await;
            (created.status == 201).then(|| id_of(created))
        }
        None => None,
    };
    let silence = id_of(
        owner
            .post(
                "/api/v1/silences",
                &json!({"matchers": [{"name": "case", "value": case.to_string(), "isRegex": false}],
                        "startsAt": "2026-11-27T12:00:00Z", "endsAt": "2026-11-27T14:00:00Z", "comment": "matrix"}),
            )
            .await,
    );
    let window = id_of(
        owner
            .post(
                "/api/v1/maintenance-windows",
                &json!({"services": [service], "schedule": {"kind": "one_off",
                        "starts_at": "2030-01-01T00:00:00Z", "ends_at": "2030-01-01T01:00:00Z"}}),
            )
            .await,
    );
    let schedule = id_of(
        owner
            .post(
                "/api/v1/schedules",
                &schedule_body(&format!("schedule {case}"), &team, &member),
            )
            .await,
    );
    let override_id = id_of(
        owner
            .post(
                &format!("/api/v1/schedules/{schedule}/overrides"),
                &json!({"user_id": member, "start": "2026-11-28T00:00:00Z", "end": "2026-11-28T06:00:00Z"}),
            )
            .await,
    );
    let calendar = owner
        .post(
            &format!("/api/v1/schedules/{schedule}/calendar-subscription"),
            &json!({}),
        )
        .await
        .json();
    let calendar_file = calendar["url"]
        .as_str()
        .and_then(|url| url.rsplit('/').next())
        .expect("calendar url")
        .to_owned();
    let policy = id_of(
        owner
            .post(
                "/api/v1/escalation-policies",
                &policy_body(&format!("policy {case}"), &team, &member),
            )
            .await,
    );
    let role = id_of(
        owner
            .post(
                "/api/v1/incident-roles",
                &role_body(&format!("role_{case}"), &member),
            )
            .await,
    );
    Fixture {
        policy,
        role,
        action_token,
        obligation,
        task,
        guest,
        calendar_name: format!("matrix-{case}"),
        schedule,
        override_id,
        calendar_file,
        silence,
        window,
        team,
        empty_team,
        service,
        key_id: key["id"].as_str().expect("key id").to_owned(),
        key_secret: key["secret"].as_str().expect("key secret").to_owned(),
        alertmanager_key_id: alertmanager["id"]
            .as_str()
            .expect("alertmanager key id")
            .to_owned(),
        alertmanager_secret: alertmanager["secret"]
            .as_str()
            .expect("alertmanager key secret")
            .to_owned(),
        heartbeat_id: heartbeat["id"].as_str().expect("heartbeat id").to_owned(),
        heartbeat_secret: heartbeat["secret"]
            .as_str()
            .expect("heartbeat secret")
            .to_owned(),
        member,
        target_user,
        token_id,
        alert,
        incident,
        other_incident,
    }
}

/// A signed link acknowledging `incident`, as a page would carry.
async fn action_token(app: &TestApp, incident: &str) -> String {
    use tocsin_domain::Clock;
    use tocsin_domain::delivery::{LinkAction, LinkClaim};
    let now = app.clock.now();
    let key = tocsin_engine::outbox::links::signing_key(&app.store, now)
        .await
        .expect("the signing key");
    LinkClaim {
        link_id: uuid::Uuid::now_v7(),
        incident_id: incident.parse().expect("incident id"),
        user_id: None,
        action: LinkAction::Acknowledge,
        expires_at: now + jiff::SignedDuration::from_hours(1),
    }
    .sign(&key)
}

fn concrete(method: &Method, template: &str, f: &Fixture) -> String {
    let team = if *method == Method::DELETE && template == "/api/v1/teams/{id}" {
        &f.empty_team
    } else {
        &f.team
    };
    let id = if template.starts_with("/api/v1/teams") {
        team.as_str()
    } else if template.starts_with("/api/v1/services") {
        f.service.as_str()
    } else if template.starts_with("/api/v1/users") {
        f.target_user.as_str()
    } else if template.starts_with("/api/v1/alerts") {
        f.alert.as_str()
    } else if template.starts_with("/api/v1/incidents") {
        f.incident.as_str()
    } else if template.starts_with("/api/v1/silences") {
        f.silence.as_str()
    } else if template.starts_with("/api/v1/maintenance-windows") {
        f.window.as_str()
    } else if template.starts_with("/api/v1/schedules") {
        f.schedule.as_str()
    } else if template.starts_with("/api/v1/escalation-policies") {
        f.policy.as_str()
    } else if template.starts_with("/api/v1/incident-roles") {
        f.role.as_str()
    } else if template.starts_with("/api/v1/tokens") {
        f.token_id
            .as_deref()
            .unwrap_or("00000000-0000-7000-8000-000000000000")
    } else {
        "validation"
    };
    template
        .replace("{id}", id)
        .replace("{slug}", id)
        .replace("{user_id}", &f.member)
        .replace("{key_id}", &f.key_id)
        .replace("{heartbeat_id}", &f.heartbeat_id)
        .replace("{override_id}", &f.override_id)
        .replace("{file}", &f.calendar_file)
        .replace("{token}", &f.action_token)
        .replace("{obligation_id}", &f.obligation)
        .replace(
            "{name}",
            if *method == Method::GET {
                "us-federal"
            } else {
                &f.calendar_name
            },
        )
        .replace("{kind}", "page")
        .replace("{channel}", "email")
        .replace("{role}", "scribe")
        .replace("{seq}", "1")
        .replace("{task_id}", &f.task)
        .replace("{guest_id}", &f.guest)
        .replace(
            "{key}",
            if template.ends_with("/alertmanager") {
                &f.alertmanager_secret
            } else if template.ends_with("/ping") {
                &f.heartbeat_secret
            } else {
                &f.key_secret
            },
        )
}

/// A schedule owned by `team` with one weekly layer rotating `member`.
fn schedule_body(name: &str, team: &str, member: &str) -> Value {
    json!({
        "name": name, "team_id": team, "time_zone": "UTC",
        "layers": [{"name": "Primary", "starts_at": "2026-11-01T00:00:00Z",
            "rotation": {"participants": [member], "shift": {"weeks": 1},
                "first_handoff": "2026-11-02T09:00", "time_zone": "UTC"}}]
    })
}

/// An incident role with `member` as its backup (no schedule: deleting the fixture's schedule
/// must stay possible).
fn role_body(slug: &str, member: &str) -> Value {
    json!({"slug": slug, "name": "Role", "backup_user_id": member})
}

/// A policy owned by `team` paging `member`.
fn policy_body(name: &str, team: &str, member: &str) -> Value {
    json!({
        "name": name, "team_id": team,
        "steps": [{"delay_minutes": 5, "targets": [{"kind": "user", "user_id": member}]}]
    })
}

fn body(method: &Method, template: &str, case: usize) -> Option<Value> {
    Some(match (method.as_str(), template) {
        ("POST", "/api/v1/escalation-policies") => {
            policy_body(&format!("created policy {case}"), "TEAM", "MEMBER")
        }
        ("PUT", "/api/v1/escalation-policies/{id}") => {
            policy_body(&format!("renamed policy {case}"), "TEAM", "MEMBER")
        }
        ("PUT", "/api/v1/services/{id}/escalation-policy") => json!({"policy_id": "POLICY"}),
        ("PUT", "/api/v1/services/{id}/escalation-routes") => {
            json!({"rules": [{"name": "all", "policy_id": "POLICY"}]})
        }
        ("PUT", "/api/v1/users/{id}/skills") => json!({"skills": ["postgres"]}),
        ("POST", "/api/v1/incident-roles") => {
            json!({"slug": format!("created_role_{case}"), "name": "Created", "backup_user_id": "MEMBER"})
        }
        ("PUT", "/api/v1/incident-roles/{id}") => {
            json!({"slug": format!("renamed_role_{case}"), "name": "Renamed", "backup_user_id": "MEMBER"})
        }
        ("POST", "/api/v1/schedules") => {
            schedule_body(&format!("created schedule {case}"), "TEAM", "MEMBER")
        }
        ("PUT", "/api/v1/schedules/{id}") => {
            schedule_body(&format!("renamed schedule {case}"), "TEAM", "MEMBER")
        }
        ("POST", "/api/v1/schedules/{id}/overrides") => json!({
            "user_id": "MEMBER", "start": "2026-11-29T00:00:00Z", "end": "2026-11-29T06:00:00Z"
        }),
        (
            "POST",
            "/api/v1/schedules/{id}/calendar-subscription"
            | "/api/v1/users/{id}/calendar-subscription",
        ) => {
            json!({})
        }
        ("POST", "/api/v1/tokens") => json!({"name": "matrix"}),
        ("PUT", "/api/v1/incidents/{id}/regulatory") => json!({
            "exposure": {"personal_data": true}, "jurisdictions": ["EU"], "owner_user_id": "MEMBER"
        }),
        ("POST", "/api/v1/incidents/{id}/regulatory/obligations/{obligation_id}/filing") => {
            json!({"reference": "matrix", "approver_user_id": "MEMBER"})
        }
        ("PUT", "/api/v1/holiday-calendars/{name}") => json!({
            "time_zone": "Europe/Paris", "holidays": [{"date": "2026-07-14", "name": "Fête nationale"}]
        }),
        ("POST", "/api/v1/incidents/{id}/reassign") => json!({"user_ids": ["MEMBER"]}),
        ("PUT", "/api/v1/incident-cost-policy") => json!({"hourly_cost_minor": 12_000}),
        ("POST", "/api/v1/incidents/{id}/guests") => {
            json!({"name": "Vera", "email": "vera@cdn.example", "organisation": "CDN"})
        }
        ("POST", "/api/v1/guest/incident/notes") => json!({"body": "hello"}),
        ("PUT", "/api/v1/response-plans") => json!({"plans": [{"key": "major", "name": "Major",
            "when": {"major": true}, "actions": {"tasks": [{"title": "Open the bridge"}]}}]}),
        ("PUT", "/api/v1/incident-ownership-policy") => {
            json!({"rules": [{"rule": "most_upstream_service"}, {"rule": "primary_service"}]})
        }
        ("POST", "/api/v1/incidents/{id}/ownership-disputes") => {
            json!({"claimed_owner_team_id": "TEAM", "reason": "matrix"})
        }
        ("POST", "/api/v1/incidents/{id}/ownership-disputes/{dispute_id}/settlement") => {
            json!({"owner_team_id": "TEAM", "note": "matrix"})
        }
        // `route_setup` handed the incident to the empty team first.
        ("POST", "/api/v1/incidents/{id}/handoffs") => {
            json!({"to_team_id": "TEAM", "note": "over to you"})
        }
        ("PUT", "/api/v1/incident-cadence-policy") => {
            json!({"status_update_minutes": {"P1": 15}, "management_levels": [{"name": "Directors", "user_ids": ["MEMBER"]}]})
        }
        ("POST", "/api/v1/incidents/{id}/delay-justifications") => {
            json!({"reason": "matrix", "until": "2026-11-28T00:00:00Z"})
        }
        ("POST", "/api/v1/incidents") => {
            json!({"title": format!("declared {case}"), "service_id": "SERVICE", "page": false})
        }
        ("PATCH", "/api/v1/incidents/{id}") => json!({"title": "renamed", "tags": ["matrix"]}),
        ("POST", "/api/v1/incidents/{id}/status") => json!({"status": "investigating"}),
        ("POST", "/api/v1/incidents/{id}/merge") => {
            json!({"into_incident_id": "OTHER_INCIDENT", "reason": "a duplicate"})
        }
        ("POST", "/api/v1/incidents/{id}/participants") => json!({"user_id": "MEMBER"}),
        // The fixture's incident has a scribe (the target user): this hands the role over.
        ("PUT", "/api/v1/incidents/{id}/roles/{role}") => {
            json!({"user_id": "MEMBER", "briefing": "over to you"})
        }
        ("POST", "/api/v1/incidents/{id}/milestones/corrections") => {
            json!({"milestone": "detected", "at": null, "reason": "matrix"})
        }
        ("POST", "/api/v1/incidents/{id}/entries") => {
            json!({"kind": "decision", "body": "matrix", "rationale": "matrix"})
        }
        ("POST", "/api/v1/incidents/{id}/tasks") => {
            json!({"title": format!("task {case}"), "owner_user_id": "MEMBER", "due_at": "2026-11-29T00:00:00Z"})
        }
        ("PATCH", "/api/v1/incidents/{id}/tasks/{task_id}") => {
            json!({"status": "in_progress", "due_at": null})
        }
        ("PUT", "/api/v1/incidents/{id}/resolution") => {
            json!({"strategy": "rollback", "reasoning": "matrix"})
        }
        ("POST", "/api/v1/incidents/{id}/recovery-checks") => {
            json!({"kind": "technical", "description": "matrix"})
        }
        ("POST", "/api/v1/incidents/{id}/recovery-checks/{check_id}/confirmation") => {
            json!({"note": "matrix"})
        }
        ("DELETE", "/api/v1/incidents/{id}/recovery-checks/{check_id}/confirmation") => {
            json!({"reason": "matrix"})
        }
        ("PUT", "/api/v1/incidents/{id}/bridge") => {
            json!({"url": "https://meet.example.com/matrix", "meeting_cadence_minutes": 30})
        }
        ("POST", "/api/v1/incidents/{id}/evidence") => json!({
            "kind": "log_excerpt", "title": "matrix", "source": "matrix", "content": "matrix",
            "data_classification": "internal"
        }),
        ("PUT", "/api/v1/evidence-hold-policy") => json!({"hold_days": 365}),
        ("PUT", "/api/v1/priority-policy") => json!({}),
        ("POST", "/api/v1/priority-policy/preview") => json!({"severity": "error"}),
        ("PUT", "/api/v1/incidents/{id}/impact") => json!({"customers_affected": 10}),
        ("PUT", "/api/v1/incidents/{id}/priority") => json!({"priority": "P2", "reason": "matrix"}),
        ("PUT", "/api/v1/incidents/{id}/classification") => json!({"category": "capacity"}),
        ("POST", "/api/v1/incidents/{id}/temporary-p1") => {
            json!({"minutes": 10, "reason": "matrix"})
        }
        ("POST", "/api/v1/incidents/{id}/temporary-p1/confirm") => json!({"reason": "matrix"}),
        ("POST", "/api/v1/taxonomy/proposals") => json!({"taxonomy": matrix_taxonomy()}),
        ("PUT", "/api/v1/notification-templates/{kind}/{channel}") => {
            json!({"subject": "Page {{ incident.number }}", "text": "{{ incident.title }}", "html": "<p>{{ incident.title }}</p>"})
        }
        ("POST", "/api/v1/notification-templates/preview") => {
            json!({"kind": "page", "channel": "sms"})
        }
        ("POST", "/api/v1/me/password") => {
            json!({"current_password": "CURRENT", "new_password": tocsin_testkit::app::TEST_PASSWORD})
        }
        ("POST", "/api/v1/users") => {
            json!({"email": format!("new{case}@example.com"), "name": "New", "role": "observer"})
        }
        ("PATCH", "/api/v1/users/{id}") => json!({"name": "Renamed"}),
        ("POST", "/api/v1/teams") => json!({"name": format!("created {case}")}),
        ("PATCH", "/api/v1/teams/{id}") => json!({"description": "changed"}),
        ("PUT", "/api/v1/teams/{id}/members/{user_id}") => json!({"role": "observer"}),
        ("POST", "/api/v1/services") => {
            json!({"name": format!("created service {case}"), "team_id": "TEAM"})
        }
        ("PATCH", "/api/v1/services/{id}") => json!({"tier": 2}),
        ("POST", "/api/v1/silences") => json!({
            "matchers": [{"name": "case", "value": case.to_string(), "isRegex": false}],
            "startsAt": "2026-11-27T12:00:00Z", "endsAt": "2026-11-27T13:00:00Z", "comment": "matrix"
        }),
        ("PUT", "/api/v1/services/{id}/grouping") => {
            json!({"type": "time_window", "window_seconds": 300})
        }
        ("PUT", "/api/v1/services/{id}/incident-lifecycle") => {
            json!({"stability_window_seconds": 300, "correlate_with_upstream": {"window_seconds": 900}})
        }
        ("PUT", "/api/v1/services/{id}/noise-control") => {
            json!({"transient_pause_seconds": 30, "flap": {"max_changes": 4, "window_seconds": 600}})
        }
        ("POST", "/api/v1/simulate/alert") => json!({
            "integration_key_id": "ALERTMANAGER_KEY",
            "payload": {"version": "4", "status": "firing", "receiver": "matrix",
                        "alerts": [{"status": "firing", "labels": {"alertname": "Simulated"}}]}
        }),
        ("POST", "/api/v1/silences/preview") => {
            json!({"matchers": [{"name": "a", "value": "b", "isRegex": false}]})
        }
        (
            "PUT",
            "/api/v1/alert-rules" | "/api/v1/inhibit-rules" | "/api/v1/services/{id}/alert-rules",
        ) => {
            json!({"rules": []})
        }
        ("POST", "/api/v1/maintenance-windows") => json!({
            "services": ["SERVICE"], "schedule": {"kind": "one_off",
            "starts_at": "2030-02-01T00:00:00Z", "ends_at": "2030-02-01T01:00:00Z"}
        }),
        ("POST", "/api/v1/services/{id}/integration-keys") => {
            json!({"name": "new key", "kind": "alertmanager"})
        }
        ("POST", "/api/v1/integrations/{key}/alertmanager") => json!({
            "version": "4", "status": "firing", "receiver": "matrix",
            "alerts": [{ "status": "firing", "labels": { "alertname": format!("Matrix{case}") } }]
        }),
        ("PUT", "/api/v1/services/{id}/integration-keys/{key_id}/mapping") => {
            json!({"summary": "/title"})
        }
        ("POST", "/api/v1/integrations/{key}/generic") => json!({"summary": "matrix"}),
        ("POST", "/api/v1/services/{id}/heartbeats") => {
            json!({"name": "new heartbeat", "interval_secs": 300, "grace_secs": 60})
        }
        ("PATCH", "/api/v1/services/{id}/heartbeats/{heartbeat_id}") => json!({"grace_secs": 5}),
        _ => return None,
    })
}

/// The routes about how a user is reached (contact methods, rules, quiet hours, handoff notices,
/// plan) and on which clock (time zone).
fn is_people_route(path: &str) -> bool {
    [
        "contact-methods",
        "notification-rules",
        "notification-plan",
        "quiet-hours",
        "handoff-notices",
        "time-zone",
    ]
    .iter()
    .any(|part| path.starts_with(&format!("/api/v1/users/{{id}}/{part}")))
}

/// A people route's objects: a verified webhook method of the target user (so it has the
/// automatic rule), with a second code pending. Answers (method id, rule id, pending code).
async fn people_fixture(app: &TestApp, sink: &WebhookSink, user: &str, case: usize) -> [String; 3] {
    let owner = app.owner();
    let hook = format!("/people/{case}");
    let base = format!("/api/v1/users/{user}/contact-methods");
    let method = id_of(
        owner
            .post(
                &base,
                &json!({"channel": "webhook", "address": sink.url(&hook)}),
            )
            .await,
    );
    let code = || {
        let requests = sink.requests();
        let text = requests
            .iter()
            .rev()
            .find(|r| r.path == hook)
            .map(|r| r.body_text())
            .expect("a code was delivered");
        let start = text.find("code is ").expect("a code") + "code is ".len();
        text[start..].chars().take(6).collect::<String>()
    };
    let request = format!("{base}/{method}/verification");
    owner.post(&request, &json!({})).await.expect_status(200);
    owner
        .post(&format!("{base}/{method}/verify"), &json!({"code": code()}))
        .await
        .expect_status(200);
    owner.post(&request, &json!({})).await.expect_status(200);
    let rules = owner
        .get(&format!("/api/v1/users/{user}/notification-rules"))
        .await
        .json();
    let rule = rules["items"][0]["id"]
        .as_str()
        .expect("automatic rule")
        .to_owned();
    [method, rule, code()]
}

fn people_body(method: &Method, template: &str, case: usize) -> Option<Value> {
    let prefix = "/api/v1/users/{id}";
    Some(match (method.as_str(), template.strip_prefix(prefix)?) {
        ("POST", "/contact-methods") => {
            json!({"channel": "email", "address": format!("new{case}@example.com")})
        }
        ("PATCH", "/contact-methods/{method_id}") => json!({"label": "renamed"}),
        ("POST", "/contact-methods/{method_id}/verify") => json!({"code": "CODE"}),
        ("POST", "/notification-rules") => {
            json!({"contact_method_id": "METHOD", "urgency": "low", "delay_minutes": 7})
        }
        ("PUT", "/quiet-hours") => json!({"start": "22:00", "end": "07:00", "days": ["mon"]}),
        ("PUT", "/handoff-notices") => json!({"on_call_start": true, "on_call_end": false}),
        ("PUT", "/time-zone") => json!({"time_zone": "Europe/Berlin"}),
        _ => return None,
    })
}

fn client_for(app: &TestApp, identities: &Identities, who: Who, fixture: &Fixture) -> Client {
    match who {
        Anonymous => app.anonymous(),
        IntegrationKey => app.with_token(&fixture.key_secret),
        _ => {
            let token = identities
                .tokens
                .iter()
                .find(|(w, _)| *w == who)
                .map(|(_, t)| t.clone())
                .expect("identity");
            app.with_token(&token)
        }
    }
}

fn is_denial(response: &TestResponse) -> bool {
    let problem = response.json()["type"]
        .as_str()
        .map(str::to_owned)
        .unwrap_or_default();
    response.status == 401
        || (response.status == 403
            && matches!(
                problem.as_str(),
                "/problems/forbidden" | "/problems/unauthenticated"
            ))
}

/// The taxonomy the matrix proposes: it keeps the category and attribution other cases use.
fn matrix_taxonomy() -> Value {
    json!({"categories": [{"slug": "capacity", "name": "Capacity"}],
           "attributions": [{"slug": "system_failure", "name": "System failure"}]})
}

/// Approvals run one at a time: a version older than the current one cannot be approved.
static APPROVALS: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// What a route needs beyond the fixture: a running temporary P1 to confirm; a proposal by
/// another admin to approve (its version goes into the path); a recovery check to confirm (or,
/// confirmed, to withdraw); an evidence item.
async fn route_setup(
    app: &TestApp,
    identities: &Identities,
    (method, template): (&Method, &str),
    who: Who,
    fixture: &Fixture,
    path: String,
) -> String {
    if template == "/api/v1/incidents/{id}/temporary-p1/confirm" {
        app.owner()
            .post(
                &format!("/api/v1/incidents/{}/temporary-p1", fixture.incident),
                &json!({"minutes": 10, "reason": "to confirm"}),
            )
            .await
            .expect_status(200);
    }
    if template == "/api/v1/incidents/{id}/handoffs" {
        app.owner()
            .post(
                &format!("/api/v1/incidents/{}/handoffs", fixture.incident),
                &json!({"to_team_id": fixture.empty_team, "note": "first"}),
            )
            .await
            .expect_status(201);
    }
    if template == "/api/v1/incidents/{id}/ownership-disputes/{dispute_id}/settlement" {
        let dispute = id_of(
            app.owner()
                .post(
                    &format!("/api/v1/incidents/{}/ownership-disputes", fixture.incident),
                    &json!({"claimed_owner_team_id": fixture.empty_team, "reason": "ours"}),
                )
                .await,
        );
        return path.replace("{dispute_id}", &dispute);
    }
    if template.contains("{check_id}") {
        // A check of its own (confirmed, for withdrawing its confirmation).
        let incident = &fixture.incident;
        let check = app
            .owner()
            .post(
                &format!("/api/v1/incidents/{incident}/recovery-checks"),
                &json!({"kind": "business", "description": "matrix check"}),
            )
            .await
            .expect_status(201)
            .json();
        let check = check["id"].as_str().expect("a check id").to_owned();
        let path = path.replace("{check_id}", &check);
        if *method == Method::DELETE {
            app.owner().post(&path, &json!({})).await.expect_status(200);
        }
        return path;
    }
    if template.contains("{evidence_id}") {
        let incident = &fixture.incident;
        let item = app
            .owner()
            .post(
                &format!("/api/v1/incidents/{incident}/evidence"),
                &json!({"kind": "log_excerpt", "title": "matrix item", "source": "matrix",
                        "content": "matrix", "data_classification": "internal"}),
            )
            .await
            .expect_status(201)
            .json();
        return path.replace("{evidence_id}", item["id"].as_str().expect("an item id"));
    }
    if template == "/api/v1/taxonomy/proposals/{version}/approve" {
        let proposer = if who == Owner {
            let admin = identities.tokens.iter().find(|(w, _)| *w == Admin);
            app.with_token(&admin.expect("an admin").1)
        } else {
            app.owner()
        };
        let proposal = proposer
            .post(
                "/api/v1/taxonomy/proposals",
                &json!({"taxonomy": matrix_taxonomy()}),
            )
            .await
            .expect_status(201)
            .json();
        let version = proposal["version"].as_i64().expect("a version");
        return path.replace("{version}", &version.to_string());
    }
    path
}

/// Sends one route as one identity; `Some(reason)` when the answer contradicts the expectation.
async fn check_case(
    app: &TestApp,
    identities: &Identities,
    case: usize,
    spec: &RouteSpec,
    who: Who,
) -> Option<String> {
    let permitted: BTreeSet<Who> = allowed(&spec.method, spec.path)
        .unwrap_or_default()
        .iter()
        .copied()
        .collect();
    let fixture = make_fixture(app, identities, who, case).await;
    let client = client_for(app, identities, who, &fixture);
    let mut path = concrete(&spec.method, spec.path, &fixture);
    let mut people = [String::new(), String::new(), String::new()];
    if is_people_route(spec.path) {
        people = people_fixture(app, &identities.sink, &fixture.target_user, case).await;
        path = path
            .replace("{method_id}", &people[0])
            .replace("{rule_id}", &people[1]);
    }
    let _approval = if spec.path.ends_with("/approve") {
        Some(APPROVALS.lock().await)
    } else {
        None
    };
    path = route_setup(
        app,
        identities,
        (&spec.method, spec.path),
        who,
        &fixture,
        path,
    )
    .await;
    let request_body =
        body(&spec.method, spec.path, case).or_else(|| people_body(&spec.method, spec.path, case));
    let response = match request_body {
        Some(json) => {
            let current = if who == Owner {
                app.owner.password.as_str()
            } else {
                tocsin_testkit::app::TEST_PASSWORD
            };
            let text = json
                .to_string()
                .replace("\"TEAM\"", &format!("\"{}\"", fixture.team))
                .replace("\"SERVICE\"", &format!("\"{}\"", fixture.service))
                .replace("\"MEMBER\"", &format!("\"{}\"", fixture.member))
                .replace("\"POLICY\"", &format!("\"{}\"", fixture.policy))
                .replace(
                    "\"OTHER_INCIDENT\"",
                    &format!("\"{}\"", fixture.other_incident),
                )
                .replace(
                    "\"ALERTMANAGER_KEY\"",
                    &format!("\"{}\"", fixture.alertmanager_key_id),
                )
                .replace("\"CURRENT\"", &format!("\"{current}\""))
                .replace("\"METHOD\"", &format!("\"{}\"", people[0]))
                .replace("\"CODE\"", &format!("\"{}\"", people[2]));
            let json: Value = serde_json::from_str(&text).expect("valid body");
            client.json(spec.method.clone(), &path, &json, &[]).await
        }
        None if spec.path == "/login" && spec.method == Method::POST => {
            client
                .form(
                    &path,
                    &[
                        ("email", "x@example.com"),
                        ("password", "x"),
                        ("csrf_token", "x"),
                    ],
                )
                .await
        }
        None if spec.path == "/logout" => client.form(&path, &[("csrf_token", "x")]).await,
        None => client.send(spec.method.clone(), &path, None, &[]).await,
    };
    let denied = is_denial(&response);
    let should_allow = permitted.contains(&who);
    let api = spec.path.starts_with("/api/v1");
    let ok = if should_allow {
        // Allowed API calls with valid input succeed outright.
        !denied && (!api || (200..300).contains(&response.status))
    } else {
        denied && response.status == if who == Anonymous { 401 } else { 403 }
    };
    (!ok).then(|| {
        format!(
            "{} {} as {who:?}: expected {}, got {} {}",
            spec.method,
            spec.path,
            if should_allow { "allow" } else { "deny" },
            response.status,
            response.text.chars().take(160).collect::<String>()
        )
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_route_allows_exactly_the_intended_callers() {
    let app = spawn_app().await;
    let identities = make_identities(&app).await;
    let specs = tocsin_server::router::specs();
    let missing: Vec<String> = specs
        .iter()
        .filter(|s| allowed(&s.method, s.path).is_none())
        .map(|s| format!("{} {}", s.method, s.path))
        .collect();
    assert!(
        missing.is_empty(),
        "routes without an access expectation: {missing:?}"
    );

    let mut cases = Vec::new();
    for spec in &specs {
        for &who in EVERYONE {
            cases.push((cases.len(), spec.clone(), who));
        }
    }
    let (app_ref, identities_ref) = (&app, &identities);
    let failures: Vec<String> = futures::stream::iter(cases)
        .map(|(case, spec, who)| async move {
            check_case(app_ref, identities_ref, case, &spec, who).await
        })
        .buffer_unordered(24)
        .filter_map(|failure| async move { failure })
        .collect()
        .await;
    assert!(
        failures.is_empty(),
        "{} access failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
    app.shutdown().await;
}
