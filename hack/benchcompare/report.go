package main

import (
	"bufio"
	"fmt"
	"image/color"
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"
)

var names = map[string]string{
	"okt":         "okt (scaffolded)",
	"book":        "kubebuilder book (CreateOrUpdate + Status().Update)",
	"ssa":         "typed server-side apply",
	"floor":       "floor (no controller)",
	"floor-apply": "floor making okt's requests (applies, an Event each)",
}

// runsOf returns the runs of controller at n, in order.
func runsOf(results []measure, controller string, n int) []measure {
	var out []measure
	for _, m := range results {
		if m.controller == controller && m.n == n {
			out = append(out, m)
		}
	}
	return out
}

// present returns the controllers of cfg with at least one run at n.
func present(cfg config, results []measure, n int) []string {
	var out []string
	for _, c := range cfg.controllers {
		if len(runsOf(results, c, n)) > 0 {
			out = append(out, c)
		}
	}
	return out
}

func toReady(m measure) float64 { return m.toReady.Seconds() }
func cpuOf(m measure) float64   { return m.cpu.Seconds() }
func rssOf(m measure) float64   { return float64(m.peakRSS) / (1 << 20) }
func untilOf(m measure) float64 { return float64(m.untilReady.total()) }
func afterOf(m measure) float64 { return float64(m.after.total()) }
func restartOf(m measure) float64 {
	if m.restart == nil {
		return math.NaN()
	}
	return m.restart.took.Seconds()
}

// withSpread formats a median, and its min–max when the runs differ.
func withSpread(s spread, format, unit string) string {
	if math.IsNaN(s.median) {
		return "—"
	}
	v := fmt.Sprintf(format, s.median) + unit
	if s.runs > 1 {
		v += fmt.Sprintf(" ("+format+"–"+format+")", s.min, s.max)
	}
	return v
}

// count formats a median count (a half when the runs are even in number).
func count(s spread) string {
	if math.IsNaN(s.median) {
		return "—"
	}
	if s.median == math.Trunc(s.median) {
		return strconv.Itoa(int(s.median))
	}
	return fmt.Sprintf("%.1f", s.median)
}

// afterCell is the median of the writes after Ready, and of the Events
// among them: client-go sends Events from a queue, so the Event of a
// reconcile before Ready can reach the API server after it.
func afterCell(runs []measure) string {
	v := count(over(runs, afterOf))
	if e := over(runs, func(m measure) float64 { return float64(m.after.events) }); e.max > 0 {
		v += fmt.Sprintf(" (%s Events)", count(e))
	}
	return v
}

// reconcilesCell is the median of the reconciles counted after a restart,
// and of those that did not succeed (error, requeue, requeue_after).
func reconcilesCell(runs []measure) string {
	v := count(over(runs, func(m measure) float64 { return float64(m.restart.reconciles.total()) }))
	notSuccess := over(runs, func(m measure) float64 {
		return float64(m.restart.reconciles.total() - m.restart.reconciles["success"])
	})
	if notSuccess.max > 0 {
		v += fmt.Sprintf(" (%s not success)", count(notSuccess))
	}
	return v
}

// timesFloor is the median time to Ready of runs over the floor's at n.
func timesFloor(results []measure, runs []measure, n int) string {
	floor := runsOf(results, "floor", n)
	if len(floor) == 0 {
		return "—"
	}
	f := over(floor, toReady).median
	if f <= 0 {
		return "—"
	}
	return fmt.Sprintf("%.2f×", over(runs, toReady).median/f)
}

// header is the line above a table: what ran and how.
func header(cfg config, n int) string {
	sync := "controller-runtime's default SyncPeriod (10 h)"
	if cfg.syncPeriod > 0 {
		sync = "SyncPeriod " + cfg.syncPeriod.String()
	}
	runs := "one run each"
	if cfg.repeat > 1 {
		runs = fmt.Sprintf("medians of %d runs each, (min–max), runs alternating %s, each on a fresh cluster", cfg.repeat, strings.Join(cfg.controllers, ", "))
	}
	return fmt.Sprintf("N = %d custom resources, each owning a Deployment, a Service and a ConfigMap; %s; 8 reconciles at once; client-side rate limit off (controller-runtime's default); %s\n\n", n, sync, runs)
}

