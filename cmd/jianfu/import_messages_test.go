package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"jianfu"
	"jianfu/store"
	"jianfu/store/storetest"
)

// TestImportMessages imports a chat export twice through the command: it
// says which shape it read, stores the finding masked, and the second run
// counts nothing again. Without a pseudonym key it refuses with advice.
func TestImportMessages(t *testing.T) {
	dir := t.TempDir()
	dsn := filepath.Join(dir, "jianfu.db")
	db, err := store.Open(context.Background(), dsn, storetest.Rules)
	if err != nil {
		t.Fatal(err)
	}
	db.Migrate(context.Background())
	f := storetest.Load(t, db)
	g := storetest.Groups(t, db, f)
	db.Close()
	day := time.Now().In(jianfu.China).AddDate(0, 0, -1).Format("2006-01-02")
	file := filepath.Join(dir, "chat.txt")
	os.WriteFile(file, []byte(day+" 21:30:12 周明远\n@所有人 请各学校今晚10点前接龙报送走访照片,联系人13812345678\n"+day+" 21:31:05 李老师\n收到\n"), 0o644)
	run := func(key string) (string, error) {
		cmd := newImportMessagesCmd()
		var out bytes.Buffer
		cmd.SetOut(&out)
		cmd.SetErr(&out)
		cmd.SetContext(context.Background())
		args := []string{"--db", dsn, "--group", strconv.FormatInt(g["southEdu"].ID, 10)}
		if key != "" {
			args = append(args, "--pseudonym-key", key)
		}
		if err := cmd.ParseFlags(args); err != nil {
			t.Fatal(err)
		}
		err := cmd.RunE(cmd, []string{file})
		return out.String(), err
	}
	t.Setenv("JIANFU_PSEUDONYM_KEY", "")
	if _, err := run(""); err == nil || !strings.Contains(err.Error(), "化名密钥") {
		t.Errorf("without a key: %v", err)
	}
	out, err := run(storetest.PseudonymKey)
	if err != nil || !strings.Contains(out, "识别为:微信聊天记录文本") || !strings.Contains(out, "新增 2 条") || !strings.Contains(out, "形式主义要求 1 条") {
		t.Fatalf("first import: %v\n%s", err, out)
	}
	out, err = run(storetest.PseudonymKey)
	if err != nil || !strings.Contains(out, "新增 0 条,已导入过 2 条") || !strings.Contains(out, "形式主义要求 0 条") {
		t.Errorf("second import: %v\n%s", err, out)
	}
	db, _ = store.Open(context.Background(), dsn, storetest.Rules)
	defer db.Close()
	fs, _, _ := db.Burden().FindFindings(storetest.System(), jianfu.FindingFilter{})
	if len(fs) != 1 || !strings.Contains(fs[0].Excerpt, "138****5678") {
		t.Errorf("findings: %+v", fs)
	}
}
