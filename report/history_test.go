package report_test

import (
	"io/fs"
	"slices"
	"testing"
	"testing/fstest"

	"github.com/filtergen/filtergen/report"
)

func TestExpired(t *testing.T) {
	fsys := fstest.MapFS{
		"report-20261201T000000Z.json": {},
		"report-20261203T000000Z.json": {},
		"report-20261202T000000Z.json": {},
		"report-20261130T235959Z.json": {},
		"report-latest.json":           {}, // not a report's name: never removed
		"report.html":                  {},
		"report-20261101T000000Z.json": {Mode: fs.ModeDir | 0o755}, // a directory: not a report
	}
	tests := []struct {
		keep   int
		adding []string
		want   []string
	}{
		{keep: 0, want: nil},
		{keep: -1, want: nil},
		{keep: 10, want: nil},
		{keep: 4, want: nil},
		{keep: 3, want: []string{"report-20261130T235959Z.json"}},
		{keep: 1, want: []string{"report-20261202T000000Z.json", "report-20261201T000000Z.json", "report-20261130T235959Z.json"}},
		// The report being written counts among the kept.
		{keep: 2, adding: []string{"report-20261204T000000Z.json"},
			want: []string{"report-20261202T000000Z.json", "report-20261201T000000Z.json", "report-20261130T235959Z.json"}},
		{keep: 1, adding: []string{"report-20261204T000000Z.json"},
			want: []string{"report-20261203T000000Z.json", "report-20261202T000000Z.json", "report-20261201T000000Z.json", "report-20261130T235959Z.json"}},
		// Adding one already there (a rewrite) counts it once.
		{keep: 3, adding: []string{"report-20261203T000000Z.json"}, want: []string{"report-20261130T235959Z.json"}},
	}
	for _, tt := range tests {
		got, err := report.Expired(fsys, tt.keep, tt.adding...)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("keep %d, adding %v: %v, want %v", tt.keep, tt.adding, got, tt.want)
		}
	}
	if _, err := report.Expired(fstest.MapFS{"x": {}}, 1); err != nil {
		t.Errorf("a directory without reports: %v", err)
	}
}
