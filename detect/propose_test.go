package detect

import (
	"strings"
	"testing"
)

func TestPropose(t *testing.T) {
	d, err := New()
	if err != nil {
		t.Fatal(err)
	}
	got := d.Propose("望江中学教师群每晚十点要求接龙打卡,收到请回复1", "", "要求每天转发公众号文章并截图上传")
	joined := strings.Join(got, ",")
	for _, want := range []string{"chain", "engagement", "trace"} {
		if !strings.Contains(joined, want) {
			t.Errorf("proposals %v lack %s", got, want)
		}
	}
	seen := map[string]bool{}
	for _, c := range got {
		if seen[c] {
			t.Errorf("%s proposed twice: %v", c, got)
		}
		seen[c] = true
	}
	if got := d.Propose("今天下午三点开会,请准时参加。"); len(got) != 0 {
		t.Errorf("an ordinary notice proposes %v", got)
	}
	if got := (*Detector)(nil).Propose("接龙"); got == nil || len(got) != 0 {
		t.Errorf("a nil detector proposes %v", got)
	}
}
