// Package dingtalk receives the messages a 钉钉 (DingTalk) outgoing robot
// (企业内部机器人, 接收消息) posts when it is @-mentioned in a group.
//
// DingTalk signs each request: the headers "timestamp" (milliseconds) and
// "sign" = Base64(HmacSHA256(key = appSecret, data = timestamp + "\n" +
// appSecret)); a request whose timestamp is more than an hour from now is
// to be refused.
package dingtalk

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"time"

	"jianfu"
)

// Errors of verification.
var (
	ErrSignature = errors.New("dingtalk: signature mismatch")
	ErrStale     = errors.New("dingtalk: timestamp too far from now")
	ErrPayload   = errors.New("dingtalk: malformed payload")
)

// MaxSkew is how far a request's timestamp may be from now.
const MaxSkew = time.Hour

// Sign computes the sign of a timestamp.
func Sign(timestamp, secret string) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(timestamp + "\n" + secret))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// Verify checks the timestamp and sign headers of a request; the timestamp
// may be at most maxSkew from now (MaxSkew, the documented hour, when
// maxSkew is 0). The sign does not cover the body: a captured pair signs
// any body until it is stale, so callers accept a pair only once and keep
// maxSkew short.
func Verify(secret, timestamp, sign string, now time.Time, maxSkew time.Duration) error {
	if maxSkew <= 0 {
		maxSkew = MaxSkew
	}
	ms, err := strconv.ParseInt(timestamp, 10, 64)
	if err != nil {
		return ErrStale
	}
	if d := now.Sub(time.UnixMilli(ms)); d > maxSkew || d < -maxSkew {
		return ErrStale
	}
	if subtle.ConstantTimeCompare([]byte(sign), []byte(Sign(timestamp, secret))) != 1 {
		return ErrSignature
	}
	return nil
}

// Callback is the JSON a robot receives.
type Callback struct {
	MsgType string `json:"msgtype"`
	Text    struct {
		Content string `json:"content"`
	} `json:"text"`
	MsgID             string `json:"msgId"`
	CreateAt          int64  `json:"createAt"`         // milliseconds
	ConversationType  string `json:"conversationType"` // 1 single, 2 group
	ConversationID    string `json:"conversationId"`
	ConversationTitle string `json:"conversationTitle"`
	SenderID          string `json:"senderId"`
	SenderNick        string `json:"senderNick"`
	SenderStaffID     string `json:"senderStaffId"`
	IsInAtList        bool   `json:"isInAtList"`
	AtUsers           []struct {
		DingtalkID string `json:"dingtalkId"`
		StaffID    string `json:"staffId"`
	} `json:"atUsers"`
}

// Parse reads a callback body.
func Parse(body []byte) (*Callback, error) {
	if len(body) > 1<<20 {
		return nil, ErrPayload
	}
	var cb Callback
	if err := json.Unmarshal(body, &cb); err != nil {
		return nil, ErrPayload
	}
	return &cb, nil
}

// Message turns a group text message into a jianfu message; false for
// anything else.
func (cb *Callback) Message() (jianfu.Message, bool) {
	if cb.MsgType != "text" || cb.ConversationType != "2" || cb.ConversationID == "" || strings.TrimSpace(cb.Text.Content) == "" {
		return jianfu.Message{}, false
	}
	sender := cb.SenderStaffID
	if sender == "" {
		sender = cb.SenderID
	}
	var t time.Time
	if cb.CreateAt > 0 {
		t = time.UnixMilli(cb.CreateAt)
	}
	return jianfu.Message{ID: cb.MsgID, Platform: "dingtalk", PlatformID: cb.ConversationID, Time: t, Sender: sender,
		Text: strings.TrimSpace(cb.Text.Content), MentionAll: jianfu.MentionsAll(cb.Text.Content), Source: jianfu.SourceDingTalk}, true
}
