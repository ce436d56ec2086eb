package main

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"jianfu"
	"jianfu/store"
	"jianfu/store/storetest"
)

// --delivery-config: a mistake in the file, or a secret whose environment
// variable is unset, stops serve with a Chinese message naming what to
// fix (and never the secret); a good file offers its channels.
func TestDeliveryConfigFlag(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	jb := newJobs(db, log)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	write := func(body string) string {
		p := filepath.Join(t.TempDir(), "delivery.yaml")
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	if chs, err := startDelivery(ctx, db, "", jb, log); err != nil || chs != nil {
		t.Errorf("no file: %v %v", chs, err)
	}
	for _, tc := range []struct{ body, says string }{
		{"email:\n  addr: smtp.example.gov.cn:587\n", "from"},
		{"email: {addr: 'a:25', from: a@b.cn, security: ssl}\n", "security"},
		{"wecom: {id: ww1, agent_id: 1, secret: {env: JIANFU_TEST_UNSET_SECRET}}\n", "JIANFU_TEST_UNSET_SECRET"},
		{"digest_at: 五点\n", "digest_at"},
		{"intervall: 1m\n", "intervall"},
	} {
		_, err := startDelivery(ctx, db, write(tc.body), jb, log)
		if _, ok := err.(usageError); !ok || !strings.Contains(err.Error(), tc.says) || !strings.Contains(err.Error(), "--delivery-config") {
			t.Errorf("%q: %v, want a usage error about %s", tc.body, err, tc.says)
		}
	}
	t.Setenv("JIANFU_TEST_FEISHU_SECRET", "fs-very-secret")
	chs, err := startDelivery(ctx, db, write("site_url: https://jf.example.gov.cn/\nfeishu: {id: cli_a, secret: {env: JIANFU_TEST_FEISHU_SECRET}}\nsms:\n  url: http://127.0.0.1:9/send\n"), jb, log)
	if err != nil || len(chs) != 2 || chs[0] != jianfu.ChannelSMS || chs[1] != jianfu.ChannelFeishu {
		t.Errorf("a good file: %v %v", chs, err)
	}
}
