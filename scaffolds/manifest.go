package scaffolds

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"text/template"

	yamlv3 "gopkg.in/yaml.v3"
	"k8s.io/apimachinery/pkg/runtime/schema"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"sigs.k8s.io/yaml"
)

// PrepareManifest checks that manifest is one object of kind k and returns
// the text the builder file keeps of it, with its metadata.name set:
//
//   - literally (asTemplate false, the default of --from): the YAML object
//     itself, for resources.Decode, named name (the builder renames it
//     "<custom resource name>-<name>"). Go-template braces in it, such as
//     Prometheus' "{{ $labels.instance }}", are data.
//   - as a template (--template): a text/template for resources.Render,
//     rendered with the custom resource as data ("replicas: {{ .Spec.Size
//     }}"), named "{{ .Name }}-<name>" ("{{ .Namespace }}-{{ .Name
//     }}-<name>" for a cluster-scoped kind). It must parse: undefined
//     variables and malformed actions are reported now, with the fix.
//
// The manifest is parsed as YAML (in template mode, with each action
// standing in for a value or, alone on its line, for a comment) and
// written back by the YAML library: comments, key order and the style of
// each value are kept; indentation is normalised. It is decoded strictly
// into the kind's Go type when client-go knows it, so that unknown fields
// are reported now rather than at the first reconcile. A cluster-scoped
// kind's manifest must not name a namespace.
func PrepareManifest(manifest []byte, k Kind, name string, asTemplate bool) (string, error) {
	templateName := "{{ .Name }}-" + name
	if k.ClusterScoped {
		templateName = "{{ .Namespace }}-{{ .Name }}-" + name
	}
	return prepareManifest(manifest, k, name, templateName, asTemplate)
}

// parsedManifest is a manifest read as YAML: in template mode with its
// actions masked (m), kind and apiVersion with their actions restored.
type parsedManifest struct {
	text             string
	m                *masked
	doc, root        *yamlv3.Node
	kind, apiVersion string
}

// readManifest parses manifest as one YAML object (a text/template when
// asTemplate) and reads its kind and apiVersion.
func readManifest(manifest []byte, asTemplate bool) (*parsedManifest, error) {
	text := strings.ReplaceAll(string(manifest), "\r\n", "\n")
	if strings.TrimSpace(text) == "" {
		return nil, fmt.Errorf("the manifest is empty")
	}
	var m *masked
	if asTemplate {
		if _, err := template.New("manifest").Option("missingkey=error").Parse(text); err != nil {
			return nil, fmt.Errorf("with --template the manifest is a text/template, and it does not parse: %w; "+
				`if its {{ }} are data (Prometheus, Alertmanager or Grafana templates), drop --template to take the manifest literally, `+
				`or escape each as {{"{{"}} and {{"}}"}}`, err)
		}
		var err error
		if m, err = maskActions(text); err != nil {
			return nil, err
		}
		text = m.text
	}

	doc, err := parseOne(text)
	if err != nil {
		if asTemplate {
			return nil, fmt.Errorf("%w (with --template, the manifest must be YAML once each {{ action }} is read as a value: "+
				"put actions inside values, such as `replicas: {{ .Spec.Size }}`, or on lines of their own)", err)
		}
		return nil, withTemplateHint(err, text)
	}
	root := doc.Content[0]
	if root.Kind != yamlv3.MappingNode {
		return nil, fmt.Errorf("the manifest is not an object (a YAML mapping with apiVersion, kind and metadata)")
	}
	kind, apiVersion := scalar(root, "kind"), scalar(root, "apiVersion")
	if m != nil {
		kind, apiVersion = m.restore(kind), m.restore(apiVersion)
	}
	return &parsedManifest{text: text, m: m, doc: doc, root: root, kind: kind, apiVersion: apiVersion}, nil
}

// ManifestKind returns the apiVersion and kind of the one object of
// manifest (a text/template when asTemplate), as written; "" for a missing
// one. The error says why the manifest cannot be read.
func ManifestKind(manifest []byte, asTemplate bool) (apiVersion, kind string, err error) {
	p, err := readManifest(manifest, asTemplate)
	if err != nil {
		return "", "", err
	}
	return p.apiVersion, p.kind, nil
}

