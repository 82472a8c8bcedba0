package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"

	"golang.org/x/text/width"
)

// writeJSON writes data indented, as received (no field dropped, strings and numbers untouched), and a
// newline. Absent data is written as null.
func writeJSON(w io.Writer, data json.RawMessage) error {
	if len(data) == 0 {
		data = json.RawMessage("null")
	}
	var buf bytes.Buffer
	if err := json.Indent(&buf, data, "", "  "); err != nil {
		return fmt.Errorf("the answer's data is not JSON: %w", err)
	}
	buf.WriteByte('\n')
	_, err := w.Write(buf.Bytes())
	return err
}

// columnOrder puts the columns people look for first; other fields follow in alphabetical order.
var columnOrder = []string{
	"deviceCode", "status", "payId", "orderNo", "packageCode", "servicePlanCode", "servicePlanShowName",
	"packageType", "area", "orderStatus", "orderPeriod", "time", "unit", "payAmount", "payCurrency",
	"expireDate", "remainingDays", "subscriptionTime", "partnerCode",
}

// writeTable writes data for people, in aligned columns: a list of objects as one row per object, an
// object as "field value" lines followed by a table for each of its lists.
func writeTable(w io.Writer, data json.RawMessage) error {
	var v any
	if len(data) > 0 {
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.UseNumber()
		if err := dec.Decode(&v); err != nil {
			return fmt.Errorf("the answer's data is not JSON: %w", err)
		}
	}
	var out bytes.Buffer
	switch v := v.(type) {
	case nil:
		out.WriteString("(no data)\n")
	case []any:
		listTable(v).write(&out, "")
	case map[string]any:
		var fields table
		var lists []string
		for _, k := range orderedKeys(v) {
			list, ok := v[k].([]any)
			switch {
			case !ok:
				fields.add(k, namedCell(k, v[k]))
			case len(list) == 0:
				fields.add(k, "(none)")
			default:
				lists = append(lists, k)
			}
		}
		fields.write(&out, "")
		for _, k := range lists {
			fmt.Fprintf(&out, "\n%s:\n", k)
			listTable(v[k].([]any)).write(&out, "")
		}
	default:
		out.WriteString(cell(v) + "\n")
	}
	_, err := w.Write(out.Bytes())
	return err
}

// listTable lays out a list: objects as a header and one row each, anything else one value a row.
func listTable(list []any) *table {
	t := &table{}
	if len(list) == 0 {
		t.add("(none)")
		return t
	}
	fields := map[string]any{}
	for _, item := range list {
		obj, ok := item.(map[string]any)
		if !ok {
			for _, item := range list {
				t.add(cell(item))
			}
			return t
		}
		for k := range obj {
			fields[k] = nil
		}
	}
	cols := orderedKeys(fields)
	t.add(cols...)
	for _, item := range list {
		obj := item.(map[string]any)
		cells := make([]string, len(cols))
		for i, c := range cols {
			cells[i] = namedCell(c, obj[c])
		}
		t.add(cells...)
	}
	return t
}

// orderedKeys returns the keys of m, those of columnOrder first.
func orderedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	rank := func(k string) int {
		if i := slices.Index(columnOrder, k); i >= 0 {
			return i
		}
		return len(columnOrder)
	}
	sort.Slice(keys, func(i, j int) bool {
		if ri, rj := rank(keys[i]), rank(keys[j]); ri != rj {
			return ri < rj
		}
		return keys[i] < keys[j]
	})
	return keys
}

// namedCell formats the value of the field key: an enum code with its human name, "in use (2)"; other
// values as cell does.
func namedCell(key string, v any) string {
	if code, ok := v.(string); ok {
		if name, ok := enumNames[key]; ok && code != "" {
			if n := name(code); n != "" && n != code {
				return n + " (" + code + ")"
			}
		}
	}
	return cell(v)
}

// cell formats one value for a table: strings and numbers as they are, "-" for absent, null or
// empty, and compact JSON for nested values. Tabs and line breaks become spaces.
func cell(v any) string {
	var s string
	switch v := v.(type) {
	case nil:
		return "-"
	case string:
		s = v
	case json.Number:
		s = v.String()
	case bool:
		s = fmt.Sprint(v)
	default:
		b, _ := json.Marshal(v)
		s = string(b)
	}
	if s == "" {
		return "-"
	}
	return strings.NewReplacer("\t", " ", "\n", " ", "\r", " ").Replace(s)
}

// table lays out rows of cells in columns two spaces apart. It measures a cell by the columns it
// takes on a terminal, where a CJK character (such as the documented area 欧洲) takes two:
// text/tabwriter counts every character as one and would misalign such rows.
type table struct {
	rows [][]string
}

// add appends a row.
func (t *table) add(cells ...string) { t.rows = append(t.rows, cells) }

// write writes the rows, each line starting with prefix and without trailing spaces.
func (t *table) write(w io.Writer, prefix string) {
	var widths []int
	for _, r := range t.rows {
		for i, c := range r {
			if i == len(widths) {
				widths = append(widths, 0)
			}
			widths[i] = max(widths[i], displayWidth(c))
		}
	}
	for _, r := range t.rows {
		line := prefix
		for i, c := range r {
			if i > 0 {
				line += strings.Repeat(" ", widths[i-1]-displayWidth(r[i-1])+2)
			}
			line += c
		}
		fmt.Fprintln(w, line)
	}
}

// displayWidth is the number of terminal columns s takes: two for East Asian wide and full-width
// characters, one for the others.
func displayWidth(s string) int {
	n := 0
	for _, r := range s {
		switch width.LookupRune(r).Kind() {
		case width.EastAsianWide, width.EastAsianFullwidth:
			n += 2
		default:
			n++
		}
	}
	return n
}
