-- Idempotency keys of creates.
--
-- A client that sends a create again after losing the answer (the
-- Idempotency-Key header) gets the record it created the first time
-- instead of a second one. client_key is the key a record was created
-- with, NULL when none; it is unique per person and kind of record (one
-- index per table), and NULL may repeat. The unique index, not a read
-- before the insert, is what keeps two concurrent creates with one key
-- from both storing.

-- +goose Up
ALTER TABLE assessments ADD COLUMN client_key TEXT;
CREATE UNIQUE INDEX assessments_client_key ON assessments (person_id, client_key);

ALTER TABLE diary_entries ADD COLUMN client_key TEXT;
CREATE UNIQUE INDEX diary_entries_client_key ON diary_entries (person_id, client_key);

ALTER TABLE interventions ADD COLUMN client_key TEXT;
CREATE UNIQUE INDEX interventions_client_key ON interventions (person_id, client_key);

-- +goose Down
DROP INDEX interventions_client_key;
ALTER TABLE interventions DROP COLUMN client_key;
DROP INDEX diary_entries_client_key;
ALTER TABLE diary_entries DROP COLUMN client_key;
DROP INDEX assessments_client_key;
ALTER TABLE assessments DROP COLUMN client_key;
