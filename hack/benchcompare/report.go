package main

import (
	"bufio"
	"fmt"
	"image/color"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

var names = map[string]string{
	"okt":  "okt (scaffolded)",
	"book": "kubebuilder book (CreateOrUpdate + Status().Update)",
	"ssa":  "typed server-side apply",
}

// tableOf is the results as a Markdown table.
func tableOf(cfg config, results []measure) string {
	var b strings.Builder
	sync := "controller-runtime's default SyncPeriod (10 h)"
	if cfg.syncPeriod > 0 {
		sync = "SyncPeriod " + cfg.syncPeriod.String()
	}
	fmt.Fprintf(&b, "N = %d custom resources, each owning a Deployment, a Service and a ConfigMap; %s; client-side rate limit off (controller-runtime's default)\n\n", cfg.n, sync)
	fmt.Fprintf(&b, "| controller | all Ready after | writes until Ready | creates | updates | status | custom resource | Events | writes in the %s after | CPU | peak RSS |\n", cfg.after)
	b.WriteString("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	for _, m := range results {
		fmt.Fprintf(&b, "| %s | %.1f s | %d | %d | %d | %d | %d | %d | %d | %.1f s | %d MiB |\n",
			names[m.controller], m.toReady.Seconds(), m.untilReady.total(), m.untilReady.creates, m.untilReady.updates,
			m.untilReady.status, m.untilReady.crMeta, m.untilReady.events, m.after.total(), m.cpu.Seconds(), m.peakRSS>>20)
	}
	b.WriteString("\nWrites are the controller's create, update, patch and delete requests as the API server's audit log records them (\"custom resource\": its metadata, such as an annotation or a finalizer; failed ones included:")
	for _, m := range results {
		fmt.Fprintf(&b, " %s %d,", m.controller, m.untilReady.failed+m.after.failed)
	}
	b.WriteString(" answered with an error). CPU is user + system time of the controller's process, from start to stop; peak RSS its maximum resident set size.\n")
	return b.String()
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

func writeOutputs(cfg config, machine, table string, results []measure) error {
	if err := os.MkdirAll(cfg.out, 0o755); err != nil {
		return err
	}
	md := fmt.Sprintf("<!-- written by make bench-compare (hack/bench-compare.sh) on %s -->\n%s\n\n%s",
		time.Now().UTC().Format("2006-01-02"), machine, table)
	if err := os.WriteFile(filepath.Join(cfg.out, "bench-compare.md"), []byte(md), 0o644); err != nil {
		return err
	}
	var csv strings.Builder
	csv.WriteString("controller,second,writes\n")
	for _, m := range results {
		for i, v := range m.series {
			fmt.Fprintf(&csv, "%s,%d,%d\n", m.controller, i, v)
		}
	}
	if err := os.WriteFile(filepath.Join(cfg.out, "bench-compare.csv"), []byte(csv.String()), 0o644); err != nil {
		return err
	}
	for _, format := range []string{"svg", "png"} {
		if err := chart(cfg, results, filepath.Join(cfg.out, "bench-compare."+format)); err != nil {
			return err
		}
	}
	return nil
}

var colors = map[string]color.Color{
	"okt":  color.RGBA{R: 0xff, G: 0x79, A: 0xff},          // orange
	"book": color.RGBA{R: 0x1f, G: 0x77, B: 0xb4, A: 0xff}, // blue
	"ssa":  color.RGBA{R: 0x55, G: 0x55, B: 0x55, A: 0xff}, // grey
}

// chart draws the write requests per second over time, one line per
// controller, a dot where its custom resources were all Ready.
func chart(cfg config, results []measure, path string) error {
	p := plot.New()
	p.Title.Text = fmt.Sprintf("API write requests per second, %d custom resources (each owning 3 objects)", cfg.n)
	p.X.Label.Text = "seconds since the controller started"
	p.Y.Label.Text = "write requests per second"
	p.Add(plotter.NewGrid())
	p.Legend.Top = true
	p.Legend.Left = true
	p.Legend.XOffs, p.Legend.YOffs = vg.Points(8), vg.Points(-4)
	highest := 1
	for _, m := range results {
		for _, v := range m.series {
			highest = max(highest, v)
		}
	}
	// Room above the lines for the legend.
	p.Y.Min, p.Y.Max = 0, float64(highest)*1.45
	for _, m := range results {
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
