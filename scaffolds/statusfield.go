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

// oktModule is the module of the okt library: its packages are imported in
// one group of the API types.
const oktModule = "github.com/okt-dev/okt/"

// inventoryPath is the package of okt's inventory entries.
const inventoryPath = "github.com/okt-dev/okt/okt/inventory"

// inventoryField is inserted at the end of the <Kind>Status struct, after
// the Conditions.
const inventoryField = `
	// Inventory lists the objects the okt library created for this %[1]s, so
	// that it deletes them once they are no longer wanted. Managed by okt.
	// +optional
	Inventory []inventory.Entry ` + "`" + `json:"inventory,omitempty"` + "`" + `
`

// AddInventory returns src, the Go file that declares kind's API types, with
// an Inventory field at the end of the <kind>Status struct and the import of
// okt's inventory package: okt then records the objects it creates in the
// status, with the status write it sends anyway, rather than in an
// annotation of the custom resource. It reports whether it changed anything:
// a struct that already has an Inventory field is left as is.
func AddInventory(src []byte, kind string) ([]byte, bool, error) {
	return addStatusField(src, kind, "Inventory", inventoryPath, "inventory", fmt.Sprintf(inventoryField[1:], kind))
}

// addStatusField returns src, the Go file that declares kind's API types,
// with text, the declaration of the field named field, at the end of the
// <kind>Status struct, and the import of importPath (as name, with okt's
// other packages if they come last). It reports whether it changed anything:
// a struct that already has the field is left as is.
func addStatusField(src []byte, kind, field, importPath, name, text string) ([]byte, bool, error) {
	fset := token.NewFileSet()
	file, err := parser.ParseFile(fset, "types.go", src, parser.ParseComments)
	if err != nil {
		return nil, false, fmt.Errorf("cannot parse the API types: %w", err)
	}
	st, err := statusStruct(file, kind)
	if err != nil {
		return nil, false, err
	}
	if hasField(st, field) {
		return src, false, nil
	}
	imported := false
	for _, imp := range file.Imports {
		if p, _ := strconv.Unquote(imp.Path.Value); p == importPath {
			if imp.Name != nil && imp.Name.Name != name {
				return nil, false, fmt.Errorf("the API types import %q as %s: import it as %s", importPath, imp.Name.Name, name)
			}
			imported = true
		}
	}
	if !imported && (len(file.Imports) == 0 || file.Imports[0].Pos() < 1) {
		return nil, false, fmt.Errorf("the API types have no import block to add %q to", importPath)
	}
	at := fset.Position(st.Fields.Closing).Offset
	var out bytes.Buffer
	importAt, sep := -1, "\n\n"
	if !imported {
		// After the last import of the first import declaration: in its
		// group if it is okt's, else in a group of its own.
		for _, d := range file.Decls {
			if g, ok := d.(*ast.GenDecl); ok && g.Tok == token.IMPORT {
				last := g.Specs[len(g.Specs)-1].(*ast.ImportSpec)
				importAt = fset.Position(last.End()).Offset
				if !g.Lparen.IsValid() {
					return nil, false, fmt.Errorf("the API types import one package without parentheses: use an import ( ... ) block")
				}
				if p, _ := strconv.Unquote(last.Path.Value); strings.HasPrefix(p, oktModule) {
					sep = "\n"
				}
				break
			}
		}
	}
	if importAt >= 0 {
		out.Write(src[:importAt])
		fmt.Fprintf(&out, "%s\t%q", sep, importPath)
		out.Write(src[importAt:at])
	} else {
		out.Write(src[:at])
	}
	if at > 0 && src[at-1] != '\n' {
		out.WriteByte('\n')
	}
	open := fset.Position(st.Fields.Opening).Offset
	if strings.TrimSpace(string(src[open+1:at])) != "" {
		out.WriteByte('\n') // a blank line after the existing fields or comments
	}
	out.WriteString(text)
	out.Write(src[at:])
	res, err := format.Source(out.Bytes())
	if err != nil {
		return nil, false, fmt.Errorf("cannot format the API types: %w", err)
	}
	return res, true, nil
}
