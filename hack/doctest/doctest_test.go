// Package doctest runs what the README and the pages of docs/ tell a user to
// type or copy, from the Markdown itself, so that they cannot drift from the
// code. Every fenced block of sh, bash or go says how it is checked, in its
// info string:
//
//	```sh doctest=run              each line runs (bash -e) in an empty folder, okt on the PATH
//	```sh doctest=quickstart       the README's quick start, run as written (TestQuickstart)
//	```go doctest=compile          a whole Go file: compiled in a module using this checkout
//	```go doctest=excerpt:<path>   lines of <path> (a file make test compiles), in order;
//	                               "// ..." lines stand for the lines left out
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
			case "run", "quickstart", "compile", "excerpt":
			case "skip":
				if b.arg == "" {
					t.Errorf("%s: doctest=skip needs a reason (doctest=skip:<reason>)", b)
				}
				t.Logf("%s skipped: %s", b, strings.ReplaceAll(b.arg, "-", " "))
			case "":
				t.Errorf("%s: a %s block without doctest=run|quickstart|compile|excerpt:<file>|skip:<reason>", b, b.lang)
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
			if b.mode != "excerpt" {
				continue
			}
			data, err := os.ReadFile(filepath.Join(root, b.arg))
			if err != nil {
				t.Errorf("%s: %v", b, err)
				continue
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
					t.Errorf("%s: %q is not in %s (after the lines before it)", b, w, b.arg)
					break
				}
				i++
			}
		}
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
		"OKT_CACHE="+cache, "GOPROXY=off")
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
	cmd.Env = env(t, home, os.Getenv("PATH"))
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("the quick start failed: %v\n%s", err, out)
	}
	t.Logf("the quick start passed:\n%s", lastLines(string(out), 15))
	if after := status(); after != before && gitStatus.MatchString(after) {
		t.Errorf("the quick start changed the checkout:\n%s", after)
	}
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
