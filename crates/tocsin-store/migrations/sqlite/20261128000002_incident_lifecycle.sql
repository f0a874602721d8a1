-- Incident lifecycle (sqlite): when an incident whose alerts have all resolved resolves itself
-- (the service's stability window), found by the engine's earliest-deadline query; and a
-- service's recently resolved incidents, found when a re-trigger may reopen one.
ALTER TABLE incidents ADD COLUMN resolve_due_at INTEGER;
CREATE INDEX incidents_by_resolve_due ON incidents (resolve_due_at) WHERE resolve_due_at IS NOT NULL;
CREATE INDEX incidents_by_service_resolved ON incidents (service_id, resolved_at);
