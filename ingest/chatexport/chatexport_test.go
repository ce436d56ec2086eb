package chatexport

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"jianfu"
	"jianfu/tabular"
)

func parseFile(t *testing.T, name string) *Result {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	r, err := Parse(bytes.NewReader(b), name)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return r
}

func cst(y, mo, d, h, mi, s int) time.Time {
	return time.Date(y, time.Month(mo), d, h, mi, s, 0, jianfu.China)
}

func TestShapes(t *testing.T) {
	tests := []struct {
		file     string
		format   Format
		encoding string
		n        int
		first    jianfu.Message
	}{
		{"wechat.txt", WeChatText, "UTF-8", 5, jianfu.Message{Time: cst(2026, 3, 2, 21, 30, 12), Sender: "周明远", Text: "@所有人 请各学校今晚10点前接龙报送走访照片\n联系人王老师13812345678"}},
		{"namefirst.txt", WeChatText, "UTF-8", 2, jianfu.Message{Time: cst(2026, 3, 2, 21, 30, 12), Sender: "周明远", Text: "今晚10点前每人接龙报送"}},
		{"messages.csv", CSV, "UTF-8", 3, jianfu.Message{Time: cst(2026, 3, 2, 21, 30, 12), Sender: "周明远", Text: "@所有人 请各学校今晚10点前接龙报送走访照片,联系人13812345678"}},
		{"english.csv", CSV, "UTF-8", 2, jianfu.Message{ID: "m-1", Time: time.Unix(1772458212, 0), Sender: "zhou", Text: "今晚10点前每人接龙报送"}},
		{"gbk.csv", CSV, "GB18030", 1, jianfu.Message{Time: cst(2026, 3, 2, 21, 30, 12), Sender: "周明远", Text: "今晚10点前每人接龙报送"}},
		{"gbk.txt", WeChatText, "GB18030", 1, jianfu.Message{Time: cst(2026, 3, 2, 21, 30, 12), Sender: "周明远", Text: "今晚10点前每人接龙报送"}},
		{"messages.json", JSON, "UTF-8", 3, jianfu.Message{Time: cst(2026, 3, 2, 21, 30, 12), Sender: "周明远", Text: "@所有人 请各学校今晚10点前接龙报送走访照片"}},
		{"group.json", JSON, "UTF-8", 1, jianfu.Message{Time: cst(2026, 3, 2, 21, 30, 12), Sender: "周明远", Text: "收到请回复"}},
		{"messages.jsonl", JSONLines, "UTF-8", 2, jianfu.Message{Time: cst(2026, 3, 2, 21, 30, 12), Sender: "周明远", Text: "今晚必须打卡"}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			r := parseFile(t, tt.file)
			if r.Format != tt.format || r.Encoding != tt.encoding {
				t.Errorf("read as %s/%s, want %s/%s", r.Format, r.Encoding, tt.format, tt.encoding)
			}
			if len(r.Messages) != tt.n {
				t.Fatalf("%d messages, want %d: %+v", len(r.Messages), tt.n, r.Messages)
			}
			m := r.Messages[0]
			if !m.Time.Equal(tt.first.Time) || m.Sender != tt.first.Sender || m.Text != tt.first.Text {
				t.Errorf("first message %+v\nwant %+v", m, tt.first)
			}
			if tt.first.ID != "" && m.ID != tt.first.ID {
				t.Errorf("id %q, want the file's %q", m.ID, tt.first.ID)
			}
			for _, m := range r.Messages {
				if m.ID == "" || m.Source != jianfu.SourceExport {
					t.Errorf("message without id or source: %+v", m)
				}
			}
			if zh, en := r.Format.Describe(); zh == "" || en == "" {
				t.Error("no description")
			}
		})
	}
}

