// Package dsp holds the signal-processing primitives that legwork's analysis
// packages share: Butterworth filters applied forward and backward (zero
// phase), moving statistics, autocorrelation, peak finding and resampling.
//
// Every function takes slices in and returns values (or writes into a
// caller-provided slice); nothing here does I/O or keeps global state.
package dsp
