package detect

import "testing"

func TestRuleExamples(t *testing.T) {
	d, err := New()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range d.TestExamples() {
		t.Errorf("%s: %q %s; spans %v", f.Rule, f.Text, f.Message, f.Got)
	}
}