// prepareManifest is PrepareManifest, naming the object templateName in
// template mode.
func prepareManifest(manifest []byte, k Kind, name, templateName string, asTemplate bool) (string, error) {
	p, err := readManifest(manifest, asTemplate)
	if err != nil {
		return "", err
	}
	text, m, doc, root, kind, apiVersion := p.text, p.m, p.doc, p.root, p.kind, p.apiVersion
	if kind != k.Kind {
		return "", fmt.Errorf("the manifest is a %q, not a %s (--type): fix its kind or --type", kind, k.Kind)
	}
	if apiVersion != k.APIVersion() {
		return "", fmt.Errorf("the manifest's apiVersion is %q; a %s is %q", apiVersion, k.Kind, k.APIVersion())
	}
	if meta := mapValue(root, "metadata"); k.ClusterScoped && meta != nil && meta.Kind == yamlv3.MappingNode && mapValue(meta, "namespace") != nil {
		return "", fmt.Errorf("a %s is cluster-scoped, and the manifest gives it a namespace: remove metadata.namespace", k.Kind)
	}

	// Any object must be JSON for the API server: string keys only.
	if err := yaml.Unmarshal([]byte(text), &map[string]any{}); err != nil {
		err = fmt.Errorf("the manifest is not a Kubernetes object: %w", err)
		if m == nil {
			err = withTemplateHint(err, text)
		}
		return "", err
	}
	gvk := schema.GroupVersionKind{Group: k.Group, Version: k.Version, Kind: k.Kind}
	if obj, err := clientgoscheme.Scheme.New(gvk); err == nil {
		data := []byte(text)
		if m != nil {
			// The actions' values are unknown until the custom resource
			// renders them: check the fields around them.
			if data, err = encode(m.withoutActions(doc)); err != nil {
				return "", err
			}
		}
		if err := yaml.UnmarshalStrict(data, obj); err != nil {
			err = fmt.Errorf("the manifest is not a valid %s: %w", k.Kind, err)
			if m == nil {
				err = withTemplateHint(err, text)
			}
			return "", err
		}
	}

	newName := name
	if m != nil {
		newName = m.add(templateName)
	}
	if err := setName(root, newName); err != nil {
		return "", err
	}
	out, err := encode(doc)
	if err != nil {
		return "", err
	}
	// The object written back must be the manifest's, but for its name, as
	// the library reads YAML (sigs.k8s.io/yaml).
	var want, got map[string]any
	if err := yaml.Unmarshal([]byte(text), &want); err != nil {
		return "", fmt.Errorf("the manifest is not a Kubernetes object: %w", err)
	}
	meta, _ := want["metadata"].(map[string]any)
	if meta == nil {
		meta = map[string]any{}
		want["metadata"] = meta
	}
	meta["name"] = newName
	if err := yaml.Unmarshal(out, &got); err != nil || !reflect.DeepEqual(want, got) {
		return "", fmt.Errorf("cannot write the manifest back as the same object (%v): "+
			"simplify its layout (block style, comments on lines of their own) and report it as an okt bug", err)
	}
	if m == nil {
		return string(out), nil
	}
	return m.restoreAll(string(out))
}

// parseOne parses text as a YAML stream holding exactly one document with
// content (documents of comments only are not counted).
func parseOne(text string) (*yamlv3.Node, error) {
	dec := yamlv3.NewDecoder(strings.NewReader(text))
	var docs []*yamlv3.Node
	for {
		var n yamlv3.Node
		err := dec.Decode(&n)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("the manifest is not valid YAML: %w", err)
		}
		if len(n.Content) == 1 && !(n.Content[0].Kind == yamlv3.ScalarNode && n.Content[0].Tag == "!!null") {
			docs = append(docs, &n)
		}
	}
	if len(docs) != 1 {
		return nil, fmt.Errorf("the manifest holds %d objects: give exactly one", len(docs))
	}
	return docs[0], nil
}

// withTemplateHint adds to err, for a manifest taken literally that holds
// what looks like actions on the custom resource, that --template renders
// them.
func withTemplateHint(err error, text string) error {
	if crActionRE.MatchString(text) {
		return fmt.Errorf("%w (its {{ .Name }} or {{ .Spec... }} are taken literally: pass --template to render the manifest with the custom resource)", err)
	}
	return err
}

// crActionRE matches text/template actions on the custom resource's fields.
var crActionRE = regexp.MustCompile(`\{\{-?\s*\.(Name|Namespace|Spec|ObjectMeta|Labels|Annotations)\b`)

// TemplateHint returns a note when a manifest taken literally holds what
// looks like text/template actions on the custom resource ({{ .Spec.Size
// }}), which stay text unless --template is given; "" otherwise.
func TemplateHint(manifest []byte) string {
	if !crActionRE.Match(manifest) {
		return ""
	}
	return "the manifest holds {{ .Name }} or {{ .Spec... }}, kept as text in the object: pass --template if they are to be rendered with the custom resource"
}

