package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// wrongController is the error of a metrics endpoint that counts the
// reconciles of other controllers than the one asked for.
type wrongController struct {
	want string
	seen []string
}

func (e *wrongController) Error() string {
	return fmt.Sprintf("the metrics count no reconcile of a controller named %q, only of %s", e.want, strings.Join(e.seen, ", "))
}

// reconcileCounts is controller_runtime_reconcile_total of one controller
// by result (success, error, requeue, requeue_after).
type reconcileCounts map[string]int

func (r reconcileCounts) total() int {
	sum := 0
	for _, v := range r {
		sum += v
	}
	return sum
}

// notSuccess formats the counts of the results other than success.
func (r reconcileCounts) notSuccess() string {
	var parts []string
	for _, result := range []string{"error", "requeue", "requeue_after"} {
		if r[result] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", r[result], result))
		}
	}
	return strings.Join(parts, ", ")
}

// reconciles reads the controller-runtime metrics at url and returns
// controller_runtime_reconcile_total by result for the controller named
// controller.
func reconciles(ctx context.Context, url, controller string) (reconcileCounts, error) {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%s: %s", url, resp.Status)
	}
	return sumReconciles(resp.Body, controller)
}

// sumReconciles reads metrics in Prometheus' text format (one sample a
// line: name{label="value",...} number).
func sumReconciles(r io.Reader, controller string) (reconcileCounts, error) {
	const metric = "controller_runtime_reconcile_total{"
	counts := reconcileCounts{}
	found := false
	var seen []string
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, metric) {
			continue
		}
		labels, value, ok := strings.Cut(line[len(metric):], "} ")
		if !ok {
			return nil, fmt.Errorf("cannot read the metric line %q", line)
		}
		name := labelOf(labels, "controller")
		if name != controller {
			if !slices.Contains(seen, name) {
				seen = append(seen, name)
			}
			continue
		}
		found = true
		v, err := strconv.ParseFloat(strings.Fields(value)[0], 64)
		if err != nil {
			return nil, fmt.Errorf("cannot read the metric line %q: %w", line, err)
		}
		counts[labelOf(labels, "result")] += int(v)
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if !found && len(seen) > 0 {
		return nil, &wrongController{want: controller, seen: seen}
	}
	if !found {
		return nil, fmt.Errorf("no %s metric yet", strings.TrimSuffix(metric, "{"))
	}
	return counts, nil
}

// labelOf returns the value of the label name in labels (a="x",b="y").
func labelOf(labels, name string) string {
	for _, kv := range strings.Split(labels, ",") {
		k, v, ok := strings.Cut(kv, "=")
		if ok && k == name {
			return strings.Trim(v, `"`)
		}
	}
	return ""
}
