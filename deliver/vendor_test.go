package deliver

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// vendorServer plays one vendor's documented API: it issues tokens
// tok-1, tok-2… at the token path when asked with the right credentials,
// checks each send's shape with check, and answers sends with the scripted
// codes (0 once the script runs out), in the vendor's answer shape.
type vendorServer struct {
	t         *testing.T
	tokenPath string
	sendPath  string
	creds     func(r *http.Request) bool
	check     func(r *http.Request, body map[string]any) error
	answer    func(code int) any // the vendor's JSON answer to a send
	tokenJSON func(tok string) any

	mu       sync.Mutex
	tokens   int
	sends    int
	script   []int
	problems []string
}

func (v *vendorServer) start() *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		v.mu.Lock()
		defer v.mu.Unlock()
		switch r.URL.Path {
		case v.tokenPath:
			if !v.creds(r) {
				v.problems = append(v.problems, "bad credentials")
				w.WriteHeader(400)
				return
			}
			v.tokens++
			json.NewEncoder(w).Encode(v.tokenJSON(fmt.Sprintf("tok-%d", v.tokens)))
		case v.sendPath:
			v.sends++
			raw, _ := io.ReadAll(r.Body)
			var body map[string]any
			if err := json.Unmarshal(raw, &body); err != nil {
				v.problems = append(v.problems, "send body not JSON: "+string(raw))
			} else if err := v.check(r, body); err != nil {
				v.problems = append(v.problems, err.Error())
			}
			code := 0
			if len(v.script) > 0 {
				code, v.script = v.script[0], v.script[1:]
			}
			json.NewEncoder(w).Encode(v.answer(code))
		default:
			v.problems = append(v.problems, "unexpected "+r.Method+" "+r.URL.Path)
			w.WriteHeader(404)
		}
	}))
	v.t.Cleanup(srv.Close)
	return srv
}

func (v *vendorServer) want(t *testing.T, tokens, sends int) {
	t.Helper()
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.tokens != tokens || v.sends != sends || len(v.problems) > 0 {
		t.Errorf("server saw %d token and %d send requests (want %d and %d); problems: %v", v.tokens, v.sends, tokens, sends, v.problems)
	}
}

func (v *vendorServer) play(codes ...int) {
	v.mu.Lock()
	v.script = codes
	v.mu.Unlock()
}

func (v *vendorServer) currentToken() string {
	return fmt.Sprintf("tok-%d", v.tokens)
}

var vendorMsg = Message{Key: "jf-n7-x", To: "zhaomin", Subject: "【减负】备案通过", Body: "备案通过:江南教育发布已通过备案\n备案号:苏网备2026-0007"}

func wantErr(t *testing.T, err error, permanent, limited bool) {
	t.Helper()
	var de *Error
	if !errors.As(err, &de) || de.Permanent != permanent || (de.RetryAfter > 0) != limited {
		t.Errorf("error %v: want permanent=%v rate-limited=%v", err, permanent, limited)
	}
}

// TestWeCom: gettoken with corpid and corpsecret, message/send with the
// documented text message; 42001 (token expired) refreshes the token and
// retries once; 45009 (rate limit) backs off; 81013 fails for good.
func TestWeCom(t *testing.T) {
	v := &vendorServer{t: t, tokenPath: "/cgi-bin/gettoken", sendPath: "/cgi-bin/message/send",
		creds: func(r *http.Request) bool {
			return r.Method == "GET" && r.URL.Query().Get("corpid") == "ww1234" && r.URL.Query().Get("corpsecret") == "corp-secret"
		},
		tokenJSON: func(tok string) any {
			return map[string]any{"errcode": 0, "errmsg": "ok", "access_token": tok, "expires_in": 7200}
		},
		answer: func(code int) any { return map[string]any{"errcode": code, "errmsg": "x", "msgid": "m1"} },
	}
	v.check = func(r *http.Request, b map[string]any) error {
		text, _ := b["text"].(map[string]any)
		if r.Method != "POST" || r.URL.Query().Get("access_token") != v.currentToken() || b["touser"] != "zhaomin" || b["msgtype"] != "text" ||
			b["agentid"] != float64(1000002) || text["content"] != vendorMsg.Body || b["enable_duplicate_check"] != float64(1) {
			return fmt.Errorf("send shape: %s %v", r.URL.RawQuery, b)
		}
		return nil
	}
	srv := v.start()
	c := &WeCom{BaseURL: srv.URL, CorpID: "ww1234", CorpSecret: "corp-secret", AgentID: 1000002}
	ctx := context.Background()

	v.play(42001)
	if err := c.Send(ctx, vendorMsg); err != nil {
		t.Fatalf("send after an expired token: %v", err)
	}
	v.want(t, 2, 2)
	if err := c.Send(ctx, vendorMsg); err != nil {
		t.Fatal(err)
	}
	v.want(t, 2, 3) // the cached token serves

	v.play(45009)
	wantErr(t, c.Send(ctx, vendorMsg), false, true)
	v.play(81013)
	wantErr(t, c.Send(ctx, vendorMsg), true, false)
	v.play(42001, 42001) // still expired after a refresh: retried later, not looped
	wantErr(t, c.Send(ctx, vendorMsg), false, false)
	v.want(t, 3, 7)
}

