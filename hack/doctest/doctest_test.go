// Package doctest runs what the README and the pages of docs/ tell a user to
// type or copy, from the Markdown itself, so that they cannot drift from the
// code. Every fenced block of sh, bash or go says how it is checked, in its
// info string:
//
//	```sh doctest=run              each line runs (bash -e) in an empty folder, okt on the PATH
//	```sh doctest=project          runs in a project made by okt init and create api (kinds
//	                               Memcached and Datastore, group cache, v1alpha1), with the
//	                               manifests of hack/testdata; the page's project blocks run in
//	                               order in one project, which must then build
//	```sh doctest=quickstart       the README's quick start, run as written (TestQuickstart)
//	```go doctest=compile          a whole Go file: compiled in a module using this checkout
//	```go doctest=excerpt:<path>   lines of <path> (a file make test compiles), in order;
//	                               "// ..." lines stand for the lines left out;
//	                               excerpt:generated:<path> is a file of the page's project
//	```sh doctest=skip:<reason>    not run; the reason is printed
//
// A block of those languages without a doctest word fails the test.
package doctest

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// root is the checkout.
var root = func() string {
	abs, err := filepath.Abs("../..")
	if err != nil {
		panic(err)
	}
	return abs
}()

// block is a fenced block of a Markdown file.
type block struct {
	file, lang, mode, arg string
	line                  int
	text                  string
}

func (b block) String() string {
	return fmt.Sprintf("%s:%d (%s %s)", rel(b.file), b.line, b.lang, b.mode)
}

func rel(path string) string {
	if r, err := filepath.Rel(root, path); err == nil {
		return r
	}
	return path
}

var checked = map[string]bool{"sh": true, "bash": true, "go": true, "shell": true, "console": true}

// pages returns README.md and docs/*.md.
func pages(t *testing.T) []string {
	t.Helper()
	docs, err := filepath.Glob(filepath.Join(root, "docs", "*.md"))
	if err != nil {
		t.Fatal(err)
	}
	return append([]string{filepath.Join(root, "README.md")}, docs...)
}

// blocks returns the fenced blocks of the file at path.
func blocks(t *testing.T, path string) []block {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []block
	var cur *block
	var text strings.Builder
	sc := bufio.NewScanner(strings.NewReader(string(data)))
	n := 0
	for sc.Scan() {
		n++
		line := sc.Text()
		trimmed := strings.TrimSpace(line)
		if cur == nil {
			if strings.HasPrefix(trimmed, "```") {
				info := strings.Fields(strings.TrimPrefix(trimmed, "```"))
				cur = &block{file: path, line: n}
				if len(info) == 0 {
					info = []string{""}
				}
				cur.lang = info[0]
				for _, w := range info[1:] {
					if v, ok := strings.CutPrefix(w, "doctest="); ok {
						cur.mode, cur.arg, _ = strings.Cut(v, ":")
					}
				}
				text.Reset()
			}
			continue
		}
		if trimmed == "```" {
			cur.text = text.String()
			out = append(out, *cur)
			cur = nil
			continue
		}
		text.WriteString(line + "\n")
	}
	return out
}

// TestBlocksAreChecked: every block of sh, bash or go says how it is
// checked, and the skips say why.
func TestBlocksAreChecked(t *testing.T) {
	for _, p := range pages(t) {
		for _, b := range blocks(t, p) {
			if !checked[b.lang] {
				continue
			}
			switch b.mode {
			case "run", "quickstart", "compile", "excerpt", "project":
			case "skip":
				if b.arg == "" {
					t.Errorf("%s: doctest=skip needs a reason (doctest=skip:<reason>)", b)
				}
				t.Logf("%s skipped: %s", b, strings.ReplaceAll(b.arg, "-", " "))
			case "":
				t.Errorf("%s: a %s block without doctest=run|project|quickstart|compile|excerpt:<file>|skip:<reason>", b, b.lang)
			default:
				t.Errorf("%s: unknown doctest mode %q", b, b.mode)
			}
		}
	}
}

// TestExcerpts: each excerpt's lines are in its file, in order.
func TestExcerpts(t *testing.T) {
	for _, p := range pages(t) {
		for _, b := range blocks(t, p) {
			if b.mode != "excerpt" || strings.HasPrefix(b.arg, "generated:") {
				continue
			}
			checkExcerpt(t, b, filepath.Join(root, b.arg))
		}
	}
}

// checkExcerpt checks that the lines of b are in the file at path, in order.
func checkExcerpt(t *testing.T, b block, path string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Errorf("%s: %v", b, err)
		return
	}
	file := strings.Split(string(data), "\n")
	i := 0
	for _, want := range strings.Split(strings.TrimRight(b.text, "\n"), "\n") {
		w := strings.TrimSpace(want)
		if w == "" || w == "// ..." {
			continue
		}
		for i < len(file) && strings.TrimSpace(file[i]) != w {
			i++
		}
		if i == len(file) {
			t.Errorf("%s: %q is not in %s (after the lines before it)", b, w, rel(path))
			return
		}
		i++
	}
}

