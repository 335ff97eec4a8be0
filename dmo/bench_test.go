package dmo_test

import (
	"encoding/binary"
	"io"
	"math"
	"runtime"
	"testing"
	"time"

	"legwork/dmo"
	"legwork/gait"
	"legwork/imu"
	"legwork/synth"
)

// weekCWA streams a synthetic week-long AX6 recording (100 Hz, accelerometer
// and gyroscope, 40 samples per 512-byte sector) as a .cwa file, encoded on
// the fly: an hour of daytime (six walks of 6 s to 150 s between standing)
// from 07:00 to 22:00 and an hour of standing otherwise, each pre-encoded
// once and re-stamped sector by sector (timestamp, sequence id, checksum).
// Only the two hour templates are held in memory (2 × 4.6 MB).
type weekCWA struct {
	header  []byte
	active  []byte // 9000 sectors
	quiet   []byte
	base    time.Time // naive clock of the first sample
	sectors int       // total
	k       int       // next sector
	cur     []byte    // rest of the current sector
	hdrLeft []byte
}

const (
	benchRate       = 100
	perSector       = 40
	sectorsPerHour  = 3600 * benchRate / perSector
	benchHours      = 7 * 24
	benchSectorSize = 512
)

func hourRecording(active bool) *gait.Recording {
	type seg struct{ stand, walk float64 }
	segs := []seg{{3600, 0}}
	if active {
		segs = []seg{{294, 6}, {288, 12}, {580, 20}, {560, 40}, {525, 75}, {450, 150}, {600, 0}}
	}
	rec := &gait.Recording{Gyro: true}
	off := 0.0
	for i, s := range segs {
		r, _ := synth.Walk(synth.WalkParams{SampleRateHz: benchRate, StandBeforeS: s.stand, WalkS: s.walk, NoiseMS2: 0.05, NoiseRPS: 0.01, Seed: uint64(i + 1)})
		n := int(math.Round((s.stand + s.walk) * benchRate)) // drop the closing sample: segments abut
		for _, sm := range r.Samples[:n] {
			sm.TimeS += off
			rec.Samples = append(rec.Samples, sm)
		}
		off += s.stand + s.walk
	}
	return rec
}

// encodeHour encodes an hour's samples as AX6 sectors (accelerometer 2048
// counts/g, gyroscope ±2000 dps), timestamps left for weekCWA to fill.
func encodeHour(rec *gait.Recording) []byte {
	out := make([]byte, sectorsPerHour*benchSectorSize)
	counts := func(v, scale float64) uint16 {
		c := math.Round(v * scale)
		return uint16(int16(max(-32768, min(32767, c))))
	}
	accScale := 2048 / imu.StandardGravity
	gyroScale := 32768.0 / 2000 * 180 / math.Pi
	for k := 0; k < sectorsPerHour; k++ {
		b := out[k*benchSectorSize : (k+1)*benchSectorSize]
		b[0], b[1] = 'A', 'X'
		binary.LittleEndian.PutUint16(b[2:], benchSectorSize-4)
		binary.LittleEndian.PutUint32(b[6:], 7)            // session
		binary.LittleEndian.PutUint16(b[18:], 3<<13|2<<10) // scales
		b[24] = 0x0a                                       // 100 Hz
		b[25] = 0x62
		binary.LittleEndian.PutUint16(b[28:], perSector)
		for i := 0; i < perSector; i++ {
			s := rec.Samples[k*perSector+i]
			p := b[30+12*i:]
			for a := 0; a < 3; a++ {
				binary.LittleEndian.PutUint16(p[2*a:], counts(s.GyroRPS[a], gyroScale))
				binary.LittleEndian.PutUint16(p[6+2*a:], counts(s.AccMS2[a], accScale))
			}
		}
	}
	return out
}

func newWeekCWA(active, quiet []byte, base time.Time) *weekCWA {
	h := make([]byte, 1024)
	h[0], h[1] = 'M', 'D'
	binary.LittleEndian.PutUint16(h[2:], 1020)
	h[4] = imu.CWAHardwareAX6
	binary.LittleEndian.PutUint32(h[7:], 7)
	h[35], h[36] = 2, 0x0a
	return &weekCWA{header: h, hdrLeft: h, active: active, quiet: quiet, base: base, sectors: benchHours * sectorsPerHour}
}

func (w *weekCWA) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		if len(w.hdrLeft) > 0 {
			c := copy(p[n:], w.hdrLeft)
			w.hdrLeft = w.hdrLeft[c:]
			n += c
			continue
		}
		if len(w.cur) == 0 {
			if w.k == w.sectors {
				break
			}
			w.cur = w.sector(w.k)
			w.k++
		}
		c := copy(p[n:], w.cur)
		w.cur = w.cur[c:]
		n += c
	}
	if n == 0 {
		return 0, io.EOF
	}
	return n, nil
}

