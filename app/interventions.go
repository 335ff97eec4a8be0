package app

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"legwork"
)

// checkIntervention validates and normalises an intervention.
func checkIntervention(iv *legwork.Intervention, now time.Time) error {
	if !slices.Contains(legwork.InterventionKinds, iv.Kind) {
		return legwork.FieldErrorf("kind", "must be one of %s", joinStrings(legwork.InterventionKinds))
	}
	iv.Name = strings.TrimSpace(iv.Name)
	if err := checkText("name", iv.Name, 1, 200); err != nil {
		return err
	}
	if iv.Kind == legwork.InterventionAssistiveDevice {
		if !slices.Contains(legwork.AssistiveDevices, iv.Device) || iv.Device == legwork.DeviceNone {
			return legwork.FieldErrorf("device", "must name the walking aid: one of %s", joinStrings(legwork.AssistiveDevices[1:]))
		}
	} else if iv.Device != "" {
		return legwork.FieldErrorf("device", "is only for assistive_device interventions")
	}
	if iv.StartDate.IsZero() {
		return legwork.FieldErrorf("start_date", "is required")
	}
	iv.StartDate = dateOf(iv.StartDate)
	if err := checkTime("start_date", iv.StartDate, now.Add(366*24*time.Hour)); err != nil {
		return err
	}
	if iv.EndDate != nil {
		end := dateOf(*iv.EndDate)
		if end.Before(iv.StartDate) {
			return legwork.FieldErrorf("end_date", "is before the start date")
		}
		iv.EndDate = &end
	}
	iv.Notes = strings.TrimSpace(iv.Notes)
	return checkText("notes", iv.Notes, 0, 5000)
}

// dateOf returns the UTC midnight of t's calendar date (in t's own zone).
func dateOf(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// CreateIntervention records an intervention for the person. When
// iv.ClientKey is set and the person already has an intervention created
// with that key, nothing is created: iv is set to that intervention and
// replayed is true (see CheckClientKey).
func (a *App) CreateIntervention(ctx context.Context, iv *legwork.Intervention) (replayed bool, err error) {
	act, err := a.authorize(ctx, iv.PersonID, writeAccess, "interventions")
	if err != nil {
		return false, err
	}
	if err := CheckClientKey(iv.ClientKey); err != nil {
		return false, err
	}
	old, replayed, err := createOnce(ctx, a, act, iv.PersonID, iv.ClientKey, "intervention", a.store.InterventionByClientKey,
		func(iv *legwork.Intervention) int64 { return iv.ID },
		func() error {
			now := a.now().UTC()
			if err := checkIntervention(iv, now); err != nil {
				return err
			}
			iv.ID = 0
			iv.CreatedAt = now
			return a.store.WithTx(ctx, func(tx legwork.Tx) error {
				if err := tx.CreateIntervention(ctx, iv); err != nil {
					return err
				}
				return a.auditWrite(ctx, tx, act, iv.PersonID, "create", fmt.Sprintf("intervention:%d", iv.ID), string(iv.Kind))
			})
		})
	if err != nil {
		return false, err
	}
	if replayed {
		*iv = *old
		return true, nil
	}
	return false, nil
}

// Intervention returns one of the person's interventions.
func (a *App) Intervention(ctx context.Context, personID, id int64) (*legwork.Intervention, error) {
	act, err := a.authorize(ctx, personID, readAccess, "interventions")
	if err != nil {
		return nil, err
	}
	iv, err := a.interventionOf(ctx, personID, id)
	if err != nil {
		return nil, err
	}
	if err := a.auditRead(ctx, act, personID, fmt.Sprintf("intervention:%d", id), ""); err != nil {
		return nil, err
	}
	return iv, nil
}

func (a *App) interventionOf(ctx context.Context, personID, id int64) (*legwork.Intervention, error) {
	iv, err := a.store.Intervention(ctx, id)
	if err != nil {
		return nil, err
	}
	if iv.PersonID != personID {
		return nil, legwork.Errorf(legwork.ENOTFOUND, "no such intervention")
	}
	return iv, nil
}

// ListInterventions lists the person's interventions by start date.
func (a *App) ListInterventions(ctx context.Context, personID int64) ([]*legwork.Intervention, error) {
	act, err := a.authorize(ctx, personID, readAccess, "interventions")
	if err != nil {
		return nil, err
	}
	if err := a.auditRead(ctx, act, personID, "interventions", ""); err != nil {
		return nil, err
	}
	list, err := a.store.ListInterventions(ctx, personID)
	if err != nil {
		return nil, err
	}
	if list == nil {
		list = []*legwork.Intervention{}
	}
	return list, nil
}

// UpdateIntervention replaces an intervention (ID and PersonID select it).
func (a *App) UpdateIntervention(ctx context.Context, iv *legwork.Intervention) error {
	act, err := a.authorize(ctx, iv.PersonID, writeAccess, "interventions")
	if err != nil {
		return err
	}
	old, err := a.interventionOf(ctx, iv.PersonID, iv.ID)
	if err != nil {
		return err
	}
	if err := checkIntervention(iv, a.now().UTC()); err != nil {
		return err
	}
	iv.CreatedAt = old.CreatedAt
	return a.store.WithTx(ctx, func(tx legwork.Tx) error {
		if err := tx.UpdateIntervention(ctx, iv); err != nil {
			return err
		}
		return a.auditWrite(ctx, tx, act, iv.PersonID, "update", fmt.Sprintf("intervention:%d", iv.ID), "")
	})
}

// DeleteIntervention deletes an intervention.
func (a *App) DeleteIntervention(ctx context.Context, personID, id int64) error {
	act, err := a.authorize(ctx, personID, writeAccess, "interventions")
	if err != nil {
		return err
	}
	if _, err := a.interventionOf(ctx, personID, id); err != nil {
		return err
	}
	return a.store.WithTx(ctx, func(tx legwork.Tx) error {
		if err := tx.DeleteIntervention(ctx, id); err != nil {
			return err
		}
		return a.auditWrite(ctx, tx, act, personID, "delete", fmt.Sprintf("intervention:%d", id), "")
	})
}