// tableOf is the results at n as Markdown tables: the run to Ready and the
// window after, then the restart (with -restart).
func tableOf(cfg config, n int, results []measure, explain bool) string {
	var b strings.Builder
	b.WriteString(header(cfg, n))
	fmt.Fprintf(&b, "| controller | all Ready after | × floor | writes until Ready | creates | updates | status | custom resource | Events | writes in the %s after | CPU | peak RSS |\n", cfg.after)
	b.WriteString("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	controllers := present(cfg, results, n)
	for _, c := range controllers {
		runs := runsOf(results, c, n)
		field := func(f func(counts) int) string {
			return count(over(runs, func(m measure) float64 { return float64(f(m.untilReady)) }))
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n",
			names[c], withSpread(over(runs, toReady), "%.1f", " s"), timesFloor(results, runs, n),
			count(over(runs, untilOf)),
			field(func(c counts) int { return c.creates }), field(func(c counts) int { return c.updates }),
			field(func(c counts) int { return c.status }), field(func(c counts) int { return c.crMeta }),
			field(func(c counts) int { return c.events }),
			afterCell(runs), withSpread(over(runs, cpuOf), "%.1f", " s"), withSpread(over(runs, rssOf), "%.0f", " MiB"))
	}
	if explain {
		b.WriteString("\n" + tableNotes + " ")
	} else {
		b.WriteString("\n")
	}
	b.WriteString("Failed writes, counted above:")
	for i, c := range controllers {
		runs := runsOf(results, c, n)
		sep := ","
		if i == len(controllers)-1 {
			sep = "."
		}
		fmt.Fprintf(&b, " %s %s%s", c, count(over(runs, func(m measure) float64 { return float64(m.untilReady.failed + m.after.failed) })), sep)
	}
	b.WriteString("\n")
	if cfg.restart {
		b.WriteString("\n")
		b.WriteString(restartTable(cfg, n, results, explain))
	}
	return b.String()
}

// tableNotes says how to read the table of the runs to Ready.
const tableNotes = "Each controller runs 8 reconciles at once (`controller.Options{MaxConcurrentReconciles: 8}`: the okt scaffold's setting, given to the book and server-side-apply controllers too). " +
	"The floor is no controller: 8 goroutines of one process list the custom resources once and make the same creates and status writes directly (Ready=False, then Ready=True once a watch of the Deployments shows the custom resource's rolled out): its time is what the cluster itself takes, kube-controller-manager and kwok bringing the Deployments to Available. " +
	"The floor making okt's requests does the same with okt's kinds of request: each object created by a server-side apply, and one Event per custom resource once its objects exist; okt's time over it is okt's own. " +
	"× floor: the median time to Ready over the floor's. " +
	"Writes are the process's create, update, patch and delete requests as the API server's audit log records them (\"custom resource\": its metadata, such as an annotation or a finalizer; failed ones included, answered with an error, such as a 409 Conflict). " +
	"Writes after Ready may include Events of the reconciles before, which client-go sends from a queue of its own (in parentheses when there are some). " +
	"CPU is user + system time of the process, from start to stop; peak RSS its maximum resident set size."

// restartNotes says how to read the restart table.
func restartNotes() string {
	return fmt.Sprintf("Once the window after Ready had passed, the controller was stopped (SIGTERM) and started again, its metrics served on a local port. "+
		"All reconciled after: from its start to the moment the sum over results of its `controller_runtime_reconcile_total` reached N (read every %s), when it was stopped; "+
		"a restarted controller's work queue holds each custom resource once (the events of its owned objects merge with it while they wait), so N reconciles are each custom resource reconciled once, unless an event queued one again before the others were done (reconciles: the sum when it was stopped, up to %s later, with those whose result was error, requeue or requeue_after). "+
		"Reads and writes are its requests in that time as the audit log records them (get: discovery included; a watch once, when it starts); CPU and peak RSS are those of that second process. The floor has no restart.", metricsPoll, metricsPoll)
}

// restartTable is the restart section at n.
func restartTable(cfg config, n int, results []measure, explain bool) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Restart against the %d Ready custom resources:\n\n", n)
	b.WriteString("| controller | all reconciled after | reconciles | reads | get | list | watch | writes | CPU | peak RSS |\n")
	b.WriteString("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	for _, c := range present(cfg, results, n) {
		var runs []measure
		for _, m := range runsOf(results, c, n) {
			if m.restart != nil {
				runs = append(runs, m)
			}
		}
		if len(runs) == 0 {
			continue
		}
		r := func(f func(*restartMeasure) float64) spread {
			return over(runs, func(m measure) float64 { return f(m.restart) })
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", names[c],
			withSpread(r(func(r *restartMeasure) float64 { return r.took.Seconds() }), "%.1f", " s"),
			reconcilesCell(runs),
			count(r(func(r *restartMeasure) float64 { return float64(r.reads.total()) })),
			count(r(func(r *restartMeasure) float64 { return float64(r.reads.get) })),
			count(r(func(r *restartMeasure) float64 { return float64(r.reads.list) })),
			count(r(func(r *restartMeasure) float64 { return float64(r.reads.watch) })),
			count(r(func(r *restartMeasure) float64 { return float64(r.writes.total()) })),
			withSpread(r(func(r *restartMeasure) float64 { return r.cpu.Seconds() }), "%.1f", " s"),
			withSpread(r(func(r *restartMeasure) float64 { return float64(r.peakRSS) / (1 << 20) }), "%.0f", " MiB"))
	}
	if explain {
		b.WriteString("\n" + restartNotes() + "\n")
	}
	return b.String()
}

