// Package wecom receives 企业微信 (WeCom) callbacks: the URL verification
// when the callback is set up, and encrypted message notifications of group
// robots (群机器人) and applications.
//
// The scheme, as WeCom documents it for its callback "加解密" library:
//
//   - msg_signature = hex(SHA1(sort(token, timestamp, nonce, msg_encrypt)
//     concatenated));
//   - AESKey = Base64_Decode(EncodingAESKey + "="), 32 bytes; AES-256-CBC
//     with IV = AESKey[:16] and PKCS#7 padding to a multiple of 32 bytes;
//   - the plaintext is random(16) + msg_len (4 bytes, big endian) + msg +
//     receive id (the corp id, or the robot's id), and the receive id must
//     be ours.
package wecom

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha1"
	"crypto/subtle"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"sort"
	"strconv"
	"strings"
	"time"

	"jianfu"
)

// Config is what the WeCom administrator set up for the callback.
type Config struct {
	Token          string
	EncodingAESKey string // 43 characters
	// ReceiverID is the corp id (企业 ID), or the robot or suite id the
	// callback belongs to; messages for another receiver are refused.
	ReceiverID string
}

// Errors of verification. Every one means the request did not come from
// WeCom with our keys and must be refused.
var (
	ErrSignature = errors.New("wecom: signature mismatch")
	ErrDecrypt   = errors.New("wecom: cannot decrypt")
	ErrReceiver  = errors.New("wecom: message for another receiver")
	ErrStale     = errors.New("wecom: timestamp too far from now")
	ErrPayload   = errors.New("wecom: malformed payload")
)

// Crypto verifies and decrypts callbacks.
type Crypto struct {
	token    string
	key      []byte
	receiver string
}

// New checks the configuration.
func New(c Config) (*Crypto, error) {
	if c.Token == "" || len(c.EncodingAESKey) != 43 {
		return nil, jianfu.Errorf(jianfu.EINVALID, "企业微信回调配置不完整:需要 Token 和43位的 EncodingAESKey(在企业微信管理后台“接收消息”设置中生成)", "the WeCom callback needs a Token and a 43-character EncodingAESKey (generated in the admin console's receive-message settings)")
	}
	key, err := base64.StdEncoding.DecodeString(c.EncodingAESKey + "=")
	if err != nil || len(key) != 32 {
		return nil, jianfu.Errorf(jianfu.EINVALID, "企业微信 EncodingAESKey 无效:应为43位字母和数字", "invalid WeCom EncodingAESKey: 43 letters and digits expected")
	}
	return &Crypto{token: c.Token, key: key, receiver: c.ReceiverID}, nil
}

// Signature computes msg_signature.
func (c *Crypto) Signature(timestamp, nonce, encrypted string) string {
	parts := []string{c.token, timestamp, nonce, encrypted}
	sort.Strings(parts)
	sum := sha1.Sum([]byte(strings.Join(parts, "")))
	return hex.EncodeToString(sum[:])
}

func (c *Crypto) verify(sig, timestamp, nonce, encrypted string) error {
	want := c.Signature(timestamp, nonce, encrypted)
	if subtle.ConstantTimeCompare([]byte(strings.ToLower(sig)), []byte(want)) != 1 {
		return ErrSignature
	}
	return nil
}

// Fresh checks a callback's timestamp against the clock, to refuse replays
// of old requests.
func Fresh(timestamp string, now time.Time, skew time.Duration) error {
	ts, err := strconv.ParseInt(timestamp, 10, 64)
	if err != nil {
		return ErrStale
	}
	d := now.Sub(time.Unix(ts, 0))
	if d > skew || d < -skew {
		return ErrStale
	}
	return nil
}

// VerifyURL answers the URL verification (a GET with msg_signature,
// timestamp, nonce and echostr): it returns the decrypted echostr to send
// back as the body.
func (c *Crypto) VerifyURL(sig, timestamp, nonce, echostr string) (string, error) {
	if err := c.verify(sig, timestamp, nonce, echostr); err != nil {
		return "", err
	}
	msg, err := c.Decrypt(echostr)
	if err != nil {
		return "", err
	}
	return string(msg), nil
}

