-- Initial schema.
--
-- Times are INTEGER microseconds since the Unix epoch (UTC). Lists of words
-- (tags, sensations, triggers, quality flags) are JSON arrays in TEXT.
-- Assessment results are the analysis JSON as given (BLOB, bytes kept
-- exactly). Ids use AUTOINCREMENT so that an id is never reused after a
-- delete (the audit log refers to objects by id).

-- +goose Up
CREATE TABLE users (
	id              INTEGER PRIMARY KEY AUTOINCREMENT,
	email           TEXT    NOT NULL,
	-- email_key is the lower-cased email (computed by the application, so
	-- that SQLite and PostgreSQL agree on non-ASCII letters).
	email_key       TEXT    NOT NULL UNIQUE,
	name            TEXT    NOT NULL DEFAULT '',
	role            TEXT    NOT NULL,
	admin           INTEGER NOT NULL DEFAULT 0 CHECK (admin IN (0, 1)),
	created_at      INTEGER NOT NULL,
	height_m        REAL    NOT NULL DEFAULT 0,
	sensor_height_m REAL    NOT NULL DEFAULT 0,
	password_hash   TEXT    NOT NULL DEFAULT ''
);

CREATE TABLE sessions (
	token_hash BLOB    PRIMARY KEY,
	user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	created_at INTEGER NOT NULL,
	expires_at INTEGER NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE api_tokens (
	id           INTEGER PRIMARY KEY AUTOINCREMENT,
	user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	name         TEXT    NOT NULL DEFAULT '',
	token_hash   BLOB    NOT NULL UNIQUE,
	created_at   INTEGER NOT NULL,
	last_used_at INTEGER
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);

CREATE TABLE invitations (
	id          INTEGER PRIMARY KEY AUTOINCREMENT,
	person_id   INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	code_hash   BLOB    NOT NULL UNIQUE,
	note        TEXT    NOT NULL DEFAULT '',
	created_at  INTEGER NOT NULL,
	expires_at  INTEGER NOT NULL,
	accepted_by INTEGER REFERENCES users (id) ON DELETE CASCADE,
	accepted_at INTEGER,
	CHECK ((accepted_by IS NULL) = (accepted_at IS NULL))
);
CREATE INDEX invitations_person ON invitations (person_id);
CREATE INDEX invitations_accepted_by ON invitations (accepted_by);

CREATE TABLE grants (
	person_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	clinician_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	granted_at   INTEGER NOT NULL,
	revoked_at   INTEGER,
	PRIMARY KEY (person_id, clinician_id)
) WITHOUT ROWID;
CREATE INDEX grants_clinician ON grants (clinician_id);

CREATE TABLE assessments (
	id                INTEGER PRIMARY KEY AUTOINCREMENT,
	person_id         INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	test_type         TEXT    NOT NULL,
	placement         TEXT    NOT NULL DEFAULT '',
	device            TEXT    NOT NULL DEFAULT '',
	recorded_at       INTEGER NOT NULL,
	created_at        INTEGER NOT NULL,
	context           TEXT    NOT NULL DEFAULT '',
	tags              TEXT    NOT NULL DEFAULT '[]' CHECK (json_valid(tags)),
	user_agent        TEXT    NOT NULL DEFAULT '',
	source            TEXT    NOT NULL DEFAULT '',
	algorithm_version TEXT    NOT NULL DEFAULT '',
	result            BLOB,
	quality           TEXT    NOT NULL DEFAULT '[]' CHECK (json_valid(quality))
);
-- Listing a person's assessments newest first (the rowid is the last
-- column of every index, so this index is ordered by (person_id, id)).
CREATE INDEX assessments_person ON assessments (person_id);
-- Target of the composite foreign key of assessment_metrics, which keeps
-- the columns it copies from its assessment consistent.
CREATE UNIQUE INDEX assessments_metric_key ON assessments (id, person_id, recorded_at, test_type, device);