// exponentsTable is the growth exponents of the measures, one line per
// controller, fitted on the medians at each N.
func exponentsTable(cfg config, results []measure) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Growth with N (N = %s): the exponent a of measure ∝ N^a, the least-squares slope of log(median) on log(N)\n\n", joinInts(cfg.scale))
	b.WriteString("| controller | all Ready after | CPU | peak RSS | writes until Ready |")
	sep := "|---|---:|---:|---:|---:|"
	if cfg.restart {
		b.WriteString(" all reconciled after a restart |")
		sep += "---:|"
	}
	b.WriteString("\n" + sep + "\n")
	for _, c := range cfg.controllers {
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s |", names[c],
			fmtExp(fit(cfg, results, c, toReady)), fmtExp(fit(cfg, results, c, cpuOf)),
			fmtExp(fit(cfg, results, c, rssOf)), fmtExp(fit(cfg, results, c, untilOf)))
		if cfg.restart {
			e := math.NaN()
			if !isFloor(c) {
				e = fit(cfg, results, c, restartOf)
			}
			fmt.Fprintf(&b, " %s |", fmtExp(e))
		}
		b.WriteString("\n")
	}
	b.WriteString("\n1 is linear: ten times the custom resources, ten times the measure; 0.5 grows as the square root, 2 as the square.\n")
	return b.String()
}

// fit is the growth exponent of f's median over the N of cfg.scale.
func fit(cfg config, results []measure, controller string, f func(measure) float64) float64 {
	var x, y []float64
	for _, n := range cfg.scale {
		runs := runsOf(results, controller, n)
		if len(runs) == 0 {
			continue
		}
		x = append(x, float64(n))
		y = append(y, over(runs, f).median)
	}
	return exponent(x, y)
}

func fmtExp(e float64) string {
	if math.IsNaN(e) {
		return "—"
	}
	if math.Abs(e) < 0.005 {
		e = 0 // not -0.00
	}
	return fmt.Sprintf("%.2f", e)
}

func joinInts(ns []int) string {
	s := make([]string, len(ns))
	for i, n := range ns {
		s[i] = strconv.Itoa(n)
	}
	return strings.Join(s, ", ")
}

// machineOf describes this machine in one line.
func machineOf() string {
	cpu := "unknown CPU"
	if f, err := os.Open("/proc/cpuinfo"); err == nil {
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if k, v, ok := strings.Cut(sc.Text(), ":"); ok && strings.TrimSpace(k) == "model name" {
				cpu = strings.TrimSpace(v)
				break
			}
		}
		f.Close()
	}
	mem := ""
	if data, err := os.ReadFile("/proc/meminfo"); err == nil {
		var kb int64
		if _, err := fmt.Sscanf(string(data), "MemTotal: %d kB", &kb); err == nil {
			mem = fmt.Sprintf(", %d GiB", (kb+(1<<19))>>20)
		}
	}
	return fmt.Sprintf("machine: %s, %d CPUs%s, %s/%s, %s", cpu, runtime.NumCPU(), mem, runtime.GOOS, runtime.GOARCH, runtime.Version())
}

