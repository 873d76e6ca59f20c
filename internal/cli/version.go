package cli

import (
	"fmt"
	"runtime"
	"runtime/debug"
)

// versionString is what --version prints: the module version and the VCS
// revision the binary was built from, as debug.ReadBuildInfo reports
// them ("(devel)" and no revision for a plain 'go run').
func versionString() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "filtergen (no build information) " + runtime.Version()
	}
	return formatVersion(bi)
}

func formatVersion(bi *debug.BuildInfo) string {
	v := bi.Main.Version
	if v == "" {
		v = "(devel)"
	}
	rev, at, dirty := "", "", false
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.time":
			at = s.Value
		case "vcs.modified":
			dirty = s.Value == "true"
		}
	}
	out := "filtergen " + v
	if rev != "" {
		if len(rev) > 12 {
			rev = rev[:12]
		}
		out += " revision " + rev
		if dirty {
			out += "+dirty"
		}
		if at != "" {
			out += " (" + at + ")"
		}
	}
	return out + fmt.Sprintf(" %s %s/%s", bi.GoVersion, runtime.GOOS, runtime.GOARCH)
}
