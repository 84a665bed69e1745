package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"time"
)

// write is one write request of the audit log.
type write struct {
	at          time.Time
	verb        string
	group       string
	resource    string
	subresource string
	code        int
}

// auditEvent is the part of an audit.k8s.io/v1 Event benchcompare reads.
type auditEvent struct {
	Stage string `json:"stage"`
	Verb  string `json:"verb"`
	User  struct {
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

// readAudit returns the write requests of user in the audit log at path,
// each once (at the stage ResponseComplete, or Panic).
func readAudit(path, user string) ([]write, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("cannot read the API server's audit log: %w", err)
	}
	defer f.Close()
	var out []write
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 1<<20), 16<<20)
	for sc.Scan() {
		var e auditEvent
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			return nil, fmt.Errorf("%s: a line is not an audit event: %w", path, err)
		}
		if e.User.Username != user || (e.Stage != "ResponseComplete" && e.Stage != "Panic") {
			continue
		}
		switch e.Verb {
		case "create", "update", "patch", "delete", "deletecollection":
		default:
			continue
		}
		w := write{at: e.RequestReceivedTimestamp, verb: e.Verb}
		if e.ObjectRef != nil {
			w.group, w.resource, w.subresource = e.ObjectRef.APIGroup, e.ObjectRef.Resource, e.ObjectRef.Subresource
		}
		if e.ResponseStatus != nil {
			w.code = e.ResponseStatus.Code
		}
		out = append(out, w)
	}
	return out, sc.Err()
}

// counts sorts write requests by what they wrote.
type counts struct {
	creates int // of owned objects: creates, and applies that created
	updates int // updates and patches of owned objects
	status  int // of the custom resources' status
	crMeta  int // of the custom resources themselves (metadata: finalizers, annotations)
	events  int
	other   int
	failed  int // of all the above, answered with an error (a conflict, say)
}

func (c counts) total() int { return c.creates + c.updates + c.status + c.crMeta + c.events + c.other }

// withoutEvents is the writes of objects: everything but Events.
func (c counts) withoutEvents() int { return c.total() - c.events }

func (c counts) String() string {
	return fmt.Sprintf("%d creates, %d updates, %d status, %d custom resource, %d events, %d other (%d failed)",
		c.creates, c.updates, c.status, c.crMeta, c.events, c.other, c.failed)
}

func (c *counts) add(w write) {
	switch {
	case w.resource == "events":
		c.events++
	case w.resource == "webs" && w.subresource == "status":
		c.status++
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

// tally splits the writes between before readyAt and from readyAt to end,
// and counts them per second since start.
func tally(writes []write, start, readyAt, end time.Time) (until, after counts, series []int) {
	seconds := int(end.Sub(start)/time.Second) + 1
	series = make([]int, seconds)
	for _, w := range writes {
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
