package security

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"jianfu"
	"jianfu/ingest/dingtalk"
	"jianfu/store"
	"jianfu/store/storetest"
	"jianfu/web"
)

const dingTalkSecret = "SECsecurity-test-0123456789"

// dingTalk posts a DingTalk callback with the given timestamp and sign.
func (s *server) dingTalk(ts time.Time, sign, msgID, text string) int {
	s.t.Helper()
	body, _ := json.Marshal(map[string]any{"msgtype": "text", "text": map[string]string{"content": text}, "msgId": msgID,
		"createAt": ts.Add(-time.Second).UnixMilli(), "conversationType": "2", "conversationId": "cid-north-edu", "senderStaffId": "liuhb"})
	stamp := strconv.FormatInt(ts.UnixMilli(), 10)
	if sign == "" {
		sign = dingtalk.Sign(stamp, dingTalkSecret)
	}
	req, _ := http.NewRequest(http.MethodPost, s.srv.URL+"/hooks/dingtalk", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("timestamp", stamp)
	req.Header.Set("sign", sign)
	resp, _ := s.browser().do(req)
	return resp.StatusCode
}

// TestWebhookReplayAndFlood replays attack 7: one captured DingTalk
// timestamp/sign pair injected a forged body within the hour, and 300 bad
// calls in half a second wrote 300 audit rows. Now a pair is accepted once
// and for five minutes, a message id counts once, each platform is rate
// limited, and rejects are audited once per source and minute with a count.
func TestWebhookReplayAndFlood(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := start(t, db, web.Config{Hooks: web.HookConfig{DingTalkSecret: dingTalkSecret}})
		group := storetest.Groups(t, db, s.fx)["northEdu"].ID
		findings := func() int {
			_, n, err := db.Burden().FindFindings(storetest.System(), jianfu.FindingFilter{GroupID: group})
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
		rejects := func() []*jianfu.AuditEntry {
			s.app.FlushMinute()
			es, _, err := db.Audit().FindAuditEntries(storetest.System(), jianfu.AuditFilter{Action: "webhook.reject"})
			if err != nil {
				t.Fatal(err)
			}
			return es
		}

		now := time.Now()
		stamp := strconv.FormatInt(now.UnixMilli(), 10)
		captured := dingtalk.Sign(stamp, dingTalkSecret)
		if st := s.dingTalk(now, captured, "dt-1", "明早8点前每人下载政务App并截图发群"); st != http.StatusOK || findings() != 1 {
			t.Fatalf("a genuine callback: %d, %d findings", st, findings())
		}
		if st := s.dingTalk(now, captured, "dt-forged", "今晚12点前所有人接龙报送走访台账,未报的通报批评"); st != http.StatusUnauthorized || findings() != 1 {
			t.Errorf("the captured pair with a forged body: %d, %d findings; want 401 and nothing stored", st, findings())
		}
		if st := s.dingTalk(now.Add(-6*time.Minute), "", "dt-old", "今晚12点前所有人接龙报送走访台账"); st != http.StatusUnauthorized {
			t.Errorf("a pair six minutes old: %d, want 401", st)
		}
		// The platform sends the same message again with a fresh pair: it counts once.
		if st := s.dingTalk(time.Now(), "", "dt-1", "明早8点前每人下载政务App并截图发群"); st != http.StatusOK || findings() != 1 {
			t.Errorf("a redelivered message id: %d, %d findings; want it counted once", st, findings())
		}
		rejects() // the minute of the replays ends

		for i := range 300 {
			if st := s.dingTalk(time.Now(), "forged-"+strconv.Itoa(i), "x", "x"); st != http.StatusUnauthorized {
				t.Fatalf("bad call %d: %d", i, st)
			}
		}
		es := rejects()
		var flood []*jianfu.AuditEntry
		for _, e := range es {
			if strings.Contains(e.Detail, "拒绝300次") {
				flood = append(flood, e)
			}
		}
		if len(es) > 3 || len(flood) != 1 || flood[0].IP != "127.0.0.1" || !strings.Contains(flood[0].Detail, "signature mismatch") {
			t.Errorf("300 bad calls are audited as %d entries: %+v", len(es), es)
		}
		// Filed under the deployment's province, whose auditors see them.
		for _, e := range es {
			if e.RegionPath != "39" {
				t.Errorf("a reject is filed under region %q, want the province 39: %+v", e.RegionPath, e)
			}
		}
	})
}

// TestWebhookRateLimit: each platform's callbacks are limited per minute.
func TestWebhookRateLimit(t *testing.T) {
	s := start(t, storetest.Open(t, store.SQLite), web.Config{Hooks: web.HookConfig{DingTalkSecret: dingTalkSecret, PerMinute: 5}})
	var last int
	for i := range 6 {
		last = s.dingTalk(time.Now(), "bad-"+strconv.Itoa(i), "x", "x")
	}
	if last != http.StatusTooManyRequests {
		t.Errorf("the sixth callback of a minute with a limit of 5: %d, want 429", last)
	}
}