// TestProject: each page's project blocks run in order in a project made by
// okt init and create api, which then builds; the page's excerpts of
// generated files are checked against it.
func TestProject(t *testing.T) {
	if testing.Short() {
		t.Skip("scaffolds projects (not with -short)")
	}
	byPage := map[string][]block{}
	var order []string
	for _, p := range pages(t) {
		for _, b := range blocks(t, p) {
			if b.mode == "project" || (b.mode == "excerpt" && strings.HasPrefix(b.arg, "generated:")) {
				if byPage[p] == nil {
					order = append(order, p)
				}
				byPage[p] = append(byPage[p], b)
			}
		}
	}
	if len(order) == 0 {
		return
	}
	bin := okt(t)
	path := bin + string(os.PathListSeparator) + os.Getenv("PATH")
	home := t.TempDir()
	fixture := filepath.Join(t.TempDir(), "memcached-operator")
	if err := os.Mkdir(fixture, 0o755); err != nil {
		t.Fatal(err)
	}
	shell(t, fixture, home, path, `okt init --domain example.com --repo example.com/memcached-operator
okt create api --group cache --version v1alpha1 --kind Memcached --resource --controller
okt create api --group cache --version v1alpha1 --kind Datastore --resource --controller`)
	for _, p := range order {
		t.Run(rel(p), func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "memcached-operator")
			if out, err := exec.Command("cp", "-r", fixture, dir).CombinedOutput(); err != nil {
				t.Fatalf("cp: %v\n%s", err, out)
			}
			manifests, _ := filepath.Glob(filepath.Join(root, "hack", "testdata", "*.yaml"))
			for _, m := range manifests {
				data, err := os.ReadFile(m)
				if err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(filepath.Join(dir, filepath.Base(m)), data, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			for _, b := range byPage[p] {
				if b.mode == "project" {
					shell(t, dir, home, path, b.text)
				}
			}
			shell(t, dir, home, path, "go build ./...")
			for _, b := range byPage[p] {
				if b.mode == "excerpt" {
					checkExcerpt(t, b, filepath.Join(dir, strings.TrimPrefix(b.arg, "generated:")))
				}
			}
		})
	}
}

// shell runs script with bash -e in dir, as a user whose HOME is home.
func shell(t *testing.T, dir, home, path, script string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", "-e", "-o", "pipefail", "-c", script)
	cmd.Dir = dir
	// The tools the scaffolded Makefile installs (controller-gen), shared
	// with okt's other tests.
	cmd.Env = env(t, home, path)
	if tools := toolsDir(); tools != "" {
		cmd.Env = append(env(t, home, path), "LOCALBIN="+tools)
	}
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s\nfailed: %v\n%s", script, err, out)
	}
}

// TestCompile: each whole Go file compiles in a module that uses this
// checkout.
func TestCompile(t *testing.T) {
	if testing.Short() {
		t.Skip("compiles programs (not with -short)")
	}
	for _, p := range pages(t) {
		for _, b := range blocks(t, p) {
			if b.mode != "compile" {
				continue
			}
			dir := t.TempDir()
			goMod := "module example.com/doc\n\ngo 1.24\n\nrequire github.com/okt-dev/okt v0.0.0\n\nreplace github.com/okt-dev/okt => " + root + "\n"
			if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte(goMod), 0o644); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, "main.go"), []byte(b.text), 0o644); err != nil {
				t.Fatal(err)
			}
			// The checkout's go.sum holds every sum the program needs.
			sum, err := os.ReadFile(filepath.Join(root, "go.sum"))
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, "go.sum"), sum, 0o644); err != nil {
				t.Fatal(err)
			}
			cmd := exec.Command("go", "mod", "tidy")
			cmd.Dir = dir
			cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOPROXY=off")
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Errorf("%s: go mod tidy: %v\n%s", b, err, out)
				continue
			}
			cmd = exec.Command("go", "vet", "./...")
			cmd.Dir = dir
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Errorf("%s does not compile: %v\n%s", b, err, out)
			}
		}
	}
}

// okt builds the okt CLI once for the run blocks.
func okt(t *testing.T) string {
	t.Helper()
	bin := t.TempDir()
	cmd := exec.Command("make", "-C", root, "-s", "build", "BIN="+bin)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("make build: %v\n%s", err, out)
	}
	return bin
}

