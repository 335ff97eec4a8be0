package app

import (
	"context"
	"fmt"

	"legwork"
)

// Idempotent creates. A client that may send a create again (the web
// app's outbox, after losing the answer) gives it a key of its own, the
// Idempotency-Key header; the record is stored with it (ClientKey). When a
// create arrives with a key the person already has a record of that kind
// with, nothing is created: the create returns the stored record and
// reports a replay. The store's unique index on (person, key) decides
// between creates that race; the lookup before the insert only spares the
// work (an upload's analysis) in the common case.

// ClientKeyField is the name input errors about a client key give: the
// HTTP header that carries it.
const ClientKeyField = "Idempotency-Key"

// MaxClientKeyLen is the longest client key, in bytes.
const MaxClientKeyLen = 100

// CheckClientKey validates a client key: "" (none), or 1 to 100 printable
// ASCII characters (a UUID, say).
func CheckClientKey(key string) error {
	if len(key) > MaxClientKeyLen {
		return legwork.FieldErrorf(ClientKeyField, "must be at most %d characters", MaxClientKeyLen)
	}
	for i := 0; i < len(key); i++ {
		if c := key[i]; c < 0x20 || c > 0x7e {
			return legwork.FieldErrorf(ClientKeyField, "must be printable ASCII characters (letters, digits, punctuation), such as a UUID")
		}
	}
	return nil
}

// replay looks up the person's record of one kind created with the client
// key. When there is one, it audits the replay as a read of that record
// (the create changes nothing) and returns it; it returns nil, nil when
// there is none.
func replay[T any](ctx context.Context, a *App, act *Actor, personID int64, key, kind string,
	lookup func(context.Context, int64, string) (*T, error), id func(*T) int64) (*T, error) {
	old, err := lookup(ctx, personID, key)
	if legwork.ErrorCode(err) == legwork.ENOTFOUND {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if err := a.auditRead(ctx, act, personID, fmt.Sprintf("%s:%d", kind, id(old)), "replay"); err != nil {
		return nil, err
	}
	return old, nil
}

// createOnce runs create, after a lookup of the key when there is one.
// When the person already has a record with the key (found first, or
// stored by a concurrent create, which makes create fail with ECONFLICT),
// it returns that record and true instead; otherwise nil and false.
func createOnce[T any](ctx context.Context, a *App, act *Actor, personID int64, key, kind string,
	lookup func(context.Context, int64, string) (*T, error), id func(*T) int64, create func() error) (*T, bool, error) {
	if key == "" {
		return nil, false, create()
	}
	if old, err := replay(ctx, a, act, personID, key, kind, lookup, id); old != nil || err != nil {
		return old, old != nil, err
	}
	err := create()
	if legwork.ErrorCode(err) != legwork.ECONFLICT {
		return nil, false, err
	}
	// Another create with the key was stored since the lookup.
	old, rerr := replay(ctx, a, act, personID, key, kind, lookup, id)
	if old == nil && rerr == nil {
		// ... and deleted since: report the conflict.
		return nil, false, err
	}
	return old, old != nil, rerr
}
