-- The version of a service's escalation routes (its routing rules as one document): raised by
-- each replacement, answered as the ETag of GET /api/v1/services/{id}/escalation-routes and
-- checked against If-Match on PUT, apart from the service's own version.

ALTER TABLE services ADD COLUMN routes_version INTEGER NOT NULL DEFAULT 0;
