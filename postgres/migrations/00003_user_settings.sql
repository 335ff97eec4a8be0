-- An account's time zone and a person's weekly plan.
--
-- time_zone is an IANA name (Europe/Berlin), '' when not set: a person's
-- data is read in it when a request names no zone. weekly_plan is how
-- many times a week the person means to do each test, a JSON object
-- {"t25fw": 3, "balance": 1}; NULL when they have no plan ('{}' is a
-- plan with no tests). The application checks the names and counts.

-- +goose Up
ALTER TABLE users ADD COLUMN time_zone text NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN weekly_plan jsonb CHECK (weekly_plan IS NULL OR jsonb_typeof(weekly_plan) = 'object');

-- +goose Down
ALTER TABLE users DROP COLUMN weekly_plan;
ALTER TABLE users DROP COLUMN time_zone;
