package main

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestSpreadOf(t *testing.T) {
	for _, c := range []struct {
		in               []float64
		median, min, max float64
	}{
		{[]float64{3}, 3, 3, 3},
		{[]float64{5, 1, 3}, 3, 1, 5},
		{[]float64{4, 1, 3, 2}, 2.5, 1, 4},
	} {
		s := spreadOf(c.in)
		if s.median != c.median || s.min != c.min || s.max != c.max || s.runs != len(c.in) {
			t.Errorf("spreadOf(%v) = %+v, want median %g, min %g, max %g", c.in, s, c.median, c.min, c.max)
		}
	}
	if s := spreadOf(nil); !math.IsNaN(s.median) {
		t.Errorf("spreadOf(nil) = %+v, want NaN", s)
	}
}

func TestExponent(t *testing.T) {
	n := []float64{100, 300, 1000, 3000}
	for _, want := range []float64{0.5, 1, 2} {
		y := make([]float64, len(n))
		for i, x := range n {
			y[i] = 7 * math.Pow(x, want)
		}
		if got := exponent(n, y); math.Abs(got-want) > 1e-9 {
			t.Errorf("exponent of 7·N^%g = %g", want, got)
		}
	}
	if got := exponent([]float64{100}, []float64{1}); !math.IsNaN(got) {
		t.Errorf("exponent of one point = %g, want NaN", got)
	}
	if got := exponent([]float64{100, 100}, []float64{1, 2}); !math.IsNaN(got) {
		t.Errorf("exponent at one N = %g, want NaN", got)
	}
}

func TestParseScale(t *testing.T) {
	ns, err := parseScale("300, 100,1000")
	if err != nil || len(ns) != 3 || ns[0] != 100 || ns[2] != 1000 {
		t.Errorf("parseScale = %v, %v", ns, err)
	}
	for _, bad := range []string{"100,x", "0", "100,100"} {
		if _, err := parseScale(bad); err == nil {
			t.Errorf("parseScale(%q): no error", bad)
		}
	}
}

const metricsText = `# HELP controller_runtime_reconcile_total Total number of reconciliations per controller
# TYPE controller_runtime_reconcile_total counter
controller_runtime_reconcile_total{controller="web",result="error"} 2
controller_runtime_reconcile_total{controller="web",result="requeue"} 0
controller_runtime_reconcile_total{controller="web",result="requeue_after"} 1
controller_runtime_reconcile_total{controller="web",result="success"} 17
controller_runtime_reconcile_time_seconds_count{controller="web"} 20
`

func TestSumReconciles(t *testing.T) {
	if got, err := sumReconciles(strings.NewReader(metricsText), "web"); err != nil || got.total() != 20 || got["error"] != 2 || got.notSuccess() != "2 error, 1 requeue_after" {
		t.Errorf("sumReconciles = %v (%s), %v; want 20, 2 errors and 1 requeue_after", got, got.notSuccess(), err)
	}
	_, err := sumReconciles(strings.NewReader(metricsText), "web-book")
	if _, ok := err.(*wrongController); !ok {
		t.Errorf("sumReconciles of another controller: %v, want a wrongController", err)
	}
	if _, err := sumReconciles(strings.NewReader("# nothing yet\n"), "web"); err == nil {
		t.Error("sumReconciles without the metric: no error")
	}
}

// minimal is okt's minimum at n: 3 creates, 2 status writes and one Event
// per custom resource, nothing after.
func minimal(n int) measure {
	return measure{controller: "okt", n: n, run: 1, untilReady: counts{creates: 3 * n, status: 2 * n, events: n},
		restart: &restartMeasure{reconciles: reconcileCounts{"success": n}}}
}

