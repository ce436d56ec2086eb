package web_test

import (
	"encoding/json"
	"net/http"
	"sort"
	"strings"
	"testing"

	"jianfu/store"
	"jianfu/store/storetest"
)

// TestOpenAPIMatchesRoutes keeps the OpenAPI document true: it describes
// exactly the routes the server has, each with a 401 answer.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	h := newHarness(t, db)
	resp, err := http.Get(h.srv.URL + "/api/v1/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var doc struct {
		OpenAPI string                                                   `json:"openapi"`
		Paths   map[string]map[string]struct{ Responses map[string]any } `json:"paths"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&doc); err != nil {
		t.Fatalf("openapi.json is not JSON: %v", err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.") {
		t.Fatalf("openapi version %q", doc.OpenAPI)
	}
	var documented []string
	public := map[string]bool{}
	for _, rt := range h.public {
		public[rt] = true
	}
	for path, ops := range doc.Paths {
		for method, op := range ops {
			documented = append(documented, strings.ToUpper(method)+" "+path)
			if _, ok := op.Responses["401"]; !ok && !public[strings.ToUpper(method)+" "+path] {
				t.Errorf("%s %s documents no 401", method, path)
			}
		}
	}
	routes := append(append([]string(nil), h.routes...), h.public...)
	sort.Strings(documented)
	sort.Strings(routes)
	if strings.Join(documented, "\n") != strings.Join(routes, "\n") {
		t.Errorf("OpenAPI paths differ from the routes.\ndocumented:\n%s\nrouted:\n%s", strings.Join(documented, "\n"), strings.Join(routes, "\n"))
	}
}
