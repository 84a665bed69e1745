package resources_test

import (
	"strings"
	"testing"
	"time"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"sigs.k8s.io/cli-utils/pkg/kstatus/status"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	"github.com/okt-dev/okt/okt/resources"
)

// readinessExceptions are the live states where okt's readiness knowingly
// differs from kstatus', because an operator's Ready means its application
// is ready, not merely that the object's controller has caught up. This is
// the one list of them (docs/readiness.md explains each): the table test
// fails if a listed state does not differ as written here, or if okt and
// kstatus differ on a state not listed.
var readinessExceptions = []struct {
	fixture string // kind/case, as in readinessFixtures
	kstatus resources.ReadinessState
	okt     resources.ReadinessState
	reason  string // okt's Reason when Failed
	why     string
}{
	{"Job/running", resources.IsReady, resources.Progressing, "",
		"kstatus calls a started Job Current; the work an operator runs in a Job is done only once it is Complete"},
	{"Job/suspended after it started", resources.IsReady, resources.Progressing, "",
		"a suspended Job keeps its startTime, so kstatus calls it Current; it will not complete until resumed"},
	{"Pod/Failed", resources.IsReady, resources.Failed, "PodFailed",
		"kstatus calls a Pod Current once it has stopped, whatever its phase; a Pod in phase Failed will not run again"},
	{"Pod/Failed, evicted", resources.IsReady, resources.Failed, "PodFailed",
		"an evicted Pod is in phase Failed: it will not run again"},
	{"StatefulSet/OnDelete, fewer ready", resources.IsReady, resources.Progressing, "",
		"kstatus calls any OnDelete StatefulSet Current; okt waits for every wanted replica to be ready (not for the update revision, which pods reach only when deleted)"},
	{"StatefulSet/OnDelete, created, no status yet", resources.IsReady, resources.Progressing, "",
		"as above: a StatefulSet its controller has not observed yet has no replica at all"},
	{"custom resource/Ready True on a condition of an older generation", resources.IsReady, resources.Progressing, "",
		"kstatus reads status.observedGeneration only; a condition whose observedGeneration is not metadata.generation was set for an older spec (okt's own custom resources record their generation there)"},
	{"custom resource/Stalled True on a condition of an older generation", resources.Failed, resources.Progressing, "",
		"as above: the controller gave up on an older spec; the new one may well succeed"},
}

// kstatusVerdict maps kstatus' result as okt promises to: Current is ready;
// InProgress, Terminating, NotFound, Unknown and an error are Progressing;
// Failed is Failed, with the reason of the Stalled condition ("Stalled"
// when it has none).
func kstatusVerdict(res *status.Result, err error) (resources.ReadinessState, string) {
	if err != nil {
		return resources.Progressing, ""
	}
	switch res.Status {
	case status.CurrentStatus:
		return resources.IsReady, ""
	case status.FailedStatus:
		reason := ""
		for _, c := range res.Conditions {
			if c.Type == status.ConditionStalled {
				reason = c.Reason
			}
		}
		if reason == "" {
			reason = "Stalled"
		}
		return resources.Failed, reason
	}
	return resources.Progressing, ""
}

// fixtureScheme knows the Go types of the built-in kinds and CRDs.
func fixtureScheme(t *testing.T) *runtime.Scheme {
	s := runtime.NewScheme()
	if err := clientgoscheme.AddToScheme(s); err != nil {
		t.Fatal(err)
	}
	if err := apiextensionsv1.AddToScheme(s); err != nil {
		t.Fatal(err)
	}
	return s
}

// decodeFixture returns the fixture as an unstructured object, and as its Go
// type when the scheme has one (nil otherwise), without apiVersion and kind
// as a typed client returns it.
func decodeFixture(t *testing.T, s *runtime.Scheme, text string, now time.Time) (*unstructured.Unstructured, client.Object) {
	text = strings.NewReplacer(
		"{{now}}", now.UTC().Format(time.RFC3339),
		"{{now-1h}}", now.Add(-time.Hour).UTC().Format(time.RFC3339),
	).Replace(text)
	data, err := yaml.YAMLToJSON([]byte(text))
	if err != nil {
		t.Fatal(err)
	}
	u := &unstructured.Unstructured{}
	if err := u.UnmarshalJSON(data); err != nil {
		t.Fatal(err)
	}
	if !s.Recognizes(u.GroupVersionKind()) {
		return u, nil
	}
	o, err := s.New(u.GroupVersionKind())
	if err != nil {
		t.Fatal(err)
	}
	typed := o.(client.Object)
	if err := yaml.UnmarshalStrict([]byte(text), typed); err != nil {
		t.Fatalf("typed decode: %v", err)
	}
	typed.GetObjectKind().SetGroupVersionKind(schema.GroupVersionKind{})
	return u, typed
}

