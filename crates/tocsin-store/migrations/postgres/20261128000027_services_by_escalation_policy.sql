-- The services whose default escalation policy is a given one (the console's policy page lists
-- them; routing rules already have escalation_routes_by_policy).
CREATE INDEX services_by_escalation_policy ON services (escalation_policy_id);
