// Package legwork holds the domain of the legwork system: people with MS and
// the clinicians they invite, their assessments (analysed motion recordings),
// symptom diary and interventions, and the interfaces of the services that
// store them. Implementations live in sub-packages, one per external system
// (sqlite, postgres), and the wiring in cmd/legwork.
//
// Nothing in this package does I/O.
package legwork

import (
	"encoding/json"
	"time"
)

// Role is what an account is for.
type Role string

// The roles.
const (
	RolePerson    Role = "person"    // a person with MS, who owns their data
	RoleClinician Role = "clinician" // sees the people who invited them
)

// User is an account.
type User struct {
	ID        int64     `json:"id"`
	Email     string    `json:"email"`
	Name      string    `json:"name"`
	Role      Role      `json:"role"`
	Admin     bool      `json:"admin"`
	CreatedAt time.Time `json:"created_at"`
	// Profile, used by the analysis (people only).
	HeightM       float64 `json:"height_m,omitempty"`
	SensorHeightM float64 `json:"sensor_height_m,omitempty"`
	// TimeZone is the account's time zone, an IANA name such as
	// Europe/Berlin; "" when not set. A person's data is read in it
	// (calendar days, months, night-time) when a request names no zone.
	TimeZone string `json:"time_zone,omitempty"`
	// WeeklyPlan is how many times a week the person means to do each
	// test (people only; 0 to MaxPlannedPerWeek per test type); nil when
	// they have no plan. The person and their clinicians set it
	// (UserStore.SetWeeklyPlan; UpdateUser leaves it as it is).
	WeeklyPlan map[TestType]int `json:"weekly_plan,omitzero"`
	// WeeklyPlanChangedAt is when the weekly plan was last set, replaced
	// or cleared (UTC); nil when it never was, or was last changed before
	// legwork kept this.
	WeeklyPlanChangedAt *time.Time `json:"weekly_plan_changed_at,omitempty"`
	// WeeklyPlanChangedByID is the account that made that change: the
	// person or one of their clinicians. It is nil when the system made it
	// (the command line), when the plan was never changed, and once that
	// account has been deleted (the change keeps its time). It is not
	// serialised: the app tells a reader who it was, as far as they may
	// know, in WeeklyPlanChangedBy.
	WeeklyPlanChangedByID *int64 `json:"-"`
	// WeeklyPlanChangedBy is who made that change, as the app discloses it
	// to the reader of the account (never filled by a store); nil when
	// nobody is known.
	WeeklyPlanChangedBy *UserRef `json:"weekly_plan_changed_by,omitempty"`
	// PasswordHash is the argon2id PHC string; never serialised.
	PasswordHash string `json:"-"`
}

// UserRef names an account to a reader who may not know it: its role
// always, its id and name only when the reader may know who it is.
type UserRef struct {
	ID   int64  `json:"id,omitempty"`
	Name string `json:"name,omitempty"`
	Role Role   `json:"role"`
}

// Session is a signed-in browser session. Only a hash of the token is
// stored.
type Session struct {
	TokenHash []byte
	UserID    int64
	CreatedAt time.Time
	ExpiresAt time.Time
}

// APIToken is a long-lived credential for the CLI and devices. Only a hash
// of the secret is stored.
type APIToken struct {
	ID         int64      `json:"id"`
	UserID     int64      `json:"user_id"`
	Name       string     `json:"name"`
	TokenHash  []byte     `json:"-"`
	CreatedAt  time.Time  `json:"created_at"`
	LastUsedAt *time.Time `json:"last_used_at,omitempty"`
}

// Invitation lets a clinician gain access to a person's data. The code is
// given to the clinician out of band (or as a link); only its hash is
// stored.
type Invitation struct {
	ID         int64      `json:"id"`
	PersonID   int64      `json:"person_id"`
	CodeHash   []byte     `json:"-"`
	Note       string     `json:"note,omitempty"`
	CreatedAt  time.Time  `json:"created_at"`
	ExpiresAt  time.Time  `json:"expires_at"`
	AcceptedBy *int64     `json:"accepted_by,omitempty"`
	AcceptedAt *time.Time `json:"accepted_at,omitempty"`
}

// Grant is a clinician's access to a person's data.
type Grant struct {
	PersonID    int64      `json:"person_id"`
	ClinicianID int64      `json:"clinician_id"`
	GrantedAt   time.Time  `json:"granted_at"`
	RevokedAt   *time.Time `json:"revoked_at,omitempty"`
	// Filled by queries for display.
	PersonName     string `json:"person_name,omitempty"`
	ClinicianName  string `json:"clinician_name,omitempty"`
	ClinicianEmail string `json:"clinician_email,omitempty"`
}

// Active reports whether the grant is in force.
func (g *Grant) Active() bool { return g.RevokedAt == nil }

// TestType names an assessment protocol.
type TestType string