func TestWeChatDetails(t *testing.T) {
	r := parseFile(t, "wechat.txt")
	if !r.Messages[0].MentionAll || r.Messages[1].MentionAll {
		t.Error("@所有人 not marked")
	}
	// Two identical "1" messages at the same second are two messages.
	a, b := r.Messages[3], r.Messages[4]
	if a.Text != "1" || b.Text != "1" || a.ID == b.ID {
		t.Errorf("identical messages share an id: %+v %+v", a, b)
	}
	// Reading the file again gives the same ids: a re-import is idempotent.
	again := parseFile(t, "wechat.txt")
	for i := range r.Messages {
		if r.Messages[i].ID != again.Messages[i].ID {
			t.Fatalf("ids differ between two reads of the same file")
		}
	}
	n := parseFile(t, "namefirst.txt")
	if n.Messages[1].Sender != "李老师(12345)" || !n.Messages[1].Time.Equal(cst(2026, 3, 2, 21, 31, 0)) {
		t.Errorf("name-first header with 下午: %+v", n.Messages[1])
	}
	g := parseFile(t, "group.json")
	if strings.Join(g.Members, ",") != "周明远,李老师,张老师" {
		t.Errorf("members %v", g.Members)
	}
}

func TestXLSX(t *testing.T) {
	var buf bytes.Buffer
	w, err := tabular.NewWriter(&buf, tabular.XLSX, []string{"发送时间", "昵称", "消息内容"})
	if err != nil {
		t.Fatal(err)
	}
	w.Write([]string{"2026-03-02 21:30:12", "周明远", "今晚10点前每人接龙报送"})
	w.Write([]string{"2026-03-02 21:31:00", "李老师", "收到"})
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	r, err := Parse(bytes.NewReader(buf.Bytes()), "导出.xlsx")
	if err != nil {
		t.Fatal(err)
	}
	if r.Format != XLSX || len(r.Messages) != 2 || r.Messages[0].Sender != "周明远" {
		t.Errorf("xlsx: %+v", r)
	}
}

func TestRefusals(t *testing.T) {
	tests := []struct{ name, data, want string }{
		{"badtime.csv", "", "第2行"},
		{"empty.txt", "  \n ", "空的"},
		{"prose.txt", "第一行\n第二行\n第三行\n第四行\n第五行\n第六行\n第七行", "未找到消息头"},
		{"broken.json", "[{\"time\": \"2026-03-02 21:30:12\",\n \"text\": }]", "第2行 JSON 格式错误"},
		{"notime.json", `[{"sender":"a","text":"b"}]`, "第1项的时间"},
		{"latin1.txt", "\xff\xfe\x00\x00\x81", "UTF-8"},
	}
	for _, tt := range tests {
		data := []byte(tt.data)
		if tt.data == "" && strings.HasSuffix(tt.name, ".csv") {
			data, _ = os.ReadFile(filepath.Join("testdata", tt.name))
		}
		_, err := Parse(bytes.NewReader(data), tt.name)
		if err == nil {
			t.Errorf("%s: accepted", tt.name)
			continue
		}
		if jianfu.ErrorCode(err) != jianfu.EINVALID {
			t.Errorf("%s: code %s", tt.name, jianfu.ErrorCode(err))
		}
		msg := jianfu.ErrorMessage(err, "zh")
		if je, ok := err.(*jianfu.Error); ok {
			for _, p := range je.Problems {
				msg += " 第" + strconv.Itoa(p.Row) + "行 " + p.Message
			}
		}
		if !strings.Contains(msg, tt.want) {
			t.Errorf("%s: %q does not say %q", tt.name, msg, tt.want)
		}
	}
}

// FuzzParse feeds any bytes to the export reader: it must not panic, and
// what it accepts must be messages a pipeline can take — a time, a text, an id.
func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob("testdata/*")
	for _, p := range files {
		b, _ := os.ReadFile(p)
		f.Add(b, filepath.Base(p))
	}
	f.Add([]byte("2026-03-02 21:30:12 a\nb\n2026-02-30 10:00 c\nd"), "x.txt")
	f.Add([]byte(`{"messages": [{"time": 1772458212000, "text": "x"}], "members": [1, {"id": 2}]}`), "x.json")
	f.Fuzz(func(t *testing.T, data []byte, name string) {
		r, err := Parse(bytes.NewReader(data), name)
		if err != nil {
			if jianfu.ErrorCode(err) != jianfu.EINVALID {
				t.Fatalf("error that is not EINVALID: %v", err)
			}
			return
		}
		if len(r.Messages) == 0 {
			t.Fatal("accepted with no messages")
		}
		for _, m := range r.Messages {
			if m.Time.IsZero() || strings.TrimSpace(m.Text) == "" || m.ID == "" {
				t.Fatalf("bad message %+v", m)
			}
		}
	})
}
