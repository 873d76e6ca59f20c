package report_test

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/filtergen/filtergen/report"
)

var screenshot = flag.String("screenshot", "", "also copy the screenshot of TestHTMLInChromium to this file")

func chromiumPath() string {
	for _, n := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(n); err == nil {
			return p
		}
	}
	return ""
}

// browser starts a headless Chromium with a fresh profile and returns a
// context for one tab and a function that returns the problems seen
// since the last call: console errors and warnings, uncaught exceptions,
// error and warning entries of the browser log (a failed load, a blocked
// resource) and any request other than to the page itself.
func browser(t *testing.T) (context.Context, func() []string) {
	exe := chromiumPath()
	if exe == "" {
		t.Skip("chromium is not installed (apt-get install chromium; 'make test' installs it)")
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(exe),
		chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(filepath.Join(t.TempDir(), "profile")),
		chromedp.WindowSize(1280, 1000),
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	actx, acancel := chromedp.NewExecAllocator(ctx, opts...)
	t.Cleanup(acancel)
	bctx, bcancel := chromedp.NewContext(actx)
	t.Cleanup(bcancel)
	if _, err := chromedp.Call(bctx, cdplog.Enable, cdp.Empty{}); err != nil {
		t.Fatalf("start %s: %v", exe, err)
	}
	if _, err := chromedp.Call(bctx, network.Enable, network.EnableParams{}); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var problems []string
	page := ""
	sub, stop := context.WithCancel(bctx)
	var wg sync.WaitGroup
	wg.Go(func() {
		for m, err := range chromedp.Console(sub) {
			if err != nil {
				return
			}
			if m.Type == chromedp.ConsoleError || m.Type == chromedp.ConsoleWarning || m.Type == chromedp.ConsoleException {
				mu.Lock()
				problems = append(problems, fmt.Sprintf("console %s: %s %s", m.Type, m.Text, m.URL))
				mu.Unlock()
			}
		}
	})
	wg.Go(func() {
		for e, err := range chromedp.Events(sub, network.RequestWillBeSent) {
			if err != nil {
				return
			}
			mu.Lock()
			if page == "" {
				page = e.Request.URL
			} else if e.Request.URL != page {
				problems = append(problems, "request: "+e.Request.URL)
			}
			mu.Unlock()
		}
	})
	t.Cleanup(func() { stop(); wg.Wait() })
	return bctx, func() []string {
		// One round trip, so that the events sent before it are in.
		if _, err := chromedp.Run(bctx, chromedp.Evaluate[int]("1")); err != nil {
			t.Error(err)
		}
		mu.Lock()
		defer mu.Unlock()
		out := problems
		problems, page = nil, ""
		return out
	}
}

func fileURL(path string) string {
	return (&url.URL{Scheme: "file", Path: path}).String()
}

// TestHTMLInChromium opens the report of the IXP example, with two
// earlier reports for the changes and the chart, in headless Chromium:
// the page loads without a console error or any request besides itself,
// every number marked on the page equals the JSON, and a screenshot is
// written. A bad page then proves the listener sees problems.
func TestHTMLInChromium(t *testing.T) {
	ctx, problems := browser(t)
	r := reportWithHistory(t)
	dir := t.TempDir()
	page := filepath.Join(dir, "report.html")
	var html, js bytes.Buffer
	if err := r.WriteHTML(&html); err != nil {
		t.Fatal(err)
	}
	if err := r.WriteJSON(&js); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(page, html.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(fileURL(page)), chromedp.WaitReady("body")); err != nil {
		t.Fatal(err)
	}
	shown, err := chromedp.Run(ctx, chromedp.Evaluate[[][2]string](`[...document.querySelectorAll('[data-v]')].map(e => [e.dataset.v, e.textContent.trim()])`))
	if err != nil {
		t.Fatal(err)
	}
	svgs, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('svg').length`))
	if err != nil {
		t.Fatal(err)
	}
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	if p := problems(); len(p) > 0 {
		t.Errorf("the page reported problems:\n%s", strings.Join(p, "\n"))
	}
	var doc any
	if err := json.Unmarshal(js.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	for _, kv := range shown {
		want, err := lookup(doc, kv[0])
		if err != nil {
			t.Errorf("page shows %s = %q: %v", kv[0], kv[1], err)
			continue
		}
		got, err := strconv.ParseFloat(strings.TrimSuffix(strings.ReplaceAll(kv[1], ",", ""), "%"), 64)
		if err != nil || got != want {
			t.Errorf("page shows %s = %q, the JSON has %v", kv[0], kv[1], want)
		}
	}
	// Every neighbor's accepted counts, the summary and the changes are
	// among the numbers compared, so a template that stops marking them
	// fails here.
	keys := map[string]bool{}
	for _, kv := range shown {
		keys[kv[0]] = true
	}
	for _, k := range []string{"summary/accepted", "summary/invalid", "neighbors/0/families/0/accepted",
		"neighbors/1/families/0/rpki/valid_space_percent", "changes/space/0/after", "routers/0/limits/total_entries"} {
		if !keys[k] {
			t.Errorf("the page does not show %s", k)
		}
	}
	if len(shown) < 100 {
		t.Errorf("only %d numbers on the page", len(shown))
	}
	// Coverage bars (8 family rows), 3 AS-SET trees and the chart.
	if svgs < 12 {
		t.Errorf("%d inline SVGs on the page, want at least 12", svgs)
	}
	shot := filepath.Join(dir, "report.png")
	if err := os.WriteFile(shot, png, 0o644); err != nil {
		t.Fatal(err)
	}
	if *screenshot != "" {
		if err := os.WriteFile(*screenshot, png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("compared %d numbers; screenshot %s (%d bytes)", len(shown), shot, len(png))

	// The same listener catches what the report must not do: a console
	// error and an external request.
	bad := filepath.Join(dir, "bad.html")
	if err := os.WriteFile(bad, []byte(`<!DOCTYPE html><html><head><title>x</title></head><body>`+
		`<img src="http://127.0.0.1:9/x.png"><script>console.error("boom")</script></body></html>`), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(fileURL(bad)), chromedp.WaitReady("body"),
		chromedp.Sleep(200*time.Millisecond)); err != nil {
		t.Fatal(err)
	}
	p := strings.Join(problems(), "\n")
	for _, want := range []string{"console error: boom", "request: http://127.0.0.1:9/x.png"} {
		if !strings.Contains(p, want) {
			t.Errorf("the listener missed %q on a bad page; it saw:\n%s", want, p)
		}
	}
}

// lookup returns the number at a slash-separated path of doc; a last
// element "length" is the length of an array.
func lookup(doc any, path string) (float64, error) {
	v := doc
	for _, k := range strings.Split(path, "/") {
		switch x := v.(type) {
		case map[string]any:
			var ok bool
			if v, ok = x[k]; !ok {
				return 0, fmt.Errorf("no key %q", k)
			}
		case []any:
			if k == "length" {
				return float64(len(x)), nil
			}
			i, err := strconv.Atoi(k)
			if err != nil || i < 0 || i >= len(x) {
				return 0, fmt.Errorf("no index %q", k)
			}
			v = x[i]
		default:
			return 0, fmt.Errorf("%q below a leaf", k)
		}
	}
	f, ok := v.(float64)
	if !ok {
		return 0, fmt.Errorf("not a number: %v", v)
	}
	return f, nil
}

// reportWithHistory makes the IXP example's report after two earlier
// ones, read back from JSON: in the first, RIPE_NCC accepted one /24
// less; in the second, RIPE_NCC accepted one /24 less and COLOCLUE had
// no invalid route yet.
func reportWithHistory(t *testing.T) *report.Report {
	t.Helper()
	var prev *report.Report
	for i, age := range []time.Duration{48 * time.Hour, 24 * time.Hour} {
		p, err := report.Build(compileExample(t, "ixp-onboarding"), report.Options{Now: func() time.Time { return reportTime.Add(-age) }, Previous: prev})
		if err != nil {
			t.Fatal(err)
		}
		f := &p.Neighbors[0].Families[0]
		f.Accepted -= 2 - i
		f.AcceptedSpace -= uint64(2-i) * 256
		p.Summary.Accepted -= 2 - i
		if len(p.History) > 0 {
			p.History[len(p.History)-1].Accepted -= 2 - i
		}
		if i == 1 {
			for j := range p.Neighbors[1].Families {
				p.Neighbors[1].Families[j].Invalids = nil
			}
			p.Summary.Invalid--
			p.History[len(p.History)-1].Invalid--
		}
		var b bytes.Buffer
		if err := p.WriteJSON(&b); err != nil {
			t.Fatal(err)
		}
		if prev, err = report.ReadJSON(&b); err != nil {
			t.Fatal(err)
		}
	}
	r, err := report.Build(compileExample(t, "ixp-onboarding"), report.Options{Now: func() time.Time { return reportTime }, Previous: prev})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.History) != 3 {
		t.Fatalf("history of %d points, want 3", len(r.History))
	}
	return r
}
