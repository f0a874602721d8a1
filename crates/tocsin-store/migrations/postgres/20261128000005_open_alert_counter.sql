-- A service's open alerts, counted (postgres): intake compares the count with the service's
-- open-alert cap for every new alert, and counting the rows was proportional to the open alerts.
-- `open_alerts` is the number of the service's alerts whose state is not 'resolved', kept by the
-- store in the same transaction as the alert row that opens or resolves (`alert::open_count`).
-- Not by a trigger: on SQLite a statement that fires a trigger needs a statement journal, which
-- costs more than the count it saves inside the writer's long batch transactions. No foreign
-- key: like alerts, the count outlives a deleted service.
CREATE TABLE service_open_alerts (
    service_id  UUID   PRIMARY KEY,
    open_alerts BIGINT NOT NULL
);

INSERT INTO service_open_alerts (service_id, open_alerts)
    SELECT service_id, COUNT(*) FROM alerts WHERE state <> 'resolved' GROUP BY service_id;

-- Only the count used this index.
DROP INDEX alerts_open_by_service;

-- A service's open incidents, newest first (the fold target at the cap, an incident waiting out
-- its stability window, an upstream service's open incident): without it each of these walked
-- every incident the service ever had. It replaces (service_id, status), which only served these
-- lookups and could not, since they ask for any status but 'resolved'.
CREATE INDEX incidents_open_by_service ON incidents (service_id, id) WHERE status <> 'resolved';
DROP INDEX incidents_by_service_status;

-- The open incident of a grouping key, newest first: the previous index also walked the key's
-- resolved incidents, which only grow, and held every incident opened with grouping off.
DROP INDEX incidents_by_grouping;
CREATE INDEX incidents_open_by_grouping ON incidents (service_id, grouping_key, id)
    WHERE status <> 'resolved' AND grouping_key IS NOT NULL;
