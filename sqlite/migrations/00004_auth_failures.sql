-- Failed sign-in attempts, for the rate limits.
--
-- One row per failure: key is what the attempt counts against (an
-- account, a client address, for one limit), as the application derives
-- it — a SHA-256 hash, never the text that was typed — and at is when it
-- happened (INTEGER microseconds). Every process that serves the database
-- counts the same rows, and restarts forget nothing. A successful sign-in
-- deletes its account's rows; rows older than the longest window are
-- deleted now and then, so the table stays small.

-- +goose Up
CREATE TABLE auth_failures (
	id  INTEGER PRIMARY KEY,
	key BLOB    NOT NULL CHECK (typeof(key) = 'blob' AND length(key) > 0),
	at  INTEGER NOT NULL
);
-- Counting one key's recent failures, newest first.
CREATE INDEX auth_failures_key ON auth_failures (key, at);
-- Pruning old failures of every key.
CREATE INDEX auth_failures_at ON auth_failures (at);

-- +goose Down
DROP TABLE auth_failures;
