package deliver

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"text/template"
	"time"
)

// SMS sends text messages through a province's HTTP SMS gateway, whose
// request is configured: a URL template, a method, an authentication
// header, and a body template (JSON or form). Templates fill in
// {{.Mobile}}, {{.Text}} and {{.Key}} (the idempotency key, for gateways
// that take one), each escaped for where it stands: use {{json .Text}} in
// a JSON body, {{query .Text}} in a URL or a form body. A send succeeded
// when the status is 2xx and, when SuccessField is set, the JSON answer's
// field (a dotted path) equals SuccessValue.
type SMS struct {
	URL          string // template, e.g. "https://sms.example.gov.cn/api/send"
	Method       string // default POST
	AuthHeader   string // e.g. "Authorization"
	AuthValue    string // e.g. "Bearer …": from the environment or a file, never logged
	Body         string // template; empty for none
	ContentType  string // default application/json
	SuccessField string // e.g. "code"
	SuccessValue string // e.g. "0"
	Signature    string // prefixed to the text, e.g. "【某省网信办】"
	Client       *http.Client

	url, body *template.Template
}

var smsFuncs = template.FuncMap{
	"json": func(s string) string {
		b, _ := json.Marshal(s)
		return string(b)
	},
	"query": url.QueryEscape,
}

// Init parses the templates; the configuration calls it once.
func (c *SMS) Init() error {
	var err error
	if c.url, err = template.New("url").Funcs(smsFuncs).Option("missingkey=error").Parse(c.URL); err != nil {
		return fmt.Errorf("短信网关 url 模板有误:%w", err)
	}
	if c.body, err = template.New("body").Funcs(smsFuncs).Option("missingkey=error").Parse(c.Body); err != nil {
		return fmt.Errorf("短信网关 body 模板有误:%w", err)
	}
	return nil
}

type smsVars struct{ Mobile, Text, Key string }

// smsText is what an SMS says: the subject line, then the body, short.
func smsText(sig string, m Message) string {
	text := m.Body
	if r := []rune(text); len(r) > 300 {
		text = string(r[:300]) + "…"
	}
	return sig + text
}

// Send posts one message to the gateway.
func (c *SMS) Send(ctx context.Context, m Message) error {
	if c.url == nil {
		if err := c.Init(); err != nil {
			return permanent("%v", err)
		}
	}
	v := smsVars{Mobile: m.To, Text: smsText(c.Signature, m), Key: m.Key}
	var u, body bytes.Buffer
	if err := c.url.Execute(&u, v); err != nil {
		return permanent("短信网关 url 模板:%v", err)
	}
	if err := c.body.Execute(&body, v); err != nil {
		return permanent("短信网关 body 模板:%v", err)
	}
	method := strings.ToUpper(c.Method)
	if method == "" {
		method = http.MethodPost
	}
	var rd io.Reader
	if body.Len() > 0 {
		rd = &body
	}
	req, err := http.NewRequestWithContext(ctx, method, u.String(), rd)
	if err != nil {
		return permanent("短信网关地址有误:%v", err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", orDefault(c.ContentType, "application/json"))
	}
	if c.AuthHeader != "" {
		req.Header.Set(c.AuthHeader, c.AuthValue)
	}
	req.Header.Set("Idempotency-Key", m.Key)
	resp, err := client(c.Client).Do(req)
	if err != nil {
		return transient("短信网关无法连接:%v", redactURL(err))
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	switch {
	case resp.StatusCode == http.StatusTooManyRequests:
		return rateLimited(retryAfter(resp, time.Minute), "短信网关限流(HTTP 429)")
	case resp.StatusCode >= 500:
		return transient("短信网关出错(HTTP %d)", resp.StatusCode)
	case resp.StatusCode >= 300:
		return permanent("短信网关拒绝(HTTP %d):%s", resp.StatusCode, snippet(raw))
	}
	if c.SuccessField == "" {
		return nil
	}
	var doc any
	if err := json.Unmarshal(raw, &doc); err != nil {
		return transient("短信网关的回答不是 JSON:%s", snippet(raw))
	}
	got, ok := jsonField(doc, c.SuccessField)
	if !ok || got != c.SuccessValue {
		return transient("短信网关未确认发送:%s = %q", c.SuccessField, got)
	}
	return nil
}

// jsonField reads a dotted path of a decoded JSON document as text.
func jsonField(doc any, path string) (string, bool) {
	for _, k := range strings.Split(path, ".") {
		m, ok := doc.(map[string]any)
		if !ok {
			return "", false
		}
		if doc, ok = m[k]; !ok {
			return "", false
		}
	}
	switch v := doc.(type) {
	case string:
		return v, true
	case nil:
		return "", true
	default:
		b, _ := json.Marshal(v)
		return string(b), true
	}
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func client(c *http.Client) *http.Client {
	if c != nil {
		return c
	}
	return &http.Client{Timeout: 20 * time.Second}
}

// retryAfter reads a Retry-After header in seconds.
func retryAfter(resp *http.Response, def time.Duration) time.Duration {
	var s int
	if _, err := fmt.Sscan(resp.Header.Get("Retry-After"), &s); err == nil && s > 0 {
		return time.Duration(s) * time.Second
	}
	return def
}

// snippet is the start of an answer, for an error message.
func snippet(b []byte) string {
	r := []rune(strings.TrimSpace(string(b)))
	if len(r) > 200 {
		r = r[:200]
	}
	return string(r)
}

// redactURL strips the query from a *url.Error, which may carry a token.
func redactURL(err error) error {
	if ue, ok := err.(*url.Error); ok {
		if u, perr := url.Parse(ue.URL); perr == nil {
			u.RawQuery = ""
			return fmt.Errorf("%s %s: %v", ue.Op, u.Redacted(), ue.Err)
		}
	}
	return err
}
