-- Idempotency keys of creates.
--
-- A client that sends a create again after losing the answer (the
-- Idempotency-Key header) gets the record it created the first time
-- instead of a second one. client_key is the key a record was created
-- with, NULL when none; it is unique per person and kind of record (one
-- constraint per table), and NULL may repeat (NULLS DISTINCT, the
-- default). The constraint, not a read before the insert, is what keeps
-- two concurrent creates with one key from both storing.

-- +goose Up
ALTER TABLE assessments ADD COLUMN client_key text;
ALTER TABLE assessments ADD CONSTRAINT assessments_client_key UNIQUE (person_id, client_key);

ALTER TABLE diary_entries ADD COLUMN client_key text;
ALTER TABLE diary_entries ADD CONSTRAINT diary_entries_client_key UNIQUE (person_id, client_key);

ALTER TABLE interventions ADD COLUMN client_key text;
ALTER TABLE interventions ADD CONSTRAINT interventions_client_key UNIQUE (person_id, client_key);

-- +goose Down
ALTER TABLE interventions DROP COLUMN client_key;
ALTER TABLE diary_entries DROP COLUMN client_key;
ALTER TABLE assessments DROP COLUMN client_key;
