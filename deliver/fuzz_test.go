package deliver

import (
	"encoding/json"
	"testing"
)

// FuzzParseConfig: a delivery configuration file is outside input; any
// bytes give a configuration or an error, never a panic, and a parsed one
// builds its calendar.
func FuzzParseConfig(f *testing.F) {
	for _, seed := range []string{
		"",
		"interval: 30s\ndigest_at: \"08:45\"\nworking_hours: [\"09:00-17:00\"]\n",
		"email:\n  addr: smtp.example.gov.cn:465\n  security: tls\n  auth: login\n  username: u\n  password: {env: X}\n  from: 减负 <a@b.cn>\n",
		"sms:\n  url: https://sms.example/send?to={{query .Mobile}}\n  body: '{\"m\":{{json .Mobile}},\"t\":{{json .Text}}}'\n",
		"sms:\n  url: '{{.Nope'\n",
		"wecom: {id: ww1, agent_id: 1000002, secret: {file: /dev/null}}\ndingtalk: {id: k, agent_id: 2}\nfeishu: {id: cli_a}\n",
		"digest_at: 25:99\n",
		"unknown_key: 1\n",
		"interval: 1ms\n",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := ParseConfig(data)
		if err != nil {
			return
		}
		if _, err := c.Calendar(); err != nil {
			t.Errorf("a parsed configuration's working hours fail: %v", err)
		}
		if m := c.DigestMinute(); m < 0 || m >= 24*60 {
			t.Errorf("digest minute %d", m)
		}
		c.Enabled()
	})
}

// FuzzJSONField: a gateway's answer is outside input; reading a field of
// any JSON never panics.
func FuzzJSONField(f *testing.F) {
	f.Add([]byte(`{"result":{"code":"0"}}`), "result.code")
	f.Add([]byte(`{"code":0,"data":[1,2]}`), "code")
	f.Add([]byte(`[1]`), "a.b")
	f.Add([]byte(`{"a":null}`), "a")
	f.Fuzz(func(t *testing.T, data []byte, path string) {
		var doc any
		if json.Unmarshal(data, &doc) != nil {
			return
		}
		jsonField(doc, path)
	})
}
