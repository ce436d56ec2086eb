package jianfu

import (
	"context"
	"fmt"
	"net/mail"
	"regexp"
	"strings"
	"time"
)

// DeliveryChannel is a way to tell a user outside the browser (通知方式).
type DeliveryChannel string

const (
	ChannelEmail    DeliveryChannel = "email"    // 电子邮件 over SMTP
	ChannelSMS      DeliveryChannel = "sms"      // 短信 through the province's HTTP gateway
	ChannelWeCom    DeliveryChannel = "wecom"    // 企业微信 (or 政务微信) application message
	ChannelDingTalk DeliveryChannel = "dingtalk" // 钉钉 (or 浙政钉) work notice
	ChannelFeishu   DeliveryChannel = "feishu"   // 飞书 message
)

// DeliveryChannels are the channels in the order they are shown.
var DeliveryChannels = []DeliveryChannel{ChannelEmail, ChannelSMS, ChannelWeCom, ChannelDingTalk, ChannelFeishu}

// DeliveryChannelNames are the Chinese names of the channels.
var DeliveryChannelNames = map[DeliveryChannel]string{
	ChannelEmail: "电子邮件", ChannelSMS: "短信", ChannelWeCom: "企业微信", ChannelDingTalk: "钉钉", ChannelFeishu: "飞书",
}

// DeliveryAddressNames say what a user's address on a channel is.
var DeliveryAddressNames = map[DeliveryChannel]string{
	ChannelEmail: "邮箱地址", ChannelSMS: "手机号码", ChannelWeCom: "企业微信账号", ChannelDingTalk: "钉钉用户ID", ChannelFeishu: "飞书用户ID",
}

// DeliveryStatus is where an outbox row is (投递状态).
type DeliveryStatus string

const (
	DeliveryPending DeliveryStatus = "pending" // waiting for its next attempt
	DeliverySending DeliveryStatus = "sending" // claimed by a sender; a lapsed claim is retried
	DeliverySent    DeliveryStatus = "sent"    // the channel accepted it
	DeliveryFailed  DeliveryStatus = "failed"  // given up: a permanent error or too many attempts
	DeliveryHeld    DeliveryStatus = "held"    // held for quiet hours or the daily digest
	DeliveryBundled DeliveryStatus = "bundled" // carried by a daily digest
)

// DeliveryStatusNames are the Chinese names of the statuses.
var DeliveryStatusNames = map[DeliveryStatus]string{
	DeliveryPending: "待发送", DeliverySending: "发送中", DeliverySent: "已发送", DeliveryFailed: "发送失败",
	DeliveryHeld: "暂缓发送", DeliveryBundled: "已并入汇总",
}

// UserChannel is one channel a user chose, with their address there.
type UserChannel struct {
	Channel DeliveryChannel `json:"channel"`
	Address string          `json:"address"`
	Digest  bool            `json:"digest"` // one daily digest instead of one message per notification
}

var (
	mobileRe = regexp.MustCompile(`^1[3-9][0-9]{9}$`)
	vendorRe = regexp.MustCompile(`^[A-Za-z0-9_.@-]{1,64}$`)
)

// Validate checks the channel and the shape of the address on it.
func (c *UserChannel) Validate() error {
	c.Address = strings.TrimSpace(c.Address)
	name, ok := DeliveryChannelNames[c.Channel]
	if !ok {
		return Errorf(EINVALID, "不支持的通知方式“%s”", "unknown delivery channel %q", string(c.Channel))
	}
	if c.Address == "" {
		return Errorf(EINVALID, "请填写%s的%s", "enter your %s address (%s)", name, DeliveryAddressNames[c.Channel])
	}
	switch c.Channel {
	case ChannelEmail:
		if a, err := mail.ParseAddress(c.Address); err != nil || a.Address != c.Address {
			return Errorf(EINVALID, "邮箱地址“%s”格式不对,应形如 zhangsan@example.gov.cn", "e-mail address %q is not valid", c.Address)
		}
	case ChannelSMS:
		if !mobileRe.MatchString(c.Address) {
			return Errorf(EINVALID, "手机号码“%s”格式不对,应为 11 位数字,以 1 开头", "mobile number %q must be 11 digits starting with 1", c.Address)
		}
	default:
		if !vendorRe.MatchString(c.Address) {
			return Errorf(EINVALID, "%s“%s”格式不对:只能含字母、数字和 _ . @ -,不超过 64 个字符", "%s id %q may hold only letters, digits and _ . @ -", DeliveryAddressNames[c.Channel], c.Address)
		}
	}
	return nil
}

// UrgentKinds go out at once, even in quiet hours and for users who chose
// the daily digest: a stage past its deadline, an escalation, and a
// security event for the auditor. Everything else waits for working time.
var UrgentKinds = map[NotificationKind]bool{NoteCaseOverdue: true, NoteCaseEscalated: true, NoteSecurityEvent: true}

// DeliveryMaxAttempts is how many times a message is tried before it is failed.
const DeliveryMaxAttempts = 10

// DeliveryBackoff is how long to wait after the n-th failed attempt
// (n ≥ 1): 30 seconds doubling each time, at most 6 hours.
func DeliveryBackoff(n int) time.Duration {
	d := 30 * time.Second
	for i := 1; i < n && d < 6*time.Hour; i++ {
		d *= 2
	}
	return min(d, 6*time.Hour)
}

