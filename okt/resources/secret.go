package resources

import (
	"context"
	"encoding/base64"
	"sort"
	"strings"

	"github.com/go-logr/logr"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// Masked stands for a secret value in every text okt writes (logs,
// conditions, errors, events), as kubectl diff masks Secrets.
const Masked = "***"

// minRedacted is the shortest secret value that Redact replaces in free text:
// shorter ones would mask ordinary words.
const minRedacted = 4

// IsSecret reports whether k names a core Secret.
func IsSecret(k Key) bool { return k.Group == "" && k.Kind == "Secret" }

// SecretValues returns the values of a Secret (typed or unstructured): each
// data value in clear and in base64, and each stringData value. It returns
// nil for any other object.
func SecretValues(obj client.Object) []string {
	var out []string
	add := func(clear string) {
		if clear == "" {
			return
		}
		out = append(out, clear, base64.StdEncoding.EncodeToString([]byte(clear)))
	}
	switch s := obj.(type) {
	case *corev1.Secret:
		if s == nil {
			return nil
		}
		for _, v := range s.Data {
			add(string(v))
		}
		for _, v := range s.StringData {
			add(v)
		}
	case *unstructured.Unstructured:
		if s == nil || s.GroupVersionKind().Group != "" || s.GetKind() != "Secret" {
			return nil
		}
		data, _, _ := unstructured.NestedStringMap(s.Object, "data")
		for _, v := range data {
			if clear, err := base64.StdEncoding.DecodeString(v); err == nil {
				add(string(clear))
			} else {
				out = append(out, v)
			}
		}
		str, _, _ := unstructured.NestedStringMap(s.Object, "stringData")
		for _, v := range str {
			add(v)
		}
	}
	return out
}

// Redacter masks known secret values in text. The zero value masks nothing.
// It is not safe for concurrent use.
type Redacter struct {
	values []string
}

// Add records the values of the Secrets among objs (see SecretValues).
func (r *Redacter) Add(objs ...client.Object) {
	for _, o := range objs {
		if o == nil {
			continue
		}
		r.values = append(r.values, SecretValues(o)...)
	}
}

// Redact returns text with every recorded value replaced by Masked, longest
// first, so that a value inside another is not half-masked. Clear values
// shorter than four bytes are left alone (they would mask ordinary words);
// their base64 forms, four bytes or more, are masked.
func (r *Redacter) Redact(text string) string {
	if len(r.values) == 0 || text == "" {
		return text
	}
	vals := append([]string(nil), r.values...)
	sort.Slice(vals, func(i, j int) bool { return len(vals[i]) > len(vals[j]) })
	for _, v := range vals {
		if len(v) >= minRedacted {
			text = strings.ReplaceAll(text, v, Masked)
		}
	}
	return text
}

// WithoutWireLogs returns ctx with its logger capped below V(6), the levels
// at which client-go traces requests (URLs, headers, then bodies at V(8)):
// okt reads and writes sensitive objects with it, so that no Secret value
// reaches a log even at the highest verbosity.
func WithoutWireLogs(ctx context.Context) context.Context {
	log, err := logr.FromContext(ctx)
	if err != nil || log.GetSink() == nil {
		return ctx
	}
	return logr.NewContext(ctx, log.WithSink(cappedSink{LogSink: log.GetSink(), max: maxLogLevel}))
}

// maxLogLevel is the highest verbosity that WithoutWireLogs lets through.
const maxLogLevel = 5

// cappedSink drops the entries more verbose than max.
type cappedSink struct {
	logr.LogSink
	max int
}

func (c cappedSink) Enabled(level int) bool { return level <= c.max && c.LogSink.Enabled(level) }

func (c cappedSink) Info(level int, msg string, kv ...any) {
	if level <= c.max {
		c.LogSink.Info(level, msg, kv...)
	}
}

func (c cappedSink) WithValues(kv ...any) logr.LogSink {
	return cappedSink{LogSink: c.LogSink.WithValues(kv...), max: c.max}
}

func (c cappedSink) WithName(name string) logr.LogSink {
	return cappedSink{LogSink: c.LogSink.WithName(name), max: c.max}
}

// wireCtx returns the context for the API requests on the object: without
// wire logs when it is sensitive.
func (o *Object[O]) wireCtx(ctx context.Context) context.Context {
	if o.sensitive() {
		return WithoutWireLogs(ctx)
	}
	return ctx
}