// writeOutputs writes bench-compare.* (bench-scale.* with -scale) into
// cfg.out.
func writeOutputs(cfg config, machine string, results []measure) error {
	if err := os.MkdirAll(cfg.out, 0o755); err != nil {
		return err
	}
	base := "bench-compare"
	command := "make bench-compare"
	if cfg.scale != nil {
		base, command = "bench-scale", "make bench-scale"
	}
	var md strings.Builder
	fmt.Fprintf(&md, "<!-- written by %s (hack/bench-compare.sh) on %s: see docs/performance.md -->\n%s\n\n",
		command, time.Now().UTC().Format("2006-01-02"), machine)
	ns := cfg.scale
	if ns == nil {
		ns = []int{cfg.n}
	}
	for _, n := range ns {
		if len(present(cfg, results, n)) == 0 {
			continue
		}
		if cfg.scale != nil {
			fmt.Fprintf(&md, "## N = %d\n\n", n)
		}
		md.WriteString(tableOf(cfg, n, results, cfg.scale == nil))
		md.WriteString("\n")
	}
	if cfg.scale != nil {
		md.WriteString("## How to read the tables\n\n" + tableNotes + "\n")
		if cfg.restart {
			md.WriteString("\n" + restartNotes() + "\n")
		}
		md.WriteString("\n## Growth\n\n")
		md.WriteString(exponentsTable(cfg, results))
		fmt.Fprintf(&md, "\n![time to Ready and CPU seconds against N, log-log](%s.svg)\n", base)
	} else {
		fmt.Fprintf(&md, "\n![API write requests per second](%s.svg)\n", base)
	}
	if err := os.WriteFile(filepath.Join(cfg.out, base+".md"), []byte(md.String()), 0o644); err != nil {
		return err
	}
	runsCSV := filepath.Join(cfg.out, base+"-runs.csv")
	if cfg.scale != nil {
		runsCSV = filepath.Join(cfg.out, base+".csv")
	}
	if err := os.WriteFile(runsCSV, []byte(runsCSVOf(results)), 0o644); err != nil {
		return err
	}
	if cfg.scale != nil {
		return scaleChart(cfg, results, filepath.Join(cfg.out, base))
	}
	var csv strings.Builder
	csv.WriteString("controller,run,second,writes\n")
	for _, m := range results {
		for i, v := range m.series {
			fmt.Fprintf(&csv, "%s,%d,%d,%d\n", m.controller, m.run, i, v)
		}
	}
	if err := os.WriteFile(filepath.Join(cfg.out, base+".csv"), []byte(csv.String()), 0o644); err != nil {
		return err
	}
	for _, format := range []string{"svg", "png"} {
		if err := chart(cfg, results, filepath.Join(cfg.out, base+"."+format)); err != nil {
			return err
		}
	}
	return nil
}

// runsCSVOf is one line per run, every measure.
func runsCSVOf(results []measure) string {
	var b strings.Builder
	b.WriteString("n,controller,run,to_ready_s,writes_until_ready,creates,updates,status,status_conflicts,custom_resource,events,failed_until_ready,writes_after,after_window_s,cpu_s,peak_rss_mib," +
		"restart_s,restart_reconciles,restart_reconcile_errors,restart_reads,restart_get,restart_list,restart_watch,restart_writes,restart_cpu_s,restart_peak_rss_mib\n")
	for _, m := range results {
		u := m.untilReady
		fmt.Fprintf(&b, "%d,%s,%d,%.3f,%d,%d,%d,%d,%d,%d,%d,%d,%d,%.0f,%.3f,%.1f,", m.n, m.controller, m.run, m.toReady.Seconds(),
			u.total(), u.creates, u.updates, u.status, u.statusConflicts, u.crMeta, u.events, u.failed, m.after.total(), m.afterWindow.Seconds(),
			m.cpu.Seconds(), float64(m.peakRSS)/(1<<20))
		if r := m.restart; r != nil {
			fmt.Fprintf(&b, "%.3f,%d,%d,%d,%d,%d,%d,%d,%.3f,%.1f\n", r.took.Seconds(), r.reconciles.total(), r.reconciles["error"], r.reads.total(), r.reads.get, r.reads.list, r.reads.watch,
				r.writes.total(), r.cpu.Seconds(), float64(r.peakRSS)/(1<<20))
		} else {
			b.WriteString(",,,,,,,,,\n")
		}
	}
	return b.String()
}

