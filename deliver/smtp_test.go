package deliver

import (
	"bufio"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"errors"
	"io"
	"math/big"
	"mime"
	"net"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"
)

// selfSigned makes a certificate for 127.0.0.1 and a pool trusting it.
func selfSigned(t testing.TB) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "127.0.0.1"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, pool
}

// smtpServer is a small SMTP server speaking a real conversation over
// TCP: EHLO, STARTTLS, AUTH PLAIN and LOGIN, MAIL, RCPT, DATA, QUIT.
type smtpServer struct {
	addr     string
	implicit bool // TLS from the first byte (port 465 style)
	starttls bool // offers STARTTLS
	user     string
	pass     string
	rejectTo string // RCPT TO this address gets 550
	cert     tls.Certificate

	mu   sync.Mutex
	got  []receivedMail
	errs []string
}

type receivedMail struct {
	from, to string
	data     string
	tls      bool
	authed   string // mechanism used
}

func startSMTP(t *testing.T, s *smtpServer) *smtpServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s.addr = ln.Addr().String()
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go s.serve(c)
		}
	}()
	return s
}

func (s *smtpServer) serve(c net.Conn) {
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	secure := false
	if s.implicit {
		c = tls.Server(c, &tls.Config{Certificates: []tls.Certificate{s.cert}})
		secure = true
	}
	r, w := bufio.NewReader(c), bufio.NewWriter(c)
	say := func(line string) { w.WriteString(line + "\r\n"); w.Flush() }
	read := func() (string, error) {
		l, err := r.ReadString('\n')
		return strings.TrimRight(l, "\r\n"), err
	}
	var cur receivedMail
	say("220 mail.test ESMTP")
	for {
		line, err := read()
		if err != nil {
			return
		}
		verb := strings.ToUpper(strings.SplitN(line, " ", 2)[0])
		arg := strings.TrimSpace(strings.TrimPrefix(line, strings.SplitN(line, " ", 2)[0]))
		switch verb {
		case "EHLO", "HELO":
			exts := []string{"250-mail.test"}
			if s.starttls && !secure {
				exts = append(exts, "250-STARTTLS")
			}
			if secure || !s.starttls {
				exts = append(exts, "250-AUTH PLAIN LOGIN")
			}
			exts = append(exts, "250 8BITMIME")
			for _, e := range exts {
				w.WriteString(e + "\r\n")
			}
			w.Flush()
		case "STARTTLS":
			say("220 go ahead")
			tc := tls.Server(c, &tls.Config{Certificates: []tls.Certificate{s.cert}})
			if err := tc.Handshake(); err != nil {
				s.fail("handshake: " + err.Error())
				return
			}
			c, secure = tc, true
			r, w = bufio.NewReader(c), bufio.NewWriter(c)
		case "AUTH":
			parts := strings.Fields(arg)
			var user, pass string
			switch strings.ToUpper(parts[0]) {
			case "PLAIN":
				resp := ""
				if len(parts) > 1 {
					resp = parts[1]
				} else {
					say("334 ")
					resp, _ = read()
				}
				b, _ := base64.StdEncoding.DecodeString(resp)
				f := strings.Split(string(b), "\x00")
				if len(f) == 3 {
					user, pass = f[1], f[2]
				}
			case "LOGIN":
				say("334 " + base64.StdEncoding.EncodeToString([]byte("Username:")))
				u, _ := read()
				say("334 " + base64.StdEncoding.EncodeToString([]byte("Password:")))
				p, _ := read()
				ub, _ := base64.StdEncoding.DecodeString(u)
				pb, _ := base64.StdEncoding.DecodeString(p)
				user, pass = string(ub), string(pb)
			}
			if user != s.user || pass != s.pass {
				say("535 5.7.8 authentication failed")
				continue
			}
			cur.authed = strings.ToUpper(parts[0])
			say("235 2.7.0 ok")
		case "MAIL":
			if s.user != "" && cur.authed == "" {
				say("530 5.7.0 authentication required")
				continue
			}
			cur.from, cur.tls = angle(arg), secure
			say("250 ok")
		case "RCPT":
			to := angle(arg)
			if to == s.rejectTo {
				say("550 5.1.1 no such user")
				continue
			}
			cur.to = to
			say("250 ok")
		case "DATA":
			say("354 end with .")
			var b strings.Builder
			for {
				l, err := read()
				if err != nil {
					return
				}
				if l == "." {
					break
				}
				b.WriteString(strings.TrimPrefix(l, ".") + "\n")
			}
			cur.data = b.String()
			s.mu.Lock()
			s.got = append(s.got, cur)
			s.mu.Unlock()
			cur = receivedMail{authed: cur.authed}
			say("250 2.0.0 queued")
		case "QUIT":
			say("221 bye")
			return
		default:
			say("502 unknown")
		}
	}
}

// angle is the address between < and > of a MAIL or RCPT argument.
func angle(arg string) string {
	_, a, _ := strings.Cut(arg, "<")
	a, _, _ = strings.Cut(a, ">")
	return a
}

func (s *smtpServer) fail(e string) {
	s.mu.Lock()
	s.errs = append(s.errs, e)
	s.mu.Unlock()
}

func (s *smtpServer) mails() []receivedMail {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]receivedMail(nil), s.got...)
}