func TestCheckOKT(t *testing.T) {
	cfg := config{restart: true}
	if err := checkOKT(cfg, []measure{minimal(20), {controller: "book", n: 20, after: counts{updates: 60}}}); err != nil {
		t.Errorf("the minimum: %v", err)
	}
	for name, spoil := range map[string]func(*measure){
		"a third status write": func(m *measure) { m.untilReady.status++; m.untilReady.status += 2 * m.n },
		"an extra Event":       func(m *measure) { m.untilReady.events++ },
		"an update":            func(m *measure) { m.untilReady.updates++ },
		"a missing create":     func(m *measure) { m.untilReady.creates-- },
		"a write after":        func(m *measure) { m.after.status++ },
		"an Event after":       func(m *measure) { m.after.events++ },
		"a write at restart":   func(m *measure) { m.restart.writes.status++ },
		"an Event at restart":  func(m *measure) { m.restart.writes.events++ },
		"no restart":           func(m *measure) { m.restart = nil },
	} {
		m := minimal(20)
		spoil(&m)
		if err := checkOKT(cfg, []measure{minimal(20), m}); err == nil {
			t.Errorf("%s: checkOKT passed", name)
		}
	}
	// The Event of a reconcile before Ready, sent after it, is fine.
	late := minimal(20)
	late.untilReady.events--
	late.after.events++
	if err := checkOKT(cfg, []measure{late}); err != nil {
		t.Errorf("an Event sent late: %v", err)
	}
	// One status write per custom resource is fine: Ready at once.
	m := minimal(20)
	m.untilReady.status = 20
	if err := checkOKT(cfg, []measure{m}); err != nil {
		t.Errorf("one status write each: %v", err)
	}
}

func TestReadAudit(t *testing.T) {
	log := strings.Join([]string{
		`{"auditID":"1","stage":"ResponseComplete","verb":"create","user":{"username":"u"},"objectRef":{"resource":"deployments","apiGroup":"apps"},"responseStatus":{"code":201},"requestReceivedTimestamp":"2026-01-01T00:00:01.000000Z"}`,
		`{"auditID":"2","stage":"ResponseStarted","verb":"watch","user":{"username":"u"},"objectRef":{"resource":"webs","apiGroup":"web.okt.bench"},"responseStatus":{"code":200},"requestReceivedTimestamp":"2026-01-01T00:00:01.500000Z"}`,
		`{"auditID":"3","stage":"ResponseComplete","verb":"patch","user":{"username":"u"},"objectRef":{"resource":"webs","subresource":"status","apiGroup":"web.okt.bench"},"responseStatus":{"code":409},"requestReceivedTimestamp":"2026-01-01T00:00:02.000000Z"}`,
		`{"auditID":"4","stage":"ResponseComplete","verb":"create","user":{"username":"admin"},"objectRef":{"resource":"webs"},"responseStatus":{"code":201},"requestReceivedTimestamp":"2026-01-01T00:00:02.000000Z"}`,
		`{"auditID":"2","stage":"ResponseComplete","verb":"watch","user":{"username":"u"},"objectRef":{"resource":"webs","apiGroup":"web.okt.bench"},"responseStatus":{"code":200},"requestReceivedTimestamp":"2026-01-01T00:00:01.500000Z"}`,
		`{"auditID":"5","stage":"ResponseComplete","verb":"list","user":{"username":"u"},"objectRef":{"resource":"webs","apiGroup":"web.okt.bench"},"responseStatus":{"code":200},"requestReceivedTimestamp":"2026-01-01T00:00:03.000000Z"}`,
		`{"auditID":"6","stage":"ResponseComplete","verb":"create","user":{"username":"u"},"objectRef":{"resource":"events"},"responseStatus":{"code":201},"requestReceivedTimestamp":"2026-01-01T00:00:04.000000Z"}`,
	}, "\n") + "\n"
	path := filepath.Join(t.TempDir(), "audit.log")
	if err := os.WriteFile(path, []byte(log), 0o600); err != nil {
		t.Fatal(err)
	}
	requests, err := readAudit(path, "u")
	if err != nil {
		t.Fatal(err)
	}
	if len(requests) != 5 {
		t.Fatalf("%d requests, want 5 (the watch once, not the admin's): %+v", len(requests), requests)
	}
	at := func(s string) time.Time { tm, _ := time.Parse(time.RFC3339, "2026-01-01T00:00:0"+s+"Z"); return tm }
	until, after, series := tally(requests, at("0"), at("3"), at("5"))
	if until.creates != 1 || until.status != 1 || until.statusConflicts != 1 || until.failed != 1 || until.total() != 2 || after.events != 1 || after.total() != 1 {
		t.Errorf("tally: until %s (%d conflicts), after %s", until, until.statusConflicts, after)
	}
	if len(series) != 6 || series[1] != 1 || series[2] != 1 || series[4] != 1 {
		t.Errorf("series %v", series)
	}
	r, w := tallyRestart(requests, at("1"), at("3"))
	if r.watch != 1 || r.list != 1 || r.get != 0 || w.total() != 2 {
		t.Errorf("tallyRestart: reads %s, writes %s", r, w)
	}
}

