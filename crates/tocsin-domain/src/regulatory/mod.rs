//! Regulatory clocks: when an incident exposed data or was flagged (material, major ICT,
//! significant) in a jurisdiction, reporting obligations start with their deadlines (GDPR Art. 33,
//! HIPAA, SEC Form 8-K Item 1.05, NIS2, DORA). Which regimes apply and why ([`applicable`]), each
//! obligation's clock from its start instant ([`clock_of`]), business days over a holiday
//! calendar ([`HolidayCalendar`]), and the reminder and escalation stages ([`stages`]).
pub mod alerts;
pub mod applies;
pub mod business_days;
pub mod deadline;
pub mod regime;

pub use alerts::{
    ObligationState, Stage, StageKind, Status, due_stage, next_stage_at, stages, state,
};
pub use applies::{Applicability, Exposure, applicable, parse_jurisdiction};
pub use business_days::{BusinessDayError, HolidayCalendar};
pub use deadline::{Clock, DeadlineError, StartInstants, clock_of};
pub use regime::{DeadlineRule, ObligationSpec, Regime, StartEvent, US_FEDERAL};

/// One obligation of a regime that applies, and its clock when its start is known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Planned {
    pub regime: Regime,
    pub spec: &'static ObligationSpec,
    /// Why the regime applies.
    pub why: String,
    pub clock: Result<Clock, DeadlineError>,
}

/// Every obligation of every regime that applies to `exposure` in `jurisdictions`, each with its
/// clock from `starts` (an error says why it has none yet).
pub fn plan<'a>(
    exposure: &Exposure,
    jurisdictions: &[String],
    starts: &StartInstants,
    calendar: impl Fn(&str) -> Option<&'a HolidayCalendar> + Copy,
) -> Vec<Planned> {
    applicable(exposure, jurisdictions)
        .into_iter()
        .filter(|decision| decision.applies)
        .flat_map(|decision| {
            decision
                .regime
                .obligations()
                .iter()
                .map(move |spec| Planned {
                    regime: decision.regime,
                    spec,
                    why: decision.why.clone(),
                    clock: clock_of(spec, starts, calendar),
                })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_plan_lists_each_applying_obligation_with_its_clock_or_why_not_yet() {
        let exposure = Exposure {
            personal_data: true,
            major_ict_incident: true,
            ..Exposure::default()
        };
        let starts = StartInstants {
            awareness_at: Some("2026-11-27T12:00:00Z".parse().expect("an instant")),
            ..StartInstants::default()
        };
        let planned = plan(&exposure, &["EU".to_owned()], &starts, |_| None);
        let summary: Vec<(&str, &str, bool)> = planned
            .iter()
            .map(|p| (p.regime.as_str(), p.spec.key, p.clock.is_ok()))
            .collect();
        assert_eq!(
            summary,
            [
                ("GDPR_ART33", "notification", true),
                ("DORA", "initial_notification", false),
                ("DORA", "intermediate_report", false),
                ("DORA", "final_report", false),
            ]
        );
        assert_eq!(
            planned[1].clock,
            Err(DeadlineError::NotStarted(StartEvent::Classification))
        );
    }
}
