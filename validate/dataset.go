// Package validate measures legwork's gait analysis against recordings that
// carry an independent reference (the layout of the shared validation folder:
// one folder per recording with imu.csv, meta.json and truth.json), and
// against a peer's outputs on the same recordings where present.
package validate

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"legwork/gait"
	"legwork/imu"
)

// Meta is a recording's meta.json.
type Meta struct {
	ID          string `json:"id"`
	Source      string `json:"source"`
	Cohort      string `json:"cohort"`
	Placement   string `json:"placement"`
	Device      string `json:"device"`
	Participant struct {
		HeightM       float64 `json:"height_m"`
		SensorHeightM float64 `json:"sensor_height_m"`
	} `json:"participant"`
	Task string `json:"task"`
}

// Truth is a recording's truth.json.
type Truth struct {
	Reference        *string     `json:"reference"`
	ValidWindowS     []float64   `json:"valid_window_s"`
	ICResolutionS    float64     `json:"ic_resolution_s"`
	InitialContactsS []float64   `json:"initial_contacts_s"`
	StepCount        *int        `json:"step_count"`
	WalkingBouts     []TruthBout `json:"walking_bouts"`
	Turns            []TruthTurn `json:"turns"`
}

// TruthBout is a reference walking bout.
type TruthBout struct {
	StartS          float64  `json:"start_s"`
	EndS            float64  `json:"end_s"`
	NSteps          int      `json:"n_steps"`
	CadenceSPM      *float64 `json:"cadence_spm"`
	StrideLengthM   *float64 `json:"stride_length_m"`
	WalkingSpeedMPS *float64 `json:"walking_speed_mps"`
	DistanceM       *float64 `json:"distance_m"`
}

// TruthTurn is a reference turn.
type TruthTurn struct {
	StartS   float64 `json:"start_s"`
	EndS     float64 `json:"end_s"`
	AngleDeg float64 `json:"angle_deg"`
}

// Peer is the part of a peer's output (mobgap_output.json) that is compared.
type Peer struct {
	GaitSequences []struct {
		StartS float64 `json:"start_s"`
		EndS   float64 `json:"end_s"`
	} `json:"gait_sequences"`
	InitialContacts []struct {
		ICS float64 `json:"ic_s"`
	} `json:"initial_contacts"`
	PerStride []struct {
		StartS          float64  `json:"start_s"`
		EndS            float64  `json:"end_s"`
		StrideLengthM   *float64 `json:"stride_length_m"`
		WalkingSpeedMPS *float64 `json:"walking_speed_mps"`
	} `json:"per_stride_parameters"`
	Turns []struct {
		StartS   float64 `json:"start_s"`
		EndS     float64 `json:"end_s"`
		AngleDeg float64 `json:"angle_deg"`
	} `json:"turns"`
	RuntimeS float64 `json:"runtime_s"`
}

// Case is one recording folder.
type Case struct {
	Dir    string
	Source string // first element of meta.id, or the parent folder's name
	Meta   Meta
	Truth  Truth
	Peer   *Peer
}