// Decrypt opens an encrypted message and checks its receiver.
func (c *Crypto) Decrypt(encrypted string) ([]byte, error) {
	ct, err := base64.StdEncoding.DecodeString(encrypted)
	if err != nil || len(ct) == 0 || len(ct)%aes.BlockSize != 0 {
		return nil, ErrDecrypt
	}
	block, _ := aes.NewCipher(c.key)
	pt := make([]byte, len(ct))
	cipher.NewCBCDecrypter(block, c.key[:16]).CryptBlocks(pt, ct)
	pad := int(pt[len(pt)-1])
	if pad < 1 || pad > 32 || pad > len(pt) {
		return nil, ErrDecrypt
	}
	for _, b := range pt[len(pt)-pad:] {
		if int(b) != pad {
			return nil, ErrDecrypt
		}
	}
	pt = pt[:len(pt)-pad]
	if len(pt) < 20 {
		return nil, ErrDecrypt
	}
	n := int(binary.BigEndian.Uint32(pt[16:20]))
	if n < 0 || 20+n > len(pt) {
		return nil, ErrDecrypt
	}
	msg, recv := pt[20:20+n], string(pt[20+n:])
	if c.receiver != "" && recv != c.receiver {
		return nil, ErrReceiver
	}
	return msg, nil
}

// Encrypt seals a message as WeCom does (for replies and tests). random
// must be 16 bytes; nil draws them.
func (c *Crypto) Encrypt(msg []byte, random []byte) string {
	if random == nil {
		random = make([]byte, 16)
		rand.Read(random)
	}
	var b bytes.Buffer
	b.Write(random[:16])
	binary.Write(&b, binary.BigEndian, uint32(len(msg)))
	b.Write(msg)
	b.WriteString(c.receiver)
	pad := 32 - b.Len()%32
	b.Write(bytes.Repeat([]byte{byte(pad)}, pad))
	pt := b.Bytes()
	block, _ := aes.NewCipher(c.key)
	cipher.NewCBCEncrypter(block, c.key[:16]).CryptBlocks(pt, pt)
	return base64.StdEncoding.EncodeToString(pt)
}

// envelope is the outer XML of a callback POST.
type envelope struct {
	ToUserName string `xml:"ToUserName"`
	AgentID    string `xml:"AgentID"`
	Encrypt    string `xml:"Encrypt"`
}

// Callback is a decrypted notification: an application message (ToUserName,
// FromUserName, Content …) or a group robot message (ChatId, From, Text …).
type Callback struct {
	ToUserName   string `xml:"ToUserName"`
	FromUserName string `xml:"FromUserName"`
	CreateTime   int64  `xml:"CreateTime"`
	MsgType      string `xml:"MsgType"`
	Content      string `xml:"Content"`
	MsgID        string `xml:"MsgId"`
	AgentID      string `xml:"AgentID"`
	Event        string `xml:"Event"`
	// group robots
	ChatID   string `xml:"ChatId"`
	ChatType string `xml:"ChatType"`
	From     struct {
		UserID string `xml:"UserId"`
		Name   string `xml:"Name"`
	} `xml:"From"`
	Text struct {
		Content string `xml:"Content"`
	} `xml:"Text"`
}

// maxBody bounds a callback body.
const maxBody = 1 << 20

// Open verifies and decrypts a callback POST body.
func (c *Crypto) Open(sig, timestamp, nonce string, body []byte) (*Callback, error) {
	if len(body) > maxBody {
		return nil, ErrPayload
	}
	var env envelope
	if err := xml.Unmarshal(body, &env); err != nil || env.Encrypt == "" {
		return nil, ErrPayload
	}
	if err := c.verify(sig, timestamp, nonce, env.Encrypt); err != nil {
		return nil, err
	}
	plain, err := c.Decrypt(env.Encrypt)
	if err != nil {
		return nil, err
	}
	var cb Callback
	if err := xml.Unmarshal(plain, &cb); err != nil {
		return nil, ErrPayload
	}
	return &cb, nil
}

// Message turns a group text message into a jianfu message. It reports
// false for anything else (events, private messages, pictures): those carry
// no text to analyse.
func (cb *Callback) Message() (jianfu.Message, bool) {
	text := cb.Text.Content
	if text == "" {
		text = cb.Content
	}
	if cb.MsgType != "text" || strings.TrimSpace(text) == "" || cb.ChatID == "" || cb.ChatType != "" && cb.ChatType != "group" {
		return jianfu.Message{}, false
	}
	sender := cb.From.UserID
	if sender == "" {
		sender = cb.FromUserName
	}
	t := time.Unix(cb.CreateTime, 0)
	if cb.CreateTime == 0 {
		t = time.Time{}
	}
	return jianfu.Message{ID: cb.MsgID, Platform: "wecom", PlatformID: cb.ChatID, Time: t, Sender: sender, Text: text,
		MentionAll: jianfu.MentionsAll(text), Source: jianfu.SourceWeCom}, true
}
