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

// reconciles reads the controller-runtime metrics at url and returns the
// sum of controller_runtime_reconcile_total over its results (success,
// error, requeue, requeue_after) for the controller named controller.
func reconciles(ctx context.Context, url, controller string) (int, error) {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return 0, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("%s: %s", url, resp.Status)
	}
	return sumReconciles(resp.Body, controller)
}

// sumReconciles reads metrics in Prometheus' text format (one sample a
// line: name{label="value",...} number).
func sumReconciles(r io.Reader, controller string) (int, error) {
	const metric = "controller_runtime_reconcile_total{"
	sum, found := 0, false
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
			return 0, fmt.Errorf("cannot read the metric line %q", line)
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
			return 0, fmt.Errorf("cannot read the metric line %q: %w", line, err)
		}
		sum += int(v)
	}
	if err := sc.Err(); err != nil {
		return 0, err
	}
	if !found && len(seen) > 0 {
		return 0, &wrongController{want: controller, seen: seen}
	}
	if !found {
		return 0, fmt.Errorf("no %s metric yet", strings.TrimSuffix(metric, "{"))
	}
	return sum, nil
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
