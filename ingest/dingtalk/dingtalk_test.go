package dingtalk

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// DingTalk's documentation shows the signing with the secret "this is
// secret" but prints no result; these expected signs were computed with
// OpenSSL (printf '%s\n%s' TS SECRET | openssl dgst -sha256 -hmac SECRET
// -binary | base64), an implementation independent of ours.
func TestSignMatchesAnIndependentImplementation(t *testing.T) {
	for _, tt := range []struct{ ts, secret, want string }{
		{"1577262236757", "this is secret", "hmPWwU+7lVdm3ZZz0r9tSfx0L4Q26jWOZr9+Gs6EZQM="},
		{"1772458212000", "SECexample0123456789abcdef", "CXQblvjfcjR24LIX/2PH+dSKqaHWjV3BRwh76EF4Lk8="},
	} {
		if got := Sign(tt.ts, tt.secret); got != tt.want {
			t.Errorf("Sign(%s) = %s, want %s", tt.ts, got, tt.want)
		}
	}
}

func TestVerify(t *testing.T) {
	now := time.UnixMilli(1772458212000)
	sign := "CXQblvjfcjR24LIX/2PH+dSKqaHWjV3BRwh76EF4Lk8="
	secret := "SECexample0123456789abcdef"
	if err := Verify(secret, "1772458212000", sign, now.Add(59*time.Minute), 0); err != nil {
		t.Errorf("a fresh request: %v", err)
	}
	if err := Verify(secret, "1772458212000", sign, now.Add(61*time.Minute), 0); !errors.Is(err, ErrStale) {
		t.Errorf("an old request: %v", err)
	}
	if err := Verify("another secret", "1772458212000", sign, now, 0); !errors.Is(err, ErrSignature) {
		t.Errorf("another secret: %v", err)
	}
	if err := Verify(secret, "1772458212001", sign, now, 0); !errors.Is(err, ErrSignature) {
		t.Errorf("a changed timestamp: %v", err)
	}
	if err := Verify(secret, "1772458212000", sign, now.Add(6*time.Minute), 5*time.Minute); !errors.Is(err, ErrStale) {
		t.Errorf("six minutes late with a five-minute window: %v", err)
	}
	if err := Verify(secret, "soon", sign, now, 0); !errors.Is(err, ErrStale) {
		t.Errorf("no timestamp: %v", err)
	}
}

func TestMessage(t *testing.T) {
	b, _ := os.ReadFile("testdata/group.json")
	cb, err := Parse(b)
	if err != nil {
		t.Fatal(err)
	}
	m, ok := cb.Message()
	if !ok || m.Platform != "dingtalk" || m.PlatformID != "cid-north-edu" || m.Sender != "manager1234" || m.ID != "msgX" ||
		m.Text != "@所有人 明早8点前每人接龙报送" || !m.MentionAll || !m.Time.Equal(time.UnixMilli(1772458212000)) {
		t.Errorf("%+v %v", m, ok)
	}
	cb.ConversationType = "1"
	if _, ok := cb.Message(); ok {
		t.Error("a one-to-one chat was taken for a group")
	}
}

func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.json")
	for _, p := range files {
		b, _ := os.ReadFile(p)
		f.Add(b)
	}
	f.Add([]byte(`{"msgtype":"text","conversationType":"2","conversationId":"c","text":{"content":" "}}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		cb, err := Parse(body)
		if err != nil {
			return
		}
		if m, ok := cb.Message(); ok && (m.PlatformID == "" || m.Text == "") {
			t.Fatalf("accepted %+v", m)
		}
	})
}