// TestOutputs writes the tables and charts of a made-up scale run with
// repeats and restarts: every output is there, with medians and spreads.
func TestOutputs(t *testing.T) {
	cfg := config{scale: []int{20, 40, 100, 300}, repeat: 2, after: 5 * time.Second, controllers: []string{"okt", "book", "ssa", "floor"},
		restart: true, out: t.TempDir()}
	if dir := os.Getenv("BENCHCOMPARE_TEST_OUT"); dir != "" {
		cfg.out = dir // to look at the charts
	}
	var results []measure
	for _, n := range cfg.scale {
		for run := 1; run <= cfg.repeat; run++ {
			for i, c := range cfg.controllers {
				m := measure{controller: c, n: n, run: run, afterWindow: cfg.after,
					toReady: time.Duration(float64(n)*(1+0.1*float64(i+run))) * 100 * time.Millisecond,
					cpu:     time.Duration(n*(i+1)) * 10 * time.Millisecond, peakRSS: int64(50+i) << 20,
					untilReady: counts{creates: 3 * n, status: 2 * n}, series: []int{1, 2, 3}}
				if c != "floor" {
					m.restart = &restartMeasure{took: time.Duration(n) * 10 * time.Millisecond, reconciles: reconcileCounts{"success": n}, reads: reads{get: 2, list: 4, watch: 4}, cpu: time.Second}
				}
				results = append(results, m)
			}
		}
	}
	if err := writeOutputs(cfg, "machine: test", results); err != nil {
		t.Fatal(err)
	}
	md, err := os.ReadFile(filepath.Join(cfg.out, "bench-scale.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"## N = 20", "## N = 40", "× floor", "1.00×", "Restart against the 40 Ready", "| okt (scaffolded) | 1.00 |", "(2.2–2.4)"} {
		if !strings.Contains(string(md), want) {
			t.Errorf("bench-scale.md has no %q:\n%s", want, md)
		}
	}
	// The notes on how to read the tables come once, not once per N; the
	// failed writes, which differ, once per N.
	for note, want := range map[string]int{"Each controller runs 8 reconciles at once": 1, "Once the window after Ready had passed": 1, "Failed writes, counted above:": 4} {
		if got := strings.Count(string(md), note); got != want {
			t.Errorf("bench-scale.md has %q %d times, want %d:\n%s", note, got, want, md)
		}
	}
	for _, f := range []string{"bench-scale.csv", "bench-scale.svg", "bench-scale.png"} {
		if st, err := os.Stat(filepath.Join(cfg.out, f)); err != nil || st.Size() == 0 {
			t.Errorf("%s: %v", f, err)
		}
	}
	cfg.scale, cfg.n, cfg.out = nil, 20, t.TempDir()
	if err := writeOutputs(cfg, "machine: test", results); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"bench-compare.md", "bench-compare.csv", "bench-compare-runs.csv", "bench-compare.svg", "bench-compare.png"} {
		if st, err := os.Stat(filepath.Join(cfg.out, f)); err != nil || st.Size() == 0 {
			t.Errorf("%s: %v", f, err)
		}
	}
}