// TestDingTalk: gettoken with appkey and appsecret, asyncsend_v2 with
// agent_id, userid_list and msg; 40014 refreshes; 90018 backs off.
func TestDingTalk(t *testing.T) {
	v := &vendorServer{t: t, tokenPath: "/gettoken", sendPath: "/topapi/message/corpconversation/asyncsend_v2",
		creds: func(r *http.Request) bool {
			return r.Method == "GET" && r.URL.Query().Get("appkey") == "ding-key" && r.URL.Query().Get("appsecret") == "ding-secret"
		},
		tokenJSON: func(tok string) any {
			return map[string]any{"errcode": 0, "errmsg": "ok", "access_token": tok, "expires_in": 7200}
		},
		answer: func(code int) any {
			return map[string]any{"errcode": code, "errmsg": "x", "task_id": 1, "request_id": "r"}
		},
	}
	v.check = func(r *http.Request, b map[string]any) error {
		msg, _ := b["msg"].(map[string]any)
		text, _ := msg["text"].(map[string]any)
		if r.Method != "POST" || r.URL.Query().Get("access_token") != v.currentToken() || b["agent_id"] != float64(2001) ||
			b["userid_list"] != "zhaomin" || msg["msgtype"] != "text" || text["content"] != vendorMsg.Body {
			return fmt.Errorf("send shape: %s %v", r.URL.RawQuery, b)
		}
		return nil
	}
	srv := v.start()
	c := &DingTalk{BaseURL: srv.URL, AppKey: "ding-key", AppSecret: "ding-secret", AgentID: 2001}
	ctx := context.Background()
	v.play(40014)
	if err := c.Send(ctx, vendorMsg); err != nil {
		t.Fatalf("send after an expired token: %v", err)
	}
	v.want(t, 2, 2)
	v.play(90018)
	wantErr(t, c.Send(ctx, vendorMsg), false, true)
	v.want(t, 2, 3)
}

// TestFeishu: tenant_access_token/internal with app_id and app_secret,
// im/v1/messages?receive_id_type=user_id with a bearer token, the text as
// a JSON string and the idempotency key as uuid; 99991663 refreshes;
// 99991400 backs off.
func TestFeishu(t *testing.T) {
	v := &vendorServer{t: t, tokenPath: "/open-apis/auth/v3/tenant_access_token/internal", sendPath: "/open-apis/im/v1/messages",
		creds: func(r *http.Request) bool {
			var b map[string]string
			json.NewDecoder(r.Body).Decode(&b)
			return r.Method == "POST" && b["app_id"] == "cli_a1" && b["app_secret"] == "fs-secret"
		},
		tokenJSON: func(tok string) any {
			return map[string]any{"code": 0, "msg": "ok", "tenant_access_token": tok, "expire": 7200}
		},
		answer: func(code int) any {
			return map[string]any{"code": code, "msg": "x", "data": map[string]any{"message_id": "om_1"}}
		},
	}
	v.check = func(r *http.Request, b map[string]any) error {
		var content map[string]string
		json.Unmarshal([]byte(fmt.Sprint(b["content"])), &content)
		if r.Method != "POST" || r.Header.Get("Authorization") != "Bearer "+v.currentToken() || r.URL.Query().Get("receive_id_type") != "user_id" ||
			b["receive_id"] != "zhaomin" || b["msg_type"] != "text" || content["text"] != vendorMsg.Body || b["uuid"] != vendorMsg.Key ||
			!strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
			return fmt.Errorf("send shape: %s %s %v", r.Header.Get("Authorization"), r.URL.RawQuery, b)
		}
		return nil
	}
	srv := v.start()
	c := &Feishu{BaseURL: srv.URL, AppID: "cli_a1", AppSecret: "fs-secret"}
	ctx := context.Background()
	v.play(99991663)
	if err := c.Send(ctx, vendorMsg); err != nil {
		t.Fatalf("send after an expired token: %v", err)
	}
	v.want(t, 2, 2)
	v.play(99991668)
	if err := c.Send(ctx, vendorMsg); err != nil {
		t.Fatalf("send after an invalid token: %v", err)
	}
	v.want(t, 3, 4)
	v.play(99991400)
	wantErr(t, c.Send(ctx, vendorMsg), false, true)
}

