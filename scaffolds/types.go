package scaffolds

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/format"
	"go/parser"
	"go/token"
	"strconv"
	"strings"
)

const metav1Path = "k8s.io/apimachinery/pkg/apis/meta/v1"

// conditionsField is inserted at the end of the <Kind>Status struct.
const conditionsField = `
	// Conditions are the latest observations of the %[1]s's state. The okt
	// library sets "Ready" (and "Stalled" when it gives up).
	// +listType=map
	// +listMapKey=type
	// +optional
	Conditions []metav1.Condition ` + "`" + `json:"conditions,omitempty" patchStrategy:"merge" patchMergeKey:"type"` + "`" + `
`

// AddConditions returns src, the Go file that declares kind's API types,
// with a Conditions field at the end of the <kind>Status struct. It reports
// whether it changed anything: a struct that already has a Conditions field
// is left as is. src must import metav1 ("k8s.io/apimachinery/pkg/apis/meta/v1").
func AddConditions(src []byte, kind string) ([]byte, bool, error) {
	fset := token.NewFileSet()
	file, err := parser.ParseFile(fset, "types.go", src, parser.ParseComments)
	if err != nil {
		return nil, false, fmt.Errorf("cannot parse the API types: %w", err)
	}
	st, err := statusStruct(file, kind)
	if err != nil {
		return nil, false, err
	}
	if hasField(st, "Conditions") {
		return src, false, nil
	}
	alias := ""
	for _, imp := range file.Imports {
		if p, _ := strconv.Unquote(imp.Path.Value); p == metav1Path {
			alias = "metav1"
			if imp.Name != nil {
				alias = imp.Name.Name
			}
		}
	}
	if alias != "metav1" {
		return nil, false, fmt.Errorf("the API types must import %q as metav1", metav1Path)
	}
	at := fset.Position(st.Fields.Closing).Offset
	var out bytes.Buffer
	out.Write(src[:at])
	if at > 0 && src[at-1] != '\n' {
		out.WriteByte('\n')
	}
	open := fset.Position(st.Fields.Opening).Offset
	if strings.TrimSpace(string(src[open+1:at])) != "" {
		out.WriteByte('\n') // a blank line after the existing fields or comments
	}
	fmt.Fprintf(&out, conditionsField[1:], kind)
	out.Write(src[at:])
	res, err := format.Source(out.Bytes())
	if err != nil {
		return nil, false, fmt.Errorf("cannot format the API types: %w", err)
	}
	return res, true, nil
}

// statusStruct returns the <kind>Status struct type of file.
func statusStruct(file *ast.File, kind string) (*ast.StructType, error) {
	name := kind + "Status"
	var st *ast.StructType
	ast.Inspect(file, func(n ast.Node) bool {
		if ts, ok := n.(*ast.TypeSpec); ok && ts.Name.Name == name {
			st, _ = ts.Type.(*ast.StructType)
			return false
		}
		return st == nil
	})
	if st == nil {
		return nil, fmt.Errorf("no struct type %s: add `type %s struct{}` and its Status field to the %s type", name, name, kind)
	}
	return st, nil
}

// hasField reports whether st has a field named name.
func hasField(st *ast.StructType, name string) bool {
	for _, f := range st.Fields.List {
		for _, n := range f.Names {
			if n.Name == name {
				return true
			}
		}
	}
	return false
}

// SpecField returns the Go type of the field of kind's <kind>Spec struct
// named field, or "" when there is no such field or no such struct.
func SpecField(src []byte, kind, field string) string {
	file, err := parser.ParseFile(token.NewFileSet(), "types.go", src, 0)
	if err != nil {
		return ""
	}
	typ := ""
	ast.Inspect(file, func(n ast.Node) bool {
		ts, ok := n.(*ast.TypeSpec)
		if !ok || ts.Name.Name != kind+"Spec" {
			return typ == ""
		}
		st, ok := ts.Type.(*ast.StructType)
		if !ok {
			return false
		}
		for _, f := range st.Fields.List {
			for _, n := range f.Names {
				if n.Name != field {
					continue
				}
				switch t := f.Type.(type) {
				case *ast.Ident:
					typ = t.Name
				case *ast.StarExpr:
					if id, ok := t.X.(*ast.Ident); ok {
						typ = "*" + id.Name
					}
				}
			}
		}
		return false
	})
	return typ
}
