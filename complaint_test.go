package jianfu_test

import (
	"strings"
	"testing"
	"time"

	"jianfu"
)

// TestComplaintCaseCategory checks the category a complaint's case
// starts with: the reporter's choice wins, except "other" when the
// detector found something more precise.
func TestComplaintCaseCategory(t *testing.T) {
	for _, tt := range []struct {
		chosen   string
		proposed []string
		want     string
	}{
		{"", nil, "other"},
		{"", []string{"chain", "instant"}, "chain"},
		{"other", nil, "other"},
		{"other", []string{"trace"}, "trace"},
		{"task", []string{"chain"}, "task"},
	} {
		c := &jianfu.Complaint{Category: tt.chosen, Proposed: tt.proposed}
		if got := c.CaseCategory(); got != tt.want {
			t.Errorf("chosen %q, proposed %v: %q, want %q", tt.chosen, tt.proposed, got, tt.want)
		}
	}
}

// TestComplaintReceived checks that a hotline record keeps the time the
// hotline took it, unless that lies in the future.
func TestComplaintReceived(t *testing.T) {
	now := friday
	for _, tt := range []struct {
		at, want time.Time
	}{
		{time.Time{}, now},
		{now.Add(-48 * time.Hour), now.Add(-48 * time.Hour)},
		{now.Add(time.Hour), now},
	} {
		c := &jianfu.Complaint{ReceivedAt: tt.at}
		if got := c.Received(now); !got.Equal(tt.want) {
			t.Errorf("received at %v: %v, want %v", tt.at, got, tt.want)
		}
	}
}

// TestComplaintSubmitted checks the first line of a complaint's
// timeline and what the reporter reads: the number and the triage
// deadline.
func TestComplaintSubmitted(t *testing.T) {
	c := caseIn(jianfu.CaseNew)
	e := c.Submitted("江南区教师工作群", "reporter")
	if e.Action != "created" || e.ActorName != "reporter" || e.ToStatus != jianfu.CaseNew || !e.Public ||
		e.Note != "收到群众投诉(接龙回复),涉及渠道疑为“江南区教师工作群”(待确认)" ||
		e.PublicNote != "已收到您的反映,编号JF2025-000007。最迟于2025年9月29日完成受理" {
		t.Errorf("event %+v", e)
	}
	if e := c.Submitted("", "reporter"); strings.Contains(e.Note, "涉及渠道") {
		t.Errorf("no channel: %q", e.Note)
	}
}

// TestSubmitter checks who the timeline and the audit log say filed a
// complaint: a machine's account, never a person's.
func TestSubmitter(t *testing.T) {
	app := &jianfu.Actor{UserID: 3, Username: "app-12345"}
	for _, tt := range []struct {
		source jianfu.CaseSource
		actor  *jianfu.Actor
		want   string
	}{
		{jianfu.SourceOpen311, app, "app-12345"},
		{jianfu.SourceHotline, app, "app-12345"},
		{jianfu.SourceComplaint, app, "reporter"},
		{jianfu.SourceStaff, &jianfu.Actor{UserID: 4, Username: "li.ming"}, "reporter"},
		{jianfu.SourceOpen311, nil, "reporter"},
	} {
		if got := tt.source.Submitter(tt.actor); got != tt.want {
			t.Errorf("%s: %q, want %q", tt.source, got, tt.want)
		}
	}
}

// TestClueValidate checks a clue the administration registers.
func TestClueValidate(t *testing.T) {
	desc := "江南区教师工作群每晚要求接龙回复收到"
	for _, tt := range []struct {
		name   string
		clue   jianfu.Clue
		fields string // the fields with problems
	}{
		{"a manual clue by default", jianfu.Clue{Description: "  " + desc + " ", RegionCode: "390102"}, ""},
		{"a spot check on a channel", jianfu.Clue{Source: jianfu.SourceSpotCheck, Description: desc, ChannelID: 4}, ""},
		{"a complaint is not a clue", jianfu.Clue{Source: jianfu.SourceComplaint, Description: desc, RegionCode: "390102"}, "source"},
		{"too short, unknown category, nowhere", jianfu.Clue{Description: "接龙", Category: "bogus"}, "description,category,region_code"},
	} {
		cl := tt.clue
		err := cl.Validate()
		var fields []string
		if e, ok := err.(*jianfu.Error); ok {
			for _, p := range e.Problems {
				fields = append(fields, p.Field)
			}
		}
		if strings.Join(fields, ",") != tt.fields {
			t.Errorf("%s: %v", tt.name, err)
		}
		if err == nil && (cl.Source == "" || cl.Description != desc || cl.Proposed == nil) {
			t.Errorf("%s: not tidied: %+v", tt.name, cl)
		}
	}
}

