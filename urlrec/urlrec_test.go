package urlrec

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"jianfu"
)

func recognizer(t testing.TB) *Recognizer {
	t.Helper()
	r, err := Compile(DefaultRules())
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestRecognize(t *testing.T) {
	r := recognizer(t)
	tests := []struct {
		in                   string
		platform, id, handle string
		kind                 jianfu.ChannelKind
	}{
		{"https://mp.weixin.qq.com/s?__biz=MzA5NzM4NjYxMQ==&mid=2650&idx=1&sn=abc&chksm=1#rd", "wechat_oa", "MzA5NzM4NjYxMQ==", "", jianfu.KindAccount},
		{"gh_0123456789ab", "wechat_oa", "gh_0123456789ab", "", jianfu.KindAccount},
		{"  https://weibo.com/u/2803301701?refer_flag=1001  ", "weibo", "2803301701", "", jianfu.KindAccount},
		{"weibo.com/u/2803301701", "weibo", "2803301701", "", jianfu.KindAccount},
		{"https://m.weibo.cn/profile/2803301701", "weibo", "2803301701", "", jianfu.KindAccount},
		{"https://weibo.com/n/江南发布", "weibo", "", "江南发布", jianfu.KindAccount},
		{"https://www.douyin.com/user/MS4wLjABAAAAv7iSuuXDJGDvJkmH_vz1qkDZYo1apxgzaxdBSeIuPiM?from_tab_name=main", "douyin", "MS4wLjABAAAAv7iSuuXDJGDvJkmH_vz1qkDZYo1apxgzaxdBSeIuPiM", "", jianfu.KindAccount},
		{"https://v.douyin.com/iRNBho6u/", "douyin", "", "iRNBho6u", jianfu.KindAccount},
		{"https://space.bilibili.com/12345678/dynamic", "bilibili", "12345678", "", jianfu.KindAccount},
		{"https://www.xiaohongshu.com/user/profile/5f1a2b3c4d5e6f7a8b9c0d1e", "xiaohongshu", "5f1a2b3c4d5e6f7a8b9c0d1e", "", jianfu.KindAccount},
		{"https://apps.apple.com/cn/app/%E6%B5%99%E9%87%8C%E5%8A%9E/id1229451488", "ios", "1229451488", "", jianfu.KindApp},
		{"https://app.mi.com/details?id=com.hanweb.android.zhejiang.activity", "android", "com.hanweb.android.zhejiang.activity", "", jianfu.KindApp},
		{"wx1234567890abcdef", "wechat_mini", "wx1234567890abcdef", "", jianfu.KindApp},
		{"#小程序://江南办事/Xy12abCD", "wechat_mini", "", "江南办事", jianfu.KindApp},
		{"alipays://platformapi/startapp?appId=2021001123456789", "alipay_mini", "2021001123456789", "", jianfu.KindApp},
		{"hap://app/cn.gov.jiangnan.service/index", "quick_app", "cn.gov.jiangnan.service", "", jianfu.KindApp},
		{"https://qr.dingtalk.com/action/joingroup?code=v1,k1,abc&_dt_no_comment=1", "dingtalk", "v1,k1,abc", "", jianfu.KindGroup},
	}
	for _, tt := range tests {
		got, ok := r.Recognize(tt.in)
		if !ok {
			t.Errorf("%q not recognised", tt.in)
			continue
		}
		if got.Platform != tt.platform || got.ID != tt.id || got.Handle != tt.handle || got.Kind != tt.kind {
			t.Errorf("%q: got %s id=%q handle=%q kind=%s, want %s id=%q handle=%q", tt.in, got.Platform, got.ID, got.Handle, got.Kind, tt.platform, tt.id, tt.handle)
		}
	}
	got, _ := r.Recognize("https://mp.weixin.qq.com/s?__biz=MzA5&utm_source=x&mid=1#rd")
	if strings.Contains(got.URL, "utm_") || strings.Contains(got.URL, "#") {
		t.Errorf("tracking parameters kept: %s", got.URL)
	}
	for _, in := range []string{"", "江南发布", "https://example.com/u/1", "https://mp.weixin.qq.com/s/abcdef", "javascript:alert(1)", "ftp://weibo.com/u/123456", "http://", strings.Repeat("a", MaxInput+1)} {
		if got, ok := r.Recognize(in); ok {
			t.Errorf("%q recognised as %+v", in, got)
		}
	}
}

func TestCompileReportsEveryBadRule(t *testing.T) {
	_, err := Compile([]*jianfu.URLRule{
		{Kind: jianfu.KindAccount, Platform: "weibo", Host: "weibo.com", Path: "(unclosed"},
		{Kind: jianfu.KindGroup, Platform: "weibo", Host: "a.*.com"},
		{Kind: "robot", Platform: "x", Host: ""},
	})
	je, ok := err.(*jianfu.Error)
	if !ok || len(je.Problems) < 4 {
		t.Fatalf("want problems for every bad field, got %v", err)
	}
	rows := map[int]bool{}
	for _, p := range je.Problems {
		rows[p.Row] = true
		if p.Message == "" || p.English == "" {
			t.Errorf("problem without both languages: %+v", p)
		}
	}
	if !rows[1] || !rows[2] || !rows[3] {
		t.Errorf("problems name rows %v, want 1, 2 and 3", rows)
	}
}

// FuzzRecognize feeds arbitrary input to the recogniser: it must not panic,
// and what it recognises must be valid: a known platform of the kind, and
// identifiers that are valid UTF-8 taken from the input.
func FuzzRecognize(f *testing.F) {
	seeds, _ := filepath.Glob("testdata/links*.txt")
	for _, p := range seeds {
		b, _ := os.ReadFile(p)
		for _, line := range strings.Split(string(b), "\n") {
			f.Add(line)
		}
	}
	r := recognizer(f)
	f.Fuzz(func(t *testing.T, in string) {
		got, ok := r.Recognize(in)
		if !ok {
			return
		}
		if !jianfu.ValidPlatform(got.Kind, got.Platform) {
			t.Fatalf("%q: platform %q is not of kind %s", in, got.Platform, got.Kind)
		}
		if !utf8.ValidString(got.ID) || !utf8.ValidString(got.Handle) || len(got.ID) > MaxInput {
			t.Fatalf("%q: bad identifier %q / %q", in, got.ID, got.Handle)
		}
	})
}
