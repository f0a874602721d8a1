-- The incident list's priority and creation-time filters (the console's incident list and
-- GET /api/v1/incidents?priority=&created_from=&created_to=) read through an index.
CREATE INDEX incidents_by_priority ON incidents (priority, id);
CREATE INDEX incidents_by_created ON incidents (created_at);
