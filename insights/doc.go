// Package insights turns one person's test results, symptom diary and
// interventions into statistics they and their clinician can act on:
// a personal baseline, the person's own measurement noise (smallest
// detectable change), whether the latest results changed beyond noise and
// beyond a published minimal clinically important difference (MCID),
// confirmed-worsening alerts, the association of interventions and diary
// triggers with the results, and falls.
//
// The package is modelled on gonum's stat: slices and values in, values
// out, no I/O, no global mutable state and no clock (the caller says "as
// of when"). Randomness is used only by the synthetic timeline generator
// and is always seeded by the caller (math/rand/v2 PCG).
//
// Everything is computed per person, per metric, within one test type and
// one assistive device: results with a cane are never compared with
// results without one. Several tests on the same local calendar day are
// summarised by their median (the "daily value"), which is the unit of
// every analysis below.
//
// The entry point is [Compute], which returns a JSON-serialisable
// [Report]. The building blocks are exported too: [EstimateBaseline],
// [EstimateNoise], [ClassifyChange], [DetectAlerts], [InterventionEffects],
// [TriggerEffects], [AnalyzeFalls], the rank statistics
// [HodgesLehmannShift] and [HodgesLehmannOneSample], and the alert rule's
// evaluation on synthetic timelines, [EvaluateAlerts].
//
// legwork measures and informs; it never diagnoses. Every message says
// what was measured and how sure we are, and the effects of interventions
// and triggers are associations in observational data, never proof of
// cause. docs/INSIGHTS.md describes every method, formula, default and
// citation.
package insights