var colors = map[string]color.Color{
	"okt":         color.RGBA{R: 0xff, G: 0x79, A: 0xff},          // orange
	"book":        color.RGBA{R: 0x1f, G: 0x77, B: 0xb4, A: 0xff}, // blue
	"ssa":         color.RGBA{R: 0x55, G: 0x55, B: 0x55, A: 0xff}, // grey
	"floor":       color.RGBA{R: 0x2c, G: 0xa0, B: 0x2c, A: 0xff}, // green
	"floor-apply": color.RGBA{R: 0x98, G: 0xdf, B: 0x8a, A: 0xff}, // light green
}

// medianRun returns the run of runs whose time to Ready is the median (the
// lower of the two middle ones when they are even in number).
func medianRun(runs []measure) measure {
	sorted := slices.Clone(runs)
	slices.SortFunc(sorted, func(a, b measure) int { return int(a.toReady - b.toReady) })
	return sorted[(len(sorted)-1)/2]
}

// chart draws the write requests per second over time, one line per
// controller (its run of median time to Ready), a dot where its custom
// resources were all Ready.
func chart(cfg config, results []measure, path string) error {
	p := plot.New()
	p.Title.Text = fmt.Sprintf("API write requests per second, %d custom resources (each owning 3 objects)", cfg.n)
	if cfg.repeat > 1 {
		p.Title.Text += fmt.Sprintf(", the run of median time to Ready of %d", cfg.repeat)
	}
	p.X.Label.Text = "seconds since the controller started"
	p.Y.Label.Text = "write requests per second"
	p.Add(plotter.NewGrid())
	p.Legend.Top = true
	p.Legend.Left = true
	p.Legend.XOffs, p.Legend.YOffs = vg.Points(8), vg.Points(-4)
	highest := 1
	var shown []measure
	for _, c := range present(cfg, results, cfg.n) {
		m := medianRun(runsOf(results, c, cfg.n))
		shown = append(shown, m)
		for _, v := range m.series {
			highest = max(highest, v)
		}
	}
	// Room above the lines for the legend.
	p.Y.Min, p.Y.Max = 0, float64(highest)*1.6
	for _, m := range shown {
		xys := make(plotter.XYs, len(m.series))
		for i, v := range m.series {
			xys[i] = plotter.XY{X: float64(i), Y: float64(v)}
		}
		line, err := plotter.NewLine(xys)
		if err != nil {
			return err
		}
		line.Color = colors[m.controller]
		line.Width = vg.Points(1.5)
		p.Add(line)
		ready := plotter.XYs{{X: m.toReady.Seconds(), Y: 0}}
		dot, err := plotter.NewScatter(ready)
		if err != nil {
			return err
		}
		dot.Color = colors[m.controller]
		dot.Shape = draw.CircleGlyph{}
		dot.Radius = vg.Points(4)
		p.Add(dot)
		p.Legend.Add(fmt.Sprintf("%s: all Ready at %.0f s (dot), %d writes after", names[m.controller], m.toReady.Seconds(), m.after.total()), line)
	}
	return p.Save(10*vg.Inch, 5*vg.Inch, path)
}

