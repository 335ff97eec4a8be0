package imu

import "legwork/gait"

// batcher turns a reader that yields one sample at a time into the batched
// Read of gait.Source. It holds a sample read ahead (readers read their
// first row early to learn the file's layout, such as whether it has a
// gyroscope) and the first error, which it returns once the samples before
// it have been delivered.
type batcher struct {
	pending *gait.Sample
	err     error
}

// prime reads the first sample ahead with next.
func (b *batcher) prime(next func() (gait.Sample, error)) {
	s, err := next()
	if err != nil {
		b.err = err
		return
	}
	b.pending = &s
}

// read fills dst using next.
func (b *batcher) read(dst []gait.Sample, next func() (gait.Sample, error)) (int, error) {
	n := 0
	if b.pending != nil && len(dst) > 0 {
		dst[0] = *b.pending
		b.pending = nil
		n = 1
	}
	for n < len(dst) && b.err == nil {
		s, err := next()
		if err != nil {
			b.err = err
			break
		}
		dst[n] = s
		n++
	}
	if n == 0 && b.err != nil {
		return 0, b.err
	}
	return n, nil
}
