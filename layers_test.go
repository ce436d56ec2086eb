package jianfu_test

import (
	"go/build"
	"io/fs"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// layers is docs/architecture.md's layering: a package may import the
// packages of lower layers, and of its own layer only where sameLayer
// lists it. Tests may wire more and are not checked.
var layers = map[string]int{
	"jianfu": 0,
	// pure helpers: no database, no network
	"calendar": 1, "detect": 1, "redact": 1, "textsim": 1, "docx": 1, "tabular": 1, "secret": 1, "urlrec": 1, "registry": 1, "netguard": 1, "internal/crawl": 1,
	// tests only: the attacks of the security review against the real server
	"security": 4,
	// the edges, through the root's interfaces (the store implements them)
	"store": 2, "store/storetest": 2, "importer": 2, "report": 2, "monitor": 2, "open311": 2, "deliver": 2,
	"ingest": 2, "ingest/chatexport": 2, "ingest/dingtalk": 2, "ingest/feishu": 2, "ingest/wecom": 2, "ingest/stream": 2,
	"web": 3, "demo": 3,
	"cmd/jianfu": 4, "internal/tools/benchtable": 4, "internal/tools/commonpw": 4, "internal/tools/ingestload": 4, "internal/tools/pagebench": 4, "internal/tools/pgprobe": 4, "internal/tools/shots": 4,
}

var sameLayer = map[string][]string{
	"detect":            {"calendar"},
	"registry":          {"textsim", "detect"},
	"report":            {"importer"}, // the columns of the tables imports read and exports write
	"store/storetest":   {"store"},
	"ingest/chatexport": {"ingest"},
	"ingest/stream":     {"ingest"},
}

// mayNot are imports the layering would allow but a rule forbids: the
// store stores and is handed every judgement (detection, text likeness,
// registry rules) rather than making it; web talks to the store only
// through the root's interfaces.
var mayNot = map[string][]string{
	"store": {"detect", "textsim", "registry", "report", "docx", "tabular", "importer"},
	"web":   {"store", "store/storetest", "demo"},
}

func TestLayering(t *testing.T) {
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			return nil
		}
		if name := d.Name(); path != "." && (strings.HasPrefix(name, ".") || name == "testdata" || name == "node_modules") {
			return filepath.SkipDir
		}
		pkg, err := build.ImportDir(path, 0)
		if err != nil {
			if _, ok := err.(*build.NoGoError); ok {
				return nil
			}
			return err
		}
		me := filepath.ToSlash(path)
		if me == "." {
			me = "jianfu"
		}
		mine, ok := layers[me]
		if !ok {
			t.Errorf("package %s has no layer: add it to layers here and to docs/architecture.md", me)
			return nil
		}
		for _, imp := range pkg.Imports {
			other, ok := strings.CutPrefix(imp, "jianfu/")
			if imp == "jianfu" {
				other, ok = "jianfu", true
			}
			if !ok {
				continue
			}
			theirs, known := layers[other]
			switch {
			case !known:
				t.Errorf("%s imports %s, which has no layer", me, other)
			case slices.Contains(mayNot[me], other):
				t.Errorf("%s imports %s, which it may not", me, other)
			case theirs > mine || theirs == mine && !slices.Contains(sameLayer[me], other):
				t.Errorf("%s (layer %d) imports %s (layer %d): an arrow that runs back up", me, mine, other, theirs)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
