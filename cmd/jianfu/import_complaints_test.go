package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"jianfu/secret"
	"jianfu/store"
	"jianfu/store/storetest"
)

// runImportComplaints runs `jianfu import complaints` with args.
func runImportComplaints(t *testing.T, args ...string) (string, string, error) {
	t.Helper()
	cmd := newImportComplaintsCmd()
	var out, errOut bytes.Buffer
	cmd.SetOut(&out)
	cmd.SetErr(&errOut)
	cmd.SetContext(context.Background())
	if err := cmd.ParseFlags(args); err != nil {
		return "", "", err
	}
	err := cmd.RunE(cmd, cmd.Flags().Args())
	return out.String(), errOut.String(), err
}

func TestImportComplaintsCommand(t *testing.T) {
	dir := t.TempDir()
	dbPath := filepath.Join(dir, "j.db")
	db, err := store.Open(context.Background(), dbPath, storetest.Rules)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	storetest.Load(t, db)
	db.Close()
	t.Setenv("JIANFU_REPORTER_KEY", "")
	file := filepath.Join(dir, "12345.csv")
	os.WriteFile(file, []byte("工单编号,受理时间,诉求内容,联系电话\n"+
		"A1,2026-03-02 09:00,群里每天晚上要求接龙回复收到,\n"+
		"A2,2026-03-02 10:00,要求每天截图上传学习积分排名,13912345678\n"), 0o644)

	_, stderr, err := runImportComplaints(t, "--db", dbPath, "--region", "390102", file)
	if err == nil || !strings.Contains(stderr, "第3行") || !strings.Contains(stderr, "密钥") {
		t.Errorf("contacts without a key: %v\n%s", err, stderr)
	}
	out, _, err := runImportComplaints(t, "--db", dbPath, "--region", "390102", "--without-contacts", file)
	if err != nil || !strings.Contains(out, "已导入热线工单 2 条") {
		t.Errorf("first import: %v %s", err, out)
	}
	out, _, err = runImportComplaints(t, "--db", dbPath, "--region", "390102", "--reporter-key", secret.NewSealerKey(), file)
	if err != nil || !strings.Contains(out, "已导入热线工单 0 条") || !strings.Contains(out, "2 条此前已导入") {
		t.Errorf("again: %v %s", err, out)
	}
	if _, _, err := runImportComplaints(t, "--db", dbPath, "--reporter-key", "not-a-key", file); err == nil {
		t.Error("a bad key is accepted")
	} else if _, ok := err.(usageError); !ok {
		t.Errorf("a bad key is not a usage error: %v", err)
	}
	if _, _, err := runImportComplaints(t, "--db", dbPath, "--region", "x1", file); err == nil {
		t.Error("a bad --region is accepted")
	}
}
