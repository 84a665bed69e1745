package engines_test

import (
	"context"
	"testing"

	"github.com/okt-dev/okt/okt"
	"github.com/okt-dev/okt/okt/engines"
	"github.com/okt-dev/okt/okt/results"
)

func TestFreeStyle(t *testing.T) {
	register := func(ctx context.Context, s *scope) error {
		if err := s.Register(ctx, configMap(s.CR())); err != nil {
			return err
		}
		return s.CreateOrUpdateAllResources(ctx)
	}
	for _, tc := range []struct {
		name       string
		fn         hook
		finalize   hook
		deleted    bool
		wantErr    string
		wantGiveUp bool
		wantCounts map[results.Op]int
		wantCalled string
	}{
		{name: "success", fn: register, wantCounts: map[results.Op]int{results.Created: 1}},
		{name: "error", fn: fail(errBoom), wantErr: "boom", wantCounts: map[results.Op]int{results.Failure: 1}},
		{name: "give-up", fn: fail(results.NewGiveUpError("Bad", nil)), wantErr: "gave up: Bad", wantGiveUp: true,
			wantCounts: map[results.Op]int{results.GaveUp: 1}},
		{name: "nil give-up", fn: fail((*results.GiveUpError)(nil)), wantErr: "gave up", wantGiveUp: true},
		{name: "panic", fn: panics("bad"), wantErr: "panic in step FreeStyle: bad"},
		{name: "nil function", wantCounts: map[results.Op]int{results.Failure: 0}},
		{name: "finalizing", deleted: true, fn: fail(errBoom), finalize: func(context.Context, *scope) error { return nil },
			wantCounts: map[results.Op]int{results.Failure: 0}},
		{name: "finalizing error", deleted: true, fn: register, finalize: fail(errBoom), wantErr: "boom",
			wantCounts: map[results.Op]int{results.Created: 0}},
		{name: "finalizing panic", deleted: true, finalize: panics("bad"), wantErr: "panic in step Finalize: bad"},
		{name: "deleted without finalize", deleted: true, fn: fail(errBoom), wantCounts: map[results.Op]int{results.Failure: 0}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var opts []engines.FreeStyleOption[widget]
			if tc.finalize != nil {
				opts = append(opts, engines.WithFinalize(tc.finalize))
			}
			f := engines.NewFreeStyle(tc.fn, opts...)
			if got := f.Finalizes(); got != (tc.finalize != nil) {
				t.Errorf("Finalizes() = %v", got)
			}
			s, _ := newScope(t, tc.deleted)
			f.Run(context.Background(), s)
			checkResults(t, s.Results(), tc.wantErr, tc.wantGiveUp, tc.wantCounts)
			if s.Path() != "" {
				t.Errorf("FreeStyle recorded a path: %q", s.Path())
			}
		})
	}
}

func TestFreeStyleIsAnEngine(t *testing.T) {
	var _ okt.Engine[widget] = engines.NewFreeStyle[widget](nil)
	var _ okt.Finalizing = engines.NewFreeStyle[widget](nil)
}
