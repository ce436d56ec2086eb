package web_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"jianfu"
	"jianfu/detect"
	"jianfu/ingest"
	"jianfu/ingest/dingtalk"
	"jianfu/ingest/feishu"
	"jianfu/ingest/wecom"
	"jianfu/store"
	"jianfu/store/storetest"
	"jianfu/web"
)

// testHooks are the platform callbacks of the harness: WeCom's published
// sample configuration, and keys of our own for DingTalk and Feishu. The
// skew is wide so WeCom's 2014 sample timestamps still pass.
var testHooks = web.HookConfig{
	WeCom:          wecom.Config{Token: "QDG6eK", EncodingAESKey: "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C", ReceiverID: "wx5823bf96d3bd56c7"},
	DingTalkSecret: "SECexample0123456789abcdef",
	Feishu:         feishu.Config{EncryptKey: "kK8vEfQ3zN2pXr7sYt1uWm", VerificationToken: "vt-south-cac"},
	MaxSkew:        200000 * time.Hour,
}

func testPipeline(t testing.TB, db *store.DB, det *detect.Detector) jianfu.Ingester {
	keys, err := ingest.NewKeys(storetest.PseudonymKey)
	if err != nil {
		t.Fatal(err)
	}
	return ingest.NewPipeline(det, db.Burden(), keys, nil)
}

// post sends a raw body as a fixture user.
func (h *harness) raw(user, method, path, ctype string, body []byte, hdr map[string]string) (int, []byte) {
	h.t.Helper()
	req, _ := http.NewRequest(method, h.srv.URL+path, bytes.NewReader(body))
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	if user != "" {
		req.Header.Set("Authorization", "Bearer "+h.tokens[user])
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

func recent(d time.Duration) string { return time.Now().Add(-d).Format(time.RFC3339) }

func TestMessagesAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		h := newHarness(t, db)
		g := storetest.Groups(t, db, h.fx)
		edu := g["southEdu"].ID
		body := []map[string]any{
			{"id": "a1", "group_id": edu, "time": recent(2 * time.Hour), "sender": "周明远", "text": "@所有人 请各学校今晚10点前接龙报送走访照片,联系人13812345678"},
			{"id": "a2", "group_id": edu, "time": recent(time.Hour), "sender": "李老师", "text": "收到"},
			{"id": "a3", "platform": "wecom", "platform_id": "wr-south-edu", "time": recent(time.Hour), "text": "明早8点前每人下载政务App并截图发群里"},
			{"id": "b1", "group_id": g["northEdu"].ID, "time": recent(time.Hour), "text": "请报送台账"},
			{"id": "b2", "group_id": edu, "time": "昨天", "text": "请报送台账"},
			{"id": "b3", "group_id": edu, "time": recent(time.Hour), "text": "x", "colour": "red"},
			{"id": "b4", "group_id": "七", "time": recent(time.Hour), "text": "x"},
			{"id": "b5", "time": recent(time.Hour), "text": "没有群"},
		}
		st, res := h.do("eduAdmin", "POST", "/api/v1/messages", body)
		if st != 202 {
			t.Fatalf("POST messages: %d %v", st, res)
		}
		if res["accepted"] != 3.0 || res["rejected"] != 5.0 || res["findings"] != 2.0 {
			t.Errorf("counts: %v", res)
		}
		errs, _ := res["errors"].([]any)
		var idx []string
		for _, e := range errs {
			m := e.(map[string]any)
			idx = append(idx, fmt.Sprint(m["index"])+":"+m["code"].(string))
			if m["message"] == "" {
				t.Errorf("error without message: %v", m)
			}
		}
		if strings.Join(idx, ",") != "3:not_found,4:invalid,5:invalid,6:invalid,7:invalid" {
			t.Errorf("per-item errors: %v", idx)
		}
		// sent again: accepted, counted once
		st, res = h.do("eduAdmin", "POST", "/api/v1/messages", body[:3])
		if st != 202 || res["duplicates"] != 3.0 {
			t.Errorf("resend: %d %v", st, res)
		}
		st, res = h.do("eduAdmin", "GET", fmt.Sprintf("/api/v1/burden/groups/%d?days=7", edu), nil)
		row := res["row"].(map[string]any)
		if st != 200 || row["metrics"].(map[string]any)["messages"] != 3.0 || row["index"].(map[string]any)["value"].(float64) <= 0 {
			t.Errorf("group burden: %d %v", st, row)
		}
		// a read-only role, a malformed body, too many items
		if st, _ := h.do("cityAuditor", "POST", "/api/v1/messages", body[:1]); st != 403 {
			t.Errorf("auditor: %d", st)
		}
		if st, b := h.raw("eduAdmin", "POST", "/api/v1/messages", "application/json", []byte(`[{"group_id": 1, "text": "x"`), nil); st != 400 || !strings.Contains(string(b), "均未接收") {
			t.Errorf("truncated JSON: %d %s", st, b)
		}
		if st, b := h.raw("eduAdmin", "POST", "/api/v1/messages", "application/json", []byte(`{"group_id": 1}`), nil); st != 400 || !strings.Contains(string(b), "JSON 数组") {
			t.Errorf("an object instead of an array: %d %s", st, b)
		}
		many := bytes.NewBufferString("[")
		for i := 0; i <= jianfu.MaxBatch; i++ {
			if i > 0 {
				many.WriteByte(',')
			}
			fmt.Fprintf(many, `{"group_id":%d,"time":"%s","text":"好"}`, edu, recent(time.Hour))
		}
		many.WriteByte(']')
		if st, b := h.raw("eduAdmin", "POST", "/api/v1/messages", "application/json", many.Bytes(), nil); st != 400 || !strings.Contains(string(b), "10000") {
			t.Errorf("10,001 messages: %d %.200s", st, b)
		}
		if _, n, _ := db.Burden().FindFindings(storetest.System(), jianfu.FindingFilter{}); n != 2 {
			t.Errorf("a refused request stored something: %d findings", n)
		}
	})
}