// TestSMSGateway fills the configured templates (JSON body, form body,
// URL), sends the auth header, and judges success by status and a JSON
// field; 429 backs off, 5xx is retried, 4xx fails for good.
func TestSMSGateway(t *testing.T) {
	type seen struct {
		method, path, query, auth, ctype, idem, body string
	}
	var mu sync.Mutex
	var got []seen
	answer := `{"result":{"code":"0"}}`
	status := 200
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		got = append(got, seen{r.Method, r.URL.Path, r.URL.RawQuery, r.Header.Get("X-Api-Key"), r.Header.Get("Content-Type"), r.Header.Get("Idempotency-Key"), string(b)})
		st, ans := status, answer
		mu.Unlock()
		w.WriteHeader(st)
		io.WriteString(w, ans)
	}))
	defer srv.Close()
	m := Message{Key: "jf-n9-sms", To: "13800138000", Body: "办理超期:线索JF2026-000009已超过办理时限\n\"请\"尽快办理"}
	ctx := context.Background()

	j := &SMS{URL: srv.URL + "/sms/send", AuthHeader: "X-Api-Key", AuthValue: "gw-key",
		Body: `{"phone":{{json .Mobile}},"content":{{json .Text}},"bizId":{{json .Key}}}`, SuccessField: "result.code", SuccessValue: "0", Signature: "【江州网信】"}
	if err := j.Send(ctx, m); err != nil {
		t.Fatalf("JSON gateway: %v", err)
	}
	var doc map[string]string
	if err := json.Unmarshal([]byte(got[0].body), &doc); err != nil || doc["phone"] != m.To || doc["content"] != "【江州网信】"+m.Body || doc["bizId"] != m.Key {
		t.Errorf("JSON body %q (%v)", got[0].body, err)
	}
	if got[0].method != "POST" || got[0].auth != "gw-key" || got[0].ctype != "application/json" || got[0].idem != m.Key {
		t.Errorf("JSON request: %+v", got[0])
	}

	f := &SMS{URL: srv.URL + "/api?user=jf&to={{query .Mobile}}", Body: "msg={{query .Text}}", ContentType: "application/x-www-form-urlencoded"}
	if err := f.Send(ctx, m); err != nil {
		t.Fatalf("form gateway: %v", err)
	}
	if got[1].query != "user=jf&to=13800138000" || !strings.HasPrefix(got[1].body, "msg=%E5%8A%9E") {
		t.Errorf("form request: %+v", got[1])
	}

	for _, tc := range []struct {
		status           int
		answer           string
		permanent, limit bool
	}{
		{200, `{"result":{"code":"E1"}}`, false, false},
		{429, `{}`, false, true},
		{503, `busy`, false, false},
		{400, `{"error":"bad mobile"}`, true, false},
	} {
		mu.Lock()
		status, answer = tc.status, tc.answer
		mu.Unlock()
		err := j.Send(ctx, m)
		wantErr(t, err, tc.permanent, tc.limit)
		if err != nil && strings.Contains(err.Error(), "gw-key") {
			t.Errorf("the error shows the key: %v", err)
		}
	}
}