func mapValue(m *yamlv3.Node, key string) *yamlv3.Node {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

func scalar(m *yamlv3.Node, key string) string {
	if v := mapValue(m, key); v != nil && v.Kind == yamlv3.ScalarNode {
		return v.Value
	}
	return ""
}

// setName sets metadata.name of the object root to value, adding metadata
// (after kind) or its name (first) when missing.
func setName(root *yamlv3.Node, value string) error {
	name := &yamlv3.Node{Kind: yamlv3.ScalarNode, Tag: "!!str", Value: value}
	quoteOldBool(name)
	meta := mapValue(root, "metadata")
	switch {
	case meta == nil:
		at := len(root.Content)
		for i := 0; i+1 < len(root.Content); i += 2 {
			if k := root.Content[i].Value; k == "kind" || k == "apiVersion" {
				at = i + 2
			}
		}
		pair := []*yamlv3.Node{
			{Kind: yamlv3.ScalarNode, Tag: "!!str", Value: "metadata"},
			{Kind: yamlv3.MappingNode, Tag: "!!map", Content: []*yamlv3.Node{{Kind: yamlv3.ScalarNode, Tag: "!!str", Value: "name"}, name}},
		}
		root.Content = append(root.Content[:at], append(pair, root.Content[at:]...)...)
		return nil
	case meta.Kind == yamlv3.ScalarNode && meta.Tag == "!!null":
		// "metadata:" with nothing: becomes a mapping, comments kept.
		meta.Kind, meta.Tag, meta.Value, meta.Style = yamlv3.MappingNode, "!!map", "", 0
	case meta.Kind != yamlv3.MappingNode:
		return fmt.Errorf("the manifest's metadata is not a mapping: write it as `metadata:` with a name below it")
	}
	if v := mapValue(meta, "name"); v != nil {
		if v.Kind != yamlv3.ScalarNode {
			return fmt.Errorf("the manifest's metadata.name is not a string: write it as `name: %s`", value)
		}
		v.Value, v.Tag = value, "!!str"
		if v.Style&(yamlv3.LiteralStyle|yamlv3.FoldedStyle) != 0 {
			v.Style = 0
		}
		quoteOldBool(v)
		return nil
	}
	meta.Content = append([]*yamlv3.Node{{Kind: yamlv3.ScalarNode, Tag: "!!str", Value: "name"}, name}, meta.Content...)
	return nil
}

// quoteOldBool quotes a plain string that YAML 1.1, which Kubernetes'
// sigs.k8s.io/yaml reads, takes for a boolean ("yes", "on"...): yaml.v3
// writes it plain.
func quoteOldBool(n *yamlv3.Node) {
	switch strings.ToLower(n.Value) {
	case "y", "yes", "n", "no", "on", "off", "true", "false":
		if n.Style&(yamlv3.SingleQuotedStyle|yamlv3.DoubleQuotedStyle) == 0 {
			n.Style = yamlv3.DoubleQuotedStyle
		}
	}
}

// encode writes doc as YAML indented by two spaces.
func encode(doc *yamlv3.Node) ([]byte, error) {
	var b bytes.Buffer
	enc := yamlv3.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(doc); err != nil {
		return nil, fmt.Errorf("cannot write the manifest back as YAML: %w", err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("cannot write the manifest back as YAML: %w", err)
	}
	return b.Bytes(), nil
}

// masked is a text/template whose actions are replaced by placeholders, so
// that it reads as YAML: an action becomes a word (a value, a key, or part
// of one), and a line of actions only becomes a comment.
type masked struct {
	text    string
	actions []string // by placeholder number
	lines   []string // comment placeholders: the placeholders of a line
	prefix  string
	re      *regexp.Regexp // matches a placeholder; group 1 is its number
}

// actionsOnlyLine matches a line of placeholders only (%s: their prefix).
const actionsOnlyLine = `^([ \t]*)((?:%s\d+__[ \t]*)+)$`

// maskActions replaces the actions of the template text by placeholders.
func maskActions(text string) (*masked, error) {
	m := &masked{prefix: "__okt_"}
	for i := 0; strings.Contains(text, m.prefix); i++ {
		m.prefix = "__okt" + strconv.Itoa(i) + "_"
	}
	m.re = regexp.MustCompile(regexp.QuoteMeta(m.prefix) + `(\d+)__`)
	var b strings.Builder
	for rest := text; ; {
		start := strings.Index(rest, "{{")
		if start < 0 {
			b.WriteString(rest)
			break
		}
		end := actionEnd(rest, start)
		if end < 0 {
			return nil, fmt.Errorf("with --template, cannot find the end of the action %q", firstLine(rest[start:]))
		}
		b.WriteString(rest[:start])
		b.WriteString(m.add(rest[start:end]))
		rest = rest[end:]
	}
	lineRE := regexp.MustCompile(fmt.Sprintf(actionsOnlyLine, regexp.QuoteMeta(m.prefix)))
	lines := strings.Split(b.String(), "\n")
	for i, l := range lines {
		if sub := lineRE.FindStringSubmatch(l); sub != nil {
			lines[i] = sub[1] + "#" + m.prefix + "line" + strconv.Itoa(len(m.lines)) + "__"
			m.lines = append(m.lines, strings.TrimRight(sub[2], " \t"))
		}
	}
	m.text = strings.Join(lines, "\n")
	return m, nil
}

// add records an action and returns its placeholder.
func (m *masked) add(action string) string {
	m.actions = append(m.actions, action)
	return m.prefix + strconv.Itoa(len(m.actions)-1) + "__"
}

// restore puts the actions back in s.
func (m *masked) restore(s string) string {
	return m.re.ReplaceAllStringFunc(s, func(p string) string {
		n, _ := strconv.Atoi(m.re.FindStringSubmatch(p)[1])
		return m.actions[n]
	})
}

// restoreAll puts the actions back in the YAML written from the masked
// template, and checks that each is there once, in its order.
func (m *masked) restoreAll(s string) (string, error) {
	lineRE := regexp.MustCompile(`#` + regexp.QuoteMeta(m.prefix) + `line(\d+)__`)
	s = lineRE.ReplaceAllStringFunc(s, func(p string) string {
		n, _ := strconv.Atoi(lineRE.FindStringSubmatch(p)[1])
		return m.lines[n]
	})
	var order []int
	for _, sub := range m.re.FindAllStringSubmatch(s, -1) {
		n, _ := strconv.Atoi(sub[1])
		order = append(order, n)
	}
	// The name's action was added last, wherever the name is.
	var rest []int
	for _, n := range order {
		if n != len(m.actions)-1 {
			rest = append(rest, n)
		}
	}
	for i, n := range rest {
		if n != i {
			return "", fmt.Errorf("with --template, cannot keep the template's actions in place around the YAML " +
				"(an action alone on its line between comments may move): put it inside a value, or next to the YAML it controls")
		}
	}
	if len(rest) != len(m.actions)-1 {
		return "", fmt.Errorf("with --template, cannot keep every action of the template through the YAML: put the actions inside values")
	}
	out := m.restore(s)
	if _, err := template.New("manifest").Option("missingkey=error").Parse(out); err != nil {
		return "", fmt.Errorf("with --template, the manifest does not parse once its name is set: %w", err)
	}
	return out, nil
}

// actionEnd returns the index in s just after the action that starts at
// start ("{{"), skipping strings, characters and comments in it, or -1.
func actionEnd(s string, start int) int {
	for i := start + 2; i < len(s); i++ {
		switch c := s[i]; {
		case strings.HasPrefix(s[i:], "}}"):
			return i + 2
		case strings.HasPrefix(s[i:], "/*"):
			j := strings.Index(s[i+2:], "*/")
			if j < 0 {
				return -1
			}
			i += 2 + j + 1
		case c == '"' || c == '\'':
			for i++; i < len(s) && s[i] != c; i++ {
				if s[i] == '\\' {
					i++
				}
			}
		case c == '`':
			j := strings.IndexByte(s[i+1:], '`')
			if j < 0 {
				return -1
			}
			i += 1 + j
		}
	}
	return -1
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

// withoutActions returns a copy of doc where every value holding an action
// is null and every key holding one is dropped with its value: the rest can
// be decoded strictly.
func (m *masked) withoutActions(doc *yamlv3.Node) *yamlv3.Node {
	var walk func(n *yamlv3.Node) *yamlv3.Node
	walk = func(n *yamlv3.Node) *yamlv3.Node {
		c := *n
		c.Content = nil
		switch n.Kind {
		case yamlv3.ScalarNode:
			if m.re.MatchString(n.Value) {
				return &yamlv3.Node{Kind: yamlv3.ScalarNode, Tag: "!!null", Value: "null"}
			}
		case yamlv3.MappingNode:
			for i := 0; i+1 < len(n.Content); i += 2 {
				if m.re.MatchString(n.Content[i].Value) {
					continue
				}
				c.Content = append(c.Content, walk(n.Content[i]), walk(n.Content[i+1]))
			}
		default:
			for _, e := range n.Content {
				c.Content = append(c.Content, walk(e))
			}
		}
		return &c
	}
	return walk(doc)
}

// goString returns s as a Go string expression: raw strings, joined with
// "`" where s holds backquotes.
func goString(s string) string {
	if strings.Contains(s, "\r") {
		return strconv.Quote(s)
	}
	return "`" + strings.ReplaceAll(s, "`", "` + \"`\" + `") + "`"
}
