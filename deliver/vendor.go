package deliver

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// The three office-chat vendors share a shape: an access token fetched
// with the application's credentials and cached until shortly before it
// expires, then a send call with the token. An answer saying the token
// expired drops it and the send is tried once more with a fresh one; a
// rate-limit answer backs the channel off.

// tokenCache keeps one access token.
type tokenCache struct {
	mu    sync.Mutex
	token string
	until time.Time
}

func (t *tokenCache) get(ctx context.Context, fetch func(context.Context) (string, time.Duration, error)) (string, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.token != "" && time.Now().Before(t.until) {
		return t.token, nil
	}
	tok, ttl, err := fetch(ctx)
	if err != nil {
		return "", err
	}
	if ttl <= 0 {
		ttl = 7200 * time.Second
	}
	// renew five minutes early (or at half the lifetime for short ones)
	t.token, t.until = tok, time.Now().Add(max(ttl-5*time.Minute, ttl/2))
	return tok, nil
}

// drop forgets tok when it is still the cached one.
func (t *tokenCache) drop(tok string) {
	t.mu.Lock()
	if t.token == tok {
		t.token = ""
	}
	t.mu.Unlock()
}

// call sends a request with a JSON body (nil for none) and decodes the
// JSON answer into out, whatever the HTTP status (the vendors answer
// errors with a JSON code, at times under 4xx). Errors never include the
// query, which may hold a token or a secret.
func call(ctx context.Context, c *http.Client, method, u string, header http.Header, body, out any) (int, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return 0, err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		return 0, permanent("接口地址有误")
	}
	for k, v := range header {
		req.Header[k] = v
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json; charset=utf-8")
	}
	resp, err := client(c).Do(req)
	if err != nil {
		return 0, transient("无法连接 %s:%v", pathOf(u), redactURL(err))
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err := json.Unmarshal(raw, out); err != nil {
		if resp.StatusCode == http.StatusTooManyRequests {
			return resp.StatusCode, rateLimited(retryAfter(resp, time.Minute), "%s 限流(HTTP 429)", pathOf(u))
		}
		if resp.StatusCode >= 500 {
			return resp.StatusCode, transient("%s 出错(HTTP %d)", pathOf(u), resp.StatusCode)
		}
		return resp.StatusCode, transient("%s 的回答不是 JSON(HTTP %d):%s", pathOf(u), resp.StatusCode, snippet(raw))
	}
	return resp.StatusCode, nil
}

// pathOf is a URL without its query, for messages.
func pathOf(u string) string {
	p, err := url.Parse(u)
	if err != nil {
		return "接口"
	}
	p.RawQuery = ""
	return p.Redacted()
}

func join(base, path string) string { return strings.TrimRight(base, "/") + path }

// wecomLike is the answer shape of 企业微信 and 钉钉.
type wecomLike struct {
	ErrCode     int    `json:"errcode"`
	ErrMsg      string `json:"errmsg"`
	AccessToken string `json:"access_token"`
	ExpiresIn   int    `json:"expires_in"`
}

// WeCom sends 企业微信 application messages (also 政务微信, by BaseURL).
type WeCom struct {
	BaseURL    string // default https://qyapi.weixin.qq.com
	CorpID     string
	CorpSecret string // from the environment or a file, never logged
	AgentID    int64
	Client     *http.Client
	tok        tokenCache
}

func (c *WeCom) base() string { return orDefault(c.BaseURL, "https://qyapi.weixin.qq.com") }

func (c *WeCom) token(ctx context.Context) (string, error) {
	return c.tok.get(ctx, func(ctx context.Context) (string, time.Duration, error) {
		var r wecomLike
		u := join(c.base(), "/cgi-bin/gettoken?"+url.Values{"corpid": {c.CorpID}, "corpsecret": {c.CorpSecret}}.Encode())
		if _, err := call(ctx, c.Client, http.MethodGet, u, nil, nil, &r); err != nil {
			return "", 0, err
		}
		if r.ErrCode != 0 || r.AccessToken == "" {
			return "", 0, vendorError("企业微信获取凭证", r.ErrCode, r.ErrMsg, nil, []int{40001, 40013, 40056, 40091})
		}
		return r.AccessToken, time.Duration(r.ExpiresIn) * time.Second, nil
	})
}

// Send sends a text message to one member. Duplicate checking is on with
// the longest interval (4 hours): a message sent again after a crash is
// the same request and 企业微信 does not deliver it twice.
func (c *WeCom) Send(ctx context.Context, m Message) error {
	body := map[string]any{
		"touser": m.To, "msgtype": "text", "agentid": c.AgentID,
		"text": map[string]string{"content": m.Body}, "safe": 0,
		"enable_duplicate_check": 1, "duplicate_check_interval": 14400,
	}
	return withToken(ctx, &c.tok, c.token, func(tok string) (int, string, error) {
		var r wecomLike
		_, err := call(ctx, c.Client, http.MethodPost, join(c.base(), "/cgi-bin/message/send?access_token="+url.QueryEscape(tok)), nil, body, &r)
		return r.ErrCode, r.ErrMsg, err
	}, "企业微信发送", []int{42001, 40014, 40001}, []int{45009, 45033}, []int{81013, 40003, 60111})
}

// DingTalk sends 钉钉 work notices (also 浙政钉, by BaseURL).
type DingTalk struct {
	BaseURL   string // default https://oapi.dingtalk.com
	AppKey    string
	AppSecret string // from the environment or a file, never logged
	AgentID   int64
	Client    *http.Client
	tok       tokenCache
}