// The assessment protocols.
const (
	TestT25FW    TestType = "t25fw"    // Timed 25-Foot Walk
	TestWalk2Min TestType = "walk2min" // 2-Minute Walk
	TestUTurn    TestType = "uturn"    // U-turn test
	TestBalance  TestType = "balance"  // static balance (Romberg)
	TestSTS5     TestType = "sts5"     // five-times sit-to-stand
	TestWalk     TestType = "walk"     // any other walk (free walking, imported data)
)

// TestTypes lists the protocols.
var TestTypes = []TestType{TestT25FW, TestWalk2Min, TestUTurn, TestBalance, TestSTS5, TestWalk}

// Words returns the protocol's name in words ("2-minute walk"), or t
// itself for a name legwork does not know.
func (t TestType) Words() string {
	switch t {
	case TestT25FW:
		return "Timed 25-Foot Walk"
	case TestWalk2Min:
		return "2-minute walk"
	case TestUTurn:
		return "U-turn test"
	case TestBalance:
		return "static balance"
	case TestSTS5:
		return "five-times sit-to-stand"
	case TestWalk:
		return "free walking / daily life"
	}
	return string(t)
}

// MaxPlannedPerWeek is the most tests of one type a weekly plan holds
// (twice a day).
const MaxPlannedPerWeek = 14

// AssistiveDevice is a walking aid used during a test: results are only
// compared within the same device.
type AssistiveDevice string

// The assistive devices.
const (
	DeviceNone       AssistiveDevice = "none"
	DeviceCane       AssistiveDevice = "cane"
	DeviceTwoCanes   AssistiveDevice = "two_canes" // two canes or crutches
	DeviceWalker     AssistiveDevice = "walker"
	DeviceAFO        AssistiveDevice = "afo" // ankle-foot orthosis
	DeviceWheelchair AssistiveDevice = "wheelchair"
)

// AssistiveDevices lists the devices.
var AssistiveDevices = []AssistiveDevice{DeviceNone, DeviceCane, DeviceTwoCanes, DeviceWalker, DeviceAFO, DeviceWheelchair}

// With returns how the device qualifies a test in words ("with a cane"):
// empty for none (or no device given), d itself for a device legwork does
// not know.
func (d AssistiveDevice) With() string {
	switch d {
	case DeviceNone, "":
		return ""
	case DeviceCane:
		return "with a cane"
	case DeviceTwoCanes:
		return "with two canes or crutches"
	case DeviceWalker:
		return "with a walker"
	case DeviceAFO:
		return "with an ankle-foot orthosis"
	case DeviceWheelchair:
		return "in a wheelchair"
	}
	return string(d)
}

// Assessment is one analysed recording.
type Assessment struct {
	ID         int64           `json:"id"`
	PersonID   int64           `json:"person_id"`
	TestType   TestType        `json:"test_type"`
	Placement  string          `json:"placement"`
	Device     AssistiveDevice `json:"assistive_device"`
	RecordedAt time.Time       `json:"recorded_at"`
	CreatedAt  time.Time       `json:"created_at"`
	// Context: free text and tags the person gives (e.g. "hot day").
	Context   string   `json:"context,omitempty"`
	Tags      []string `json:"tags,omitempty"`
	UserAgent string   `json:"user_agent,omitempty"`
	// Source says where the data came from: "legwork" for the app and CLI,
	// or the importer (e.g. "apple_health", "axivity").
	Source string `json:"source"`
	// AlgorithmVersion of the analysis that produced Result and Metrics.
	AlgorithmVersion string `json:"algorithm_version"`
	// Result is the full analysis output (JSON).
	Result json.RawMessage `json:"result,omitempty"`
	// Metrics are the named scalar results used for trends, e.g.
	// "walking_speed_mps", "t25fw_time_s", "cadence_spm".
	Metrics map[string]float64 `json:"metrics"`
	// Quality holds the data-quality flag codes of the analysis.
	Quality []string `json:"quality,omitempty"`
	// HasRaw reports whether the raw recording is stored.
	HasRaw bool `json:"has_raw"`
	// ClientKey is the idempotency key the client created the assessment
	// with (the Idempotency-Key header), "" when none. A person's
	// assessments have distinct keys. Never serialised.
	ClientKey string `json:"-"`
}

// Recording is the stored raw recording of an assessment, compressed.
type Recording struct {
	AssessmentID int64
	Format       string // "csv", "lwb1", "json"
	Encoding     string // "gzip"
	Data         []byte
	Samples      int
}

// Sensation words people use for their leg symptoms.
const (
	SensationWeak   = "weak"
	SensationJelly  = "jelly"    // legs like jelly, noodles
	SensationBuckle = "buckling" // knees giving way
	SensationHeavy  = "heavy"    // heavy, like cement
	SensationStiff  = "stiff"
	SensationNumb   = "numb"
	SensationPain   = "pain"
)

// Sensations lists the sensation words.
var Sensations = []string{SensationWeak, SensationJelly, SensationBuckle, SensationHeavy, SensationStiff, SensationNumb, SensationPain}

