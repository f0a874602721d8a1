-- The home page's "open incidents I am involved in" starts from the person's own rows: their
-- pages by their own index (newest incident first) instead of every open incident checked for a
-- page to them, and each involvement checked against this small index of open incidents.
CREATE INDEX notification_outbox_by_user ON notification_outbox (user_id, incident_id);
CREATE INDEX incidents_open ON incidents (id)
    WHERE status IN ('triggered', 'acknowledged', 'investigating', 'identified', 'monitoring');
