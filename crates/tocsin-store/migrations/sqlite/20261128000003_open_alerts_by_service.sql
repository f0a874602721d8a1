-- Counting a service's open alerts (sqlite): intake compares it with the service's open-alert cap
-- for every new alert, so it must be an index-only count of the open alerts, not a walk over every
-- alert the service ever had.
CREATE INDEX alerts_open_by_service ON alerts (service_id, state) WHERE state <> 'resolved';
