package web

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"jianfu"
)

// The OpenAPI document's references all resolve, and its category schemas
// list the categories of jianfu.Categories (and "other" for cases).
func TestOpenAPICategories(t *testing.T) {
	b, err := buildOpenAPI()
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Components map[string]map[string]json.RawMessage `json:"components"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	for _, m := range regexp.MustCompile(`"#/components/(\w+)/(\w+)"`).FindAllStringSubmatch(string(b), -1) {
		if _, ok := doc.Components[m[1]][m[2]]; !ok {
			t.Errorf("%s does not resolve", m[0])
		}
	}
	enum := func(name string) string {
		var s struct{ Enum []string }
		if err := json.Unmarshal(doc.Components["schemas"][name], &s); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		return strings.Join(s.Enum, ",")
	}
	codes := func(cats []jianfu.Category) string {
		s := make([]string, len(cats))
		for i, c := range cats {
			s[i] = string(c)
		}
		return strings.Join(s, ",")
	}
	if got, want := enum("DemandCategory"), codes(jianfu.Categories[:]); got != want {
		t.Errorf("DemandCategory enum %s, want %s", got, want)
	}
	if got, want := enum("CaseCategory"), codes(jianfu.CaseCategories); got != want {
		t.Errorf("CaseCategory enum %s, want %s", got, want)
	}
}
