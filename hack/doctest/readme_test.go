package doctest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// maxReadmeLines is how long the README may be: it fits on a screen or two,
// the rest is in docs/.
const maxReadmeLines = 150

// TestReadme: the README is short and links every page of docs/.
func TestReadme(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	readme := string(data)
	if n := strings.Count(readme, "\n"); n > maxReadmeLines {
		t.Errorf("README.md has %d lines, at most %d: move the details to a page of docs/", n, maxReadmeLines)
	}
	pages, err := filepath.Glob(filepath.Join(root, "docs", "*.md"))
	if err != nil {
		t.Fatal(err)
	}
	if len(pages) == 0 {
		t.Fatal("no page in docs/")
	}
	for _, p := range pages {
		link := "(docs/" + filepath.Base(p) + ")"
		if !strings.Contains(readme, link) {
			t.Errorf("README.md does not link docs/%s", filepath.Base(p))
		}
	}
}