func TestChatExportAPI(t *testing.T) {
	h := newHarness(t, storetest.Open(t, store.SQLite))
	g := storetest.Groups(t, h.db, h.fx)
	day := time.Now().In(jianfu.China).AddDate(0, 0, -1).Format("2006-01-02")
	export := day + " 21:30:12 周明远\n@所有人 今晚10点前每人接龙报送走访照片,电话13812345678\n" + day + " 21:31:00 李老师\n收到\n"
	path := fmt.Sprintf("/api/v1/messages/export?group_id=%d&filename=chat.txt", g["school"].ID)
	st, b := h.raw("schoolStaff", "POST", path, "text/plain", []byte(export), nil)
	var res map[string]any
	json.Unmarshal(b, &res)
	if st != 202 || res["format"] != "wechat-text" || res["messages"] != 2.0 || res["findings"] != 1.0 || !strings.Contains(res["format_name"].(string), "微信") {
		t.Errorf("export: %d %s", st, b)
	}
	if st, b := h.raw("schoolStaff", "POST", fmt.Sprintf("/api/v1/messages/export?group_id=%d", g["northEdu"].ID), "text/plain", []byte(export), nil); st != 404 {
		t.Errorf("export into another county's group: %d %s", st, b)
	}
	if st, b := h.raw("schoolStaff", "POST", path, "text/plain", []byte("没有消息头的文字\n第二行\n第三行\n第四行\n第五行\n第六行"), nil); st != 400 || !strings.Contains(string(b), "未找到消息头") {
		t.Errorf("prose: %d %s", st, b)
	}
}

