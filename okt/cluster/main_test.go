package cluster_test

import (
	"testing"

	"github.com/okt-dev/okt/okt/internal/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m, (*testing.M).Run) }
