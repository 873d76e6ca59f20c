package outdir

import (
	"context"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// writeTree creates files under dir.
func writeTree(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, data := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// The plan of a set of files: created, changed, unchanged and removed, in
// each mode; only Write changes the directory.
func TestWriteFilesModes(t *testing.T) {
	before := map[string]string{"same.txt": "same\n", "old.txt": "old\n", "gone.json": "gone\n", "keep.json": "kept\n"}
	files := []File{
		{Name: "old.txt", Data: []byte("new\n")},
		{Name: "same.txt", Data: []byte("same\n")},
		{Name: "sub/new.txt", Data: []byte("created\n")},
	}
	opts := FilesOptions{Remove: []string{"gone.json", "never-there.json"}}
	wantStates := map[string]State{"gone.json": Removed, "old.txt": Changed, "same.txt": Unchanged, "sub/new.txt": Created}
	for _, mode := range []Mode{Check, Diff, Write} {
		t.Run([...]string{"write", "check", "diff"}[mode], func(t *testing.T) {
			dir := t.TempDir()
			writeTree(t, dir, before)
			o := opts
			o.Mode = mode
			sum, err := WriteFiles(context.Background(), dir, files, o)
			if err != nil {
				t.Fatal(err)
			}
			if got := states(sum); !maps.Equal(got, wantStates) {
				t.Errorf("states %v, want %v", got, wantStates)
			}
			if !slices.IsSortedFunc(sum.Files, func(a, b FileStatus) int { return strings.Compare(a.Name, b.Name) }) {
				t.Errorf("files not sorted: %v", sum.Files)
			}
			if !sum.Changed() || sum.Mode != mode || sum.Dir != dir {
				t.Errorf("summary %+v", sum)
			}
			want := before
			if mode == Write {
				want = map[string]string{"same.txt": "same\n", "old.txt": "new\n", "sub/new.txt": "created\n", "keep.json": "kept\n"}
			}
			if got := tree(t, dir); !maps.Equal(got, want) {
				t.Errorf("directory %v, want %v", got, want)
			}
			for _, f := range sum.Files {
				hasDiff := len(f.Diff) > 0
				if hasDiff != (mode == Diff && f.State != Unchanged) {
					t.Errorf("%s (%s): diff %q in mode %d", f.Name, f.State, f.Diff, mode)
				}
			}
			if mode == Diff {
				d := string(sum.Files[slices.IndexFunc(sum.Files, func(f FileStatus) bool { return f.Name == "old.txt" })].Diff)
				if !strings.Contains(d, "-old\n") || !strings.Contains(d, "+new\n") {
					t.Errorf("diff of old.txt:\n%s", d)
				}
			}
		})
	}
}

// Check and Diff read a directory that does not exist, and create none.
func TestWriteFilesCheckNoDir(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "none")
	sum, err := WriteFiles(context.Background(), dir, []File{{Name: "a", Data: []byte("x")}}, FilesOptions{Mode: Check, Remove: []string{"b"}})
	if err != nil {
		t.Fatal(err)
	}
	if got := states(sum); !maps.Equal(got, map[string]State{"a": Created}) {
		t.Errorf("states %v", got)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("check created the directory: %v", err)
	}
}

// A bad set is refused whole, before the directory is touched.
func TestWriteFilesRefusesNames(t *testing.T) {
	tests := []struct {
		name   string
		files  []string
		remove []string
		err    string
	}{
		{"parent", []string{"ok", "../x"}, nil, "outside the output directory"},
		{"absolute", []string{"/etc/x"}, nil, "outside the output directory"},
		{"dot-dot inside", []string{"a/../b"}, nil, "outside the output directory"},
		{"empty", []string{""}, nil, "outside the output directory"},
		{"dot", []string{"."}, nil, "outside the output directory"},
		{"temporary", []string{"sub/" + TempPrefix + "x"}, nil, "reserved"},
		{"state file", []string{StateFile}, nil, "reserved"},
		{"twice", []string{"a", "a"}, nil, "given twice"},
		{"remove outside", []string{"a"}, []string{"../a"}, "remove: refusing"},
		{"removed twice", []string{"a"}, []string{"b", "b"}, "given twice"},
		{"written and removed", []string{"a"}, []string{"a"}, "both written and removed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "out")
			var files []File
			for _, n := range tt.files {
				files = append(files, File{Name: n, Data: []byte("x")})
			}
			_, err := WriteFiles(context.Background(), dir, files, FilesOptions{Remove: tt.remove})
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Fatalf("got %v, want an error with %q", err, tt.err)
			}
			if _, err := os.Stat(dir); !os.IsNotExist(err) {
				t.Errorf("the directory was created: %v", err)
			}
		})
	}
}

