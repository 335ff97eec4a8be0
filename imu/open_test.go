package imu

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestOpenUnknown checks the answer to a file in no known format: a text
// file is named by its first line, binary data is not quoted (it would be
// noise), and both list the formats that are read.
func TestOpenUnknown(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		name    string
		content []byte
		want    string
	}{
		{"notes.txt", []byte("shopping list\nmilk\n"), `first line "shopping list"`},
		{"broken.cwa", []byte{0xde, 0xfd, 0x9b, 0xe0, 0x03, 0x00, 0x01, 'x', '\n'}, "binary data"},
	} {
		path := filepath.Join(dir, c.name)
		if err := os.WriteFile(path, c.content, 0o644); err != nil {
			t.Fatal(err)
		}
		_, _, _, err := OpenFormat(path)
		var pe *ParseError
		if !errors.As(err, &pe) || pe.Line != 1 {
			t.Fatalf("%s: error %v is not a ParseError at line 1", c.name, err)
		}
		if msg := err.Error(); !strings.Contains(msg, c.want) || !strings.Contains(msg, "Axivity .cwa") || strings.Contains(msg, "\\xde") {
			t.Errorf("%s: %s", c.name, msg)
		}
	}
}