// Triggers people record with a symptom.
const (
	TriggerHeat         = "heat"
	TriggerCold         = "cold"
	TriggerNight        = "night"
	TriggerStress       = "stress"
	TriggerPoorSleep    = "poor_sleep"
	TriggerInfection    = "infection" // infection or fever
	TriggerOverexertion = "overexertion"
)

// Triggers lists the triggers.
var Triggers = []string{TriggerHeat, TriggerCold, TriggerNight, TriggerStress, TriggerPoorSleep, TriggerInfection, TriggerOverexertion}

// DiaryEntry is a symptom check-in.
type DiaryEntry struct {
	ID         int64     `json:"id"`
	PersonID   int64     `json:"person_id"`
	At         time.Time `json:"at"`
	CreatedAt  time.Time `json:"created_at"`
	Severity   *int      `json:"severity,omitempty"` // 0–10 leg symptom severity
	Sensations []string  `json:"sensations,omitempty"`
	// SensationOther is the person's own words.
	SensationOther string   `json:"sensation_other,omitempty"`
	Leg            string   `json:"leg,omitempty"`         // "left", "right", "both"
	TimeOfDay      string   `json:"time_of_day,omitempty"` // "morning", "afternoon", "evening", "night"
	Triggers       []string `json:"triggers,omitempty"`
	Fatigue        *int     `json:"fatigue,omitempty"` // 0–10
	// Fall records a fall or near-fall, when there was one.
	Fall  *Fall  `json:"fall,omitempty"`
	Notes string `json:"notes,omitempty"`
	// ClientKey is the idempotency key the client created the entry with
	// (the Idempotency-Key header), "" when none. A person's diary
	// entries have distinct keys. Never serialised.
	ClientKey string `json:"-"`
}

// Fall is a fall or a near-fall.
type Fall struct {
	Kind          string `json:"kind"` // "fall" or "near_fall"
	Circumstances string `json:"circumstances,omitempty"`
	Injured       bool   `json:"injured,omitempty"`
}

// InterventionKind classifies an intervention.
type InterventionKind string

// The intervention kinds.
const (
	InterventionPhysicalTherapy  InterventionKind = "physical_therapy"
	InterventionHomeExercise     InterventionKind = "home_exercise"
	InterventionAssistiveDevice  InterventionKind = "assistive_device"
	InterventionRelapseTreatment InterventionKind = "relapse_treatment" // e.g. a steroid course
	InterventionMedicationChange InterventionKind = "medication_change"
	InterventionOther            InterventionKind = "other"
)

// InterventionKinds lists the kinds.
var InterventionKinds = []InterventionKind{InterventionPhysicalTherapy, InterventionHomeExercise, InterventionAssistiveDevice, InterventionRelapseTreatment, InterventionMedicationChange, InterventionOther}

// Intervention is something done about the symptoms, over a period.
type Intervention struct {
	ID        int64            `json:"id"`
	PersonID  int64            `json:"person_id"`
	Kind      InterventionKind `json:"kind"`
	Name      string           `json:"name"`             // e.g. "Physio, twice weekly", "Methylprednisolone 1 g × 3 days"
	Device    AssistiveDevice  `json:"device,omitempty"` // for assistive_device
	StartDate time.Time        `json:"start_date"`       // a date (UTC midnight)
	EndDate   *time.Time       `json:"end_date,omitempty"`
	Notes     string           `json:"notes,omitempty"`
	CreatedAt time.Time        `json:"created_at"`
	// ClientKey is the idempotency key the client created the
	// intervention with (the Idempotency-Key header), "" when none. A
	// person's interventions have distinct keys. Never serialised.
	ClientKey string `json:"-"`
}

// AuditEvent records who read or changed a person's data.
type AuditEvent struct {
	ID       int64     `json:"id"`
	At       time.Time `json:"at"`
	ActorID  *int64    `json:"actor_id,omitempty"` // nil for the system (CLI as admin, demo)
	PersonID *int64    `json:"person_id,omitempty"`
	Action   string    `json:"action"` // e.g. "read", "create", "update", "delete", "login"
	Object   string    `json:"object"` // e.g. "assessment:42", "diary", "metrics:walking_speed_mps"
	Detail   string    `json:"detail,omitempty"`
	IP       string    `json:"ip,omitempty"`
}

// MetricPoint is one value of a metric time series.
type MetricPoint struct {
	AssessmentID int64           `json:"assessment_id"`
	At           time.Time       `json:"at"`
	Value        float64         `json:"value"`
	TestType     TestType        `json:"test_type"`
	Device       AssistiveDevice `json:"assistive_device"`
}

// MetricFilter selects a metric time series.
type MetricFilter struct {
	PersonID int64
	Metric   string
	TestType TestType        // "" = any
	Device   AssistiveDevice // "" = any
	From, To time.Time       // zero = unbounded; To is exclusive
}

// Page selects a page of a listing: at most Limit items after the item
// with id After (keyset pagination, newest first when Desc).
type Page struct {
	Limit int
	// Before, when non-zero, returns items with an id lower than it
	// (listing newest first).
	Before int64
}
