// Package feishu receives 飞书 (Feishu/Lark) event subscriptions: the
// request-URL challenge and im.message.receive_v1 events of group chats.
//
// With an Encrypt Key configured, Feishu encrypts each body as
// {"encrypt": base64(IV(16) + AES-256-CBC(PKCS#7(json)))} with the key
// SHA-256(Encrypt Key), and signs events: X-Lark-Signature =
// hex(SHA-256(X-Lark-Request-Timestamp + X-Lark-Request-Nonce + Encrypt Key
// + raw body)). The Verification Token travels inside the payload
// (header.token in schema 2.0, token in 1.0 and in the challenge).
package feishu

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"time"

	"jianfu"
)

// Config is what the Feishu app's event settings hold.
type Config struct {
	EncryptKey        string // optional: encryption and signatures
	VerificationToken string
}

// Errors of verification.
var (
	ErrSignature = errors.New("feishu: signature mismatch")
	ErrToken     = errors.New("feishu: verification token mismatch")
	ErrDecrypt   = errors.New("feishu: cannot decrypt")
	ErrPayload   = errors.New("feishu: malformed payload")
	ErrStale     = errors.New("feishu: timestamp too far from now")
)

func aesKey(encryptKey string) []byte {
	k := sha256.Sum256([]byte(encryptKey))
	return k[:]
}

// Decrypt opens an "encrypt" field.
func Decrypt(encryptKey, encrypted string) ([]byte, error) {
	raw, err := base64.StdEncoding.DecodeString(encrypted)
	if err != nil || len(raw) < 2*aes.BlockSize || len(raw)%aes.BlockSize != 0 {
		return nil, ErrDecrypt
	}
	block, _ := aes.NewCipher(aesKey(encryptKey))
	iv, ct := raw[:aes.BlockSize], raw[aes.BlockSize:]
	pt := make([]byte, len(ct))
	cipher.NewCBCDecrypter(block, iv).CryptBlocks(pt, ct)
	pad := int(pt[len(pt)-1])
	if pad < 1 || pad > aes.BlockSize || pad > len(pt) {
		return nil, ErrDecrypt
	}
	for _, b := range pt[len(pt)-pad:] {
		if int(b) != pad {
			return nil, ErrDecrypt
		}
	}
	return pt[:len(pt)-pad], nil
}

// Encrypt seals a body as Feishu does (tests and tools); iv nil draws one.
func Encrypt(encryptKey string, plain, iv []byte) string {
	if iv == nil {
		iv = make([]byte, aes.BlockSize)
		rand.Read(iv)
	}
	pad := aes.BlockSize - len(plain)%aes.BlockSize
	pt := append(append([]byte{}, plain...), bytes.Repeat([]byte{byte(pad)}, pad)...)
	block, _ := aes.NewCipher(aesKey(encryptKey))
	out := make([]byte, aes.BlockSize+len(pt))
	copy(out, iv[:aes.BlockSize])
	cipher.NewCBCEncrypter(block, iv[:aes.BlockSize]).CryptBlocks(out[aes.BlockSize:], pt)
	return base64.StdEncoding.EncodeToString(out)
}

// Signature computes X-Lark-Signature for a raw body.
func Signature(timestamp, nonce, encryptKey string, body []byte) string {
	h := sha256.New()
	h.Write([]byte(timestamp + nonce + encryptKey))
	h.Write(body)
	return hex.EncodeToString(h.Sum(nil))
}

// Headers are the signature headers of a request.
type Headers struct {
	Timestamp, Nonce, Signature string
}

// Request is a verified, decrypted request: either the URL challenge or
// an event.
type Request struct {
	Challenge string // set for url_verification: answer {"challenge": …}
	Event     *Event
}

// Event is an event callback (schema 2.0).
type Event struct {
	Schema string `json:"schema"`
	Header struct {
		EventID    string `json:"event_id"`
		EventType  string `json:"event_type"`
		CreateTime string `json:"create_time"`
		Token      string `json:"token"`
		AppID      string `json:"app_id"`
		TenantKey  string `json:"tenant_key"`
	} `json:"header"`
	Event struct {
		Sender struct {
			SenderID struct {
				OpenID  string `json:"open_id"`
				UnionID string `json:"union_id"`
				UserID  string `json:"user_id"`
			} `json:"sender_id"`
			SenderType string `json:"sender_type"`
		} `json:"sender"`
		Message struct {
			MessageID   string `json:"message_id"`
			RootID      string `json:"root_id"`
			ParentID    string `json:"parent_id"`
			CreateTime  string `json:"create_time"` // milliseconds
			ChatID      string `json:"chat_id"`
			ChatType    string `json:"chat_type"` // group, p2p
			MessageType string `json:"message_type"`
			Content     string `json:"content"` // JSON
			Mentions    []struct {
				Key  string `json:"key"`
				Name string `json:"name"`
			} `json:"mentions"`
		} `json:"message"`
	} `json:"event"`
}

