// Package imu reads motion recordings from files into gait.Source values.
//
// Each format has its own reader; all of them report malformed input as a
// *ParseError naming the line (or record) and the field, like encoding/csv.
package imu
