package open311

import (
	"testing"

	"jianfu"
)

// Every case category is a service with keywords, and no keyword list
// names a category that is not one.
func TestEveryCategoryHasKeywords(t *testing.T) {
	for _, c := range jianfu.CaseCategories {
		if keywords[c] == "" {
			t.Errorf("%s has no keywords", c)
		}
	}
	if len(keywords) != len(jianfu.CaseCategories) {
		t.Errorf("%d keyword lists for %d categories", len(keywords), len(jianfu.CaseCategories))
	}
}
