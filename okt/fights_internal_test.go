package okt

import (
	"testing"
	"time"
)

// TestFightBook: three corrections of one field within the window start a
// fight; corrections are then spaced out, doubling up to the bound; a quiet
// object ends the fight; another field's or an old correction counts apart.
func TestFightBook(t *testing.T) {
	b := &fightBook{}
	rule := FightRule{Corrections: 3, Window: time.Minute, FirstBackoff: 2 * time.Second, MaxBackoff: 5 * time.Second}
	t0 := time.Unix(1000, 0)
	at := func(s float64) time.Time { return t0.Add(time.Duration(s * float64(time.Second))) }

	if f := b.corrected(rule, "u", "obj", ".a", "m", at(0)); f != nil {
		t.Fatal("a fight after one correction")
	}
	if f := b.corrected(rule, "u", "obj", ".b", "m", at(0.5)); f != nil {
		t.Fatal("corrections of two fields make a fight")
	}
	if f := b.corrected(rule, "u", "obj", ".a", "m", at(1)); f != nil {
		t.Fatal("a fight after two corrections")
	}
	f := b.corrected(rule, "u", "obj", ".a", "other", at(1.5))
	if f == nil || f.Path != ".a" || f.Manager != "other" || f.Backoff != 2*time.Second {
		t.Fatalf("third correction: fight %+v, want one over .a with other, backoff 2s", f)
	}
	if w := b.wait("u", at(2)); w != 1500*time.Millisecond {
		t.Errorf("wait %v, want 1.5s", w)
	}
	if w := b.wait("u", at(3.5)); w != 0 {
		t.Errorf("wait %v after the backoff, want 0", w)
	}
	b.corrected(rule, "u", "obj", ".a", "other", at(3.5))
	if f := b.active("u"); f == nil || f.Backoff != 4*time.Second {
		t.Errorf("after a correction in the fight: %+v, want backoff 4s", f)
	}
	b.corrected(rule, "u", "obj", ".a", "other", at(7.5))
	if f := b.active("u"); f == nil || f.Backoff != 5*time.Second {
		t.Errorf("backoff %+v, want it bounded at 5s", f)
	}
	if ended, after := b.calm("u", at(8)); ended != nil || after != 4500*time.Millisecond {
		t.Errorf("calm too soon: ended %v, after %v; want none, 4.5s", ended, after)
	}
	if ended, _ := b.calm("u", at(12.5)); ended == nil || ended.Path != ".a" {
		t.Errorf("calm after the backoff: ended %+v, want the fight over .a", ended)
	}
	if b.active("u") != nil || b.wait("u", at(13)) != 0 {
		t.Error("the fight is still on after it ended")
	}

	// Corrections older than the window do not count.
	b.corrected(rule, "v", "obj", ".a", "m", at(0))
	b.corrected(rule, "v", "obj", ".a", "m", at(10))
	if f := b.corrected(rule, "v", "obj", ".a", "m", at(65)); f != nil {
		t.Error("a correction out of the window counted")
	}
	// Off.
	if f := b.corrected(FightRule{}, "w", "obj", ".a", "m", at(0)); f != nil || b.active("w") != nil {
		t.Error("fight detection with Corrections 0")
	}
}
