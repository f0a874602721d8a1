-- Grouping alerts into incidents (postgres): when an incident last took an alert (content grouping
-- windows slide from it), and finding the open incident of a grouping key.
ALTER TABLE incidents ADD COLUMN last_alert_at BIGINT;
CREATE INDEX incidents_by_grouping ON incidents (service_id, grouping_key);
