package scaffolds_test

// The controller tests okt generates use Ginkgo and Gomega; TestResourceAllKinds
// compiles them inside this module, so the module must keep requiring both.
import (
	_ "github.com/onsi/ginkgo/v2"
	_ "github.com/onsi/gomega"
)
