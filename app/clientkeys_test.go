package app_test

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"legwork"
	"legwork/app"
)

// auditOf returns the person's audit events about one object, oldest
// first.
func (e *env) auditOf(t *testing.T, object string) []*legwork.AuditEvent {
	t.Helper()
	all, err := e.store.ListAudit(context.Background(), legwork.AuditFilter{PersonID: &e.person.ID})
	if err != nil {
		t.Fatal(err)
	}
	var out []*legwork.AuditEvent
	for i := len(all) - 1; i >= 0; i-- {
		if all[i].Object == object {
			out = append(out, all[i])
		}
	}
	return out
}

// wantAudit checks the events about an object: one create, and one read
// per replay. (Concurrent replays may be audited before the create they
// replay: the create is audited once it is stored.)
func wantAudit(t *testing.T, events []*legwork.AuditEvent, replays int) {
	t.Helper()
	var got []string
	creates, reads := 0, 0
	for _, ev := range events {
		got = append(got, ev.Action+"/"+ev.Detail)
		switch {
		case ev.Action == "create":
			creates++
		case ev.Action == "read" && ev.Detail == "replay":
			reads++
		}
	}
	if creates != 1 || reads != replays || len(events) != 1+replays {
		t.Fatalf("audit events %v, want one create and %d reads (replays)", got, replays)
	}
}

func TestCreateAssessmentIdempotent(t *testing.T) {
	e := newEnv(t)
	ctx := e.as(e.person)
	const key = "3f1c2a9e-8b7d-4c6e-a5f4-1d2e3c4b5a69"
	upload := func(ctx context.Context, personID int64, key string) (*legwork.Assessment, bool, error) {
		return e.app.CreateAssessment(ctx, &app.Upload{PersonID: personID, TestType: legwork.TestT25FW, Placement: "lower_back",
			Format: app.FormatCSV, Data: walkCSV(t, 1), ClientKey: key})
	}
	first, replayed, err := upload(ctx, e.person.ID, key)
	if err != nil || replayed {
		t.Fatalf("first upload: replayed %v, %v", replayed, err)
	}
	if first.ClientKey != key || len(first.Result) == 0 || len(first.Metrics) == 0 {
		t.Fatalf("first upload: %+v", first)
	}
	e.clock.Advance(10e9)
	again, replayed, err := upload(ctx, e.person.ID, key)
	if err != nil || !replayed {
		t.Fatalf("second upload: replayed %v, %v", replayed, err)
	}
	if again.ID != first.ID || !again.CreatedAt.Equal(first.CreatedAt) || !bytes.Equal(again.Result, first.Result) ||
		fmt.Sprint(again.Metrics) != fmt.Sprint(first.Metrics) || !again.HasRaw {
		t.Fatalf("replay %+v\nfirst %+v", again, first)
	}
	list, err := e.store.ListAssessments(context.Background(), legwork.AssessmentFilter{PersonID: e.person.ID})
	if err != nil || len(list) != 1 {
		t.Fatalf("%d assessments stored (%v), want 1", len(list), err)
	}
	wantAudit(t, e.auditOf(t, fmt.Sprintf("assessment:%d", first.ID)), 1)

	// Without a key, every upload is a new assessment.
	for i := range 2 {
		as, replayed, err := upload(ctx, e.person.ID, "")
		if err != nil || replayed || as.ID == first.ID {
			t.Fatalf("upload %d without a key: %+v, replayed %v, %v", i, as, replayed, err)
		}
	}
	// Keys are per person: another person's upload with the same key is
	// theirs. A clinician cannot replay (nor create).
	other := e.mustUser(t, app.SystemContext(context.Background()), "sam@example.org", legwork.RolePerson, false)
	theirs, replayed, err := upload(e.as(other), other.ID, key)
	if err != nil || replayed || theirs.ID == first.ID || theirs.PersonID != other.ID {
		t.Fatalf("another person's upload with the same key: %+v, replayed %v, %v", theirs, replayed, err)
	}
	_, _, err = upload(e.as(e.clinician), e.person.ID, key)
	wantCode(t, err, legwork.EFORBIDDEN)
	list, _ = e.store.ListAssessments(context.Background(), legwork.AssessmentFilter{PersonID: e.person.ID})
	if len(list) != 3 {
		t.Fatalf("%d assessments, want 3", len(list))
	}
}

