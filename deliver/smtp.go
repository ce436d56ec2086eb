package deliver

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"fmt"
	"mime"
	"net"
	"net/mail"
	"net/smtp"
	"net/textproto"
	"strings"
	"time"
)

// SMTP sends e-mail. Security is "starttls" (port 587: the connection is
// upgraded before authenticating, and refused when the server cannot),
// "tls" (port 465: implicit TLS) or "none" (a relay on the same host).
// Auth is "plain", "login" or "" for none.
type SMTP struct {
	Addr     string // host:port
	Security string
	Auth     string
	Username string
	Password string // from the environment or a file, never logged
	From     string // "减负平台 <noreply@example.gov.cn>"
	// TLS overrides the TLS configuration (tests trust their own certificate).
	TLS *tls.Config
	// Hostname is the domain of Message-IDs and of EHLO; default the From domain.
	Hostname string
}

func (c *SMTP) tlsConfig() *tls.Config {
	host, _, _ := net.SplitHostPort(c.Addr)
	if c.TLS != nil {
		t := c.TLS.Clone()
		if t.ServerName == "" {
			t.ServerName = host
		}
		return t
	}
	return &tls.Config{ServerName: host, MinVersion: tls.VersionTLS12}
}

func (c *SMTP) domain() string {
	if c.Hostname != "" {
		return c.Hostname
	}
	if a, err := mail.ParseAddress(c.From); err == nil {
		if _, d, ok := strings.Cut(a.Address, "@"); ok {
			return d
		}
	}
	return "localhost"
}

// Send delivers m over one SMTP conversation. Its Message-ID is made of
// the idempotency key, so a message sent again after a crash carries the
// same Message-ID, by which a receiving system can drop the repeat.
func (c *SMTP) Send(ctx context.Context, m Message) error {
	from, err := mail.ParseAddress(c.From)
	if err != nil {
		return permanent("发件人地址配置有误:%v", err)
	}
	to, err := mail.ParseAddress(m.To)
	if err != nil {
		return permanent("收件人地址“%s”格式不对", m.To)
	}
	d := net.Dialer{Timeout: 15 * time.Second}
	var conn net.Conn
	if c.Security == "tls" {
		conn, err = (&tls.Dialer{NetDialer: &d, Config: c.tlsConfig()}).DialContext(ctx, "tcp", c.Addr)
	} else {
		conn, err = d.DialContext(ctx, "tcp", c.Addr)
	}
	if err != nil {
		return transient("连接邮件服务器失败:%v", err)
	}
	if dl, ok := ctx.Deadline(); ok {
		conn.SetDeadline(dl)
	}
	host, _, _ := net.SplitHostPort(c.Addr)
	cl, err := smtp.NewClient(conn, host)
	if err != nil {
		conn.Close()
		return smtpError("邮件服务器问候", err)
	}
	defer cl.Close()
	if err := cl.Hello(c.domain()); err != nil {
		return smtpError("EHLO", err)
	}
	if c.Security == "starttls" {
		if ok, _ := cl.Extension("STARTTLS"); !ok {
			return permanent("邮件服务器不支持 STARTTLS;请改用 security: tls 或检查端口")
		}
		if err := cl.StartTLS(c.tlsConfig()); err != nil {
			return transient("STARTTLS 失败:%v", err)
		}
	}
	if c.Auth != "" {
		var a smtp.Auth
		switch c.Auth {
		case "plain":
			a = plainAuth{c.Username, c.Password}
		case "login":
			a = loginAuth{c.Username, c.Password}
		default:
			return permanent("不支持的 SMTP 认证方式“%s”,可选 plain 或 login", c.Auth)
		}
		if err := cl.Auth(a); err != nil {
			return smtpError("SMTP 认证", err)
		}
	}
	if err := cl.Mail(from.Address); err != nil {
		return smtpError("MAIL FROM", err)
	}
	if err := cl.Rcpt(to.Address); err != nil {
		return smtpError("RCPT TO", err)
	}
	w, err := cl.Data()
	if err != nil {
		return smtpError("DATA", err)
	}
	if _, err := w.Write(c.compose(from, to, m)); err != nil {
		return transient("写入邮件失败:%v", err)
	}
	if err := w.Close(); err != nil { // the server's answer to the message: accepted or not
		return smtpError("邮件投递", err)
	}
	cl.Quit()
	return nil
}

// compose writes the message: an RFC 2047 encoded Chinese subject, a
// UTF-8 body in base64, and a Message-ID from the idempotency key.
func (c *SMTP) compose(from, to *mail.Address, m Message) []byte {
	var b bytes.Buffer
	h := func(k, v string) { fmt.Fprintf(&b, "%s: %s\r\n", k, v) }
	h("From", from.String())
	h("To", to.String())
	h("Subject", mime.BEncoding.Encode("UTF-8", m.Subject))
	h("Date", time.Now().Format(time.RFC1123Z))
	h("Message-ID", "<"+m.Key+"@"+c.domain()+">")
	h("MIME-Version", "1.0")
	h("Content-Type", `text/plain; charset="UTF-8"`)
	h("Content-Transfer-Encoding", "base64")
	b.WriteString("\r\n")
	enc := base64.StdEncoding.EncodeToString([]byte(strings.ReplaceAll(m.Body, "\n", "\r\n")))
	for len(enc) > 76 {
		b.WriteString(enc[:76] + "\r\n")
		enc = enc[76:]
	}
	b.WriteString(enc + "\r\n")
	return b.Bytes()
}

// smtpError sorts a server's answer: 5xx is permanent, anything else is
// retried.
func smtpError(step string, err error) error {
	var te *textproto.Error
	if errors.As(err, &te) {
		if te.Code >= 500 {
			return permanent("%s被拒绝:%d %s", step, te.Code, te.Msg)
		}
		return transient("%s暂时失败:%d %s", step, te.Code, te.Msg)
	}
	return transient("%s失败:%v", step, err)
}

// plainAuth is AUTH PLAIN. net/smtp's PlainAuth refuses to send over a
// connection it does not see as TLS; this one relies on the configuration
// (security none is for a relay on the same host).
type plainAuth struct{ user, pass string }

func (a plainAuth) Start(*smtp.ServerInfo) (string, []byte, error) {
	return "PLAIN", []byte("\x00" + a.user + "\x00" + a.pass), nil
}

func (a plainAuth) Next(_ []byte, more bool) ([]byte, error) {
	if more {
		return nil, errors.New("unexpected server challenge")
	}
	return nil, nil
}

// loginAuth is AUTH LOGIN, which many domestic mail systems still require.
type loginAuth struct{ user, pass string }

func (a loginAuth) Start(*smtp.ServerInfo) (string, []byte, error) { return "LOGIN", nil, nil }

func (a loginAuth) Next(challenge []byte, more bool) ([]byte, error) {
	if !more {
		return nil, nil
	}
	switch strings.ToLower(strings.TrimSpace(string(challenge))) {
	case "username:":
		return []byte(a.user), nil
	case "password:":
		return []byte(a.pass), nil
	}
	return nil, fmt.Errorf("unexpected AUTH LOGIN challenge")
}