// TestSMTPConversation sends a Chinese notice over STARTTLS with AUTH
// LOGIN, and over implicit TLS with AUTH PLAIN, to an SMTP server in the
// test; the server reads an RFC 2047 subject, a UTF-8 body and a
// Message-ID made of the idempotency key.
func TestSMTPConversation(t *testing.T) {
	cert, pool := selfSigned(t)
	msg := Message{Key: "jf-n42-email", To: "zhao.min@jiangnan.gov.cn",
		Subject: "【减负】线索JF2026-000042已移送本单位办理",
		Body:    "线索移送:线索JF2026-000042已移送本单位办理\n办理时限:2026年3月9日\n查看:https://jianfu.example.gov.cn/cases/42"}
	for _, tc := range []struct {
		name     string
		server   *smtpServer
		security string
		auth     string
	}{
		{"starttls+login", &smtpServer{starttls: true, user: "noreply@jianfu.gov.cn", pass: "s3cret-登录"}, "starttls", "login"},
		{"implicit tls+plain", &smtpServer{implicit: true, user: "noreply@jianfu.gov.cn", pass: "s3cret"}, "tls", "plain"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.server.cert = cert
			srv := startSMTP(t, tc.server)
			c := &SMTP{Addr: srv.addr, Security: tc.security, Auth: tc.auth, Username: tc.server.user, Password: tc.server.pass,
				From: "减负平台 <noreply@jianfu.gov.cn>", TLS: &tls.Config{RootCAs: pool}}
			if err := c.Send(context.Background(), msg); err != nil {
				t.Fatalf("send: %v", err)
			}
			got := srv.mails()
			if len(got) != 1 {
				t.Fatalf("server got %d mails, want 1 (errors %v)", len(got), srv.errs)
			}
			m := got[0]
			if !m.tls || m.authed != strings.ToUpper(tc.auth) || m.to != msg.To || m.from != "noreply@jianfu.gov.cn" {
				t.Errorf("conversation: tls %v, auth %q, from %q, to %q", m.tls, m.authed, m.from, m.to)
			}
			parsed, err := mail.ReadMessage(strings.NewReader(m.data))
			if err != nil {
				t.Fatal(err)
			}
			subj, err := new(mime.WordDecoder).DecodeHeader(parsed.Header.Get("Subject"))
			if err != nil || subj != msg.Subject {
				t.Errorf("subject %q (raw %q), want %q", subj, parsed.Header.Get("Subject"), msg.Subject)
			}
			if raw := parsed.Header.Get("Subject"); !strings.HasPrefix(raw, "=?UTF-8?b?") && !strings.HasPrefix(raw, "=?UTF-8?B?") {
				t.Errorf("subject not RFC 2047 encoded: %q", raw)
			}
			if id := parsed.Header.Get("Message-ID"); id != "<jf-n42-email@jianfu.gov.cn>" {
				t.Errorf("Message-ID %q", id)
			}
			if ct := parsed.Header.Get("Content-Type"); !strings.Contains(ct, "UTF-8") {
				t.Errorf("Content-Type %q", ct)
			}
			from, _ := parsed.Header.AddressList("From")
			if len(from) != 1 || from[0].Name != "减负平台" {
				t.Errorf("From %v", from)
			}
			raw, _ := io.ReadAll(parsed.Body)
			body, err := base64.StdEncoding.DecodeString(strings.ReplaceAll(string(raw), "\n", ""))
			if err != nil || strings.ReplaceAll(string(body), "\r\n", "\n") != msg.Body {
				t.Errorf("body %q (%v), want %q", body, err, msg.Body)
			}
		})
	}
}

// TestSMTPRefusals: a wrong password and an unknown recipient are
// permanent failures (5xx); a server without STARTTLS is refused rather
// than sent to in clear; an unreachable server is retried.
func TestSMTPRefusals(t *testing.T) {
	cert, pool := selfSigned(t)
	srv := startSMTP(t, &smtpServer{starttls: true, user: "u", pass: "right", rejectTo: "nobody@jianfu.gov.cn", cert: cert})
	plain := startSMTP(t, &smtpServer{cert: cert})
	dead, _ := net.Listen("tcp", "127.0.0.1:0")
	deadAddr := dead.Addr().String()
	dead.Close()
	m := Message{Key: "k", To: "a@jianfu.gov.cn", Subject: "主题", Body: "正文"}
	base := SMTP{Security: "starttls", Auth: "plain", Username: "u", Password: "right", From: "noreply@jianfu.gov.cn", TLS: &tls.Config{RootCAs: pool}}
	for _, tc := range []struct {
		name      string
		edit      func(c *SMTP, m *Message)
		permanent bool
		says      string
	}{
		{"wrong password", func(c *SMTP, m *Message) { c.Addr, c.Password = srv.addr, "wrong" }, true, "535"},
		{"unknown recipient", func(c *SMTP, m *Message) { c.Addr, m.To = srv.addr, "nobody@jianfu.gov.cn" }, true, "550"},
		{"no STARTTLS", func(c *SMTP, m *Message) { c.Addr = plain.addr }, true, "STARTTLS"},
		{"unreachable", func(c *SMTP, m *Message) { c.Addr = deadAddr }, false, "连接邮件服务器失败"},
	} {
		c, mm := base, m
		tc.edit(&c, &mm)
		err := c.Send(context.Background(), mm)
		var de *Error
		if !errors.As(err, &de) || de.Permanent != tc.permanent || !strings.Contains(de.Msg, tc.says) {
			t.Errorf("%s: %v, want permanent=%v saying %q", tc.name, err, tc.permanent, tc.says)
		}
		if err != nil && strings.Contains(err.Error(), "right") {
			t.Errorf("%s: the error shows the password: %v", tc.name, err)
		}
	}
	if n := len(srv.mails()); n != 0 {
		t.Errorf("refused sends delivered %d mails", n)
	}
}