func TestClientKeyValidation(t *testing.T) {
	e := newEnv(t)
	ctx := e.as(e.person)
	for _, key := range []string{strings.Repeat("k", 101), "schlüssel", "tab\there", "nul\x00", "del\x7f"} {
		_, _, err := e.app.CreateAssessment(ctx, &app.Upload{PersonID: e.person.ID, TestType: legwork.TestWalk, Placement: "lower_back",
			Format: app.FormatCSV, Data: walkCSV(t, 1), ClientKey: key})
		if legwork.ErrorCode(err) != legwork.EINVALID || legwork.ErrorField(err) != app.ClientKeyField {
			t.Errorf("assessment with key %q: %v (field %q), want invalid %s", key, err, legwork.ErrorField(err), app.ClientKeyField)
		}
		_, err = e.app.CreateDiaryEntry(ctx, &legwork.DiaryEntry{PersonID: e.person.ID, Severity: intp(3), ClientKey: key})
		if legwork.ErrorField(err) != app.ClientKeyField {
			t.Errorf("diary entry with key %q: %v", key, err)
		}
		_, err = e.app.CreateIntervention(ctx, &legwork.Intervention{PersonID: e.person.ID, Kind: legwork.InterventionOther, Name: "x",
			StartDate: e.clock.Now(), ClientKey: key})
		if legwork.ErrorField(err) != app.ClientKeyField {
			t.Errorf("intervention with key %q: %v", key, err)
		}
	}
	for _, key := range []string{"a", strings.Repeat("k", 100), "with space and ~!@#$%^&*()"} {
		if err := app.CheckClientKey(key); err != nil {
			t.Errorf("key %q refused: %v", key, err)
		}
	}
	list, _ := e.store.ListDiaryEntries(context.Background(), legwork.DiaryFilter{PersonID: e.person.ID})
	if len(list) != 0 {
		t.Fatalf("%d diary entries stored from refused creates", len(list))
	}
}

func TestCreateDiaryEntryIdempotent(t *testing.T) {
	e := newEnv(t)
	ctx := e.as(e.person)
	const key = "diary-1"
	entry := func(key string) *legwork.DiaryEntry {
		return &legwork.DiaryEntry{PersonID: e.person.ID, Severity: intp(6), Sensations: []string{"jelly"}, Notes: "hot day", ClientKey: key}
	}
	first := entry(key)
	if replayed, err := e.app.CreateDiaryEntry(ctx, first); err != nil || replayed {
		t.Fatalf("first: replayed %v, %v", replayed, err)
	}
	e.clock.Advance(60e9)
	// The replay answers with the stored entry, whatever the body.
	again := entry(key)
	again.Severity, again.Notes = intp(2), "changed my mind"
	if replayed, err := e.app.CreateDiaryEntry(ctx, again); err != nil || !replayed {
		t.Fatalf("again: replayed %v, %v", replayed, err)
	}
	if again.ID != first.ID || *again.Severity != 6 || again.Notes != "hot day" || !again.CreatedAt.Equal(first.CreatedAt) {
		t.Fatalf("replay %+v, want the first entry %+v", again, first)
	}
	wantAudit(t, e.auditOf(t, fmt.Sprintf("diary:%d", first.ID)), 1)
	// Without a key: two entries.
	a, b := entry(""), entry("")
	for _, x := range []*legwork.DiaryEntry{a, b} {
		if replayed, err := e.app.CreateDiaryEntry(ctx, x); err != nil || replayed {
			t.Fatalf("without a key: replayed %v, %v", replayed, err)
		}
	}
	if a.ID == b.ID {
		t.Fatal("two creates without a key made one entry")
	}
	// The same key for an intervention is another record.
	iv := &legwork.Intervention{PersonID: e.person.ID, Kind: legwork.InterventionOther, Name: "fan", StartDate: e.clock.Now(), ClientKey: key}
	if replayed, err := e.app.CreateIntervention(ctx, iv); err != nil || replayed {
		t.Fatalf("intervention with a diary entry's key: replayed %v, %v", replayed, err)
	}
	again2 := &legwork.Intervention{PersonID: e.person.ID, Kind: legwork.InterventionOther, Name: "fan", StartDate: e.clock.Now(), ClientKey: key}
	if replayed, err := e.app.CreateIntervention(ctx, again2); err != nil || !replayed || again2.ID != iv.ID {
		t.Fatalf("intervention again: %+v, replayed %v, %v", again2, replayed, err)
	}
	wantAudit(t, e.auditOf(t, fmt.Sprintf("intervention:%d", iv.ID)), 1)
	list, _ := e.store.ListDiaryEntries(context.Background(), legwork.DiaryFilter{PersonID: e.person.ID})
	if len(list) != 3 {
		t.Fatalf("%d diary entries, want 3", len(list))
	}
}

// racyStore hides records from the ByClientKey lookups the first times
// they are asked, as if a concurrent create with the same key stored its
// record between the app's lookup and its insert.
type racyStore struct {
	legwork.Store
	misses atomic.Int64 // lookups still to miss
}

