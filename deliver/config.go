package deliver

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"jianfu"
	"jianfu/calendar"
)

// Config is a deployment's delivery configuration (the file given to
// `jianfu serve --delivery-config`). A channel left out is not offered to
// users. Secrets are never written in the file: each names an environment
// variable (env) or a file (file) to read it from.
type Config struct {
	SiteURL      string        `yaml:"site_url"`      // links in messages point here
	Interval     time.Duration `yaml:"interval"`      // how often the sender looks for due messages; default 1m
	WorkingHours []string      `yaml:"working_hours"` // quiet hours are outside these on working days; default 08:30-12:00, 14:00-18:00
	DigestAt     string        `yaml:"digest_at"`     // HH:MM the daily digest goes out on working days; default 17:00
	Email        *EmailConfig  `yaml:"email"`
	SMS          *SMSConfig    `yaml:"sms"`
	WeCom        *VendorConfig `yaml:"wecom"`
	DingTalk     *VendorConfig `yaml:"dingtalk"`
	Feishu       *VendorConfig `yaml:"feishu"`
}

// Secret says where a secret is read from.
type Secret struct {
	Env  string `yaml:"env"`
	File string `yaml:"file"`
}

func (s Secret) read(what string) (string, error) {
	switch {
	case s.Env != "":
		v, ok := os.LookupEnv(s.Env)
		if !ok || v == "" {
			return "", fmt.Errorf("%s:环境变量 %s 未设置", what, s.Env)
		}
		return v, nil
	case s.File != "":
		b, err := os.ReadFile(s.File)
		if err != nil {
			return "", fmt.Errorf("%s:读取密钥文件失败:%w", what, err)
		}
		return strings.TrimSpace(string(b)), nil
	}
	return "", nil
}

// EmailConfig configures SMTP.
type EmailConfig struct {
	Addr     string `yaml:"addr"`     // host:port
	Security string `yaml:"security"` // starttls (default), tls, none
	Auth     string `yaml:"auth"`     // plain, login, or empty
	Username string `yaml:"username"`
	Password Secret `yaml:"password"`
	From     string `yaml:"from"`
}

// SMSConfig configures the HTTP SMS gateway (see SMS).
type SMSConfig struct {
	URL          string `yaml:"url"`
	Method       string `yaml:"method"`
	AuthHeader   string `yaml:"auth_header"`
	AuthValue    Secret `yaml:"auth_value"`
	Body         string `yaml:"body"`
	ContentType  string `yaml:"content_type"`
	SuccessField string `yaml:"success_field"`
	SuccessValue string `yaml:"success_value"`
	Signature    string `yaml:"signature"`
}

// VendorConfig configures 企业微信 (id: corpid), 钉钉 (id: appkey) or 飞书 (id: app_id).
type VendorConfig struct {
	BaseURL       string `yaml:"base_url"`
	ID            string `yaml:"id"`
	Secret        Secret `yaml:"secret"`
	AgentID       int64  `yaml:"agent_id"`
	ReceiveIDType string `yaml:"receive_id_type"` // 飞书 only
}

// ParseConfig reads a configuration file's bytes; it does not read secrets.
func ParseConfig(data []byte) (*Config, error) {
	var c Config
	dec := yaml.NewDecoder(strings.NewReader(string(data)))
	dec.KnownFields(true)
	if err := dec.Decode(&c); err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("通知投递配置有误:%w", err)
	}
	if c.Interval == 0 {
		c.Interval = time.Minute
	}
	if c.Interval < time.Second {
		return nil, fmt.Errorf("通知投递配置有误:interval 至少 1s")
	}
	if _, err := c.digestMinute(); err != nil {
		return nil, err
	}
	if len(c.WorkingHours) > 0 {
		if _, err := calendar.ParseHours(c.WorkingHours...); err != nil {
			return nil, fmt.Errorf("通知投递配置有误:working_hours 应形如 08:30-12:00:%w", err)
		}
	}
	if e := c.Email; e != nil {
		if e.Addr == "" || e.From == "" {
			return nil, fmt.Errorf("通知投递配置有误:email 须填写 addr(主机:端口)与 from(发件人)")
		}
		switch e.Security {
		case "":
			e.Security = "starttls"
		case "starttls", "tls", "none":
		default:
			return nil, fmt.Errorf("通知投递配置有误:email.security 只能是 starttls、tls 或 none")
		}
		if e.Auth != "" && e.Auth != "plain" && e.Auth != "login" {
			return nil, fmt.Errorf("通知投递配置有误:email.auth 只能是 plain、login 或留空")
		}
	}
	if s := c.SMS; s != nil {
		if s.URL == "" {
			return nil, fmt.Errorf("通知投递配置有误:sms 须填写 url")
		}
		if err := (&SMS{URL: s.URL, Body: s.Body}).Init(); err != nil {
			return nil, fmt.Errorf("通知投递配置有误:%w", err)
		}
	}
	for name, v := range map[string]*VendorConfig{"wecom": c.WeCom, "dingtalk": c.DingTalk, "feishu": c.Feishu} {
		if v != nil && v.ID == "" {
			return nil, fmt.Errorf("通知投递配置有误:%s 须填写 id", name)
		}
		if v != nil && name != "feishu" && v.AgentID == 0 {
			return nil, fmt.Errorf("通知投递配置有误:%s 须填写 agent_id", name)
		}
	}
	return &c, nil
}