// A file that cannot be written leaves every file as it was and no
// temporary file, though others were staged already.
func TestWriteFilesFailureChangesNothing(t *testing.T) {
	dir := t.TempDir()
	before := map[string]string{"a": "old a\n", "z": "old z\n", "r": "retired\n", "sub": "a file where a directory is wanted"}
	writeTree(t, dir, before)
	files := []File{{Name: "a", Data: []byte("new a\n")}, {Name: "z", Data: []byte("new z\n")}, {Name: "sub/x", Data: []byte("x")}}
	_, err := WriteFiles(context.Background(), dir, files, FilesOptions{Remove: []string{"r"}})
	if err == nil || !strings.Contains(err.Error(), "sub") {
		t.Fatalf("got %v, want an error naming sub", err)
	}
	if got := tree(t, dir); !maps.Equal(got, before) {
		t.Errorf("after a failure: %v, want %v", got, before)
	}
	// A cancelled context: the same.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := WriteFiles(ctx, dir, files[:2], FilesOptions{}); err == nil {
		t.Fatal("a cancelled write succeeded")
	}
	if got := tree(t, dir); !maps.Equal(got, before) {
		t.Errorf("after a cancelled write: %v, want %v", got, before)
	}
}

// Files are renamed in the order given, with or without Ordered;
// temporary files of an interrupted run are removed, in the directory and
// in the files' subdirectories; the permissions of a replaced file stay.
func TestWriteFilesOrderTempsPerms(t *testing.T) {
	for _, ordered := range []bool{false, true} {
		dir := t.TempDir()
		writeTree(t, dir, map[string]string{
			"z.json": "old", TempPrefix + "z.json-1": "half", "sub/" + TempPrefix + "m.html-2": "half",
			"other/" + TempPrefix + "x-3": "not ours to clean: no file of the set is there",
		})
		if err := os.Chmod(filepath.Join(dir, "z.json"), 0o600); err != nil {
			t.Fatal(err)
		}
		var order []string
		testHookRenamed = func(name string) { order = append(order, name) }
		files := []File{{Name: "z.json", Data: []byte("{}")}, {Name: "sub/m.html", Data: []byte("<p>")}, {Name: "a.md", Data: []byte("#")}}
		sum, err := WriteFiles(context.Background(), dir, files, FilesOptions{Ordered: ordered})
		testHookRenamed = nil
		if err != nil {
			t.Fatal(err)
		}
		if want := []string{"z.json", "sub/m.html", "a.md"}; !slices.Equal(order, want) {
			t.Errorf("ordered=%v: renamed %v, want %v", ordered, order, want)
		}
		if sum.TempRemoved != 2 {
			t.Errorf("ordered=%v: removed %d temporary files, want 2", ordered, sum.TempRemoved)
		}
		got := tree(t, dir)
		for name := range got {
			if strings.Contains(name, TempPrefix) && !strings.HasPrefix(name, "other/") {
				t.Errorf("ordered=%v: %s left behind", ordered, name)
			}
		}
		if got["z.json"] != "{}" || got["sub/m.html"] != "<p>" || got["a.md"] != "#" {
			t.Errorf("ordered=%v: wrote %v", ordered, got)
		}
		st, err := os.Stat(filepath.Join(dir, "z.json"))
		if err != nil || st.Mode().Perm() != 0o600 {
			t.Errorf("ordered=%v: z.json mode %v (%v), want 0600 kept", ordered, st.Mode(), err)
		}
	}
}

// Two writers of one directory exclude each other.
func TestWriteFilesLocked(t *testing.T) {
	dir := t.TempDir()
	held, err := openDir(dir, true)
	if err != nil {
		t.Fatal(err)
	}
	_, err = WriteFiles(context.Background(), dir, []File{{Name: "a", Data: []byte("x")}}, FilesOptions{})
	if err == nil || !strings.Contains(err.Error(), "another filtergen is writing") {
		t.Errorf("got %v, want the directory refused while locked", err)
	}
	held.close()
	if _, err := WriteFiles(context.Background(), dir, []File{{Name: "a", Data: []byte("x")}}, FilesOptions{}); err != nil {
		t.Errorf("after the lock is released: %v", err)
	}
}
