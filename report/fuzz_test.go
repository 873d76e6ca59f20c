package report_test

import (
	"bytes"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/filtergen/filtergen/report"
)

// FuzzReadJSON: a report read back never panics, and what it reads
// writes and reads back to the same report.
func FuzzReadJSON(f *testing.F) {
	var b bytes.Buffer
	r, err := report.Build(handResult(), report.Options{Now: func() time.Time { return reportTime }})
	if err != nil {
		f.Fatal(err)
	}
	if err := r.WriteJSON(&b); err != nil {
		f.Fatal(err)
	}
	f.Add(b.Bytes())
	f.Add([]byte(`{"schema_version": 1}`))
	f.Add([]byte(`{"schema_version": 1, "neighbors": [{"name": "X", "families": [{"invalids": [{}]}]}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := report.ReadJSON(bytes.NewReader(data))
		if err != nil {
			return
		}
		var out bytes.Buffer
		if err := r.WriteJSON(&out); err != nil {
			t.Fatal(err)
		}
		back, err := report.ReadJSON(&out)
		if err != nil {
			t.Fatalf("a report read back does not read again: %v", err)
		}
		if diff := cmp.Diff(r, back); diff != "" {
			t.Errorf("round trip (-first +second):\n%s", diff)
		}
		// Whatever it holds renders.
		var sink bytes.Buffer
		if err := back.WriteHTML(&sink); err != nil {
			t.Errorf("HTML: %v", err)
		}
		if err := back.WriteMarkdown(&sink); err != nil {
			t.Errorf("Markdown: %v", err)
		}
	})
}
