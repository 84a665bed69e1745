package scaffolds

import (
	"bytes"
	"regexp"
	"strings"
)

// EnvtestTarget is the Makefile target that gets envtest's binaries for the
// project's make test: okt's control plane when okt's cache has one for the
// project's Kubernetes version (offline), else go/v4's setup-envtest.
const EnvtestTarget = "okt-envtest"

// EnvtestFragment is what AddMakefileEnvtest adds right after go/v4's test
// target. Every variable is recursive, so ENVTEST_K8S_VERSION (defined
// further down by go/v4) is read only when make test runs, and nothing runs
// for other targets.
const EnvtestFragment = `# okt: make test runs on okt's control plane (kube-apiserver and etcd built
# from Go modules into okt's cache: make envtest-assets in the okt checkout),
# offline, when the cache has one for ENVTEST_K8S_VERSION; otherwise it
# downloads them with setup-envtest. make test OKT_ENVTEST_ASSETS= always
# downloads; OKT_ENVTEST_ASSETS=<folder> takes the binaries from <folder>.
OKT_CACHE ?= $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/okt
OKT_ENVTEST_ASSETS ?= $(patsubst %/kube-apiserver,%,$(lastword $(sort $(wildcard $(OKT_CACHE)/controlplane/$(ENVTEST_K8S_VERSION).*-etcd*/kube-apiserver))))

.PHONY: ` + EnvtestTarget + `
` + EnvtestTarget + `: ## Use okt's control plane for make test if it is built, else download envtest's binaries.
	@if [ -n "$(OKT_ENVTEST_ASSETS)" ]; then echo "envtest: okt's control plane, $(OKT_ENVTEST_ASSETS)"; else $(MAKE) --no-print-directory setup-envtest; fi
`

var (
	// envtestTestRuleRE finds go/v4's test rule, which depends on
	// setup-envtest.
	envtestTestRuleRE = regexp.MustCompile(`(?m)^test:[^\n#]*\bsetup-envtest\b[^\n]*\n`)
	envtestTargetRE   = regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(EnvtestTarget) + `:`)
)

// envtestAssets is how go/v4's test recipe hands setup-envtest's folder to
// go test.
const envtestAssets = `KUBEBUILDER_ASSETS="$(shell `

// AddMakefileEnvtest makes go/v4's make test take envtest's binaries from
// okt's control plane: the test rule depends on okt-envtest instead of
// setup-envtest, its recipe sets KUBEBUILDER_ASSETS to OKT_ENVTEST_ASSETS
// when that is not empty (setup-envtest's folder otherwise), and the
// okt-envtest target follows the rule. It reports whether it changed the
// Makefile: one that has the target already, or whose test rule is not
// go/v4's (no setup-envtest prerequisite, or no KUBEBUILDER_ASSETS set from
// setup-envtest), is returned as it is.
func AddMakefileEnvtest(makefile []byte) ([]byte, bool) {
	if envtestTargetRE.Match(makefile) {
		return makefile, false
	}
	loc := envtestTestRuleRE.FindIndex(makefile)
	if loc == nil {
		return makefile, false
	}
	rule := string(makefile[loc[0]:loc[1]])
	rule = regexp.MustCompile(`\bsetup-envtest\b`).ReplaceAllLiteralString(rule, EnvtestTarget)
	// The recipe: the lines after the rule that start with a tab.
	end := loc[1]
	for end < len(makefile) && makefile[end] == '\t' {
		if nl := bytes.IndexByte(makefile[end:], '\n'); nl >= 0 {
			end += nl + 1
		} else {
			end = len(makefile)
		}
	}
	recipe, ok := wrapEnvtestAssets(string(makefile[loc[1]:end]))
	if !ok {
		return makefile, false
	}
	var out bytes.Buffer
	out.Write(makefile[:loc[0]])
	out.WriteString(rule)
	out.WriteString(recipe)
	if !strings.HasSuffix(recipe, "\n") {
		out.WriteString("\n")
	}
	out.WriteString("\n")
	out.WriteString(EnvtestFragment)
	out.Write(makefile[end:])
	return out.Bytes(), true
}

// wrapEnvtestAssets turns KUBEBUILDER_ASSETS="$(shell ...)" in a recipe
// into KUBEBUILDER_ASSETS="$(or $(OKT_ENVTEST_ASSETS),$(shell ...))".
func wrapEnvtestAssets(recipe string) (string, bool) {
	i := strings.Index(recipe, envtestAssets)
	if i < 0 {
		return recipe, false
	}
	start := i + len(`KUBEBUILDER_ASSETS="`)
	depth := 0
	for j := start; j < len(recipe); j++ {
		switch recipe[j] {
		case '(':
			depth++
		case ')':
			depth--
			if depth == 0 {
				return recipe[:start] + "$(or $(OKT_ENVTEST_ASSETS)," + recipe[start:j+1] + ")" + recipe[j+1:], true
			}
		case '\n':
			return recipe, false
		}
	}
	return recipe, false
}
