-- Who last changed a person's weekly plan, and when.
--
-- weekly_plan_changed_by is the account that made the last change (the
-- person or one of their clinicians); NULL when the system made it (the
-- command line), when the plan was never changed, and once that account
-- is deleted (ON DELETE SET NULL: the change keeps its time, the person
-- keeps their plan). weekly_plan_changed_at is when, in microseconds since
-- the Unix epoch (UTC); NULL when the plan was never changed. Accounts
-- that had a plan before this migration have both NULL: nobody knows.

-- +goose Up
ALTER TABLE users ADD COLUMN weekly_plan_changed_by INTEGER REFERENCES users (id) ON DELETE SET NULL;
ALTER TABLE users ADD COLUMN weekly_plan_changed_at INTEGER
	CHECK (weekly_plan_changed_at IS NOT NULL OR weekly_plan_changed_by IS NULL);

-- +goose Down
ALTER TABLE users DROP COLUMN weekly_plan_changed_at;
ALTER TABLE users DROP COLUMN weekly_plan_changed_by;