func TestWebhooks(t *testing.T) {
	h := newHarness(t, storetest.Open(t, store.SQLite))
	g := storetest.Groups(t, h.db, h.fx)
	sys := storetest.System()
	rejects := func() int {
		h.app.FlushMinute() // rejects are audited per source and minute
		es, _, err := h.db.Audit().FindAuditEntries(sys, jianfu.AuditFilter{Action: "webhook.reject"})
		if err != nil {
			t.Fatal(err)
		}
		return len(es)
	}
	findings := func(group int64) int {
		_, n, _ := h.db.Burden().FindFindings(sys, jianfu.FindingFilter{GroupID: group})
		return n
	}

	// WeCom: the published URL verification sample, then a signed robot message.
	q := url.Values{"msg_signature": {"5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3"}, "timestamp": {"1409659589"}, "nonce": {"263014780"},
		"echostr": {"P9nAzCzyDtyTWESHep1vC5X9xho/qYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp+4RPcs8TgAE7OaBO+FZXvnaqQ=="}}
	if st, b := h.raw("", "GET", "/hooks/wecom?"+q.Encode(), "", nil, nil); st != 200 || string(b) != "1616140317555161061" {
		t.Errorf("wecom URL verification: %d %q", st, b)
	}
	q.Set("nonce", "263014781")
	if st, _ := h.raw("", "GET", "/hooks/wecom?"+q.Encode(), "", nil, nil); st != 401 || rejects() != 1 {
		t.Errorf("a forged verification: %d, %d audited", st, rejects())
	}
	wc, _ := wecom.New(testHooks.WeCom)
	inner := fmt.Sprintf(`<xml><ChatId>wr-south-edu</ChatId><ChatType>group</ChatType><From><UserId>zhoumy</UserId></From><MsgType>text</MsgType><Text><Content><![CDATA[@所有人 今晚10点前每人接龙报送走访照片]]></Content></Text><MsgId>wc-1</MsgId><CreateTime>%d</CreateTime></xml>`, time.Now().Add(-time.Minute).Unix())
	enc := wc.Encrypt([]byte(inner), nil)
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	xmlBody := fmt.Sprintf("<xml><ToUserName>wx5823bf96d3bd56c7</ToUserName><Encrypt><![CDATA[%s]]></Encrypt></xml>", enc)
	wq := url.Values{"msg_signature": {wc.Signature(ts, "n", enc)}, "timestamp": {ts}, "nonce": {"n"}}
	if st, b := h.raw("", "POST", "/hooks/wecom?"+wq.Encode(), "text/xml", []byte(xmlBody), nil); st != 200 || string(b) != "success" || findings(g["southEdu"].ID) != 1 {
		t.Errorf("wecom message: %d %q, %d findings", st, b, findings(g["southEdu"].ID))
	}
	wq.Set("msg_signature", strings.Repeat("0", 40))
	if st, _ := h.raw("", "POST", "/hooks/wecom?"+wq.Encode(), "text/xml", []byte(xmlBody), nil); st != 401 || rejects() != 2 {
		t.Errorf("wecom forged message: %d", st)
	}

	// DingTalk: timestamp and sign headers.
	dt, _ := json.Marshal(map[string]any{"msgtype": "text", "text": map[string]string{"content": "明早8点前每人下载政务App并截图发群"}, "msgId": "dt-1",
		"createAt": time.Now().Add(-time.Minute).UnixMilli(), "conversationType": "2", "conversationId": "cid-north-edu", "senderStaffId": "liuhb"})
	dts := strconv.FormatInt(time.Now().UnixMilli(), 10)
	if st, _ := h.raw("", "POST", "/hooks/dingtalk", "application/json", dt, map[string]string{"timestamp": dts, "sign": dingtalk.Sign(dts, testHooks.DingTalkSecret)}); st != 200 || findings(g["northEdu"].ID) != 1 {
		t.Errorf("dingtalk message: %d, %d findings", st, findings(g["northEdu"].ID))
	}
	if st, _ := h.raw("", "POST", "/hooks/dingtalk", "application/json", dt, map[string]string{"timestamp": dts, "sign": dingtalk.Sign(dts, "wrong")}); st != 401 || rejects() != 3 {
		t.Errorf("dingtalk forged: %d", st)
	}

	// Feishu: the challenge, then a signed encrypted event.
	ch := fmt.Sprintf(`{"encrypt":%q}`, feishu.Encrypt(testHooks.Feishu.EncryptKey, []byte(`{"challenge":"c-123","token":"vt-south-cac","type":"url_verification"}`), nil))
	if st, b := h.raw("", "POST", "/hooks/feishu", "application/json", []byte(ch), nil); st != 200 || !strings.Contains(string(b), `"challenge":"c-123"`) {
		t.Errorf("feishu challenge: %d %s", st, b)
	}
	ev := fmt.Sprintf(`{"schema":"2.0","header":{"event_type":"im.message.receive_v1","token":"vt-south-cac"},"event":{"sender":{"sender_id":{"open_id":"ou_zhao"}},"message":{"message_id":"om-1","create_time":"%d","chat_id":"oc_south_cac","chat_type":"group","message_type":"text","content":"{\"text\":\"@_all 收到请回复1,今晚必须完成打卡\"}"}}}`, time.Now().Add(-time.Minute).UnixMilli())
	fb := []byte(fmt.Sprintf(`{"encrypt":%q}`, feishu.Encrypt(testHooks.Feishu.EncryptKey, []byte(ev), nil)))
	fts := strconv.FormatInt(time.Now().Unix(), 10)
	hdr := map[string]string{"X-Lark-Request-Timestamp": fts, "X-Lark-Request-Nonce": "nn", "X-Lark-Signature": feishu.Signature(fts, "nn", testHooks.Feishu.EncryptKey, fb)}
	if st, _ := h.raw("", "POST", "/hooks/feishu", "application/json", fb, hdr); st != 200 || findings(g["southCAC"].ID) != 1 {
		t.Errorf("feishu event: %d, %d findings", st, findings(g["southCAC"].ID))
	}
	hdr["X-Lark-Signature"] = strings.Repeat("a", 64)
	if st, _ := h.raw("", "POST", "/hooks/feishu", "application/json", fb, hdr); st != 401 || rejects() != 4 {
		t.Errorf("feishu forged: %d", st)
	}
}