func (c *DingTalk) base() string { return orDefault(c.BaseURL, "https://oapi.dingtalk.com") }

func (c *DingTalk) token(ctx context.Context) (string, error) {
	return c.tok.get(ctx, func(ctx context.Context) (string, time.Duration, error) {
		var r wecomLike
		u := join(c.base(), "/gettoken?"+url.Values{"appkey": {c.AppKey}, "appsecret": {c.AppSecret}}.Encode())
		if _, err := call(ctx, c.Client, http.MethodGet, u, nil, nil, &r); err != nil {
			return "", 0, err
		}
		if r.ErrCode != 0 || r.AccessToken == "" {
			return "", 0, vendorError("钉钉获取凭证", r.ErrCode, r.ErrMsg, nil, []int{40089, 40095})
		}
		return r.AccessToken, time.Duration(r.ExpiresIn) * time.Second, nil
	})
}

// Send sends a text work notice to one user. 钉钉 delivers a message of
// the same content to the same user once a day: a message sent again
// after a crash is the same content and is not delivered twice.
func (c *DingTalk) Send(ctx context.Context, m Message) error {
	body := map[string]any{
		"agent_id": c.AgentID, "userid_list": m.To,
		"msg": map[string]any{"msgtype": "text", "text": map[string]string{"content": m.Body}},
	}
	return withToken(ctx, &c.tok, c.token, func(tok string) (int, string, error) {
		var r wecomLike
		_, err := call(ctx, c.Client, http.MethodPost, join(c.base(), "/topapi/message/corpconversation/asyncsend_v2?access_token="+url.QueryEscape(tok)), nil, body, &r)
		return r.ErrCode, r.ErrMsg, err
	}, "钉钉发送", []int{40014, 42001, 88}, []int{90018, 90002, 90006}, []int{33012})
}

// Feishu sends 飞书 messages to a user by user_id.
type Feishu struct {
	BaseURL       string // default https://open.feishu.cn
	AppID         string
	AppSecret     string // from the environment or a file, never logged
	ReceiveIDType string // default user_id
	Client        *http.Client
	tok           tokenCache
}

type feishuAnswer struct {
	Code   int    `json:"code"`
	Msg    string `json:"msg"`
	Token  string `json:"tenant_access_token"`
	Expire int    `json:"expire"`
}

func (c *Feishu) base() string { return orDefault(c.BaseURL, "https://open.feishu.cn") }

func (c *Feishu) token(ctx context.Context) (string, error) {
	return c.tok.get(ctx, func(ctx context.Context) (string, time.Duration, error) {
		var r feishuAnswer
		if _, err := call(ctx, c.Client, http.MethodPost, join(c.base(), "/open-apis/auth/v3/tenant_access_token/internal"), nil,
			map[string]string{"app_id": c.AppID, "app_secret": c.AppSecret}, &r); err != nil {
			return "", 0, err
		}
		if r.Code != 0 || r.Token == "" {
			return "", 0, vendorError("飞书获取凭证", r.Code, r.Msg, nil, []int{10003, 10014})
		}
		return r.Token, time.Duration(r.Expire) * time.Second, nil
	})
}

// Send sends a text message with the idempotency key as its uuid: 飞书
// sends one message per uuid within an hour.
func (c *Feishu) Send(ctx context.Context, m Message) error {
	content, _ := json.Marshal(map[string]string{"text": m.Body})
	uuid := m.Key
	if len(uuid) > 50 {
		uuid = uuid[:50]
	}
	body := map[string]string{"receive_id": m.To, "msg_type": "text", "content": string(content), "uuid": uuid}
	idType := orDefault(c.ReceiveIDType, "user_id")
	return withToken(ctx, &c.tok, c.token, func(tok string) (int, string, error) {
		var r feishuAnswer
		_, err := call(ctx, c.Client, http.MethodPost, join(c.base(), "/open-apis/im/v1/messages?receive_id_type="+url.QueryEscape(idType)),
			http.Header{"Authorization": {"Bearer " + tok}}, body, &r)
		return r.Code, r.Msg, err
	}, "飞书发送", []int{99991663, 99991668, 99991661}, []int{99991400}, []int{230001, 230002, 230013})
}

// withToken runs send with the cached token; when the answer says the
// token expired (expired codes), it fetches a fresh one and tries once
// more. Rate-limit codes back the channel off; fatal codes fail the
// message for good.
func withToken(ctx context.Context, cache *tokenCache, token func(context.Context) (string, error),
	send func(tok string) (int, string, error), what string, expired, limited, fatal []int) error {
	for try := 0; ; try++ {
		tok, err := token(ctx)
		if err != nil {
			return err
		}
		code, msg, err := send(tok)
		if err != nil {
			return err
		}
		if code == 0 {
			return nil
		}
		if contains(expired, code) && try == 0 {
			cache.drop(tok)
			continue
		}
		return vendorError(what, code, msg, limited, fatal)
	}
}

func vendorError(what string, code int, msg string, limited, fatal []int) error {
	switch {
	case contains(limited, code):
		return rateLimited(time.Minute, "%s被限流(错误码 %d:%s)", what, code, msg)
	case contains(fatal, code):
		return permanent("%s失败(错误码 %d:%s)", what, code, msg)
	default:
		return transient("%s失败(错误码 %d:%s)", what, code, msg)
	}
}

func contains(codes []int, c int) bool {
	for _, x := range codes {
		if x == c {
			return true
		}
	}
	return false
}
