package app

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"legwork"
)

// Diary field values.
var (
	legs       = []string{"left", "right", "both"}
	timesOfDay = []string{"morning", "afternoon", "evening", "night"}
	fallKinds  = []string{"fall", "near_fall"}
)

// checkDiary validates and normalises an entry; now bounds its time.
func checkDiary(e *legwork.DiaryEntry, now time.Time) error {
	if e.At.IsZero() {
		e.At = now
	}
	e.At = e.At.UTC()
	if err := checkTime("at", e.At, now); err != nil {
		return err
	}
	if e.Severity != nil && (*e.Severity < 0 || *e.Severity > 10) {
		return legwork.FieldErrorf("severity", "must be from 0 (none) to 10 (worst)")
	}
	if e.Fatigue != nil && (*e.Fatigue < 0 || *e.Fatigue > 10) {
		return legwork.FieldErrorf("fatigue", "must be from 0 (none) to 10 (worst)")
	}
	var sens []string
	for _, s := range e.Sensations {
		if !slices.Contains(legwork.Sensations, s) {
			return legwork.FieldErrorf("sensations", "%q is not one of %s (use sensation_other for your own words)", s, strings.Join(legwork.Sensations, ", "))
		}
		if !slices.Contains(sens, s) {
			sens = append(sens, s)
		}
	}
	e.Sensations = sens
	e.SensationOther = strings.TrimSpace(e.SensationOther)
	if err := checkText("sensation_other", e.SensationOther, 0, 500); err != nil {
		return err
	}
	if e.Leg != "" && !slices.Contains(legs, e.Leg) {
		return legwork.FieldErrorf("leg", "must be left, right or both")
	}
	if e.TimeOfDay != "" && !slices.Contains(timesOfDay, e.TimeOfDay) {
		return legwork.FieldErrorf("time_of_day", "must be morning, afternoon, evening or night")
	}
	var trig []string
	for _, t := range e.Triggers {
		if !slices.Contains(legwork.Triggers, t) {
			return legwork.FieldErrorf("triggers", "%q is not one of %s", t, strings.Join(legwork.Triggers, ", "))
		}
		if !slices.Contains(trig, t) {
			trig = append(trig, t)
		}
	}
	e.Triggers = trig
	if f := e.Fall; f != nil {
		if !slices.Contains(fallKinds, f.Kind) {
			return legwork.FieldErrorf("fall.kind", "must be fall or near_fall")
		}
		f.Circumstances = strings.TrimSpace(f.Circumstances)
		if err := checkText("fall.circumstances", f.Circumstances, 0, 2000); err != nil {
			return err
		}
	}
	e.Notes = strings.TrimSpace(e.Notes)
	if err := checkText("notes", e.Notes, 0, 5000); err != nil {
		return err
	}
	if e.Severity == nil && e.Fatigue == nil && len(e.Sensations) == 0 && e.SensationOther == "" &&
		len(e.Triggers) == 0 && e.Fall == nil && e.Notes == "" {
		return legwork.FieldErrorf("severity", "an entry needs at least a severity, fatigue, a sensation, a trigger, a fall or a note")
	}
	return nil
}

// CreateDiaryEntry records a symptom check-in for the person. When
// e.ClientKey is set and the person already has an entry created with
// that key, nothing is created: e is set to that entry and replayed is
// true (see CheckClientKey).
func (a *App) CreateDiaryEntry(ctx context.Context, e *legwork.DiaryEntry) (replayed bool, err error) {
	act, err := a.authorize(ctx, e.PersonID, writeAccess, "diary")
	if err != nil {
		return false, err
	}
	if err := CheckClientKey(e.ClientKey); err != nil {
		return false, err
	}
	old, replayed, err := createOnce(ctx, a, act, e.PersonID, e.ClientKey, "diary", a.store.DiaryEntryByClientKey,
		func(e *legwork.DiaryEntry) int64 { return e.ID },
		func() error {
			now := a.now().UTC()
			if err := checkDiary(e, now); err != nil {
				return err
			}
			e.ID = 0
			e.CreatedAt = now
			return a.store.WithTx(ctx, func(tx legwork.Tx) error {
				if err := tx.CreateDiaryEntry(ctx, e); err != nil {
					return err
				}
				return a.auditWrite(ctx, tx, act, e.PersonID, "create", fmt.Sprintf("diary:%d", e.ID), "")
			})
		})
	if err != nil {
		return false, err
	}
	if replayed {
		*e = *old
		return true, nil
	}
	return false, nil
}

// DiaryEntry returns one of the person's diary entries.
func (a *App) DiaryEntry(ctx context.Context, personID, id int64) (*legwork.DiaryEntry, error) {
	act, err := a.authorize(ctx, personID, readAccess, "diary")
	if err != nil {
		return nil, err
	}
	e, err := a.diaryEntryOf(ctx, personID, id)
	if err != nil {
		return nil, err
	}
	if err := a.auditRead(ctx, act, personID, fmt.Sprintf("diary:%d", id), ""); err != nil {
		return nil, err
	}
	return e, nil
}

func (a *App) diaryEntryOf(ctx context.Context, personID, id int64) (*legwork.DiaryEntry, error) {
	e, err := a.store.DiaryEntry(ctx, id)
	if err != nil {
		return nil, err
	}
	if e.PersonID != personID {
		return nil, legwork.Errorf(legwork.ENOTFOUND, "no such diary entry")
	}
	return e, nil
}

// ListDiaryEntries lists the person's diary, newest first.
func (a *App) ListDiaryEntries(ctx context.Context, f legwork.DiaryFilter) ([]*legwork.DiaryEntry, error) {
	act, err := a.authorize(ctx, f.PersonID, readAccess, "diary")
	if err != nil {
		return nil, err
	}
	if err := checkRange(f.From, f.To); err != nil {
		return nil, err
	}
	if f.Page, err = checkPage(f.Page); err != nil {
		return nil, err
	}
	if err := a.auditRead(ctx, act, f.PersonID, "diary", ""); err != nil {
		return nil, err
	}
	return a.store.ListDiaryEntries(ctx, f)
}

// UpdateDiaryEntry replaces a diary entry (ID and PersonID select it).
func (a *App) UpdateDiaryEntry(ctx context.Context, e *legwork.DiaryEntry) error {
	act, err := a.authorize(ctx, e.PersonID, writeAccess, "diary")
	if err != nil {
		return err
	}
	old, err := a.diaryEntryOf(ctx, e.PersonID, e.ID)
	if err != nil {
		return err
	}
	if err := checkDiary(e, a.now().UTC()); err != nil {
		return err
	}
	e.CreatedAt = old.CreatedAt
	return a.store.WithTx(ctx, func(tx legwork.Tx) error {
		if err := tx.UpdateDiaryEntry(ctx, e); err != nil {
			return err
		}
		return a.auditWrite(ctx, tx, act, e.PersonID, "update", fmt.Sprintf("diary:%d", e.ID), "")
	})
}

// DeleteDiaryEntry deletes a diary entry.
func (a *App) DeleteDiaryEntry(ctx context.Context, personID, id int64) error {
	act, err := a.authorize(ctx, personID, writeAccess, "diary")
	if err != nil {
		return err
	}
	if _, err := a.diaryEntryOf(ctx, personID, id); err != nil {
		return err
	}
	return a.store.WithTx(ctx, func(tx legwork.Tx) error {
		if err := tx.DeleteDiaryEntry(ctx, id); err != nil {
			return err
		}
		return a.auditWrite(ctx, tx, act, personID, "delete", fmt.Sprintf("diary:%d", id), "")
	})
}