func (s *racyStore) miss() bool { return s.misses.Add(-1) >= 0 }

func (s *racyStore) AssessmentByClientKey(ctx context.Context, personID int64, key string) (*legwork.Assessment, error) {
	if s.miss() {
		return nil, legwork.Errorf(legwork.ENOTFOUND, "hidden")
	}
	return s.Store.AssessmentByClientKey(ctx, personID, key)
}

func (s *racyStore) DiaryEntryByClientKey(ctx context.Context, personID int64, key string) (*legwork.DiaryEntry, error) {
	if s.miss() {
		return nil, legwork.Errorf(legwork.ENOTFOUND, "hidden")
	}
	return s.Store.DiaryEntryByClientKey(ctx, personID, key)
}

// TestClientKeyConflictReplays: when the insert finds the key taken (the
// lookup before it found nothing), the create answers with the stored
// record; the unique index, not the lookup, prevents the duplicate.
func TestClientKeyConflictReplays(t *testing.T) {
	e := newEnv(t)
	racy := &racyStore{Store: e.store}
	a := app.New(app.Config{Store: racy, Now: e.clock.Now, Rand: rand.NewChaCha8([32]byte{2}), Password: fastPasswords})
	ctx := e.as(e.person)
	const key = "raced"

	first := &legwork.DiaryEntry{PersonID: e.person.ID, Severity: intp(4), ClientKey: key}
	if _, err := e.app.CreateDiaryEntry(ctx, first); err != nil {
		t.Fatal(err)
	}
	racy.misses.Store(1)
	again := &legwork.DiaryEntry{PersonID: e.person.ID, Severity: intp(4), ClientKey: key}
	replayed, err := a.CreateDiaryEntry(ctx, again)
	if err != nil || !replayed || again.ID != first.ID {
		t.Fatalf("create after a missed lookup: %+v, replayed %v, %v", again, replayed, err)
	}
	wantAudit(t, e.auditOf(t, fmt.Sprintf("diary:%d", first.ID)), 1)

	up := &app.Upload{PersonID: e.person.ID, TestType: legwork.TestT25FW, Placement: "lower_back", Format: app.FormatCSV, Data: walkCSV(t, 4), ClientKey: key}
	as, _, err := e.app.CreateAssessment(ctx, up)
	if err != nil {
		t.Fatal(err)
	}
	racy.misses.Store(1)
	got, replayed, err := a.CreateAssessment(ctx, up)
	if err != nil || !replayed || got.ID != as.ID || !bytes.Equal(got.Result, as.Result) {
		t.Fatalf("upload after a missed lookup: %+v, replayed %v, %v", got, replayed, err)
	}
	list, _ := e.store.ListAssessments(context.Background(), legwork.AssessmentFilter{PersonID: e.person.ID})
	if len(list) != 1 {
		t.Fatalf("%d assessments, want 1", len(list))
	}

	// Found neither before nor after the insert (deleted meanwhile): the
	// conflict is reported.
	racy.misses.Store(2)
	_, err = a.CreateDiaryEntry(ctx, &legwork.DiaryEntry{PersonID: e.person.ID, Severity: intp(4), ClientKey: key})
	wantCode(t, err, legwork.ECONFLICT)
}

// TestClientKeyConcurrentCreates: creates with one key at the same time
// store one entry, and every one answers with it.
func TestClientKeyConcurrentCreates(t *testing.T) {
	e := newEnv(t)
	ctx := e.as(e.person)
	const n = 8
	entries := make([]*legwork.DiaryEntry, n)
	replays := make([]bool, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		entries[i] = &legwork.DiaryEntry{PersonID: e.person.ID, Severity: intp(5), ClientKey: "together"}
		wg.Go(func() { replays[i], errs[i] = e.app.CreateDiaryEntry(ctx, entries[i]) })
	}
	wg.Wait()
	created := 0
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("create %d: %v", i, errs[i])
		}
		if !replays[i] {
			created++
		}
		if entries[i].ID != entries[0].ID {
			t.Errorf("create %d answered entry %d, create 0 entry %d", i, entries[i].ID, entries[0].ID)
		}
	}
	list, _ := e.store.ListDiaryEntries(context.Background(), legwork.DiaryFilter{PersonID: e.person.ID})
	if created != 1 || len(list) != 1 {
		t.Fatalf("%d creates not replays, %d entries stored; want 1 and 1", created, len(list))
	}
	wantAudit(t, e.auditOf(t, fmt.Sprintf("diary:%d", list[0].ID)), n-1)
}
