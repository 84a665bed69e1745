package resources

import (
	"testing"
	"time"
)

// SetReadinessClock makes the readiness rules read now as the time, until
// the end of t.
func SetReadinessClock(t testing.TB, now time.Time) {
	old := clock
	clock = func() time.Time { return now }
	t.Cleanup(func() { clock = old })
}
