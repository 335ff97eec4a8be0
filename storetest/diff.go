package storetest

import (
	"bytes"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"time"
)

var (
	timeType  = reflect.TypeFor[time.Time]()
	bytesKind = reflect.TypeFor[[]byte]().Elem().Kind()
)

// diff compares a value read from a store (got) with the value that was
// stored or is expected (want) and describes the differences, one per
// line; "" when they agree. Times agree when got is in UTC and equals want
// truncated to TimePrecision. Byte slices compare byte for byte; other
// slices, maps and pointers compare element by element, and nil differs
// from empty.
func diff(got, want any) string {
	var out []string
	compare(&out, "", reflect.ValueOf(got), reflect.ValueOf(want))
	return strings.Join(out, "\n")
}

func compare(out *[]string, path string, got, want reflect.Value) {
	report := func(format string, args ...any) {
		p := path
		if p == "" {
			p = "value"
		}
		*out = append(*out, p+": "+fmt.Sprintf(format, args...))
	}
	if !got.IsValid() || !want.IsValid() {
		if got.IsValid() != want.IsValid() {
			report("got %v, want %v", got, want)
		}
		return
	}
	if got.Type() != want.Type() {
		report("got type %v, want %v", got.Type(), want.Type())
		return
	}
	if got.Type() == timeType {
		g, w := got.Interface().(time.Time), want.Interface().(time.Time)
		if !g.Equal(w.Truncate(TimePrecision)) {
			report("got %s, want %s", g.Format(time.RFC3339Nano), w.Truncate(TimePrecision).UTC().Format(time.RFC3339Nano))
		} else if g.Location() != time.UTC {
			report("got location %v, want UTC", g.Location())
		}
		return
	}
	switch got.Kind() {
	case reflect.Pointer, reflect.Interface:
		if got.IsNil() || want.IsNil() {
			if got.IsNil() != want.IsNil() {
				report("got %s, want %s", describe(got), describe(want))
			}
			return
		}
		compare(out, path, got.Elem(), want.Elem())
	case reflect.Struct:
		for i := range got.NumField() {
			f := got.Type().Field(i)
			if !f.IsExported() {
				continue
			}
			compare(out, join(path, f.Name), got.Field(i), want.Field(i))
		}
	case reflect.Slice:
		if got.IsNil() != want.IsNil() {
			report("got %s, want %s", describe(got), describe(want))
			return
		}
		if got.Type().Elem().Kind() == bytesKind {
			if g, w := got.Bytes(), want.Bytes(); !bytes.Equal(g, w) {
				report("got bytes %q, want %q", abbreviate(g), abbreviate(w))
			}
			return
		}
		if got.Len() != want.Len() {
			report("got %d elements, want %d", got.Len(), want.Len())
			return
		}
		for i := range got.Len() {
			compare(out, fmt.Sprintf("%s[%d]", path, i), got.Index(i), want.Index(i))
		}
	case reflect.Map:
		if got.IsNil() != want.IsNil() {
			report("got %s, want %s", describe(got), describe(want))
			return
		}
		keys := map[string]reflect.Value{}
		for _, k := range append(got.MapKeys(), want.MapKeys()...) {
			keys[fmt.Sprint(k.Interface())] = k
		}
		names := make([]string, 0, len(keys))
		for name := range keys {
			names = append(names, name)
		}
		sort.Strings(names)
		for _, name := range names {
			k := keys[name]
			g, w := got.MapIndex(k), want.MapIndex(k)
			p := fmt.Sprintf("%s[%s]", path, name)
			switch {
			case !g.IsValid():
				*out = append(*out, fmt.Sprintf("%s: missing, want %v", p, w))
			case !w.IsValid():
				*out = append(*out, fmt.Sprintf("%s: got %v, want no such key", p, g))
			default:
				compare(out, p, g, w)
			}
		}
	default:
		if !reflect.DeepEqual(got.Interface(), want.Interface()) {
			report("got %#v, want %#v", got.Interface(), want.Interface())
		}
	}
}

func join(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

// describe prints a pointer, slice or map briefly, telling nil from empty.
func describe(v reflect.Value) string {
	switch {
	case v.IsNil():
		return "nil"
	case v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface:
		return fmt.Sprintf("&%+v", v.Elem().Interface())
	case v.Len() == 0:
		return "empty " + v.Type().String()
	}
	return fmt.Sprintf("%v", v.Interface())
}

// abbreviate shortens long byte strings in messages.
func abbreviate(b []byte) []byte {
	if len(b) > 64 {
		return append(b[:64:64], "…"...)
	}
	return b
}