// scaleChart draws, log-log against N, the median time to Ready and the
// median CPU seconds, one line per controller with its growth exponent in
// the legend; into base.svg and base.png.
func scaleChart(cfg config, results []measure, base string) error {
	panels := []struct {
		title, y string
		f        func(measure) float64
	}{
		{"time until all Ready", "seconds", toReady},
		{"CPU of the process, start to stop", "CPU seconds", cpuOf},
	}
	var plots []*plot.Plot
	for _, panel := range panels {
		p := plot.New()
		p.Title.Text = panel.title + " (log-log; one run each)"
		if cfg.repeat > 1 {
			p.Title.Text = panel.title + fmt.Sprintf(" (log-log; medians of %d runs)", cfg.repeat)
		}
		p.X.Label.Text = "custom resources (N)"
		p.Y.Label.Text = panel.y
		p.X.Scale, p.Y.Scale = plot.LogScale{}, plot.LogScale{}
		p.X.Tick.Marker = fixedTicks(cfg.scale)
		p.Y.Tick.Marker = logTicks{}
		p.Add(plotter.NewGrid())
		p.Legend.Top, p.Legend.Left = true, true
		p.Legend.XOffs, p.Legend.YOffs = vg.Points(8), vg.Points(-4)
		lo, hi := math.Inf(1), math.Inf(-1)
		for _, c := range cfg.controllers {
			var xys plotter.XYs
			for _, n := range cfg.scale {
				runs := runsOf(results, c, n)
				if len(runs) == 0 {
					continue
				}
				y := over(runs, panel.f).median
				if y <= 0 {
					continue
				}
				xys = append(xys, plotter.XY{X: float64(n), Y: y})
				lo, hi = min(lo, y), max(hi, y)
			}
			if len(xys) == 0 {
				continue
			}
			line, points, err := plotter.NewLinePoints(xys)
			if err != nil {
				return err
			}
			line.Color, points.Color = colors[c], colors[c]
			line.Width = vg.Points(1.5)
			points.Shape = draw.CircleGlyph{}
			points.Radius = vg.Points(3)
			p.Add(line, points)
			p.Legend.Add(fmt.Sprintf("%s: N^%s", names[c], fmtExp(fit(cfg, results, c, panel.f))), line, points)
		}
		if !math.IsInf(lo, 1) {
			// Room above the lines for the legend: the lines take the
			// lower two thirds of the (log) axis.
			lo, hi = lo/1.2, hi*1.2
			p.Y.Min, p.Y.Max = lo, hi*math.Pow(hi/lo, 0.5)
		}
		p.X.Min, p.X.Max = float64(cfg.scale[0])/1.2, float64(cfg.scale[len(cfg.scale)-1])*1.2
		plots = append(plots, p)
	}
	w, h := 14*vg.Inch, 5.5*vg.Inch
	draw2 := func(c draw.Canvas) {
		tiles := draw.Tiles{Rows: 1, Cols: len(plots), PadX: vg.Points(20), PadTop: vg.Points(4), PadBottom: vg.Points(4), PadLeft: vg.Points(4), PadRight: vg.Points(8)}
		canvases := plot.Align([][]*plot.Plot{plots}, tiles, c)
		for i, p := range plots {
			p.Draw(canvases[0][i])
		}
	}
	svg := vgsvg.New(w, h)
	draw2(draw.New(svg))
	if err := writeTo(base+".svg", svg); err != nil {
		return err
	}
	img := vgimg.New(w, h)
	draw2(draw.New(img))
	return writeTo(base+".png", vgimg.PngCanvas{Canvas: img})
}

func writeTo(path string, w interface {
	WriteTo(w io.Writer) (int64, error)
}) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := w.WriteTo(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// fixedTicks labels the axis at the given values only.
type fixedTicks []int

func (t fixedTicks) Ticks(min, max float64) []plot.Tick {
	var out []plot.Tick
	for _, v := range t {
		out = append(out, plot.Tick{Value: float64(v), Label: strconv.Itoa(v)})
	}
	return out
}

// logTicks labels a log axis at 1, 2 and 5 times the powers of 10, and
// marks the other integers times them.
type logTicks struct{}

func (logTicks) Ticks(min, max float64) []plot.Tick {
	var out []plot.Tick
	for e := math.Floor(math.Log10(min)); e <= math.Ceil(math.Log10(max)); e++ {
		p := math.Pow(10, e)
		for k := 1; k < 10; k++ {
			v := float64(k) * p
			if v < min || v > max {
				continue
			}
			t := plot.Tick{Value: v}
			if k == 1 || k == 2 || k == 5 {
				t.Label = strconv.FormatFloat(v, 'g', -1, 64)
			}
			out = append(out, t)
		}
	}
	return out
}
