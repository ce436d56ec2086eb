package store_test

import (
	"context"
	"strings"
	"sync"
	"testing"

	"jianfu"
	"jianfu/secret"
	"jianfu/store"
	"jianfu/store/storetest"
)

// personalForms are the ways a complainant writes their phone, ID number
// and name that must never reach the unit complained about.
var personalForms = []string{"139-1234-5678", "139.1234.5678", "13912345678", "１３９１２３４５６７８", "110101 19900307 1233", "11010119900307", "王晓明", "王 晓 明", "wxm_2026", "wxm@example"}

// heardEvents records the security events the store reports.
type heardEvents struct {
	mu sync.Mutex
	e  []*jianfu.AuditEntry
}

func (h *heardEvents) SecurityEvent(_ context.Context, e *jianfu.AuditEntry) {
	h.mu.Lock()
	h.e = append(h.e, e)
	h.mu.Unlock()
}

func (h *heardEvents) actions() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []string
	for _, e := range h.e {
		out = append(out, e.Action)
	}
	return out
}

// TestComplaintWordsHidePersonalData: every free field of a complaint —
// description, address, the channel as typed — reaches the case without
// the reporter's phone in any written form, ID number, name or handles;
// the unit it is transferred to never reads them; the keeper's reveal
// shows the original words; an anonymous complaint's originals are not kept.
func TestComplaintWordsHidePersonalData(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newCaseWorld(t, db)
		heard := &heardEvents{}
		db.SetSecurityNotifier(heard)
		db.SetReporterKey(must(secret.ParseSealerKey(secret.NewSealerKey())))
		desc := "望江中学教师工作群每晚要求接龙打卡。我是王晓明(王 晓 明),电话139-1234-5678,也可打139.1234.5678或１３９１２３４５６７８,身份证110101 19900307 1233,微信wxm_2026,邮箱WXM@example.cn。"
		for _, src := range []jianfu.CaseSource{jianfu.SourceComplaint, jianfu.SourceStaff, jianfu.SourceOpen311} {
			rec := must(db.Intake().SubmitComplaint(anonymous(), &jianfu.Complaint{Source: src, RegionCode: "390102", Description: desc,
				Address: "江南区幸福路8号,联系人王晓明 139 1234 5678", ChannelText: "王晓明所在的望江中学教师工作群(群主电话13912345678)",
				Identity: &jianfu.ReporterIdentity{Name: "王晓明", Phone: "13912345678", Email: "wxm@example.cn", Other: "微信:wxm_2026"}}))
			c := findByNumber(t, w, "southSup", rec.Number)
			sup := w.as(t, "southSup")
			must(db.Cases().TriageCase(sup, c.ID, jianfu.Triage{Decision: "accept", Categories: []string{"chain"}, ChannelID: w.ch["schoolGroup"].ID}))
			must(db.Cases().TransferCase(sup, c.ID, jianfu.Transfer{Note: "请核实"}))
			seen := must(db.Cases().FindCaseByID(w.as(t, "eduAdmin"), c.ID))
			for _, text := range []string{seen.Description, seen.Address, seen.ChannelText} {
				for _, f := range personalForms {
					if strings.Contains(strings.ToLower(text), strings.ToLower(f)) {
						t.Errorf("%s: the unit reads %q in %q", src, f, text)
					}
				}
			}
			if !strings.Contains(seen.Description, "接龙打卡") || !strings.Contains(seen.Description, "[电话]") || !strings.Contains(seen.Address, "幸福路8号") {
				t.Errorf("%s: the complaint lost its substance: %q / %q", src, seen.Description, seen.Address)
			}
		}
		// The keeper reads the original words with the identity.
		keeper := &jianfu.User{Username: "south.keeper", Name: "江南区举报受理专员", UnitID: w.f.Units["south"].ID, Roles: []jianfu.Role{jianfu.RoleReporterAccess}}
		must0(t, db.Users().CreateUser(storetest.System(), keeper, storetest.FixturePassword))
		kctx := actorCtx(t, db, keeper.Username)
		list := privList(db.Cases().FindCases(w.as(t, "southSup"), jianfu.CaseFilter{}))
		var named *jianfu.Case
		for _, c := range list {
			if c.HasIdentity {
				named = c
				break
			}
		}
		id := must(db.Cases().RevealReporter(kctx, named.ID, "反映人要求当面反馈办理结果"))
		if id.Original == nil || id.Original.Description != desc || !strings.Contains(id.Original.Address, "139 1234 5678") || !strings.Contains(id.Original.Channel, "王晓明") {
			t.Errorf("the reveal's original words: %+v", id.Original)
		}

		// An anonymous complaint: masked as well, and its original words are not kept.
		anon := must(db.Intake().SubmitComplaint(anonymous(), &jianfu.Complaint{Source: jianfu.SourceComplaint, RegionCode: "390102",
			Description: "群主每天要求截图打卡,有事请打１３９ １２３４ ５６７８联系我", Address: "身份证110101199003071233"}))
		ac := findByNumber(t, w, "southSup", anon.Number)
		if ac.HasIdentity || strings.Contains(ac.Description, "５６７８") || strings.Contains(ac.Address, "1990") {
			t.Errorf("anonymous complaint: identity %v, %q / %q", ac.HasIdentity, ac.Description, ac.Address)
		}
		if _, err := db.Cases().RevealReporter(kctx, ac.ID, "反映人要求当面反馈办理结果"); code(err) != jianfu.ENOTFOUND {
			t.Errorf("revealing an anonymous complaint: %v", err)
		}
		dump := dumpDatabase(t, db)
		for _, f := range []string{"13912345678", "139-1234-5678", "１３９１２３４５６７８", "19900307", "王晓明", "wxm_2026"} {
			if strings.Contains(dump, f) {
				t.Errorf("the database holds %q in clear text", f)
			}
		}

		// Refused reveals are audited where the region's auditor reads them,
		// and every reveal and refusal reaches the security-event hook.
		for _, try := range []struct {
			user, reason string
			want         string
		}{
			{"southSup", "反映人要求当面反馈办理结果", jianfu.EFORBIDDEN},
			{keeper.Username, "\u200b\u200b\u200b\u200b\u200b\u200b\u200b\u200b\u200b\u200b\u200b\u200b", jianfu.EINVALID},
			{keeper.Username, "..........。。。。。。。。", jianfu.EINVALID},
		} {
			ctx := w.as(t, "southSup")
			if try.user == keeper.Username {
				ctx = kctx
			}
			if _, err := db.Cases().RevealReporter(ctx, named.ID, try.reason); code(err) != try.want {
				t.Errorf("%s reveals with %q: %v, want %s", try.user, try.reason, err, try.want)
			}
		}
		refused, n := must3(t)(db.Audit().FindAuditEntries(w.as(t, "cityAuditor"), jianfu.AuditFilter{Action: jianfu.ActionRevealRefused}))
		if n != 4 || refused[1].ActorName != "south.keeper" || refused[2].ActorName != "south.sup" || !strings.HasPrefix(refused[2].RegionPath, "390102") || !strings.Contains(refused[0].Detail, "有效文字") {
			t.Errorf("refused reveals the auditor sees: %d, %+v", n, refused)
		}
		if _, n := must3(t)(db.Audit().FindAuditEntries(w.as(t, "cityAuditor"), jianfu.AuditFilter{Action: jianfu.ActionReveal})); n != 1 {
			t.Errorf("the auditor sees %d reveals, want 1", n)
		}
		if got := strings.Join(heard.actions(), ","); got != "reporter.reveal,reporter.refused,reporter.refused,reporter.refused,reporter.refused" {
			t.Errorf("security events heard: %s", got)
		}
	})
}

