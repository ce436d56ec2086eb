package importer

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/text/encoding/simplifiedchinese"

	"jianfu"
	"jianfu/detect"
	"jianfu/secret"
	"jianfu/store"
	"jianfu/store/storetest"
	"jianfu/tabular"
)

const hotlineHeader = "工单编号,受理时间,诉求内容,涉及渠道,联系人,联系电话,所属区域\n"

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestImportComplaintsIsIdempotent imports a 12345 export twice and then
// an overlapping later export: only new records are added, each once.
func TestImportComplaintsIsIdempotent(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		storetest.Load(t, db)
		ctx := storetest.System()
		first := hotlineHeader +
			"12345-20260302-0001,2026-03-02 09:12,望江中学教师工作群每晚十点要求接龙回复收到,望江中学教师工作群,,,江南区\n" +
			"12345-20260302-0002,2026/3/2 10:40,社区要求居民每天在小程序打卡签到否则取消补贴,,,,390103\n" +
			"12345-20260303-0007,2026年3月3日 14:05,街道要求网格员每天上传轨迹截图证明走访,,,,江州市江南区\n"
		p := writeFile(t, "12345.csv", first)
		det, err := detect.New()
		if err != nil {
			t.Fatal(err)
		}
		res, err := ImportComplaints(ctx, db.Intake(), p, ComplaintOptions{Propose: det.Propose}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if res.Records != 3 || res.Skipped != 0 {
			t.Errorf("first import: %d added, %d skipped", res.Records, res.Skipped)
		}
		res, err = ImportComplaints(ctx, db.Intake(), p, ComplaintOptions{}, nil)
		if err != nil || res.Records != 0 || res.Skipped != 3 {
			t.Errorf("same file again: %+v %v", res, err)
		}
		later := hotlineHeader + strings.SplitN(first, "\n", 3)[2] + // rows 2–3 again
			"12345-20260305-0011,2026-03-05 08:30,教育局公众号要求全体教师每天转发文章并截图,,,,390102\n"
		// Saved by Chinese Excel: GB18030.
		enc, _ := simplifiedchinese.GB18030.NewEncoder().String(later)
		res, err = ImportComplaints(ctx, db.Intake(), writeFile(t, "12345-later.csv", enc), ComplaintOptions{}, nil)
		if err != nil || res.Records != 1 || res.Skipped != 2 {
			t.Errorf("overlapping export: %+v %v", res, err)
		}
		list, total, err := db.Cases().FindCases(ctx, jianfu.CaseFilter{Source: jianfu.SourceHotline, Page: jianfu.Page{Sort: "number"}})
		if err != nil || total != 4 {
			t.Fatalf("hotline cases: %d %v", total, err)
		}
		c := list[0]
		if c.SourceRef != "12345-20260302-0001" || c.RegionPath != "390102" || c.ChannelText != "望江中学教师工作群" || c.CreatedAt.In(jianfu.China).Format("2006-01-02 15:04") != "2026-03-02 09:12" {
			t.Errorf("first record as stored: ref %s region %s channel %s at %v", c.SourceRef, c.RegionPath, c.ChannelText, c.CreatedAt)
		}
		if !c.Anonymous || c.Category != "chain" {
			t.Errorf("anonymous %v category %s", c.Anonymous, c.Category)
		}
	})
}

// TestImportComplaintsContactsAndBadRows: contacts need a reporter key
// (or an explicit choice to drop them), and a file with bad rows imports
// nothing, naming each row and column.
func TestImportComplaintsContactsAndBadRows(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		storetest.Load(t, db)
		ctx := storetest.System()
		named := hotlineHeader + "H-1,2026-03-02 09:00,群里要求每天早上八点前定位打卡,,王晓明,139 1234 5678,江南区\n"
		p := writeFile(t, "named.csv", named)
		if _, err := ImportComplaints(ctx, db.Intake(), p, ComplaintOptions{}, nil); err == nil || !strings.Contains(jianfu.ErrorMessage(err, "zh"), "密钥") {
			t.Errorf("contacts without a key: %v", err)
		}
		res, err := ImportComplaints(ctx, db.Intake(), p, ComplaintOptions{WithoutContacts: true}, nil)
		if err != nil || res.Records != 1 {
			t.Fatalf("without contacts: %+v %v", res, err)
		}
		s, _ := secret.ParseSealerKey(secret.NewSealerKey())
		db.SetReporterKey(s)
		res, err = ImportComplaints(ctx, db.Intake(), writeFile(t, "named2.csv", strings.Replace(named, "H-1", "H-2", 1)), ComplaintOptions{}, nil)
		if err != nil || res.Records != 1 {
			t.Fatalf("with a key: %+v %v", res, err)
		}
		list, _, _ := db.Cases().FindCases(ctx, jianfu.CaseFilter{Query: "定位打卡", Page: jianfu.Page{Sort: "number"}})
		if len(list) != 2 || list[0].HasIdentity || !list[1].HasIdentity {
			t.Errorf("identities: %+v", list)
		}

		bad := hotlineHeader +
			",2026-03-02 09:00,缺少编号的一条诉求内容,,,,江南区\n" +
			"B-2,昨天下午,时间写成了文字的诉求内容,,,,江南区\n" +
			"B-3,2026-03-02 09:00,短,,,,江南区\n" +
			"B-4,2026-03-02 09:00,地区写错了的一条诉求内容,,,,火星区\n" +
			"B-5,2026-03-02 09:00,这一行本身没有问题的诉求内容,,,,江南区\n" +
			"B-5,2026-03-02 09:00,编号与上一行重复的诉求内容,,,,江南区\n"
		_, err = ImportComplaints(ctx, db.Intake(), writeFile(t, "bad.csv", bad), ComplaintOptions{}, nil)
		je, ok := err.(*jianfu.Error)
		if !ok {
			t.Fatalf("bad file: %v", err)
		}
		rows := map[int]string{}
		for _, p := range je.Problems {
			rows[p.Row] += p.Field + ":" + p.Message + ";"
		}
		for row, want := range map[int]string{2: "工单编号", 3: "受理时间", 4: "诉求内容", 5: "火星区", 7: "重复"} {
			if !strings.Contains(rows[row], want) {
				t.Errorf("row %d: %q, want mention of %s", row, rows[row], want)
			}
		}
		if _, total, _ := db.Cases().FindCases(ctx, jianfu.CaseFilter{Query: "B-5"}); total != 0 {
			t.Error("a file with bad rows imported some")
		}
	})
}

