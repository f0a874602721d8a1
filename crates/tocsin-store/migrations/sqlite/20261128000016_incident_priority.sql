-- Incident classification and priority (sqlite): an incident's priority (1..5 for P1..P5) with
-- the rule trail that set it and its source, its category and attribution with the taxonomy
-- version they were chosen from, the initial priority and category (for classification
-- accuracy), whether it is major, a temporary P1 and what it reverts to, its triage state and
-- suggestion, and its business impact inputs. Taxonomy versions: proposed by one admin,
-- approved by another; version 0 is the built-in default and is never stored.
ALTER TABLE incidents ADD COLUMN priority INTEGER;
ALTER TABLE incidents ADD COLUMN priority_reason TEXT; -- JSON array of strings
ALTER TABLE incidents ADD COLUMN priority_source TEXT; -- auto, manual, temporary
ALTER TABLE incidents ADD COLUMN category TEXT;
ALTER TABLE incidents ADD COLUMN attribution TEXT;
ALTER TABLE incidents ADD COLUMN taxonomy_version INTEGER;
ALTER TABLE incidents ADD COLUMN initial_priority INTEGER;
ALTER TABLE incidents ADD COLUMN initial_category TEXT;
ALTER TABLE incidents ADD COLUMN is_major INTEGER NOT NULL DEFAULT 0;
ALTER TABLE incidents ADD COLUMN major_reason TEXT;
ALTER TABLE incidents ADD COLUMN temporary_p1_until INTEGER;
ALTER TABLE incidents ADD COLUMN temporary_p1_previous INTEGER;
ALTER TABLE incidents ADD COLUMN temporary_p1_previous_source TEXT;
ALTER TABLE incidents ADD COLUMN triage_state TEXT NOT NULL DEFAULT 'none'; -- none, applied, needs_review
ALTER TABLE incidents ADD COLUMN triage_suggestion TEXT; -- JSON {category, confidence, reason}
ALTER TABLE incidents ADD COLUMN customers_affected INTEGER;
ALTER TABLE incidents ADD COLUMN revenue_per_hour_minor INTEGER;
ALTER TABLE incidents ADD COLUMN regulatory_exposure INTEGER NOT NULL DEFAULT 0;
ALTER TABLE incidents ADD COLUMN urgency INTEGER; -- 1..3 set by hand; NULL: from the severity
CREATE INDEX incidents_by_temporary_p1 ON incidents (temporary_p1_until) WHERE temporary_p1_until IS NOT NULL;
CREATE INDEX incidents_needing_review ON incidents (id) WHERE triage_state = 'needs_review';
CREATE INDEX incidents_classified ON incidents (id) WHERE category IS NOT NULL;

CREATE TABLE taxonomy_versions (
    version     INTEGER PRIMARY KEY,
    definition  TEXT    NOT NULL, -- JSON {categories, attributions}
    state       TEXT    NOT NULL CHECK (state IN ('proposed', 'approved')),
    note        TEXT    NOT NULL DEFAULT '',
    proposed_by TEXT    NOT NULL,
    proposed_at INTEGER NOT NULL,
    approved_by TEXT,
    approved_at INTEGER
);