// TestClueCaseCategory checks the category a clue's case starts with.
func TestClueCaseCategory(t *testing.T) {
	for _, tt := range []struct {
		cl   jianfu.Clue
		want string
	}{
		{jianfu.Clue{}, "other"},
		{jianfu.Clue{Proposed: []string{"material"}}, "material"},
		{jianfu.Clue{Category: "other", Proposed: []string{"material"}}, "other"},
		{jianfu.Clue{Category: "promote"}, "promote"},
	} {
		if got := tt.cl.CaseCategory(); got != tt.want {
			t.Errorf("%+v: %q, want %q", tt.cl, got, tt.want)
		}
	}
	if e := (&jianfu.Clue{Source: jianfu.SourceSpotCheck}).Registered(); e.Note != "登记线索(抽查评估)" || e.Public {
		t.Errorf("registered %+v", e)
	}
}

// TestRevealReason checks the reason the audit log records for revealing
// a reporter: ten meaningful characters, whatever padding surrounds them.
func TestRevealReason(t *testing.T) {
	for _, tt := range []struct {
		in, want string // want "" when refused
		n        int    // meaningful characters
	}{
		{" 核实反映人身份以便回访 ", "核实反映人身份以便回访", 11},
		{"举报人要求当面反馈结果", "举报人要求当面反馈结果", 11},
		{"核实举报情况需要", "", 8},
		{"回访", "", 2},
		{"..........", "", 0},
		{"。。。。。。。。。。。。", "", 0},
		{"!!!!!!!!!!??????????", "", 0},
		{"\u200b\u200b\u200b\u200b\u200b\u200b\u200b\u200b\u200b\u200b\u200b\u200b", "", 0},
		{"\u3000\u3000\u3000 \t\n\u00a0\u00a0\u00a0\u00a0\u00a0", "", 0},
		{"查\u200b查\u200b查\u200b查\u200b查\u200b查\u200b查\u200b查\u200b查\u200b查\u200b查", "", 1},
		{"啊啊啊啊啊啊啊啊啊啊啊啊啊", "", 1},
		{"a.b.c.d.e.f.g.h.i", "", 9},
		{"核\u200b实\u200b反映人身份以便回访", "核实反映人身份以便回访", 11},
		{"Verify identity ok", "Verify identity ok", 16},
		{"\u202e核实反映人身份以便回访\u202c", "核实反映人身份以便回访", 11},
		{strings.Repeat("核实", 251), "", 502},
		{strings.Repeat("核实身份", 126), "", 504},
	} {
		if n := jianfu.MeaningfulLength(tt.in); n != tt.n {
			t.Errorf("MeaningfulLength(%q) = %d, want %d", tt.in, n, tt.n)
		}
		got, err := jianfu.RevealReason(tt.in)
		if tt.want == "" {
			if err == nil || !strings.Contains(jianfu.ErrorMessage(err, "zh"), "至少10个有效文字") {
				t.Errorf("RevealReason(%q) = %q, %v; want refused", tt.in, got, err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("RevealReason(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

// TestCheckAttachments checks that images are kept by their content, with
// a short name, and that a file that is no image is named in the problem.
func TestCheckAttachments(t *testing.T) {
	long := strings.Repeat("照", 120) + ".png"
	atts := []*jianfu.Attachment{{AttachmentInfo: jianfu.AttachmentInfo{Name: long}, Data: pngBytes(t)}, {Data: pngBytes(t)}}
	if err := jianfu.CheckAttachments(atts); err != nil {
		t.Fatal(err)
	}
	if a := atts[0]; a.MIME != jianfu.MIMEPNG || a.Size != len(a.Data) || len(a.SHA256) != 64 || len([]rune(a.Name)) != 100 || atts[1].Name != "image" {
		t.Errorf("kept %+v, %+v", a.AttachmentInfo, atts[1].AttachmentInfo)
	}
	err := jianfu.CheckAttachments([]*jianfu.Attachment{{AttachmentInfo: jianfu.AttachmentInfo{Name: "证据.pdf"}, Data: []byte("%PDF-1.4")}})
	if e, ok := err.(*jianfu.Error); !ok || len(e.Problems) != 1 || !strings.HasPrefix(e.Problems[0].Message, "证据.pdf:") {
		t.Errorf("a PDF: %v", err)
	}
}
