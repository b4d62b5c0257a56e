// Command yamlcheck reports whether files, or standard input, hold
// well-formed YAML (every document of a multi-document stream). It is a
// CI tool in a module of its own, outside the bot's build and `go test
// ./...`. Run from the repository root:
//
//	(cd deploy/yamlcheck && go run . ../compose.yaml)
//	helm template ... | (cd deploy/yamlcheck && go run . -)
package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"

	"go.yaml.in/yaml/v3"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: yamlcheck FILE... (- for standard input)")
		os.Exit(2)
	}
	failed := false
	for _, name := range os.Args[1:] {
		n, err := check(name)
		if err != nil {
			fmt.Fprintf(os.Stderr, "%s: %v\n", name, err)
			failed = true
			continue
		}
		fmt.Printf("%s: %d YAML document(s) OK\n", name, n)
	}
	if failed {
		os.Exit(1)
	}
}

// check parses every document of the file and returns how many held
// something; a stream with no document at all is an error.
func check(name string) (int, error) {
	var b []byte
	var err error
	if name == "-" {
		b, err = io.ReadAll(os.Stdin)
	} else {
		b, err = os.ReadFile(name)
	}
	if err != nil {
		return 0, err
	}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	n := 0
	for {
		var doc yaml.Node
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return n, err
		}
		if len(doc.Content) == 0 {
			continue
		}
		// Decoding the node catches what parsing lets through, such as a
		// key defined twice in one mapping.
		var v any
		if err := doc.Decode(&v); err != nil {
			return n, fmt.Errorf("document %d: %v", n+1, err)
		}
		n++
	}
	if n == 0 {
		return 0, errors.New("no YAML document")
	}
	return n, nil
}
