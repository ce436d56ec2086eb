package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestServeAddressFlags: the old --trust-proxy is refused with the new
// flag's name, and a bad CIDR list says which entry is wrong.
func TestServeAddressFlags(t *testing.T) {
	db := "sqlite:" + filepath.Join(t.TempDir(), "x.db")
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"serve", "--db", db, "--trust-proxy"}, "--trusted-proxies"},
		{[]string{"serve", "--db", db, "--trusted-proxies", "10.0.0.0/8,proxy.local"}, "“proxy.local”不是IP地址或网段"},
		{[]string{"serve", "--db", db, "--fetch-allow", "10.0.0.0/40"}, "--fetch-allow"},
	} {
		_, err := runRoot(t, tt.args...)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%v: %v, want an error naming %s", tt.args, err, tt.want)
		}
	}
}

// TestRemindFlag: --remind takes exit orders and check forms besides the
// case stages, and a wrong key is refused with the keys it may be.
func TestRemindFlag(t *testing.T) {
	db := "sqlite:" + filepath.Join(t.TempDir(), "x.db")
	_, err := runRoot(t, "serve", "--db", db, "--remind", "answer=2,orders=1")
	if err == nil || !strings.Contains(err.Error(), "--remind") || !strings.Contains(err.Error(), "order(退出通知)、form(检查表单)") {
		t.Errorf("--remind orders=1: %v, want an error naming order and form", err)
	}
	out, err := runRoot(t, "serve", "--help")
	if err != nil || !strings.Contains(out, "order 退出通知") || !strings.Contains(out, "form 检查表单") {
		t.Errorf("serve --help does not explain order and form: %v\n%s", err, out)
	}
}
