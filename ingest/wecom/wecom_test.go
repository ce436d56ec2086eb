package wecom

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The values WeCom publishes with its callback crypto library samples.
var sample = Config{Token: "QDG6eK", EncodingAESKey: "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C", ReceiverID: "wx5823bf96d3bd56c7"}

const (
	sampleVerifySig   = "5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3"
	sampleVerifyTS    = "1409659589"
	sampleVerifyNonce = "263014780"
	sampleEchoStr     = "P9nAzCzyDtyTWESHep1vC5X9xho/qYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp+4RPcs8TgAE7OaBO+FZXvnaqQ=="

	samplePostSig   = "477715d11cdb4164915debcba66cb864d751f3e6"
	samplePostTS    = "1409659813"
	samplePostNonce = "1372623149"
	samplePostBody  = "<xml><ToUserName><![CDATA[wx5823bf96d3bd56c7]]></ToUserName><Encrypt><![CDATA[RypEvHKD8QQKFhvQ6QleEB4J58tiPdvo+rtK1I9qca6aM/wvqnLSV5zEPeusUiX5L5X/0lWfrf0QADHHhGd3QczcdCUpj911L3vg3W/sYYvuJTs3TUUkSUXxaccAS0qhxchrRYt66wiSpGLYL42aM6A8dTT+6k4aSknmPj48kzJs8qLjvd4Xgpue06DOdnLxAUHzM6+kDZ+HMZfJYuR+LtwGc2hgf5gsijff0ekUNXZiqATP7PF5mZxZ3Izoun1s4zG4LUMnvw2r+KqCKIw+3IQH03v+BCA9nMELNqbSf6tiWSrXJB3LAVGUcallcrw8V2t9EL4EhzJWrQUax5wLVMNS0+rUPA3k22Ncx4XXZS9o0MBH27Bo6BpNelZpS+/uh9KsNlY6bHCmJU9p8g7m3fVKn28H3KDYA5Pl/T8Z1ptDAVe0lXdQ2YoyyH2uyPIGHBZZIs2pDBS8R07+qN+E7Q==]]></Encrypt><AgentID><![CDATA[218]]></AgentID></xml>"
)

func TestPublishedSamples(t *testing.T) {
	c, err := New(sample)
	if err != nil {
		t.Fatal(err)
	}
	echo, err := c.VerifyURL(sampleVerifySig, sampleVerifyTS, sampleVerifyNonce, sampleEchoStr)
	if err != nil || echo != "1616140317555161061" {
		t.Fatalf("URL verification: %q, %v", echo, err)
	}
	cb, err := c.Open(samplePostSig, samplePostTS, samplePostNonce, []byte(samplePostBody))
	if err != nil {
		t.Fatalf("sample message: %v", err)
	}
	if cb.MsgType != "text" || cb.Content != "hello" || cb.FromUserName != "mycreate" || cb.MsgID != "4561255354251345929" || cb.AgentID != "218" {
		t.Errorf("sample message decrypted to %+v", cb)
	}
	// an application message to the app is not a group message
	if _, ok := cb.Message(); ok {
		t.Error("a private application message was taken for a group message")
	}
	// tampering with anything fails
	if _, err := c.VerifyURL(sampleVerifySig, "1409659590", sampleVerifyNonce, sampleEchoStr); !errors.Is(err, ErrSignature) {
		t.Errorf("changed timestamp: %v", err)
	}
	if _, err := c.Open(samplePostSig, samplePostTS, samplePostNonce, []byte(strings.Replace(samplePostBody, "RypE", "RypF", 1))); !errors.Is(err, ErrSignature) {
		t.Errorf("changed ciphertext: %v", err)
	}
	other := sample
	other.ReceiverID = "ww0000000000000000"
	c2, _ := New(other)
	if _, err := c2.VerifyURL(sampleVerifySig, sampleVerifyTS, sampleVerifyNonce, sampleEchoStr); !errors.Is(err, ErrReceiver) {
		t.Errorf("another corp's message: %v", err)
	}
}

func TestGroupRobotRoundTrip(t *testing.T) {
	c, _ := New(sample)
	inner := `<xml><WebhookUrl><![CDATA[https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=x]]></WebhookUrl><ChatId><![CDATA[wr-south-edu]]></ChatId>` +
		`<ChatType>group</ChatType><From><UserId>zhoumy</UserId><Name><![CDATA[周明远]]></Name></From><MsgType>text</MsgType>` +
		`<Text><Content><![CDATA[@所有人 今晚10点前接龙报送]]></Content></Text><MsgId>abc123</MsgId><CreateTime>1772458212</CreateTime></xml>`
	enc := c.Encrypt([]byte(inner), []byte("0123456789abcdef"))
	body := fmt.Sprintf("<xml><ToUserName><![CDATA[%s]]></ToUserName><Encrypt><![CDATA[%s]]></Encrypt></xml>", sample.ReceiverID, enc)
	sig := c.Signature("1772458212", "n1", enc)
	cb, err := c.Open(sig, "1772458212", "n1", []byte(body))
	if err != nil {
		t.Fatal(err)
	}
	m, ok := cb.Message()
	if !ok || m.Platform != "wecom" || m.PlatformID != "wr-south-edu" || m.Sender != "zhoumy" || !m.MentionAll || m.ID != "abc123" ||
		!m.Time.Equal(time.Unix(1772458212, 0)) || m.Text != "@所有人 今晚10点前接龙报送" {
		t.Errorf("message %+v %v", m, ok)
	}
	if Fresh("1772458212", time.Unix(1772458212+60, 0), 5*time.Minute) != nil || Fresh("1772458212", time.Unix(1772458212+3600, 0), 5*time.Minute) == nil {
		t.Error("freshness")
	}
}

func TestConfig(t *testing.T) {
	if _, err := New(Config{Token: "t", EncodingAESKey: "short"}); err == nil {
		t.Error("short key accepted")
	}
}

// FuzzOpen feeds arbitrary callback bodies and ciphertexts: nothing panics
// and nothing unverifiable is accepted.
func FuzzOpen(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.xml")
	for _, p := range files {
		b, _ := os.ReadFile(p)
		f.Add(b, samplePostSig)
	}
	f.Add([]byte(samplePostBody), samplePostSig)
	f.Add([]byte("<xml><Encrypt>AAAA</Encrypt></xml>"), "x")
	c, _ := New(sample)
	f.Fuzz(func(t *testing.T, body []byte, sig string) {
		cb, err := c.Open(sig, samplePostTS, samplePostNonce, body)
		if err == nil {
			if cb == nil {
				t.Fatal("nil callback without error")
			}
			cb.Message()
		}
		// decrypting anything must not panic
		c.Decrypt(string(body))
	})
}