// Find walks dirs for recording folders (imu.csv, meta.json and truth.json
// side by side) and loads their metadata, sorted by id. Symbolic links to
// folders are followed, so a subset of recordings can be a folder of
// links; each real folder is read once, so a recording reached by two
// paths counts once and link cycles end.
func Find(dirs ...string) ([]*Case, error) {
	var cases []*Case
	visited := map[string]bool{}
	for _, root := range dirs {
		err := walkRecordings(root, visited, func(dir string) error {
			if !exists(filepath.Join(dir, "meta.json")) || !exists(filepath.Join(dir, "truth.json")) {
				return nil
			}
			c, err := load(dir)
			if err != nil {
				return err
			}
			cases = append(cases, c)
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	sort.Slice(cases, func(i, j int) bool { return cases[i].Meta.ID < cases[j].Meta.ID })
	return cases, nil
}

// walkRecordings calls fn for dir when it holds an imu.csv, then walks its
// subfolders in lexical order, following symbolic links to folders; a
// folder whose real path is in visited is skipped.
func walkRecordings(dir string, visited map[string]bool, fn func(dir string) error) error {
	real, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return err
	}
	if real, err = filepath.Abs(real); err != nil {
		return err
	}
	if visited[real] {
		return nil
	}
	visited[real] = true
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	var subdirs []string
	for _, e := range entries {
		p := filepath.Join(dir, e.Name())
		switch {
		case e.Name() == "imu.csv" && !e.IsDir():
			if err := fn(dir); err != nil {
				return err
			}
		case e.IsDir():
			subdirs = append(subdirs, p)
		case e.Type()&fs.ModeSymlink != 0:
			if st, err := os.Stat(p); err == nil && st.IsDir() {
				subdirs = append(subdirs, p)
			}
		}
	}
	for _, p := range subdirs {
		if err := walkRecordings(p, visited, fn); err != nil {
			return err
		}
	}
	return nil
}

func exists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

func load(dir string) (*Case, error) {
	c := &Case{Dir: dir}
	if err := readJSON(filepath.Join(dir, "meta.json"), &c.Meta); err != nil {
		return nil, err
	}
	if err := readJSON(filepath.Join(dir, "truth.json"), &c.Truth); err != nil {
		return nil, err
	}
	if c.Meta.ID == "" {
		c.Meta.ID = filepath.Base(filepath.Dir(dir)) + "/" + filepath.Base(dir)
	}
	if i := strings.IndexByte(c.Meta.ID, '/'); i > 0 {
		c.Source = c.Meta.ID[:i]
	} else {
		c.Source = filepath.Base(filepath.Dir(dir))
	}
	if p := filepath.Join(dir, "mobgap_output.json"); exists(p) {
		c.Peer = &Peer{}
		if err := readJSON(p, c.Peer); err != nil {
			return nil, err
		}
	}
	return c, nil
}

func readJSON(path string, v any) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(lenientJSON(b), v); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

// Recording reads the case's imu.csv.
func (c *Case) Recording() (*gait.Recording, error) {
	f, err := os.Open(filepath.Join(c.Dir, "imu.csv"))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r, err := imu.NewCSVReader(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", c.Dir, err)
	}
	rec, err := gait.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", c.Dir, err)
	}
	return rec, nil
}

// ErrUnsupported marks a recording whose placement legwork does not analyse.
var ErrUnsupported = errors.New("placement not supported")

// Options returns the analysis options from the case's metadata (never
// from its reference).
func (c *Case) Options() (gait.Options, error) {
	p, err := gait.ParsePlacement(c.Meta.Placement)
	if err != nil {
		return gait.Options{}, fmt.Errorf("%w: %q", ErrUnsupported, c.Meta.Placement)
	}
	return gait.Options{
		Placement: p,
		Subject:   gait.Subject{HeightM: c.Meta.Participant.HeightM, SensorHeightM: c.Meta.Participant.SensorHeightM},
	}, nil
}

// lenientJSON replaces the bare NaN, Infinity and -Infinity tokens that
// Python's json module writes (not valid JSON) with null, leaving strings
// untouched.
func lenientJSON(b []byte) []byte {
	var out []byte
	inString, escaped := false, false
	for i := 0; i < len(b); i++ {
		c := b[i]
		if inString {
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
			out = append(out, c)
			continue
		}
		if c == '"' {
			inString = true
			out = append(out, c)
			continue
		}
		replaced := false
		for _, tok := range []string{"NaN", "-Infinity", "Infinity"} {
			if strings.HasPrefix(string(b[i:min(i+len(tok), len(b))]), tok) {
				out = append(out, "null"...)
				i += len(tok) - 1
				replaced = true
				break
			}
		}
		if !replaced {
			out = append(out, c)
		}
	}
	return out
}
