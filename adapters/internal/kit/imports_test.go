package kit

import (
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestAdaptersImportChatOnly keeps the layout's rule: an adapter's code
// names, of this module, only chat and this kit (its tests may use more).
func TestAdaptersImportChatOnly(t *testing.T) {
	bad, files := strayImports(t, filepath.Join("..", ".."))
	if files == 0 {
		t.Fatal("no adapter files found")
	}
	for _, b := range bad {
		t.Error(b)
	}
}

func TestStrayImportsFindsThem(t *testing.T) {
	dir := t.TempDir()
	write := func(name, src string) {
		t.Helper()
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("a/ok.go", "package a\nimport (\n\t\"fmt\"\n\t\"github.com/okrbot/okrbot/chat\"\n)\n")
	write("a/bad.go", "package a\nimport \"github.com/okrbot/okrbot/okrcore\"\n")
	write("a/bad_test.go", "package a\nimport \"github.com/okrbot/okrbot/bot\"\n")
	write("a/testdata/x.go", "package x\nimport \"github.com/okrbot/okrbot/bot\"\n")
	bad, files := strayImports(t, dir)
	if files != 2 || len(bad) != 1 || !strings.Contains(bad[0], "okrcore") {
		t.Errorf("%d files, stray %q; want 2 files and okrcore", files, bad)
	}
}

// strayImports lists the non-test Go files under root that import a
// package of this module other than chat and the kit.
func strayImports(t *testing.T, root string) (bad []string, files int) {
	t.Helper()
	const module = "github.com/okrbot/okrbot/"
	allowed := map[string]bool{module + "chat": true, module + "adapters/internal/kit": true}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && d.Name() == "testdata" {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		files++
		for _, imp := range f.Imports {
			p, err := strconv.Unquote(imp.Path.Value)
			if err != nil {
				return err
			}
			if strings.HasPrefix(p, module) && !allowed[p] {
				bad = append(bad, path+" imports "+p)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return bad, files
}