// sector stamps sector k (starting at sample 40k) in place in its template.
func (w *weekCWA) sector(k int) []byte {
	hour := k / sectorsPerHour
	tmpl := w.quiet
	if h := hour % 24; h >= 7 && h < 22 {
		tmpl = w.active
	}
	j := k % sectorsPerHour
	b := tmpl[j*benchSectorSize : (j+1)*benchSectorSize]
	startCS := perSector * k // start in samples (1/100 s)
	stamp := (startCS + benchRate - 1) / benchRate
	t := w.base.Add(time.Duration(stamp) * time.Second)
	packed := uint32(t.Year()-2000)<<26 | uint32(t.Month())<<22 | uint32(t.Day())<<17 | uint32(t.Hour())<<12 | uint32(t.Minute())<<6 | uint32(t.Second())
	binary.LittleEndian.PutUint32(b[10:], uint32(k))
	binary.LittleEndian.PutUint32(b[14:], packed)
	binary.LittleEndian.PutUint16(b[26:], uint16(stamp*benchRate-startCS))
	binary.LittleEndian.PutUint16(b[510:], 0)
	var sum uint16
	for i := 0; i < benchSectorSize; i += 2 {
		sum += binary.LittleEndian.Uint16(b[i:])
	}
	binary.LittleEndian.PutUint16(b[510:], -sum)
	return b
}

// BenchmarkWeek100Hz is the whole free-living pipeline on a week: a 7-day,
// 100 Hz AX6 .cwa stream (60.5 million samples, 774 MB of sectors) decoded
// by imu.CWAReader, analysed by gait.Analyze (lower back) and summarised
// per day by dmo.Days. Nothing holds the recording in memory. It reports
// the samples per second and the Go runtime's memory obtained from the
// system (an upper bound of its peak); measure the process's peak resident
// memory with /usr/bin/time -v (docs/INTEROP.md).
func BenchmarkWeek100Hz(b *testing.B) {
	active := encodeHour(hourRecording(true))
	quiet := encodeHour(hourRecording(false))
	loc := time.FixedZone("CET", 3600)
	base := time.Date(2024, 3, 4, 0, 0, 0, 0, time.UTC) // naive device clock
	opt := gait.Options{Placement: gait.LowerBack, Subject: gait.Subject{HeightM: 1.7}}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		r, err := imu.NewCWAReader(newWeekCWA(active, quiet, base))
		if err != nil {
			b.Fatal(err)
		}
		res, err := gait.Analyze(r, opt)
		if err != nil {
			b.Fatal(err)
		}
		start, _ := r.Start()
		days := dmo.Days(res, dmo.Options{Start: dmo.Localize(start, loc), Location: loc})
		if len(days) != 7 {
			b.Fatalf("%d days, want 7", len(days))
		}
		for _, d := range days {
			// 15 active hours × 5 walks of 12 s or more (the 6-s walk may or may not form a bout)
			if n := d.Groups[dmo.Group10].Bouts; n < 60 || n > 90 {
				b.Fatalf("%s: %d bouts over 10 s, want about 75", d.Date, n)
			}
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(benchHours*3600*benchRate)*float64(b.N)/b.Elapsed().Seconds()/1e6, "Msamples/s")
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	b.ReportMetric(float64(ms.Sys)/(1<<20), "MB-sys")
}

// TestWeekStreamDecodes checks the benchmark's stream on its first day: the
// .cwa decodes, the times are continuous, and dmo finds the walks.
func TestWeekStreamDecodes(t *testing.T) {
	if testing.Short() {
		t.Skip("encodes a day of data")
	}
	active := encodeHour(hourRecording(true))
	quiet := encodeHour(hourRecording(false))
	base := time.Date(2024, 3, 4, 0, 0, 0, 0, time.UTC)
	w := newWeekCWA(active, quiet, base)
	w.sectors = 24 * sectorsPerHour
	r, err := imu.NewCWAReader(w)
	if err != nil {
		t.Fatal(err)
	}
	res, err := gait.Analyze(r, gait.Options{Placement: gait.LowerBack, Subject: gait.Subject{HeightM: 1.7}})
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(res.DurationS-(24*3600-0.01)) > 0.02 || len(res.Sampling.Gaps) != 0 {
		t.Errorf("duration %v s, gaps %v", res.DurationS, res.Sampling.Gaps)
	}
	start, zoned := r.Start()
	if !start.Equal(base) || zoned {
		t.Errorf("start %v %v", start, zoned)
	}
	days := dmo.Days(res, dmo.Options{Start: start})
	if len(days) != 1 {
		t.Fatalf("%d days", len(days))
	}
	d := days[0]
	// 15 active hours: the 75-s and 150-s walks are the bouts over 60 s,
	// with the 40-s walks those over 30 s.
	if g := d.Groups[dmo.Group60]; g.Bouts != 30 {
		t.Errorf("%d bouts over 60 s, want 30", g.Bouts)
	}
	if g := d.Groups[dmo.Group30]; g.Bouts != 45 || !g.CadenceSPM.Mean.Valid() || math.Abs(float64(g.CadenceSPM.Mean)-110) > 3 {
		t.Errorf("over 30 s: %d bouts, cadence %v (synthetic 110 steps/min)", g.Bouts, g.CadenceSPM.Mean)
	}
	if g := d.Groups[dmo.Group30]; !g.WalkingSpeedMPS.Mean.Valid() {
		t.Errorf("no walking speed over 30 s: %+v", g.WalkingSpeedMPS)
	}
}
