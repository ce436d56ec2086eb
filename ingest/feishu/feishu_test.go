package feishu

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// The sample Feishu's event-subscription documentation publishes for decryption.
func TestPublishedDecryptSample(t *testing.T) {
	got, err := Decrypt("test key", "P37w+VZImNgPEO1RBhJ6RtKl7n6zymIbEG1pReEzghk=")
	if err != nil || string(got) != "hello world" {
		t.Fatalf("got %q, %v", got, err)
	}
	if _, err := Decrypt("another key", "P37w+VZImNgPEO1RBhJ6RtKl7n6zymIbEG1pReEzghk="); err == nil {
		t.Error("a wrong key decrypted the sample")
	}
}

var cfg = Config{EncryptKey: "kK8vEfQ3zN2pXr7sYt1uWm", VerificationToken: "vt-south-cac"}

func TestChallenge(t *testing.T) {
	now := time.Unix(1772458212, 0)
	plain := []byte(`{"challenge":"ajls384kdjx98XX","token":"vt-south-cac","type":"url_verification"}`)
	// plain, when no encrypt key is configured
	r, err := Open(Config{VerificationToken: "vt-south-cac"}, Headers{}, plain, now, 5*time.Minute)
	if err != nil || r.Challenge != "ajls384kdjx98XX" {
		t.Fatalf("plain challenge: %+v %v", r, err)
	}
	// encrypted
	body := []byte(fmt.Sprintf(`{"encrypt":%q}`, Encrypt(cfg.EncryptKey, plain, nil)))
	r, err = Open(cfg, Headers{}, body, now, 5*time.Minute)
	if err != nil || r.Challenge != "ajls384kdjx98XX" {
		t.Fatalf("encrypted challenge: %+v %v", r, err)
	}
	// another app's token
	if _, err := Open(Config{VerificationToken: "other"}, Headers{}, plain, now, time.Minute); !errors.Is(err, ErrToken) {
		t.Errorf("wrong token: %v", err)
	}
}

func TestSignedEvent(t *testing.T) {
	now := time.Unix(1772458212, 0)
	plain, _ := os.ReadFile("testdata/text.json")
	body := []byte(fmt.Sprintf(`{"encrypt":%q}`, Encrypt(cfg.EncryptKey, plain, []byte("0123456789abcdef"))))
	h := Headers{Timestamp: "1772458212", Nonce: "n-1", Signature: Signature("1772458212", "n-1", cfg.EncryptKey, body)}
	r, err := Open(cfg, h, body, now, 5*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	m, ok := r.Event.Message()
	if !ok || m.Platform != "feishu" || m.PlatformID != "oc_south_cac" || m.Sender != "ou_zhao" || m.ID != "om_1" ||
		m.Text != "@所有人 请各单位今晚10点前接龙报送台账,@孙丽华 负责汇总" || !m.MentionAll || !m.Time.Equal(time.UnixMilli(1772458212000)) {
		t.Errorf("message %+v %v", m, ok)
	}
	for name, tt := range map[string]struct {
		h    Headers
		body []byte
		now  time.Time
		want error
	}{
		"signature of another body": {h, []byte(fmt.Sprintf(`{"encrypt":%q}`, Encrypt(cfg.EncryptKey, plain, nil))), now, ErrSignature},
		"no signature":              {Headers{}, body, now, ErrSignature},
		"replayed an hour later":    {h, body, now.Add(time.Hour), ErrStale},
		"unencrypted event":         {h, plain, now, ErrDecrypt},
	} {
		if _, err := Open(cfg, tt.h, tt.body, tt.now, 5*time.Minute); !errors.Is(err, tt.want) {
			t.Errorf("%s: %v, want %v", name, err, tt.want)
		}
	}
	// a correct signature with another app's token inside
	other := Config{EncryptKey: cfg.EncryptKey, VerificationToken: "someone-else"}
	if _, err := Open(other, h, body, now, 5*time.Minute); !errors.Is(err, ErrToken) {
		t.Errorf("another token: %v", err)
	}
}

func TestPostMessage(t *testing.T) {
	plain, _ := os.ReadFile("testdata/post.json")
	r, err := Open(Config{VerificationToken: "vt-south-cac"}, Headers{}, plain, time.Now(), time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	m, ok := r.Event.Message()
	if !ok || m.Text != "关于报送材料的通知\n@所有人 明早8点前每人下载App并截图发群" || !m.MentionAll {
		t.Errorf("post: %q %v", m.Text, ok)
	}
}

func FuzzOpen(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.json")
	for _, p := range files {
		b, _ := os.ReadFile(p)
		f.Add(b, "1772458212", "n", "")
	}
	f.Add([]byte(`{"encrypt":"P37w+VZImNgPEO1RBhJ6RtKl7n6zymIbEG1pReEzghk="}`), "1", "2", "3")
	plain := Config{VerificationToken: "vt-south-cac"}
	f.Fuzz(func(t *testing.T, body []byte, ts, nonce, sig string) {
		h := Headers{Timestamp: ts, Nonce: nonce, Signature: sig}
		for _, c := range []Config{cfg, plain} {
			r, err := Open(c, h, body, time.Unix(1772458212, 0), 5*time.Minute)
			if err != nil {
				continue
			}
			if c.EncryptKey != "" && r.Event != nil {
				t.Fatalf("an event passed without a valid signature: %q", body)
			}
			if r.Event != nil {
				if m, ok := r.Event.Message(); ok && (m.PlatformID == "" || m.Text == "") {
					t.Fatalf("accepted %+v", m)
				}
			}
		}
	})
}
