package jianfu

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// Every action the code audits has a Chinese name for the auditor's page:
// the page shows 移送线索, not case.transfer.
func TestAuditActionNames(t *testing.T) {
	e := &AuditEntry{Action: "case.transfer", ObjectType: "case", ObjectID: "418"}
	if e.ActionName() != "移送线索" || e.ObjectName() != "问题线索 418" {
		t.Errorf("%q %q", e.ActionName(), e.ObjectName())
	}
	// The actions written in the store, as the store writes them.
	re := regexp.MustCompile(`(?:audit|handle|unitAct)\([^"]*"([a-z_]+\.[a-z_.]+)"|Action: +"([a-z_]+\.[a-z_.]+)"`)
	entries, _ := os.ReadDir("store")
	var missing []string
	for _, f := range entries {
		if !strings.HasSuffix(f.Name(), ".go") || strings.HasSuffix(f.Name(), "_test.go") {
			continue
		}
		b, err := os.ReadFile("store/" + f.Name())
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range re.FindAllStringSubmatch(string(b), -1) {
			action := m[1] + m[2]
			if (&AuditEntry{Action: action}).ActionName() == action && action != "test.write" {
				missing = append(missing, action+" ("+f.Name()+")")
			}
		}
	}
	if len(missing) > 0 {
		t.Errorf("audited actions without a Chinese name: %s", strings.Join(missing, ", "))
	}
}
