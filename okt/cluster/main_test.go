package cluster_test

import (
	"os"
	"testing"

	"github.com/okt-dev/okt/okt/internal/testenv"
)

func TestMain(m *testing.M) {
	logs := testenv.CaptureLogs() // controller-runtime's and client-go's: printed only on a failure
	code := m.Run()
	logs.Print(code != 0)
	os.Exit(code)
}
