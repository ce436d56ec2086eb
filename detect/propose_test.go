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

// Complaints and hotline work orders tell a demand rather than make it: the
// proposals come from those narrative findings too, while a complaint about
// a practice that was stopped or a rule that forbids it proposes nothing.
func TestProposeNarrative(t *testing.T) {
	d, err := New()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		text string
		want []string
	}{
		{"社区每天要求我们在群里接龙报平安", []string{"chain"}},
		{"来电人反映,街道每周都要社区报送创文工作台账,格式一变就得重新做。", []string{"material"}},
		{"我们单位每人被摊派了20份问卷,要找身边人填,完不成扣绩效。", []string{"task"}},
		{"难道不回复收到就是不重视工作?", []string{"chain"}},
		{"我们社区从今年起取消了每日打卡,大家都轻松了不少。", nil},
		{"县委明确,不得要求基层干部在工作群里接龙报平安。", nil},
	} {
		got := d.Propose(tc.text)
		if strings.Join(got, ",") != strings.Join(tc.want, ",") {
			t.Errorf("%s: proposes %v, want %v", tc.text, got, tc.want)
		}
	}
}