// TestBurdenPages renders every burden page with data for a supervisor
// and checks what a user would look for.
func TestBurdenPages(t *testing.T) {
	h := newHarness(t, storetest.Open(t, store.SQLite))
	g := storetest.Groups(t, h.db, h.fx)
	sys := storetest.System()
	var msgs []jianfu.Message
	for i := 0; i < 20; i++ {
		at := time.Now().AddDate(0, 0, -i).Add(-time.Hour)
		msgs = append(msgs,
			jianfu.Message{GroupID: g["southEdu"].ID, Time: at, Sender: "周明远", Text: "@所有人 今晚10点前每人接龙报送走访照片,联系人13812345678,纳入考核"},
			jianfu.Message{GroupID: g["school"].ID, Time: at, Sender: "陈晓燕", Text: "下午三点教研活动"},
		)
	}
	msgs = append(msgs,
		jianfu.Message{GroupID: g["southEdu"].ID, Time: time.Now().AddDate(0, 0, -3), Text: "请各学校今天下班前报送辖区60岁以上独居老人信息统计表"},
		jianfu.Message{GroupID: g["school"].ID, Time: time.Now().AddDate(0, 0, -2), Text: "请各位老师今天下班前上报60岁以上独居老人信息统计表"},
	)
	det, _ := detect.New()
	p := testPipeline(t, h.db, det).(*ingest.Pipeline)
	if _, err := p.IngestAll(sys, msgs); err != nil {
		t.Fatal(err)
	}
	h.db.Burden().ClusterMaterial(sys, 0)
	b := newBrowser(t, h.srv.URL)
	b.login("south.sup")
	for _, tt := range []struct {
		path  string
		shows []string
	}{
		{"/burden", []string{"负担监测", "负担指数 = 100", "江南区教育局工作群", "138****5678", "同一数据被 2 个单位重复索要", "<svg class=\"spark\""}},
		{"/burden?kind=unit&days=90", []string{"江州市江南区教育局", "按单位"}},
		{fmt.Sprintf("/burden/groups/%d?step=week", g["southEdu"].ID), []string{"江南区教育局工作群", "构成", "<svg class=\"chart\"", "接龙回复", "依据", "转为问题线索"}},
		{fmt.Sprintf("/burden/units/%d", h.fx.Units["southEdu"].ID), []string{"江南区教育局工作群", "该单位的工作群"}},
		{"/burden/findings?category=chain", []string{"接龙", "138****5678"}},
		{"/burden/clusters", []string{"一张表", "独居老人"}},
		{"/burden/people", []string{"人员入群情况"}},
		{"/burden/upload", []string{"江南区教育局工作群", "望江中学教师群", "multipart/form-data"}},
	} {
		st, body := b.get(tt.path)
		if st != 200 {
			t.Errorf("%s: %d", tt.path, st)
			continue
		}
		for _, s := range tt.shows {
			if !strings.Contains(body, s) {
				t.Errorf("%s does not show %q", tt.path, s)
			}
		}
		if strings.Contains(body, "13812345678") {
			t.Errorf("%s shows an unmasked phone number", tt.path)
		}
	}
	// English is the second language, formula included
	if _, body := b.get("/burden?lang=en"); !strings.Contains(body, "How the burden index is computed") || !strings.Contains(body, "burden index = 100 ×") {
		t.Error("the English burden page lacks its formula")
	}
	b.get("/burden?lang=zh")
	// another county's group answers like a missing one
	if st, _ := b.get(fmt.Sprintf("/burden/groups/%d", g["northEdu"].ID)); st != 404 {
		t.Errorf("north group for south supervisor: %d", st)
	}
	// one click: a finding becomes a clue
	fs, _, _ := h.db.Burden().FindFindings(sys, jianfu.FindingFilter{GroupID: g["southEdu"].ID, Page: jianfu.Page{Limit: 1}})
	st, path, body := b.post("/burden/findings", "/burden/clues", url.Values{"kind": {"finding"}, "id": {itoa(fs[0].ID)}, "back": {"/burden/findings"}})
	if st != 200 || path != "/burden/findings" || !strings.Contains(body, "已转为问题线索") {
		t.Errorf("raise a clue: %d %s", st, path)
	}
	// the finding now names its case instead of offering 转为问题线索 again
	cases, _, _ := h.db.Cases().FindCases(sys, jianfu.CaseFilter{Query: "", Page: jianfu.Page{Limit: 1}})
	item := body[strings.Index(body, fmt.Sprintf(`id="finding-%d"`, fs[0].ID)):]
	item = item[:strings.Index(item, "</li>")]
	if want := fmt.Sprintf(`<a class="converted" href="/cases/%d">已转为问题线索 %s</a>`, cases[0].ID, cases[0].Number); len(cases) != 1 || !strings.Contains(item, want) || strings.Contains(item, "/burden/clues") {
		t.Errorf("a converted finding shows %q, want %q and no 转为问题线索 form", item, want)
	}
	if _, body := b.get("/burden/clues"); !strings.Contains(body, "江南区教育局工作群") || !strings.Contains(body, "待立案") {
		t.Error("the clue is not listed")
	}
	// an upload from the page, with an export that has an unmasked phone
	day := time.Now().In(jianfu.China).AddDate(0, 0, -1).Format("2006-01-02")
	export := day + " 22:10:00 周明远\n收到请回复,联系电话13912345678\n"
	st, path, body = upload(t, b, g["school"].ID, "chat.txt", []byte(export))
	if st != 200 || path != fmt.Sprintf("/burden/groups/%d", g["school"].ID) || !strings.Contains(body, "识别为微信聊天记录文本") || !strings.Contains(body, "139****5678") {
		t.Errorf("upload: %d %s", st, path)
	}
	st, _, body = upload(t, b, g["school"].ID, "bad.csv", []byte("时间,发送人,内容\n昨天,a,b\n"))
	if st != 400 || !strings.Contains(body, "无法识别") {
		t.Errorf("a bad upload: %d", st)
	}
}

// upload posts a file through the upload form.
func upload(t *testing.T, b *browser, group int64, name string, data []byte) (int, string, string) {
	t.Helper()
	_, page := b.get("/burden/upload")
	m := csrfRe.FindStringSubmatch(page)
	if m == nil {
		t.Fatal("no csrf token on the upload page")
	}
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	mw.WriteField("csrf", m[1])
	mw.WriteField("group_id", itoa(group))
	fw, _ := mw.CreateFormFile("file", name)
	fw.Write(data)
	mw.Close()
	resp, err := b.c.Post(b.base+"/burden/upload", mw.FormDataContentType(), &buf)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Request.URL.Path, string(body)
}
