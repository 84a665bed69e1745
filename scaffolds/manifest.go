package scaffolds

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"text/template"

	"k8s.io/apimachinery/pkg/runtime/schema"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"sigs.k8s.io/yaml"
)

var (
	docSeparatorRE = regexp.MustCompile(`(?m)^---[ \t]*$`)
	topKeyRE       = regexp.MustCompile(`(?m)^(apiVersion|kind):[ \t]*(.*?)[ \t]*$`)
)

// PrepareManifest checks that manifest is one object of kind k, and returns
// it as a template for resources.Render whose metadata.name is
// "{{ .Name }}-<name>" (the custom resource's name, then name).
//
// A manifest may already hold text/template actions, rendered with the
// custom resource as data (for example "replicas: {{ .Spec.Size }}"). A
// manifest without actions is decoded strictly into the kind's Go type when
// client-go knows it, so that unknown fields are reported now rather than at
// the first reconcile.
func PrepareManifest(manifest []byte, k Kind, name string) (string, error) {
	text := strings.ReplaceAll(string(manifest), "\r\n", "\n")
	if strings.TrimSpace(text) == "" {
		return "", fmt.Errorf("the manifest is empty")
	}
	docs := 0
	for _, d := range docSeparatorRE.Split(text, -1) {
		if strings.TrimSpace(stripComments(d)) != "" {
			docs++
		}
	}
	if docs != 1 {
		return "", fmt.Errorf("the manifest holds %d objects: give exactly one", docs)
	}
	text = docSeparatorRE.ReplaceAllString(text, "")
	if _, err := template.New("manifest").Option("missingkey=error").Parse(text); err != nil {
		return "", fmt.Errorf("the manifest is not a valid text/template: %w", err)
	}
	hasActions := strings.Contains(text, "{{")
	var apiVersion, kind string
	if hasActions {
		for _, m := range topKeyRE.FindAllStringSubmatch(text, -1) {
			v, err := unquoteYAML(m[2])
			if err != nil {
				return "", fmt.Errorf("the manifest's %s: %w", m[1], err)
			}
			if m[1] == "kind" {
				kind = v
			} else {
				apiVersion = v
			}
		}
	} else {
		var obj struct {
			APIVersion string `json:"apiVersion"`
			Kind       string `json:"kind"`
		}
		if err := yaml.Unmarshal([]byte(text), &obj); err != nil {
			return "", fmt.Errorf("the manifest is not valid YAML: %w", err)
		}
		apiVersion, kind = obj.APIVersion, obj.Kind
	}
	if kind != k.Kind {
		return "", fmt.Errorf("the manifest is a %q, not a %s (--type): fix its kind or --type", kind, k.Kind)
	}
	if apiVersion != k.APIVersion() {
		return "", fmt.Errorf("the manifest's apiVersion is %q; a %s is %q", apiVersion, k.Kind, k.APIVersion())
	}
	if !hasActions {
		gvk := schema.GroupVersionKind{Group: k.Group, Version: k.Version, Kind: k.Kind}
		if obj, err := clientgoscheme.Scheme.New(gvk); err == nil {
			if err := yaml.UnmarshalStrict([]byte(text), obj); err != nil {
				return "", fmt.Errorf("the manifest is not a valid %s: %w", k.Kind, err)
			}
		}
	}
	return setName(text, "{{ .Name }}-"+name)
}

// stripComments drops the YAML comment lines of s.
func stripComments(s string) string {
	var b strings.Builder
	for _, l := range strings.Split(s, "\n") {
		if !strings.HasPrefix(strings.TrimSpace(l), "#") {
			b.WriteString(l)
			b.WriteByte('\n')
		}
	}
	return b.String()
}

func unquoteYAML(v string) (string, error) {
	if i := strings.Index(v, " #"); i >= 0 {
		v = strings.TrimSpace(v[:i])
	}
	if len(v) >= 2 && (v[0] == '"' || v[0] == '\'') {
		var s string
		if err := yaml.Unmarshal([]byte(v), &s); err != nil {
			return "", err
		}
		return s, nil
	}
	return v, nil
}

// setName sets metadata.name of the YAML object text to value, keeping the
// rest of the text (comments, order, template actions) as it is.
func setName(text, value string) (string, error) {
	lines := strings.Split(text, "\n")
	meta := -1
	for i, l := range lines {
		if strings.HasPrefix(l, "metadata:") {
			meta = i
			break
		}
	}
	if meta < 0 {
		return "", fmt.Errorf("the manifest has no metadata: add `metadata:` with a name")
	}
	if rest := strings.TrimSpace(strings.TrimPrefix(lines[meta], "metadata:")); rest != "" && !strings.HasPrefix(rest, "#") {
		return "", fmt.Errorf("write the manifest's metadata as a block (one field a line), not %q", rest)
	}
	indent := ""
	for i := meta + 1; i < len(lines); i++ {
		l := lines[i]
		if strings.TrimSpace(l) == "" || strings.HasPrefix(strings.TrimSpace(l), "#") {
			continue
		}
		if l[0] != ' ' && l[0] != '\t' {
			break // end of the metadata block
		}
		if indent == "" {
			indent = l[:len(l)-len(strings.TrimLeft(l, " \t"))]
		}
		if strings.HasPrefix(l, indent+"name:") {
			lines[i] = indent + "name: " + value
			return strings.Join(lines, "\n"), nil
		}
	}
	if indent == "" {
		indent = "  "
	}
	out := append([]string{}, lines[:meta+1]...)
	out = append(out, indent+"name: "+value)
	out = append(out, lines[meta+1:]...)
	return strings.Join(out, "\n"), nil
}

// goString returns s as a Go string literal: a raw string when it can be one.
func goString(s string) string {
	if !strings.Contains(s, "`") && !strings.Contains(s, "\r") {
		return "`" + s + "`"
	}
	return strconv.Quote(s)
}