// env returns the environment of a user's shell whose HOME is home, the Go
// and okt caches kept where they are (offline: nothing to download).
func env(t *testing.T, home, path string) []string {
	t.Helper()
	out, err := exec.Command("go", "env", "GOCACHE", "GOMODCACHE", "GOPATH").Output()
	if err != nil {
		t.Fatal(err)
	}
	v := strings.Split(strings.TrimSpace(string(out)), "\n")
	cache := os.Getenv("OKT_CACHE")
	if cache == "" {
		if c, err := os.UserCacheDir(); err == nil {
			cache = filepath.Join(c, "okt")
		}
	}
	keep := []string{}
	for _, e := range os.Environ() {
		k, _, _ := strings.Cut(e, "=")
		switch k {
		case "HOME", "PATH", "GOCACHE", "GOMODCACHE", "GOPATH", "OKT_CACHE", "OKT_PATH", "KUBEBUILDER_ASSETS", "GOFLAGS":
			continue
		}
		keep = append(keep, e)
	}
	return append(keep, "HOME="+home, "PATH="+path, "GOCACHE="+v[0], "GOMODCACHE="+v[1], "GOPATH="+v[2],
		"OKT_CACHE="+cache)
}

// toolsDir is the folder where okt's scripts install the tools of
// scaffolded Makefiles (hack/lib.sh: $OKT_CACHE/tools).
func toolsDir() string {
	cache := os.Getenv("OKT_CACHE")
	if cache == "" {
		c, err := os.UserCacheDir()
		if err != nil {
			return ""
		}
		cache = filepath.Join(c, "okt")
	}
	return filepath.Join(cache, "tools")
}

// TestRun: each run block's lines run in an empty folder, okt on the PATH.
func TestRun(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the okt CLI (not with -short)")
	}
	var runs []block
	for _, p := range pages(t) {
		for _, b := range blocks(t, p) {
			if b.mode == "run" {
				runs = append(runs, b)
			}
		}
	}
	if len(runs) == 0 {
		return
	}
	bin := okt(t)
	for _, b := range runs {
		t.Run(fmt.Sprintf("%s:%d", rel(b.file), b.line), func(t *testing.T) {
			home, dir := t.TempDir(), t.TempDir()
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
			defer cancel()
			cmd := exec.CommandContext(ctx, "bash", "-e", "-o", "pipefail", "-c", b.text)
			cmd.Dir = dir
			cmd.Env = env(t, home, bin+string(os.PathListSeparator)+os.Getenv("PATH"))
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Errorf("%s failed: %v\n%s", b, err, out)
			}
		})
	}
}

var gitStatus = regexp.MustCompile(`\S`)

// TestQuickstart: the README's quick start, as written, from a fresh HOME
// and an empty folder, offline; the checkout stays as it was. It takes a
// few minutes: OKT_DOCTEST_QUICKSTART=1 turns it on (make test-docs).
func TestQuickstart(t *testing.T) {
	if os.Getenv("OKT_DOCTEST_QUICKSTART") == "" {
		t.Skip("OKT_DOCTEST_QUICKSTART=1 runs it (make test-docs)")
	}
	var qs []block
	for _, b := range blocks(t, filepath.Join(root, "README.md")) {
		if b.mode == "quickstart" {
			qs = append(qs, b)
		}
	}
	if len(qs) != 1 {
		t.Fatalf("README.md has %d quick start blocks, want 1", len(qs))
	}
	status := func() string {
		out, err := exec.Command("git", "-C", root, "status", "--porcelain").Output()
		if err != nil {
			t.Fatal(err)
		}
		return string(out)
	}
	before := status()
	home, dir := t.TempDir(), t.TempDir()
	// The quick start starts in the checkout ("from this checkout"), then
	// goes to a new folder: the new folder is made in dir.
	script := strings.Replace(qs[0].text, "mkdir memcached-operator", "cd "+dir+" && mkdir memcached-operator", 1)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", "-e", "-o", "pipefail", "-x", "-c", script)
	cmd.Dir = root
	// Offline: Go modules come from the module cache only (GOPROXY=off
	// refuses go install pkg@version even for a cached module: it looks up
	// deprecations; a file:// proxy on the module cache answers that).
	cmd.Env = append(env(t, home, os.Getenv("PATH")), "GOPROXY="+offlineProxy(t))
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("the quick start failed: %v\n%s", err, out)
	}
	t.Logf("the quick start passed:\n%s", lastLines(string(out), 15))
	if after := status(); after != before && gitStatus.MatchString(after) {
		t.Errorf("the quick start changed the checkout:\n%s", after)
	}
}

// offlineProxy is a GOPROXY that serves the module cache and nothing else.
func offlineProxy(t *testing.T) string {
	t.Helper()
	out, err := exec.Command("go", "env", "GOMODCACHE").Output()
	if err != nil {
		t.Fatal(err)
	}
	return "file://" + filepath.ToSlash(filepath.Join(strings.TrimSpace(string(out)), "cache", "download"))
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