-- assessment_metrics holds the scalar results of each assessment, one row
-- per metric. It copies the assessment's person, time, test type and
-- device so that a metric series is one range scan of the primary key
-- (the table is clustered on it: WITHOUT ROWID), without reading the
-- assessments or parsing JSON.
CREATE TABLE assessment_metrics (
	person_id     INTEGER NOT NULL,
	metric        TEXT    NOT NULL,
	recorded_at   INTEGER NOT NULL,
	assessment_id INTEGER NOT NULL,
	value         REAL    NOT NULL CHECK (value BETWEEN -1.7976931348623157e308 AND 1.7976931348623157e308),
	test_type     TEXT    NOT NULL,
	device        TEXT    NOT NULL,
	PRIMARY KEY (person_id, metric, recorded_at, assessment_id),
	UNIQUE (assessment_id, metric),
	FOREIGN KEY (assessment_id, person_id, recorded_at, test_type, device)
		REFERENCES assessments (id, person_id, recorded_at, test_type, device)
		ON DELETE CASCADE ON UPDATE CASCADE
) WITHOUT ROWID;

CREATE TABLE recordings (
	assessment_id INTEGER PRIMARY KEY REFERENCES assessments (id) ON DELETE CASCADE,
	format        TEXT    NOT NULL,
	encoding      TEXT    NOT NULL DEFAULT '',
	data          BLOB    NOT NULL CHECK (length(data) > 0),
	samples       INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE diary_entries (
	id                 INTEGER PRIMARY KEY AUTOINCREMENT,
	person_id          INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	at                 INTEGER NOT NULL,
	created_at         INTEGER NOT NULL,
	severity           INTEGER,
	sensations         TEXT    NOT NULL DEFAULT '[]' CHECK (json_valid(sensations)),
	sensation_other    TEXT    NOT NULL DEFAULT '',
	leg                TEXT    NOT NULL DEFAULT '',
	time_of_day        TEXT    NOT NULL DEFAULT '',
	triggers           TEXT    NOT NULL DEFAULT '[]' CHECK (json_valid(triggers)),
	fatigue            INTEGER,
	-- fall_kind is NULL when the entry records no fall.
	fall_kind          TEXT,
	fall_circumstances TEXT    NOT NULL DEFAULT '',
	fall_injured       INTEGER NOT NULL DEFAULT 0 CHECK (fall_injured IN (0, 1)),
	notes              TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX diary_entries_person ON diary_entries (person_id);

CREATE TABLE interventions (
	id         INTEGER PRIMARY KEY AUTOINCREMENT,
	person_id  INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	kind       TEXT    NOT NULL,
	name       TEXT    NOT NULL DEFAULT '',
	device     TEXT    NOT NULL DEFAULT '',
	start_date INTEGER NOT NULL,
	end_date   INTEGER,
	notes      TEXT    NOT NULL DEFAULT '',
	created_at INTEGER NOT NULL
);
CREATE INDEX interventions_person ON interventions (person_id, start_date);

-- The audit log has no foreign keys: it must outlive what it refers to.
CREATE TABLE audit_events (
	id        INTEGER PRIMARY KEY AUTOINCREMENT,
	at        INTEGER NOT NULL,
	actor_id  INTEGER,
	person_id INTEGER,
	action    TEXT    NOT NULL,
	object    TEXT    NOT NULL DEFAULT '',
	detail    TEXT    NOT NULL DEFAULT '',
	ip        TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX audit_events_person ON audit_events (person_id);
CREATE INDEX audit_events_actor ON audit_events (actor_id);

-- +goose StatementBegin
CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
BEGIN
	SELECT RAISE(ABORT, 'audit_events is append-only');
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
BEGIN
	SELECT RAISE(ABORT, 'audit_events is append-only');
END;
-- +goose StatementEnd

-- +goose Down
DROP TABLE audit_events;
DROP TABLE interventions;
DROP TABLE diary_entries;
DROP TABLE recordings;
DROP TABLE assessment_metrics;
DROP TABLE assessments;
DROP TABLE grants;
DROP TABLE invitations;
DROP TABLE api_tokens;
DROP TABLE sessions;
DROP TABLE users;
