package demo

import (
	"testing"

	"jianfu"
)

// Every case category has complaint texts, and none belongs to a category
// that is not one.
func TestEveryCategoryHasCaseTemplates(t *testing.T) {
	for _, c := range jianfu.CaseCategories {
		if len(caseTemplates[c]) == 0 {
			t.Errorf("%s has no complaint texts", c)
		}
	}
	if len(caseTemplates) != len(jianfu.CaseCategories) {
		t.Errorf("%d template lists for %d categories", len(caseTemplates), len(jianfu.CaseCategories))
	}
}