// OutboxMessage is a message as the outbox holds it: what to send, to
// whom on which channel, under which idempotency key.
type OutboxMessage struct {
	ID             int64           `json:"id"`
	NotificationID int64           `json:"notification_id,omitempty"`
	UserID         int64           `json:"user_id"`
	UserName       string          `json:"user_name,omitempty"` // display name with office
	Channel        DeliveryChannel `json:"channel"`
	Address        string          `json:"address"`
	Kind           string          `json:"kind"` // a NotificationKind, or "digest"
	Subject        string          `json:"subject"`
	Body           string          `json:"body"`
	Urgent         bool            `json:"urgent"`
	Digest         bool            `json:"digest"`
	Key            string          `json:"key"` // idempotency key, sent to the channel
	Status         DeliveryStatus  `json:"status"`
	Attempts       int             `json:"attempts"`
	NextAt         time.Time       `json:"next_at"`
	LastError      string          `json:"last_error,omitempty"`
	CreatedAt      time.Time       `json:"created_at"`
	SentAt         *time.Time      `json:"sent_at,omitempty"`
	// Was is the status a claimed row had before its claim (pending, held,
	// or sending when a dead sender's claim lapsed); set by ClaimOutbox.
	Was DeliveryStatus `json:"-"`
}

// DigestKind is the kind of a daily digest row.
const DigestKind = "digest"

// NotificationMessage is the text a notification is delivered with: its
// in-app title and body (one home for the wording), the kind's name as a
// tag, and the address of its page when the deployment has one. A
// security event's details (which case, whose reveal) stay in the
// platform: outside it the auditor reads only the title.
func NotificationMessage(kind NotificationKind, title, body, link, baseURL string) (subject, text string) {
	subject = "【减负】" + title
	if kind == NoteSecurityEvent {
		body = "详情请登录平台查看"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s:%s\n", NotificationKindNames[kind], title)
	if body != "" {
		b.WriteString(body + "\n")
	}
	if link != "" && baseURL != "" {
		b.WriteString("查看:" + strings.TrimRight(baseURL, "/") + link + "\n")
	}
	return subject, strings.TrimRight(b.String(), "\n")
}

// DigestMessage is the daily digest (每日汇总) of msgs: counts by kind,
// then one line per item, oldest first.
func DigestMessage(day time.Time, msgs []*OutboxMessage) (subject, text string) {
	date := day.In(China).Format("2006年1月2日")
	subject = fmt.Sprintf("【减负】%s通知汇总(%d条)", date, len(msgs))
	counts := map[string]int{}
	var order []string
	for _, m := range msgs {
		name := NotificationKindNames[NotificationKind(m.Kind)]
		if name == "" {
			name = "其他"
		}
		if counts[name] == 0 {
			order = append(order, name)
		}
		counts[name]++
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s共有%d条通知:", date, len(msgs))
	for i, name := range order {
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, "%s%d条", name, counts[name])
	}
	b.WriteString("。\n")
	for i, m := range msgs {
		fmt.Fprintf(&b, "%d. %s(%s)\n", i+1, strings.TrimPrefix(m.Subject, "【减负】"), m.CreatedAt.In(China).Format("15:04"))
	}
	return subject, strings.TrimRight(b.String(), "\n")
}

// DeliveryFilter selects outbox rows for the administrators' list.
type DeliveryFilter struct {
	Page
	Status  DeliveryStatus
	Channel DeliveryChannel
	UserID  int64
}

// DeliveryService is how users choose their channels and how delivery is
// followed.
type DeliveryService interface {
	// UserChannels lists the caller's chosen channels.
	UserChannels(ctx context.Context) ([]UserChannel, error)
	// SetUserChannels replaces the caller's channels (audited); EINVALID
	// names the first bad address and stores nothing.
	SetUserChannels(ctx context.Context, chs []UserChannel) error
	// FindDeliveries lists outbox rows newest first: a system
	// administrator sees all in their region, others only their own.
	FindDeliveries(ctx context.Context, f DeliveryFilter) ([]*OutboxMessage, int, error)
	// DeliveryStatuses gives, for the caller's notifications ids, the
	// status of each channel's row.
	DeliveryStatuses(ctx context.Context, ids []int64) (map[int64]map[DeliveryChannel]DeliveryStatus, error)
}

// Outbox is the sender's side of the outbox (package deliver works
// through it; the store implements it). A claim is a random token held
// until a time; every settling call checks it, so a sender whose claim
// lapsed and was taken over cannot overwrite the new holder's result.
type Outbox interface {
	// ClaimOutbox claims up to limit due rows for token until until, each
	// counting an attempt.
	ClaimOutbox(ctx context.Context, token string, until time.Time, limit int) ([]*OutboxMessage, error)
	// MarkSent records that the channel accepted the row.
	MarkSent(ctx context.Context, id int64, token string) error
	// MarkFailed records a failed attempt, retried at retry or failed for
	// good when retry is zero; reason holds no secret.
	MarkFailed(ctx context.Context, id int64, token, reason string, retry time.Time) error
	// Hold puts the row back unsent as status (held or pending) until
	// until, without counting the attempt.
	Hold(ctx context.Context, id int64, token string, status DeliveryStatus, until time.Time) error
	// Bundle makes one digest row of claimed rows ids of one user and
	// channel and marks them bundled into it.
	Bundle(ctx context.Context, token string, uid int64, ch DeliveryChannel, address string, ids []int64, subject, body string) (int64, error)
}
