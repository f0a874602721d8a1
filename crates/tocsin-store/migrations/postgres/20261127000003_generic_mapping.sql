-- The generic JSON webhook's per-key field mapping: a JSON object naming, for summary, severity,
-- dedup_key, action, source and details, a JSON pointer or a template over the body. NULL means
-- the default mapping.
ALTER TABLE integration_keys ADD COLUMN mapping TEXT;