// converted are the kinds of the fixtures that okt reads, typed, by
// converting them for kstatus.
var converted = map[string]bool{"HorizontalPodAutoscaler": true, "Ingress": true, "Namespace": true}

// TestReadinessAgreesWithKstatus reads each fixture with kstatus and with
// okt, typed and unstructured: okt's typed and unstructured verdicts are the
// same, and okt's verdict is kstatus' except for the listed exceptions. A
// ready typed object of a kind okt has a rule for costs no allocation.
func TestReadinessAgreesWithKstatus(t *testing.T) {
	if len(readinessFixtures) < 60 {
		t.Errorf("%d fixtures, want at least 60", len(readinessFixtures))
	}
	s := fixtureScheme(t)
	now := time.Now()
	fixtures := map[string]bool{}
	for _, f := range readinessFixtures {
		if fixtures[f.name] {
			t.Errorf("fixture %q listed twice", f.name)
		}
		fixtures[f.name] = true
	}
	exceptions := map[string]int{}
	for i, e := range readinessExceptions {
		if !fixtures[e.fixture] {
			t.Errorf("exception %q names no fixture", e.fixture)
		}
		if e.why == "" {
			t.Errorf("exception %q gives no reason", e.fixture)
		}
		exceptions[e.fixture] = i
	}

	for _, f := range readinessFixtures {
		t.Run(f.name, func(t *testing.T) {
			u, typed := decodeFixture(t, s, f.yaml, now)
			kind, name := u.GetKind(), u.GetName()
			if want := strings.SplitN(f.name, "/", 2)[0]; want != kind && want != "custom resource" {
				t.Errorf("fixture of kind %s listed as %s", kind, want)
			}
			ksState, ksReason := kstatusVerdict(status.Compute(u.DeepCopy()))

			got := resources.ReadinessOf(u)
			if again := resources.ReadinessOf(u); again != got {
				t.Errorf("unstable: %+v, then %+v", got, again)
			}
			if typed != nil {
				if gotTyped := resources.ReadinessOf(typed); gotTyped != got {
					t.Errorf("typed %+v, unstructured %+v", gotTyped, got)
				}
				if n := testing.AllocsPerRun(10, func() { resources.ReadinessOf(typed) }); got.Ready() && !converted[kind] && n != 0 {
					t.Errorf("ready %T: %v allocations, want 0", typed, n)
				}
			}
			switch {
			case got.State == resources.IsReady && (got.Reason != "" || got.Message != ""):
				t.Errorf("ready with reason %q, message %q", got.Reason, got.Message)
			case got.State != resources.IsReady && got.Message == "":
				t.Errorf("%s without a message", got.State)
			case got.State != resources.Failed && got.Reason != "":
				t.Errorf("%s with reason %q", got.State, got.Reason)
			case strings.HasPrefix(got.Message, kind+" ") || strings.Contains(got.Message, kind+" "+name):
				t.Errorf("message %q names the object", got.Message)
			}

			if i, ok := exceptions[f.name]; ok {
				e := readinessExceptions[i]
				if ksState != e.kstatus {
					t.Errorf("exception: kstatus says %s, listed as %s", ksState, e.kstatus)
				}
				if got.State != e.okt || got.Reason != e.reason {
					t.Errorf("exception: okt says %s %q (%s), listed as %s %q", got.State, got.Reason, got.Message, e.okt, e.reason)
				}
				if ksState == got.State && ksReason == got.Reason {
					t.Errorf("listed as an exception, but okt and kstatus agree: %s %q", got.State, got.Reason)
				}
				return
			}
			if got.State != ksState || got.Reason != ksReason {
				t.Errorf("okt: %s %q (%s); kstatus: %s %q", got.State, got.Reason, got.Message, ksState, ksReason)
			}
		})
	}
}
