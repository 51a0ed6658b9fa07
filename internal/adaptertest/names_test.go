package adaptertest_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// The Echo adapters are glue: the same exported names in both (so one
// README serves both majors), and no more than their Mount, the Router it
// accepts and an authenticator over Echo's own context need. Read from the
// source, so that the test needs neither package compiled.
func TestAdaptersExportTheSameNames(t *testing.T) {
	v4, v4Router := exportedNames(t, filepath.Join("..", "..", "echohealth"))
	v5, v5Router := exportedNames(t, filepath.Join("..", "..", "echov5health"))
	if !slices.Equal(v4, v5) {
		t.Fatalf("echohealth exports %v, echov5health %v: want the same names", v4, v5)
	}
	for _, n := range []int{len(v4) + v4Router, len(v5) + v5Router} {
		if n > 12 {
			t.Fatalf("an adapter exports %d names, want at most 12: %v", n, v4)
		}
	}
	for _, want := range []string{"Mount", "Router", "AuthenticatorFunc"} {
		if !slices.Contains(v4, want) {
			t.Errorf("the adapters do not export %s: %v", want, v4)
		}
	}
}

// exportedNames lists the exported top-level names of the non-test files
// in dir, with methods as "Type.Method", sorted, and counts the methods of
// exported interfaces apart (Router's are Echo's own: Add in v4, AddRoute
// in v5).
func exportedNames(t *testing.T, dir string) (names []string, interfaceMethods int) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".go") || strings.HasSuffix(e.Name(), "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, filepath.Join(dir, e.Name()), nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		for _, decl := range f.Decls {
			switch d := decl.(type) {
			case *ast.FuncDecl:
				if !d.Name.IsExported() {
					continue
				}
				if d.Recv == nil {
					names = append(names, d.Name.Name)
					continue
				}
				typ := d.Recv.List[0].Type
				if s, ok := typ.(*ast.StarExpr); ok {
					typ = s.X
				}
				if id, ok := typ.(*ast.Ident); ok && id.IsExported() {
					names = append(names, id.Name+"."+d.Name.Name)
				}
			case *ast.GenDecl:
				for _, spec := range d.Specs {
					switch s := spec.(type) {
					case *ast.TypeSpec:
						if !s.Name.IsExported() {
							continue
						}
						names = append(names, s.Name.Name)
						if it, ok := s.Type.(*ast.InterfaceType); ok {
							for _, m := range it.Methods.List {
								for _, n := range m.Names {
									if n.IsExported() {
										interfaceMethods++
									}
								}
							}
						}
					case *ast.ValueSpec:
						for _, n := range s.Names {
							if n.IsExported() {
								names = append(names, n.Name)
							}
						}
					}
				}
			}
		}
	}
	slices.Sort(names)
	return names, interfaceMethods
}
