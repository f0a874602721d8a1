//! The OpenAPI 3.1 document, generated from the handlers' annotations and served at
//! `/api/openapi.json`. A snapshot test keeps it from changing by accident.
use axum::Json;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Tocsin API",
        description = "Incident management: alert intake, on-call, incidents, status pages. Errors are RFC 9457 \
                       problem documents; lists are cursor-paginated; configuration objects carry an ETag and \
                       accept If-Match.",
        license(name = "Apache-2.0")
    ),
    paths(
        crate::health::healthz,
        crate::health::readyz,
        crate::health::metrics,
        crate::api::me::me,
        crate::api::password::change,
        crate::api::tokens::list,
        crate::api::tokens::create,
        crate::api::tokens::revoke,
        crate::api::users::list,
        crate::api::users::create,
        crate::api::users::get,
        crate::api::users::update,
        crate::api::teams::list,
        crate::api::teams::create,
        crate::api::teams::get,
        crate::api::teams::update,
        crate::api::teams::delete,
        crate::api::members::list,
        crate::api::members::put,
        crate::api::members::remove,
        crate::api::services::list,
        crate::api::services::create,
        crate::api::services::get,
        crate::api::services::update,
        crate::api::services::delete,
        crate::api::integration_keys::list,
        crate::api::integration_keys::create,
        crate::api::integration_keys::revoke,
        crate::api::key_mapping::put,
        crate::api::heartbeats::list,
        crate::api::heartbeats::create,
        crate::api::heartbeats::get,
        crate::api::heartbeats::update,
        crate::api::heartbeats::delete,
        crate::ingest::heartbeat::ping,
        crate::ingest::generic::receive,
        crate::api::events::team,
        crate::api::events::service,
        crate::api::events::user,
        crate::api::alerts::list,
        crate::api::alerts::get,
        crate::api::alerts::events,
        crate::api::alerts::acknowledge,
        crate::api::alerts::resolve,
        crate::api::incidents::list,
        crate::api::incidents::get,
        crate::api::incidents::events,
        crate::api::incidents::acknowledge,
        crate::api::incidents::resolve,
        crate::api::classification::policy::get,
        crate::api::classification::policy::put,
        crate::api::classification::policy::preview,
        crate::api::classification::incident::impact,
        crate::api::classification::incident::priority,
        crate::api::classification::incident::classification,
        crate::api::classification::incident::temporary_p1,
        crate::api::classification::incident::confirm_temporary_p1,
        crate::api::classification::taxonomy::get,
        crate::api::classification::taxonomy::propose,
        crate::api::classification::taxonomy::approve,
        crate::api::classification::reports::triage_queue,
        crate::api::classification::reports::accuracy,
        crate::api::actions::confirm,
        crate::api::actions::act,
        crate::api::notification_templates::get,
        crate::api::notification_templates::put,
        crate::api::notification_templates::delete,
        crate::api::notification_templates::preview,
        crate::api::silences::list,
        crate::api::silences::create,
        crate::api::silences::preview,
        crate::api::silences::get,
        crate::api::silences::expire,
        crate::api::alerting_config::get_global,
        crate::api::alerting_config::put_global,
        crate::api::alerting_config::get_service,
        crate::api::alerting_config::put_service,
        crate::api::alerting_config::get_grouping,
        crate::api::alerting_config::put_grouping,
        crate::api::incident_lifecycle::get_lifecycle,
        crate::api::incident_lifecycle::put_lifecycle,
        crate::api::noise_control::get_noise,
        crate::api::noise_control::put_noise,
        crate::api::alerting_config::get_inhibit,
        crate::api::alerting_config::put_inhibit,
        crate::api::alerting_config::list_windows,
        crate::api::alerting_config::create_window,
        crate::api::alerting_config::delete_window,
        crate::api::simulate::simulate,
        crate::ingest::alertmanager::webhook,
        crate::api::schedules::crud::list,
        crate::api::schedules::crud::create,
        crate::api::schedules::crud::get,
        crate::api::schedules::crud::replace,
        crate::api::schedules::crud::delete,
        crate::api::schedules::overrides::list,
        crate::api::schedules::overrides::create,
        crate::api::schedules::overrides::delete,
        crate::api::schedules::timeline::shifts,
        crate::api::schedules::timeline::gaps,
        crate::api::schedules::oncall::on_call,
        crate::api::schedules::calendar::subscribe_schedule,
        crate::api::schedules::calendar::subscribe_user,
        crate::api::schedules::calendar::serve,
        crate::api::incident_paging::escalate,
        crate::api::incident_paging::reassign,
        crate::api::escalation::crud::list,
        crate::api::escalation::crud::create,
        crate::api::escalation::crud::get,
        crate::api::escalation::crud::replace,
        crate::api::escalation::crud::delete,
        crate::api::escalation::preview::preview,
        crate::api::escalation::routing::set_policy,
        crate::api::escalation::routing::get_routes,
        crate::api::escalation::routing::put_routes,
        crate::api::escalation::skills::get,
        crate::api::escalation::skills::put,
        crate::api::roles::crud::list,
        crate::api::roles::crud::create,
        crate::api::roles::crud::get,
        crate::api::roles::crud::replace,
        crate::api::roles::crud::delete,
        crate::api::roles::staffing::staffing,
        crate::api::events::incident_role,
        crate::api::events::escalation_policy,
        crate::api::events::schedule,
        crate::api::contacts::methods::list,
        crate::api::contacts::methods::create,
        crate::api::contacts::methods::get,
        crate::api::contacts::methods::update,
        crate::api::contacts::methods::delete,
        crate::api::contacts::verification::request,
        crate::api::contacts::verification::verify,
        crate::api::contacts::verification::test,
        crate::api::contacts::rules::list,
        crate::api::contacts::rules::create,
        crate::api::contacts::rules::delete,
        crate::api::contacts::quiet::get,
        crate::api::contacts::quiet::put,
        crate::api::contacts::quiet::delete,
        crate::api::contacts::handoff::get,
        crate::api::contacts::handoff::put,
        crate::api::contacts::plan::preview,
    ),
    components(schemas(crate::error::ProblemBody, crate::error::FieldErrorSchema)),
    modifiers(&BearerAuth),
    tags(
        (name = "operations", description = "Health, readiness and metrics"),
        (name = "access", description = "Who you are, API tokens"),
        (name = "catalog", description = "Teams, users, services and their dependencies"),
        (name = "alerts", description = "Alerts from monitoring tools and the incidents they open"),
        (name = "incidents", description = "Incident priority, classification, taxonomy, triage and major incidents"),
        (name = "heartbeats", description = "Heartbeat monitors: a missed ping deadline opens an alert"),
        (name = "intake", description = "Alerts from monitoring tools, authenticated by an integration key"),
        (name = "people", description = "How people are reached: contact methods and their verification, notification rules, quiet hours"),
        (name = "oncall", description = "On-call schedules, overrides, escalation policies and routing rules, skills, who is on call or would be paged and why, gaps, calendar feeds"),
        (name = "oncall", description = "On-call schedules, overrides, who is on call and why, gaps, calendar feeds"),
        (name = "notifications", description = "Signed action links from pages, and the message templates notifications render with"),
    )
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "A personal API token (tocsin_pat_...) created at /api/v1/tokens",
                    ))
                    .build(),
            ),
        );
    }
}

/// The OpenAPI document.
pub fn document() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}

/// Serves the OpenAPI document.
pub async fn serve() -> Json<utoipa::openapi::OpenApi> {
    Json(document())
}