// LoadConfig reads a configuration file.
func LoadConfig(path string) (*Config, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("读取通知投递配置失败:%w", err)
	}
	return ParseConfig(b)
}

func (c *Config) digestMinute() (int, error) {
	t, err := time.Parse("15:04", orDefault(c.DigestAt, "17:00"))
	if err != nil {
		return 0, fmt.Errorf("通知投递配置有误:digest_at 应形如 17:00")
	}
	return t.Hour()*60 + t.Minute(), nil
}

// Enabled lists the configured channels, in the order shown.
func (c *Config) Enabled() []jianfu.DeliveryChannel {
	var out []jianfu.DeliveryChannel
	for _, ch := range jianfu.DeliveryChannels {
		switch {
		case ch == jianfu.ChannelEmail && c.Email != nil, ch == jianfu.ChannelSMS && c.SMS != nil,
			ch == jianfu.ChannelWeCom && c.WeCom != nil, ch == jianfu.ChannelDingTalk && c.DingTalk != nil,
			ch == jianfu.ChannelFeishu && c.Feishu != nil:
			out = append(out, ch)
		}
	}
	return out
}

// Channels builds the configured channels, reading their secrets.
func (c *Config) Channels() (map[jianfu.DeliveryChannel]Channel, error) {
	out := map[jianfu.DeliveryChannel]Channel{}
	if e := c.Email; e != nil {
		pw, err := e.Password.read("email.password")
		if err != nil {
			return nil, err
		}
		out[jianfu.ChannelEmail] = &SMTP{Addr: e.Addr, Security: e.Security, Auth: e.Auth, Username: e.Username, Password: pw, From: e.From}
	}
	if s := c.SMS; s != nil {
		v, err := s.AuthValue.read("sms.auth_value")
		if err != nil {
			return nil, err
		}
		g := &SMS{URL: s.URL, Method: s.Method, AuthHeader: s.AuthHeader, AuthValue: v, Body: s.Body, ContentType: s.ContentType,
			SuccessField: s.SuccessField, SuccessValue: s.SuccessValue, Signature: s.Signature}
		if err := g.Init(); err != nil {
			return nil, err
		}
		out[jianfu.ChannelSMS] = g
	}
	if v := c.WeCom; v != nil {
		sec, err := v.Secret.read("wecom.secret")
		if err != nil {
			return nil, err
		}
		out[jianfu.ChannelWeCom] = &WeCom{BaseURL: v.BaseURL, CorpID: v.ID, CorpSecret: sec, AgentID: v.AgentID}
	}
	if v := c.DingTalk; v != nil {
		sec, err := v.Secret.read("dingtalk.secret")
		if err != nil {
			return nil, err
		}
		out[jianfu.ChannelDingTalk] = &DingTalk{BaseURL: v.BaseURL, AppKey: v.ID, AppSecret: sec, AgentID: v.AgentID}
	}
	if v := c.Feishu; v != nil {
		sec, err := v.Secret.read("feishu.secret")
		if err != nil {
			return nil, err
		}
		out[jianfu.ChannelFeishu] = &Feishu{BaseURL: v.BaseURL, AppID: v.ID, AppSecret: sec, ReceiveIDType: v.ReceiveIDType}
	}
	return out, nil
}

// Calendar is the holiday calendar with the configured working hours.
func (c *Config) Calendar() (*calendar.Calendar, error) {
	if len(c.WorkingHours) == 0 {
		return calendar.Default(), nil
	}
	return calendar.New(calendar.WithWorkingHours(c.WorkingHours...))
}

// DigestMinute is the minute of the day the digest goes out.
func (c *Config) DigestMinute() int {
	m, _ := c.digestMinute()
	return m
}
