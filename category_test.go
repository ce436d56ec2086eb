package jianfu_test

import (
	"slices"
	"testing"

	"jianfu"
)

// The codes are a contract (JSON, the database, `jianfu scan --format
// jsonl`, Open311 service codes): their values and order never change.
func TestCategoryCodes(t *testing.T) {
	want := []jianfu.Category{"checkin", "chain", "instant", "task", "material", "promote", "engagement", "trace"}
	if !slices.Equal(jianfu.Categories[:], want) {
		t.Fatalf("categories %v, want %v", jianfu.Categories, want)
	}
	if !slices.Equal(jianfu.CaseCategories, append(want, jianfu.CategoryOther)) {
		t.Errorf("case categories %v", jianfu.CaseCategories)
	}
}

func TestCategoryDefinitions(t *testing.T) {
	var all uint16
	for i, c := range jianfu.Categories {
		if !c.Valid() || c.Index() != i || c.Bit() != 1<<i {
			t.Errorf("%s: valid %v, index %d, bit %b", c, c.Valid(), c.Index(), c.Bit())
		}
		if got := jianfu.CategoriesOf(c.Bit()); len(got) != 1 || got[0] != c {
			t.Errorf("CategoriesOf(%s.Bit()) = %v", c, got)
		}
		all |= c.Bit()
	}
	if got := jianfu.CategoriesOf(all); !slices.Equal(got, jianfu.Categories[:]) {
		t.Errorf("CategoriesOf(all) = %v", got)
	}
	for _, c := range jianfu.CaseCategories {
		if c.Label() == string(c) || c.LabelEn() == string(c) || c.Meaning() == "" || c.MeaningEn() == "" {
			t.Errorf("%s lacks a name or meaning: %q %q %q %q", c, c.Label(), c.LabelEn(), c.Meaning(), c.MeaningEn())
		}
		if !jianfu.ValidCategory(string(c)) {
			t.Errorf("%s is not a valid case category", c)
		}
	}
	other := jianfu.Category(jianfu.CategoryOther)
	if other.Valid() || other.Bit() != 0 || jianfu.ValidCategory("") || jianfu.ValidCategory("Checkin") {
		t.Error("other is not a detector category; unknown codes are not case categories")
	}
	if got := jianfu.CategoryLabels([]string{"chain", "trace"}); got != "接龙回复、截图留痕" {
		t.Errorf("labels %q", got)
	}
}