func privList[T any](v T, _ int, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// TestReporterHandlesHideOnlyWholeWords: the reporter's handle is hidden
// where it stands alone, not inside other words.
func TestReporterHandlesHideOnlyWholeWords(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newCaseWorld(t, db)
		db.SetReporterKey(must(secret.ParseSealerKey(secret.NewSealerKey())))
		rec := must(db.Intake().SubmitComplaint(anonymous(), &jianfu.Complaint{Source: jianfu.SourceComplaint, RegionCode: "390102",
			Description: "群里要求每天打卡,我的微信WXM、邮箱前缀wxm都可联系;打卡软件叫wxmapp。", Identity: &jianfu.ReporterIdentity{Name: "王晓明", Email: "wxm@example.cn"}}))
		c := findByNumber(t, w, "southSup", rec.Number)
		if c.Description != "群里要求每天打卡,我的微信[已隐去]、邮箱前缀[已隐去]都可联系;打卡软件叫wxmapp。" {
			t.Errorf("description %q", c.Description)
		}
	})
}

// TestReopenRequestHidesPersonalData: the reporter's words asking to
// reopen reach the case's timeline as the complaint's do.
func TestReopenRequestHidesPersonalData(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newCaseWorld(t, db)
		rec := must(db.Intake().SubmitComplaint(anonymous(), &jianfu.Complaint{Source: jianfu.SourceComplaint, RegionCode: "390102", Description: "某工作群要求周末也要秒回消息"}))
		c := findByNumber(t, w, "southSup", rec.Number)
		must(db.Cases().TriageCase(w.as(t, "southSup"), c.ID, jianfu.Triage{Decision: "reject", Reason: "反映内容不属于本平台受理范围"}))
		if err := db.Intake().RequestReopen(anonymous(), rec.TrackingCode, "问题仍然存在,可打１３９ １２３４ ５６７８或身份证110101 19900307 1233核实"); err != nil {
			t.Fatal(err)
		}
		events := must(db.Cases().CaseEvents(w.as(t, "southSup"), c.ID))
		all := ""
		for _, e := range events {
			all += e.Note + "|" + e.PublicNote + "|"
		}
		if strings.Contains(all, "５６７８") || strings.Contains(all, "19900307") || !strings.Contains(all, "[电话]") || !strings.Contains(all, "问题仍然存在") {
			t.Errorf("the reopen request in the timeline: %s", all)
		}
	})
}
