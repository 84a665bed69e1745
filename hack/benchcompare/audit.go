package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"time"
)

// request is one request of the audit log.
type request struct {
	at          time.Time
	verb        string
	group       string
	resource    string
	subresource string
	code        int
}

func (r request) isWrite() bool {
	switch r.verb {
	case "create", "update", "patch", "delete", "deletecollection":
		return true
	}
	return false
}

// auditEvent is the part of an audit.k8s.io/v1 Event benchcompare reads.
type auditEvent struct {
	AuditID string `json:"auditID"`
	Stage   string `json:"stage"`
	Verb    string `json:"verb"`
	User    struct {
		Username string `json:"username"`
	} `json:"user"`
	ObjectRef *struct {
		Resource    string `json:"resource"`
		Subresource string `json:"subresource"`
		APIGroup    string `json:"apiGroup"`
	} `json:"objectRef"`
	ResponseStatus *struct {
		Code int `json:"code"`
	} `json:"responseStatus"`
	RequestReceivedTimestamp time.Time `json:"requestReceivedTimestamp"`
}

// readAudit returns the requests of user in the audit log at path, each
// once: at the stage ResponseComplete (or Panic), or ResponseStarted for a
// watch, which completes only when it is closed (at the controller's stop,
// maybe after the log was read).
func readAudit(path, user string) ([]request, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("cannot read the API server's audit log: %w", err)
	}
	defer f.Close()
	var out []request
	seen := map[string]bool{}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 1<<20), 16<<20)
	for sc.Scan() {
		var e auditEvent
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			return nil, fmt.Errorf("%s: a line is not an audit event: %w", path, err)
		}
		if e.User.Username != user {
			continue
		}
		switch e.Stage {
		case "ResponseComplete", "Panic", "ResponseStarted":
		default:
			continue
		}
		if e.AuditID != "" {
			if seen[e.AuditID] {
				continue
			}
			seen[e.AuditID] = true
		}
		r := request{at: e.RequestReceivedTimestamp, verb: e.Verb}
		if e.ObjectRef != nil {
			r.group, r.resource, r.subresource = e.ObjectRef.APIGroup, e.ObjectRef.Resource, e.ObjectRef.Subresource
		}
		if e.ResponseStatus != nil {
			r.code = e.ResponseStatus.Code
		}
		out = append(out, r)
	}
	return out, sc.Err()
}

// counts sorts write requests by what they wrote.
type counts struct {
	creates         int // of owned objects: creates, and applies that created
	updates         int // updates and patches of owned objects
	status          int // of the custom resources' status
	statusConflicts int // of which answered 409 Conflict
	crMeta          int // of the custom resources themselves (metadata: finalizers, annotations)
	events          int
	other           int
	failed          int // of all the above, answered with an error (a conflict, say)
}

func (c counts) total() int { return c.creates + c.updates + c.status + c.crMeta + c.events + c.other }

// withoutEvents is the writes of objects: everything but Events.
func (c counts) withoutEvents() int { return c.total() - c.events }

func (c counts) String() string {
	return fmt.Sprintf("%d creates, %d updates, %d status, %d custom resource, %d events, %d other (%d failed)",
		c.creates, c.updates, c.status, c.crMeta, c.events, c.other, c.failed)
}

func (c *counts) add(w request) {
	switch {
	case w.resource == "events":
		c.events++
	case w.resource == "webs" && w.subresource == "status":
		c.status++
		if w.code == 409 {
			c.statusConflicts++
		}
	case w.resource == "webs":
		c.crMeta++
	case (w.resource == "deployments" || w.resource == "services" || w.resource == "configmaps") && w.subresource == "":
		// A server-side apply that creates its object is a patch answered
		// 201 Created.
		if w.verb == "create" || (w.verb == "patch" && w.code == 201) {
			c.creates++
		} else {
			c.updates++
		}
	default:
		c.other++
	}
	if w.code >= 300 {
		c.failed++
	}
}

// reads counts read requests by verb.
type reads struct {
	get, list, watch int
}

func (r reads) total() int { return r.get + r.list + r.watch }

func (r reads) String() string {
	return fmt.Sprintf("%d get, %d list, %d watch", r.get, r.list, r.watch)
}

// tally splits the writes between before readyAt and from readyAt to end,
// and counts them per second since start.
func tally(requests []request, start, readyAt, end time.Time) (until, after counts, series []int) {
	seconds := int(end.Sub(start)/time.Second) + 1
	series = make([]int, seconds)
	for _, w := range requests {
		if !w.isWrite() {
			continue
		}
		if w.at.Before(readyAt) {
			until.add(w)
		} else if !w.at.After(end) {
			after.add(w)
		}
		if i := int(w.at.Sub(start) / time.Second); i >= 0 && i < seconds {
			series[i]++
		}
	}
	return until, after, series
}

// tallyRestart counts the reads and the writes received from start to end:
// the life of the restarted controller.
func tallyRestart(requests []request, start, end time.Time) (r reads, w counts) {
	for _, q := range requests {
		if q.at.Before(start) || q.at.After(end) {
			continue
		}
		switch q.verb {
		case "get":
			r.get++
		case "list":
			r.list++
		case "watch":
			r.watch++
		default:
			if q.isWrite() {
				w.add(q)
			}
		}
	}
	return r, w
}
