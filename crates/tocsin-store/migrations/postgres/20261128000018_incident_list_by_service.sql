-- The incident list filtered by service (and by service and status), newest first, reads one of
-- these indexes in order instead of walking every incident (1M-incident list bench, issue 5).
CREATE INDEX incidents_by_service ON incidents (service_id, id);
CREATE INDEX incidents_by_service_status_id ON incidents (service_id, status, id);
