package okrbot_test

// These tests hold ARCHITECTURE.md to the code: its table of rooms names
// every package and what each may import, and the limits at its end are
// checked here, so the map cannot drift from the territory.

import (
	"bufio"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

const module = "github.com/okrbot/okrbot"

// room is one row of ARCHITECTURE.md's table.
type room struct {
	mayImport []string
	any       bool // "*": cmd wires everything
}

// readRooms parses the table of rooms out of ARCHITECTURE.md.
func readRooms(t *testing.T) map[string]room {
	t.Helper()
	f, err := os.Open("ARCHITECTURE.md")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rooms := map[string]room{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		cells := strings.Split(sc.Text(), "|")
		if len(cells) < 4 || !strings.HasPrefix(strings.TrimSpace(cells[1]), "`") {
			continue
		}
		dir := strings.Trim(strings.TrimSpace(cells[1]), "`")
		var r room
		switch imp := strings.TrimSpace(cells[2]); imp {
		case "*":
			r.any = true
		case "-":
		default:
			for _, p := range strings.Split(imp, ",") {
				r.mayImport = append(r.mayImport, strings.TrimSpace(p))
			}
		}
		if _, dup := rooms[dir]; dup {
			t.Errorf("ARCHITECTURE.md names %s twice", dir)
		}
		rooms[dir] = r
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if len(rooms) == 0 {
		t.Fatal("ARCHITECTURE.md has no table of rooms")
	}
	return rooms
}

// goFile is one parsed non-test source file of the module.
type goFile struct {
	path string // slash-separated, relative to the module root
	dir  string
	fset *token.FileSet
	ast  *ast.File
}

// sourceFiles parses every non-test Go file of this module (not of nested
// modules, testdata or hidden directories).
func sourceFiles(t *testing.T) []goFile {
	t.Helper()
	var files []goFile
	err := filepath.WalkDir(".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			name := d.Name()
			if p != "." && (name == "testdata" || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_")) {
				return filepath.SkipDir
			}
			if _, err := os.Stat(filepath.Join(p, "go.mod")); err == nil && p != "." {
				return filepath.SkipDir // a module of its own (deploy/yamlcheck)
			}
			return nil
		}
		if !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
			return nil
		}
		fset := token.NewFileSet()
		f, err := parser.ParseFile(fset, p, nil, parser.ParseComments)
		if err != nil {
			return err
		}
		slash := filepath.ToSlash(p)
		files = append(files, goFile{path: slash, dir: filepath.ToSlash(filepath.Dir(p)), fset: fset, ast: f})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

func generated(f *ast.File) bool {
	for _, c := range f.Comments {
		if strings.HasPrefix(c.Text(), "Code generated") {
			return true
		}
	}
	return false
}

// testOnly are the packages only tests, each other and the load tool
// cmd/okrload may import.
var testOnly = map[string]bool{"bot/bottest": true, "storage/storagetest": true, "adapters/slack/slacktest": true, "adapters/internal/rendertest": true,
	"storage/postgres/postgrestest": true}

// TestImportsFlowOneWay: every package is a room of ARCHITECTURE.md, every
// room exists, and a package imports only what its row allows.
func TestImportsFlowOneWay(t *testing.T) {
	rooms := readRooms(t)
	seen := map[string]bool{}
	for _, f := range sourceFiles(t) {
		r, ok := rooms[f.dir]
		if !ok {
			if !seen[f.dir] {
				t.Errorf("package %s is not in ARCHITECTURE.md's table of rooms", f.dir)
			}
			seen[f.dir] = true
			continue
		}
		seen[f.dir] = true
		for _, im := range f.ast.Imports {
			path, _ := strconv.Unquote(im.Path.Value)
			if !strings.HasPrefix(path, module+"/") {
				continue
			}
			dep := strings.TrimPrefix(path, module+"/")
			if !r.any && !slices.Contains(r.mayImport, dep) {
				t.Errorf("%s imports %s, which ARCHITECTURE.md does not allow %s", f.path, dep, f.dir)
			}
			if testOnly[dep] && !testOnly[f.dir] && f.dir != "cmd/okrload" {
				t.Errorf("%s imports the test-only package %s", f.path, dep)
			}
		}
	}
	for dir := range rooms {
		if !seen[dir] {
			t.Errorf("ARCHITECTURE.md names %s, which has no Go files", dir)
		}
	}
}

// TestCoreIsPure: okrcore and okrcore/people do no I/O and read no clock
// of their own.
func TestCoreIsPure(t *testing.T) {
	banned := []string{"os", "os/exec", "net", "net/http", "io/fs", "io/ioutil", "database/sql", "log", "log/slog", "syscall", "math/rand", "math/rand/v2", "crypto/rand"}
	for _, f := range sourceFiles(t) {
		if f.dir != "okrcore" && f.dir != "okrcore/people" && f.dir != "okrcore/teams" {
			continue
		}
		for _, im := range f.ast.Imports {
			path, _ := strconv.Unquote(im.Path.Value)
			if slices.Contains(banned, path) || strings.HasPrefix(path, "net/") {
				t.Errorf("%s imports %s: %s does no I/O", f.path, path, f.dir)
			}
		}
		ast.Inspect(f.ast, func(n ast.Node) bool {
			sel, ok := n.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			if x, ok := sel.X.(*ast.Ident); ok && x.Name == "time" && (sel.Sel.Name == "Now" || sel.Sel.Name == "Since" || sel.Sel.Name == "Until") {
				t.Errorf("%s: time.%s: %s takes the time as an argument", f.fset.Position(sel.Pos()), sel.Sel.Name, f.dir)
			}
			return true
		})
	}
}

// TestSizes: the limits at the end of ARCHITECTURE.md.
func TestSizes(t *testing.T) {
	const maxFile, maxFunc, maxPackage = 1000, 120, 4000
	perPackage := map[string]int{}
	for _, f := range sourceFiles(t) {
		if generated(f.ast) {
			continue
		}
		lines := f.fset.Position(f.ast.End()).Line
		perPackage[f.dir] += lines
		if lines > maxFile {
			t.Errorf("%s has %d lines; split it by concern (at most %d)", f.path, lines, maxFile)
		}
		for _, d := range f.ast.Decls {
			fd, ok := d.(*ast.FuncDecl)
			if !ok || fd.Body == nil {
				continue
			}
			n := f.fset.Position(fd.End()).Line - f.fset.Position(fd.Pos()).Line + 1
			if n > maxFunc {
				t.Errorf("%s: %s has %d lines (at most %d)", f.path, fd.Name.Name, n, maxFunc)
			}
		}
	}
	for dir, n := range perPackage {
		if n > maxPackage {
			t.Errorf("package %s has %d lines (at most %d)", dir, n, maxPackage)
		}
	}
}