// payload holds the fields of every kind of body we look at first.
type payload struct {
	Encrypt   string          `json:"encrypt"`
	Challenge string          `json:"challenge"`
	Token     string          `json:"token"`
	Type      string          `json:"type"`
	Schema    string          `json:"schema"`
	Header    json.RawMessage `json:"header"`
}

// Open verifies and decrypts a request body. Events must carry a valid
// signature when an Encrypt Key is configured; every request must carry
// the Verification Token.
func Open(cfg Config, h Headers, body []byte, now time.Time, skew time.Duration) (*Request, error) {
	if len(body) > 1<<20 {
		return nil, ErrPayload
	}
	var p payload
	if err := json.Unmarshal(body, &p); err != nil {
		return nil, ErrPayload
	}
	plain := body
	if p.Encrypt != "" {
		if cfg.EncryptKey == "" {
			return nil, ErrDecrypt
		}
		var err error
		if plain, err = Decrypt(cfg.EncryptKey, p.Encrypt); err != nil {
			return nil, err
		}
		p = payload{}
		if err := json.Unmarshal(plain, &p); err != nil {
			return nil, ErrPayload
		}
	} else if cfg.EncryptKey != "" && p.Type != "url_verification" {
		return nil, ErrDecrypt // an unencrypted event when encryption is on
	}
	if p.Type == "url_verification" {
		if !sameToken(p.Token, cfg.VerificationToken) {
			return nil, ErrToken
		}
		return &Request{Challenge: p.Challenge}, nil
	}
	if cfg.EncryptKey != "" {
		if h.Signature == "" || subtle.ConstantTimeCompare([]byte(strings.ToLower(h.Signature)), []byte(Signature(h.Timestamp, h.Nonce, cfg.EncryptKey, body))) != 1 {
			return nil, ErrSignature
		}
		ts, err := strconv.ParseInt(h.Timestamp, 10, 64)
		if err != nil {
			return nil, ErrStale
		}
		if d := now.Sub(time.Unix(ts, 0)); d > skew || d < -skew {
			return nil, ErrStale
		}
	}
	var ev Event
	if err := json.Unmarshal(plain, &ev); err != nil {
		return nil, ErrPayload
	}
	token := ev.Header.Token
	if token == "" {
		token = p.Token
	}
	if !sameToken(token, cfg.VerificationToken) {
		return nil, ErrToken
	}
	return &Request{Event: &ev}, nil
}

func sameToken(got, want string) bool {
	return want != "" && subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}

// Message turns a group text (or rich text) message event into a jianfu
// message; false for anything else.
func (ev *Event) Message() (jianfu.Message, bool) {
	m := ev.Event.Message
	if ev.Header.EventType != "im.message.receive_v1" || m.ChatType != "group" || m.ChatID == "" {
		return jianfu.Message{}, false
	}
	text, all := contentText(m.MessageType, m.Content)
	for _, x := range m.Mentions {
		if x.Key == "@_all" {
			all = true
		}
		if x.Name != "" && x.Key != "" {
			text = strings.ReplaceAll(text, x.Key, "@"+x.Name)
		}
	}
	text = strings.ReplaceAll(text, "@_all", "@所有人")
	if strings.TrimSpace(text) == "" {
		return jianfu.Message{}, false
	}
	var t time.Time
	if ms, err := strconv.ParseInt(m.CreateTime, 10, 64); err == nil && ms > 0 {
		t = time.UnixMilli(ms)
	}
	s := ev.Event.Sender.SenderID
	sender := s.UserID
	if sender == "" {
		sender = s.UnionID
	}
	if sender == "" {
		sender = s.OpenID
	}
	return jianfu.Message{ID: m.MessageID, Platform: "feishu", PlatformID: m.ChatID, Time: t, Sender: sender, Text: strings.TrimSpace(text),
		MentionAll: all || jianfu.MentionsAll(text), ReplyTo: m.ParentID, Source: jianfu.SourceFeishu}, true
}

// contentText reads the text of a message's content JSON: {"text": …} for
// text, the text elements of a post.
func contentText(typ, content string) (string, bool) {
	switch typ {
	case "text":
		var c struct {
			Text string `json:"text"`
		}
		if json.Unmarshal([]byte(content), &c) != nil {
			return "", false
		}
		return c.Text, strings.Contains(c.Text, "@_all")
	case "post":
		var c struct {
			Title   string `json:"title"`
			Content [][]struct {
				Tag    string `json:"tag"`
				Text   string `json:"text"`
				UserID string `json:"user_id"`
			} `json:"content"`
		}
		if json.Unmarshal([]byte(content), &c) != nil {
			return "", false
		}
		var b strings.Builder
		all := false
		if c.Title != "" {
			b.WriteString(c.Title)
			b.WriteString("\n")
		}
		for _, line := range c.Content {
			for _, el := range line {
				switch el.Tag {
				case "text", "a":
					b.WriteString(el.Text)
				case "at":
					if el.UserID == "all" {
						all = true
						b.WriteString("@所有人 ")
					}
				}
			}
			b.WriteString("\n")
		}
		return b.String(), all
	}
	return "", false
}
