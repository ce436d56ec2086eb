package web

import (
	"io/fs"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// Every text has both languages, and every key a template names exists:
// a missing key would show the key itself to an official.
func TestLocalesComplete(t *testing.T) {
	locs, err := loadLocales()
	if err != nil {
		t.Fatal(err)
	}
	zh, en := *locs["zh"], *locs["en"]
	var onlyZh, onlyEn []string
	for k := range zh {
		if _, ok := en[k]; !ok {
			onlyZh = append(onlyZh, k)
		}
	}
	for k := range en {
		if _, ok := zh[k]; !ok {
			onlyEn = append(onlyEn, k)
		}
	}
	sort.Strings(onlyZh)
	sort.Strings(onlyEn)
	if len(onlyZh) > 0 || len(onlyEn) > 0 {
		t.Errorf("keys without English: %v; keys without Chinese: %v", onlyZh, onlyEn)
	}
	literal := regexp.MustCompile(`\.(T|Confirm) "([^"]+)"`)
	files, err := fs.Glob(assets, "templates/*.html")
	if err != nil || len(files) == 0 {
		t.Fatalf("templates: %v", err)
	}
	for _, f := range files {
		b, _ := assets.ReadFile(f)
		for _, m := range literal.FindAllStringSubmatch(string(b), -1) {
			key := m[2]
			if m[1] == "Confirm" {
				key = "confirm." + key
			}
			if !strings.HasSuffix(key, ".") {
				if _, ok := zh[key]; !ok {
					t.Errorf("%s names %q, which no locale defines", f, key)
				}
			}
		}
	}
}