// FuzzComplaints reads arbitrary hotline files: no panic, every problem
// names a row or a column, and every complaint read is valid.
func FuzzComplaints(f *testing.F) {
	f.Add([]byte(hotlineHeader + "1,2026-03-02 09:00,群里要求每天打卡签到并截图,群,张三,13800138000,江南区\n"))
	f.Add([]byte("工单编号,受理时间,诉求内容\n1,45000.5,内容内容内容内容内容\n"))
	f.Add([]byte("id,time,content,region\nA,2026/3/2,\"multi\nline content here\",390102001\n"))
	f.Add([]byte("\xef\xbb\xbf工单编号,受理时间,诉求内容,问题类型\nX,20260302090000,点赞转发要求点赞转发要求,点赞转发\n"))
	f.Add([]byte("工单编号,受理时间,诉求内容\n,,\n"))
	regions := []*jianfu.Region{{Code: "390102", Path: "390102", Name: "江南区", ParentPath: "3901"}, {Code: "390100", Path: "3901", Name: "江州市", ParentPath: "39"}}
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := tabular.NewReader(bytes.NewReader(data), "hotline.csv", ComplaintColumns)
		if err != nil {
			if jianfu.ErrorCode(err) != jianfu.EINVALID {
				t.Fatalf("open error %v is not EINVALID", err)
			}
			return
		}
		defer r.Close()
		list, rows, probs := Complaints(r, regions, ComplaintOptions{Region: "390102"})
		for _, p := range probs {
			if p.Message == "" || p.Row == 0 && p.Field == "" && !strings.Contains(p.Message, "表头") && !strings.Contains(p.Message, "行") {
				t.Fatalf("problem without place or message: %+v", p)
			}
		}
		if len(list) != len(rows) {
			t.Fatalf("%d complaints, %d row numbers", len(list), len(rows))
		}
		for _, c := range list {
			if err := c.Validate(); err != nil || c.SourceRef == "" || c.ReceivedAt.IsZero() {
				t.Fatalf("invalid complaint returned: %+v %v", c, err)
			}
		}
	})
}

// TestImportComplaintsProposesFromNarratives: a 12345 work order tells a
// demand ("社区每天要求我们…") rather than making it; the detector's
// narrative findings propose the case's categories.
func TestImportComplaintsProposesFromNarratives(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		storetest.Load(t, db)
		ctx := storetest.System()
		rows := hotlineHeader +
			"N-1,2026-03-02 09:12,来电人反映社区每天要求我们在群里接龙报平安,,,,江南区\n" +
			"N-2,2026-03-02 10:40,来电人称街道办天天要社区重新报送同一份台账材料,,,,江南区\n" +
			"N-3,2026-03-02 11:05,来电人反映镇里给每个村下了任务医保缴费率必须达到95%不达标的村书记要被约谈,,,,江南区\n"
		det, err := detect.New()
		if err != nil {
			t.Fatal(err)
		}
		res, err := ImportComplaints(ctx, db.Intake(), writeFile(t, "narrative.csv", rows), ComplaintOptions{Propose: det.Propose}, nil)
		if err != nil || res.Records != 3 {
			t.Fatalf("import: %+v %v", res, err)
		}
		list, _, err := db.Cases().FindCases(ctx, jianfu.CaseFilter{Source: jianfu.SourceHotline, Page: jianfu.Page{Sort: "number"}})
		if err != nil || len(list) != 3 {
			t.Fatalf("hotline cases: %d %v", len(list), err)
		}
		for i, want := range []string{"chain", "material", "task"} {
			if c := list[i]; c.Category != want || len(c.Proposed) == 0 || c.Proposed[0] != want {
				t.Errorf("%s: category %s, proposed %v, want %s", c.SourceRef, c.Category, c.Proposed, want)
			}
		}
	})
}
