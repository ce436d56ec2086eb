package importer

import (
	"bytes"
	"strings"
	"testing"

	"jianfu"
	"jianfu/tabular"
)

func readChannelsCSV(t *testing.T, csv string) ([]*jianfu.ChannelImport, []jianfu.Problem) {
	t.Helper()
	r, err := tabular.NewReader(strings.NewReader(csv), "channels.csv", ChannelColumns)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	return ReadChannels(r)
}

func TestReadChannels(t *testing.T) {
	rows, probs := readChannelsCSV(t, "类型,账号名称,主办单位名称,所在平台,群人数,是否临时群,解散日期,状态,备案编号,备案时间\n"+
		"公众号,江南教育,江州市江南区教育局,公众号,,,,运行中,390102B201900007,2019年5月1日\n"+
		"群,防汛群,１１３９０１０２ＭＢ１２３４５６７Ｘ,钉钉,36人,是,2026/9/30,,,\n")
	if len(probs) != 0 {
		t.Fatalf("problems: %+v", probs)
	}
	a, g := rows[0], rows[1]
	if a.Channel.Kind != jianfu.KindAccount || a.Channel.Platform != "wechat_oa" || a.Channel.Status != jianfu.StatusActive || a.Channel.FilingNumber != "390102B201900007" ||
		a.Channel.FiledAt == nil || a.Channel.FiledAt.Year() != 2019 {
		t.Errorf("account row: %+v", a.Channel)
	}
	if g.Channel.Kind != jianfu.KindGroup || g.Channel.Platform != "dingtalk" || g.Channel.MemberCount != 36 || !g.Channel.Temporary || g.Channel.EndDate != "2026-09-30" ||
		g.UnitRef == "" {
		t.Errorf("group row: %+v %q", g.Channel, g.UnitRef)
	}
	if g.Row != 3 {
		t.Errorf("row number %d, want 3 as Excel shows it", g.Row)
	}

	_, probs = readChannelsCSV(t, "渠道类型,名称,主办单位,平台,备案号,状态,上线日期\n"+
		"政务应用程序,江南办事,江南区政务服务中心,微博,,,\n"+ // a platform of another kind
		"政务公众账号,江南教育,江南区教育局,微博,390102A202600001,运行中,\n"+ // the app letter on an account
		"政务公众账号,江南发布,江南区政府办,微博,,运行中,\n"+ // filed without a number
		"工作群组,防汛群,江南区应急局,钉钉群,,已提交,\n"+ // submitted cannot be imported
		"政务应用程序,江南随手拍,望江街道,微信小程序,,,明年\n") // a bad date
	rows2 := map[int]string{}
	for _, p := range probs {
		rows2[p.Row] += p.Message + ";"
	}
	for row, want := range map[int]string{2: "不适用于政务应用程序", 3: "类型字母", 4: "须填写备案号", 5: "只能为草稿", 6: "无法识别"} {
		if !strings.Contains(rows2[row], want) {
			t.Errorf("row %d: %q, want it to mention %q", row, rows2[row], want)
		}
	}
}

// FuzzReadChannels reads arbitrary bytes as a channel table: it must not
// panic, every problem must name its row in both languages, and every row
// that passes must validate as a channel.
func FuzzReadChannels(f *testing.F) {
	f.Add([]byte("渠道类型,名称,主办单位,平台\n政务公众账号,江南教育,江州市江南区教育局,微信公众号\n"))
	f.Add([]byte("kind,name,unit,platform,temporary,end_date,status,filing_number\ngroup,防汛群,11390102MB1234567X,dingtalk,是,2026-09-30,active,390102C202600001\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := tabular.NewReader(bytes.NewReader(data), "fuzz.csv", ChannelColumns)
		if err != nil {
			return
		}
		defer r.Close()
		rows, probs := ReadChannels(r)
		checkProblems(t, probs, r.HeaderRow())
		for _, row := range rows {
			c := row.Channel
			c.UnitID = 1
			if err := c.Validate(); err != nil {
				t.Fatalf("row %d passed but does not validate: %v", row.Row, err)
			}
			if c.Status.Filed() {
				if _, ok := jianfu.ParseFilingNumber(c.FilingNumber); !ok {
					t.Fatalf("row %d is filed without a valid filing number %q", row.Row, c.FilingNumber)
				}
			}
			if row.UnitRef == "" {
				t.Fatalf("row %d has no unit", row.Row)
			}
		}
	})
}
