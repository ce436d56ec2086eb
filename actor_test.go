package jianfu

import (
	"strings"
	"testing"
)

// The system's jobs appear by name in case timelines, notifications and the
// audit log of the Chinese UI: no English word may show there.
func TestSystemActorNamesAreChinese(t *testing.T) {
	for _, what := range []string{"demo", "deadline", "webhook:wecom", "cli", "import", "something-new"} {
		name := SystemActor(what).Name
		if !strings.HasPrefix(name, "系统") || strings.ContainsAny(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ") {
			t.Errorf("SystemActor(%q).Name = %q, want 系统(…) in Chinese", what, name)
		}
	}
	if got := SystemActor("demo").Name; got != "系统(演示数据生成)" {
		t.Errorf("demo actor %q", got)
	}
	if got := SystemActor("webhook:dingtalk").Username; got != "system:webhook:dingtalk" {
		t.Errorf("the username keeps the job's key: %q", got)
	}
}
