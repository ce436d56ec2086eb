package store_test

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"strings"
	"sync"
	"testing"
	"time"

	"jianfu"
	"jianfu/secret"
	"jianfu/store"
	"jianfu/store/storetest"
)

// caseWorld is a fixture with registered channels and an injectable clock.
type caseWorld struct {
	db  *store.DB
	f   *storetest.Fixture
	now time.Time
	mu  sync.Mutex
	ch  map[string]*jianfu.Channel
}

var cst = time.FixedZone("CST", 8*3600)

// newCaseWorld loads the fixture, registers three active channels and
// starts the clock at a Monday morning, 2026-03-02 09:00 China time.
func newCaseWorld(t *testing.T, db *store.DB) *caseWorld {
	t.Helper()
	w := &caseWorld{db: db, f: storetest.Load(t, db), now: time.Date(2026, 3, 2, 9, 0, 0, 0, cst), ch: map[string]*jianfu.Channel{}}
	db.Now = w.clock
	for key, c := range map[string]*jianfu.Channel{
		"schoolGroup": {Kind: jianfu.KindGroup, Name: "望江中学教师工作群", UnitID: w.f.Units["southSchool"].ID, Platform: "wechat", Owner: "李建国", Status: jianfu.StatusActive},
		"eduAccount":  {Kind: jianfu.KindAccount, Name: "江南教育发布", UnitID: w.f.Units["southEdu"].ID, Platform: "wechat_oa", ResponsiblePerson: "赵敏", Status: jianfu.StatusActive},
		"northApp":    {Kind: jianfu.KindApp, Name: "江北智慧教育", UnitID: w.f.Units["northEdu"].ID, Platform: "android", Status: jianfu.StatusActive},
	} {
		if err := db.Channels().CreateChannel(storetest.System(), c); err != nil {
			t.Fatalf("channel %s: %v", key, err)
		}
		w.ch[key] = c
	}
	return w
}

func (w *caseWorld) clock() time.Time {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.now
}

func (w *caseWorld) set(t time.Time) {
	w.mu.Lock()
	w.now = t
	w.mu.Unlock()
}

func (w *caseWorld) as(t *testing.T, key string) context.Context { return w.f.Ctx(t, w.db, key) }

// anonymous is a context with no actor, as a citizen's request has.
func anonymous() context.Context { return jianfu.WithClientIP(context.Background(), "203.0.113.9") }

func tinyPNG(t testing.TB) []byte {
	img := image.NewRGBA(image.Rect(0, 0, 4, 4))
	img.Set(1, 1, color.RGBA{200, 30, 30, 255})
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// must returns v, or panics with err (failing the test with its stack).
func must[T any](v T, err error) T {
	if err != nil {
		panic(fmt.Sprintf("unexpected error: %v", err))
	}
	return v
}

func findByNumber(t *testing.T, w *caseWorld, user, number string) *jianfu.Case {
	t.Helper()
	list, _, err := w.db.Cases().FindCases(w.as(t, user), jianfu.CaseFilter{Query: number})
	if err != nil || len(list) != 1 {
		t.Fatalf("%s finds %s: %d cases, %v", user, number, len(list), err)
	}
	return list[0]
}

// TestComplaintToClosedCase walks a citizen's anonymous complaint through
// every stage: the detector proposes categories and the channel it names,
// the county office transfers it to the channel's owner, the unit answers
// and rectifies with a photo, the office verifies and closes it, and the
// reporter's tracking page shows each public step.
func TestComplaintToClosedCase(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newCaseWorld(t, db)
		rec := must(db.Intake().SubmitComplaint(anonymous(), &jianfu.Complaint{
			Source: jianfu.SourceComplaint, RegionCode: "390102",
			Description: "望江中学教师工作群每天晚上十点要求老师接龙打卡,收到请回复1,不回复的第二天通报批评。",
			// The caller's detector proposes; an unknown code is dropped.
			Proposed: []string{"chain", "nonsense", "checkin", "chain"},
		}))
		if !strings.HasPrefix(rec.Number, "JF2026-") || len(rec.TrackingCode) != 14 {
			t.Fatalf("receipt %+v", rec)
		}
		// Triage is due three working days after Monday: end of Thursday.
		if want := time.Date(2026, 3, 6, 0, 0, 0, 0, cst); !rec.TriageDue.Equal(want) {
			t.Errorf("triage due %v, want %v", rec.TriageDue.In(cst), want)
		}
		c := findByNumber(t, w, "southSup", rec.Number)
		if c.ProposedChannelID != w.ch["schoolGroup"].ID {
			t.Errorf("proposed channel %d (%s), want the school's group", c.ProposedChannelID, c.ProposedChannelName)
		}
		if strings.Join(c.Proposed, ",") != "chain,checkin" || c.Category != "chain" {
			t.Errorf("proposed %v, category %s: want chain,checkin and the first as the category", c.Proposed, c.Category)
		}
		if !c.Anonymous || c.HasIdentity || c.Stage != jianfu.StageTriage {
			t.Errorf("anonymous %v identity %v stage %s", c.Anonymous, c.HasIdentity, c.Stage)
		}
		// Out of the north's sight, and the unit sees nothing before transfer.
		if _, err := db.Cases().FindCaseByID(w.as(t, "northSup"), c.ID); code(err) != jianfu.ENOTFOUND {
			t.Errorf("north supervisor reads a south case: %v", err)
		}
		if _, err := db.Cases().FindCaseByID(w.as(t, "eduAdmin"), c.ID); code(err) != jianfu.ENOTFOUND {
			t.Errorf("the unit reads a case not transferred to it: %v", err)
		}
		if _, err := db.Cases().FindCaseByID(w.as(t, "schoolStaff"), c.ID); code(err) != jianfu.EFORBIDDEN {
			t.Errorf("staff reads cases: %v", err)
		}

		sup := w.as(t, "southSup")
		must(db.Cases().TriageCase(sup, c.ID, jianfu.Triage{Decision: "accept", Categories: []string{"chain", "instant"}}))
		w.set(w.now.Add(2 * time.Hour))
		c = must(db.Cases().TransferCase(sup, c.ID, jianfu.Transfer{Note: "请核实并整改"}))
		if c.UnitID != w.f.Units["southSchool"].ID || c.Status != jianfu.CaseTransferred || c.Stage != jianfu.StageAnswer {
			t.Fatalf("after transfer: unit %d status %s stage %s", c.UnitID, c.Status, c.Stage)
		}
		if want := time.Date(2026, 3, 10, 0, 0, 0, 0, cst); !c.DueAt.Equal(want) {
			t.Errorf("answer due %v, want end of Monday 9 March %v", c.DueAt.In(cst), want)
		}
		// The unit administrator above the school answers; staff cannot.
		if _, err := db.Cases().AnswerCase(w.as(t, "schoolStaff"), c.ID, jianfu.CaseAnswer{Finding: jianfu.FindingSubstantiated, Text: "情况属实,已批评群主。"}); code(err) != jianfu.EFORBIDDEN {
			t.Errorf("staff answers: %v", err)
		}
		edu := w.as(t, "eduAdmin")
		c = must(db.Cases().AnswerCase(edu, c.ID, jianfu.CaseAnswer{Finding: jianfu.FindingSubstantiated, Text: "经核实情况属实,已责令群主停止夜间接龙打卡。"}))
		if c.Stage != jianfu.StageRectify {
			t.Errorf("a substantiated answer starts rectification, stage %s", c.Stage)
		}
		// Closing as fixed needs a verified rectification.
		if _, err := db.Cases().CloseCase(sup, c.ID, jianfu.Closing{Outcome: jianfu.OutcomeFixed, Note: "已整改"}); code(err) != jianfu.ECONFLICT {
			t.Errorf("closing as fixed before verification: %v", err)
		}
		c = must(db.Cases().RectifyCase(edu, c.ID, jianfu.CaseRectification{Text: "已在群内公告取消接龙打卡,改为工作时间内按需通知。", Attachments: []*jianfu.Attachment{{AttachmentInfo: jianfu.AttachmentInfo{Name: "公告截图.png"}, Data: tinyPNG(t)}}}))
		if c.Status != jianfu.CaseRectified {
			t.Fatalf("status %s", c.Status)
		}
		c = must(db.Cases().VerifyCase(sup, c.ID, jianfu.Verification{Passed: false, Note: "群内仍有接龙"}))
		if c.Status != jianfu.CaseAnswered || c.Stage != jianfu.StageRectify {
			t.Errorf("failed verification: status %s stage %s", c.Status, c.Stage)
		}
		must(db.Cases().RectifyCase(edu, c.ID, jianfu.CaseRectification{Text: "已解散原群,新建工作群并明确不得接龙。"}))
		must(db.Cases().VerifyCase(sup, c.ID, jianfu.Verification{Passed: true, Note: "抽查群消息,已无接龙"}))
		c = must(db.Cases().CloseCase(sup, c.ID, jianfu.Closing{Outcome: jianfu.OutcomeFixed, Note: "整改到位"}))
		if c.Status != jianfu.CaseClosed || c.Outcome != jianfu.OutcomeFixed || c.DueAt != nil || c.ClosedAt == nil {
			t.Errorf("closed: %+v", c)
		}
		full := must(db.Cases().FindCaseByID(sup, c.ID))
		if len(full.Attachments) != 1 || full.Attachments[0].Kind != "evidence" || full.Attachments[0].MIME != "image/png" {
			t.Errorf("attachments %+v", full.Attachments)
		}

		p := must(db.Intake().TrackCase(anonymous(), strings.ToLower(strings.ReplaceAll(rec.TrackingCode, "-", " "))))
		var steps []string
		for _, e := range p.Events {
			steps = append(steps, e.Text)
		}
		all := strings.Join(steps, "\n")
		for _, want := range []string{"已收到您的反映", "已受理", "已移送江州市江南区望江中学办理", "答复(核实结果:属实)", "整改未通过核查", "已办结,结果:已整改到位"} {
			if !strings.Contains(all, want) {
				t.Errorf("tracking page lacks %q:\n%s", want, all)
			}
		}
		if strings.Contains(all, "群内仍有接龙") == false || strings.Contains(all, "请核实并整改") {
			t.Errorf("public progress shows an internal note or misses the verification outcome:\n%s", all)
		}
		if !p.CanReopen || p.Open {
			t.Errorf("closed case: can reopen %v open %v", p.CanReopen, p.Open)
		}
		if err := db.Intake().RequestReopen(anonymous(), rec.TrackingCode, "问题又出现了"); err != nil {
			t.Fatal(err)
		}
		c = findByNumber(t, w, "southSup", rec.Number)
		if c.Status != jianfu.CaseAccepted || c.ReopenCount != 1 || c.Outcome != "" {
			t.Errorf("reopened: status %s count %d outcome %s", c.Status, c.ReopenCount, c.Outcome)
		}
		if _, err := db.Intake().TrackCase(anonymous(), "AAAA-BBBB-CCCC"); code(err) != jianfu.ENOTFOUND {
			t.Errorf("wrong tracking code: %v", err)
		}
	})
}

// TestRerouteKeepsReasonForBothUnits: a case sent to the wrong unit is
// re-routed with a reason; the old unit still reads it (and why) but can
// no longer act, the new unit acts on it.
func TestRerouteKeepsReasonForBothUnits(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newCaseWorld(t, db)
		sup := w.as(t, "southSup")
		c, _ := must2(t)(db.Intake().CreateClue(sup, &jianfu.Clue{Source: jianfu.SourceMonitoring, SourceRef: "finding-1", RegionCode: "390102", Description: "监测发现工作群要求每日截图上传学习强国积分"}))
		if again, created, err := db.Intake().CreateClue(sup, &jianfu.Clue{Source: jianfu.SourceMonitoring, SourceRef: "finding-1", RegionCode: "390102", Description: "监测发现工作群要求每日截图上传学习强国积分"}); err != nil || created || again.ID != c.ID {
			t.Errorf("the same finding twice: created %v id %d (want %d) %v", created, again.ID, c.ID, err)
		}
		// No channel is known: the supervisor picks the unit.
		if _, err := db.Cases().TransferCase(sup, c.ID, jianfu.Transfer{}); code(err) != jianfu.EINVALID {
			t.Errorf("transfer without channel or unit: %v", err)
		}
		// A unit outside the county is refused.
		if _, err := db.Cases().TransferCase(sup, c.ID, jianfu.Transfer{UnitID: w.f.Units["northEdu"].ID}); code(err) != jianfu.EINVALID {
			t.Errorf("transfer to another county's unit: %v", err)
		}
		must(db.Cases().TransferCase(sup, c.ID, jianfu.Transfer{UnitID: w.f.Units["southSchool"].ID}))
		if _, err := db.Cases().TransferCase(sup, c.ID, jianfu.Transfer{UnitID: w.f.Units["southEdu"].ID}); code(err) != jianfu.EINVALID {
			t.Errorf("re-routing without a reason: %v", err)
		}
		c = must(db.Cases().TransferCase(sup, c.ID, jianfu.Transfer{UnitID: w.f.Units["south"].ID, Reason: "该群由区网信办自建,非学校管理"}))
		if c.UnitID != w.f.Units["south"].ID {
			t.Fatalf("re-routed to %d", c.UnitID)
		}
		old := must(db.Cases().FindCaseByID(w.as(t, "eduAdmin"), c.ID))
		if !old.Former {
			t.Error("the former unit is not told the case left it")
		}
		events := must(db.Cases().CaseEvents(w.as(t, "eduAdmin"), c.ID))
		last := events[len(events)-1]
		if last.Action != "rerouted" || !strings.Contains(last.Note, "非学校管理") || last.FromUnit != "江州市江南区望江中学" || !strings.Contains(last.UnitName, "网络安全和信息化委员会办公室") {
			t.Errorf("re-route event as the old unit sees it: %+v", last)
		}
		if _, err := db.Cases().AnswerCase(w.as(t, "eduAdmin"), c.ID, jianfu.CaseAnswer{Finding: jianfu.FindingSubstantiated, Text: "我们来答复这个问题吧。"}); code(err) != jianfu.EFORBIDDEN {
			t.Errorf("the former unit answers: %v", err)
		}
		// Not fixed is an honest ending, available without a rectification.
		c = must(db.Cases().CloseCase(sup, c.ID, jianfu.Closing{Outcome: jianfu.OutcomeNotFixed, Note: "责任单位逾期未整改,如实办结并提出问责建议"}))
		if c.Outcome != jianfu.OutcomeNotFixed {
			t.Errorf("outcome %s", c.Outcome)
		}
	})
}

func must2(t *testing.T) func(*jianfu.Case, bool, error) (*jianfu.Case, bool) {
	return func(c *jianfu.Case, b bool, err error) (*jianfu.Case, bool) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return c, b
	}
}

func must0(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// TestReporterIdentityIsSealed proves what the issue asks: a dump of
// every table holds no reporter identity in clear text, and revealing it
// needs the reporter_access permission, a reason, and leaves an audit entry.
func TestReporterIdentityIsSealed(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newCaseWorld(t, db)
		// Without a key, named complaints are refused and anonymous ones taken.
		named := &jianfu.Complaint{Source: jianfu.SourceComplaint, RegionCode: "390102", Description: "江南教育发布要求每个老师每天转发三篇文章并截图。我是王晓明,电话13912345678,也可打139-1234-5678,身份证110101 19900307 1233。",
			Identity: &jianfu.ReporterIdentity{Name: "王晓明", Phone: "13912345678", Email: "wxm@example.cn"}}
		if _, err := db.Intake().SubmitComplaint(anonymous(), named); code(err) != jianfu.EINVALID || !strings.Contains(jianfu.ErrorMessage(err, "zh"), "匿名") {
			t.Errorf("named complaint without a key: %v", err)
		}
		named.Identity = &jianfu.ReporterIdentity{Name: "王晓明", Phone: "13912345678", Email: "wxm@example.cn"}
		key := secret.NewSealerKey()
		sealer := must(secret.ParseSealerKey(key))
		db.SetReporterKey(sealer)
		rec := must(db.Intake().SubmitComplaint(anonymous(), named))
		c := findByNumber(t, w, "southSup", rec.Number)
		if c.Anonymous || !c.HasIdentity {
			t.Fatalf("anonymous %v has identity %v", c.Anonymous, c.HasIdentity)
		}
		if strings.Contains(c.Description, "王晓明") || strings.Contains(c.Description, "13912345678") || !strings.Contains(c.Description, "[已隐去]") {
			t.Errorf("the reporter's own name stays in the description: %q", c.Description)
		}
		if strings.Contains(c.Description, "1234-5678") || strings.Contains(c.Description, "19900307") || !strings.Contains(c.Description, "[电话]") || !strings.Contains(c.Description, "[身份证号]") {
			t.Errorf("another form of the reporter's phone, or their ID number, stays in the description: %q", c.Description)
		}

		dump := dumpDatabase(t, db)
		for _, secretText := range []string{"王晓明", "13912345678", "wxm@example.cn", key} {
			if strings.Contains(dump, secretText) {
				t.Errorf("database dump contains %q in clear text", secretText)
			}
		}

		// Who may reveal: only reporter_access, in scope, with a reason.
		for _, u := range []string{"southSup", "provSup", "eduAdmin", "cityAuditor", "provAdmin"} {
			if _, err := db.Cases().RevealReporter(w.as(t, u), c.ID, "核实举报情况需要当面回访"); code(err) != jianfu.EFORBIDDEN {
				t.Errorf("%s reveals: %v", u, err)
			}
		}
		keeper := &jianfu.User{Username: "south.keeper", Name: "江南区举报受理专员", UnitID: w.f.Units["south"].ID, Roles: []jianfu.Role{jianfu.RoleReporterAccess}}
		must0(t, db.Users().CreateUser(storetest.System(), keeper, storetest.FixturePassword))
		northKeeper := &jianfu.User{Username: "north.keeper", Name: "江北区举报受理专员", UnitID: w.f.Units["north"].ID, Roles: []jianfu.Role{jianfu.RoleReporterAccess}}
		must0(t, db.Users().CreateUser(storetest.System(), northKeeper, storetest.FixturePassword))
		kctx := actorCtx(t, db, keeper.Username)
		if _, err := db.Cases().RevealReporter(actorCtx(t, db, northKeeper.Username), c.ID, "核实举报情况需要当面回访"); code(err) != jianfu.ENOTFOUND {
			t.Errorf("another county's keeper reveals: %v", err)
		}
		if _, err := db.Cases().RevealReporter(kctx, c.ID, "看看"); code(err) != jianfu.EINVALID {
			t.Errorf("reveal without a real reason: %v", err)
		}
		before := auditCount(t, db, "reporter.reveal")
		id := must(db.Cases().RevealReporter(kctx, c.ID, "举报人要求当面反馈办理结果"))
		if id.Name != "王晓明" || id.Phone != "13912345678" || id.Email != "wxm@example.cn" {
			t.Errorf("revealed %+v", id)
		}
		entries, _ := must3(t)(db.Audit().FindAuditEntries(storetest.System(), jianfu.AuditFilter{Action: "reporter.reveal"}))
		if len(entries) != before+1 || entries[0].ActorName != "south.keeper" || !strings.Contains(entries[0].Detail, "当面反馈") || strings.Contains(entries[0].Detail, "王晓明") {
			t.Errorf("reveal audit: %d entries (before %d), latest %+v", len(entries), before, entries[0])
		}
		// Anonymous cases have nothing to reveal.
		anon := must(db.Intake().SubmitComplaint(anonymous(), &jianfu.Complaint{Source: jianfu.SourceComplaint, RegionCode: "390102", Description: "某工作群要求周末也要秒回消息"}))
		if _, err := db.Cases().RevealReporter(kctx, findByNumber(t, w, "southSup", anon.Number).ID, "核实举报情况需要当面回访"); code(err) != jianfu.ENOTFOUND {
			t.Errorf("revealing an anonymous reporter: %v", err)
		}
		// Another key cannot open it, and says so.
		db.SetReporterKey(must(secret.ParseSealerKey(secret.NewSealerKey())))
		if _, err := db.Cases().RevealReporter(kctx, c.ID, "举报人要求当面反馈办理结果"); code(err) != jianfu.EINVALID {
			t.Errorf("reveal with the wrong key: %v", err)
		}
		// No audit entry names the reporter, and the submission was not
		// recorded with an address.
		all, _ := must3(t)(db.Audit().FindAuditEntries(storetest.System(), jianfu.AuditFilter{Action: "case.submit"}))
		for _, e := range all {
			if e.ActorName != "reporter" || e.IP != "" {
				t.Errorf("submission audited as %q from %q", e.ActorName, e.IP)
			}
		}
	})
}

func must3(t *testing.T) func([]*jianfu.AuditEntry, int, error) ([]*jianfu.AuditEntry, int) {
	return func(e []*jianfu.AuditEntry, n int, err error) ([]*jianfu.AuditEntry, int) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return e, n
	}
}

func auditCount(t *testing.T, db *store.DB, action string) int {
	_, n := must3(t)(db.Audit().FindAuditEntries(storetest.System(), jianfu.AuditFilter{Action: action}))
	return n
}

// actorCtx acts as a user by logging in through a token.
func actorCtx(t *testing.T, db *store.DB, username string) context.Context {
	t.Helper()
	tok := must(db.Users().CreateToken(storetest.System(), username, "test"))
	a := must(db.Users().TokenActor(context.Background(), tok))
	return jianfu.WithActor(context.Background(), a)
}

// dumpDatabase renders every row of every table as text, the way a
// database dump would carry it (binary columns both raw and as hex).
func dumpDatabase(t *testing.T, db *store.DB) string {
	t.Helper()
	q := `SELECT name FROM sqlite_master WHERE type = 'table'`
	if db.Engine() == store.Postgres {
		q = `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()`
	}
	rows, err := db.SQL().Query(q)
	if err != nil {
		t.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var n string
		rows.Scan(&n)
		tables = append(tables, n)
	}
	rows.Close()
	var b strings.Builder
	for _, table := range tables {
		rows, err := db.SQL().Query(`SELECT * FROM ` + table)
		if err != nil {
			t.Fatalf("dump %s: %v", table, err)
		}
		cols, _ := rows.Columns()
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		for rows.Next() {
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			for _, v := range vals {
				if bs, ok := v.([]byte); ok {
					fmt.Fprintf(&b, "%s|%x|", bs, bs)
				} else {
					fmt.Fprintf(&b, "%v|", v)
				}
			}
			b.WriteByte('\n')
		}
		rows.Close()
	}
	if !strings.Contains(b.String(), "JF2026-") {
		t.Fatal("the dump does not even hold the cases")
	}
	return b.String()
}

// TestTriageMergeAndReject: duplicates are merged (the reporter is told
// which case carries on) and a rejection must say why.
func TestTriageMergeAndReject(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newCaseWorld(t, db)
		sup := w.as(t, "southSup")
		first := must(db.Intake().SubmitComplaint(anonymous(), &jianfu.Complaint{Source: jianfu.SourceComplaint, ChannelID: w.ch["schoolGroup"].ID, Description: "工作群晚上十一点还要求接龙"}))
		second := must(db.Intake().SubmitComplaint(anonymous(), &jianfu.Complaint{Source: jianfu.SourceComplaint, ChannelID: w.ch["schoolGroup"].ID, Description: "深夜群里要求老师逐个回复收到"}))
		third := must(db.Intake().SubmitComplaint(anonymous(), &jianfu.Complaint{Source: jianfu.SourceComplaint, RegionCode: "390102", Description: "我觉得单位食堂饭菜不好吃"}))
		c2 := findByNumber(t, w, "southSup", second.Number)
		if c2.ChannelID != w.ch["schoolGroup"].ID || c2.RegionPath != "390102001" {
			t.Errorf("a picked channel sets channel and region: %d %s", c2.ChannelID, c2.RegionPath)
		}
		must(db.Cases().TriageCase(sup, c2.ID, jianfu.Triage{Decision: "merge", MergeInto: first.Number}))
		p := must(db.Intake().TrackCase(anonymous(), second.TrackingCode))
		if p.MergedInto != first.Number || !strings.Contains(p.StatusNote, first.Number) {
			t.Errorf("merged case tracking: %+v", p)
		}
		c3 := findByNumber(t, w, "southSup", third.Number)
		if _, err := db.Cases().TriageCase(sup, c3.ID, jianfu.Triage{Decision: "reject"}); code(err) != jianfu.EINVALID {
			t.Errorf("reject without reason: %v", err)
		}
		must(db.Cases().TriageCase(sup, c3.ID, jianfu.Triage{Decision: "reject", Reason: "不属于“指尖上的形式主义”问题,请向单位后勤部门反映"}))
		p = must(db.Intake().TrackCase(anonymous(), third.TrackingCode))
		if p.Status != jianfu.CaseRejected || !strings.Contains(p.StatusNote, "后勤部门") {
			t.Errorf("rejected tracking: %+v", p)
		}
		// A case acted on by someone else meanwhile answers a conflict.
		if _, err := db.Cases().TriageCase(sup, c3.ID, jianfu.Triage{Decision: "accept"}); code(err) != jianfu.ECONFLICT {
			t.Errorf("triaging a rejected case: %v", err)
		}
		// Open311/public listing shows public-intake cases with their status.
		pubs := must(db.Intake().PublicCases(context.Background(), jianfu.PublicCaseFilter{}))
		if len(pubs) != 3 {
			t.Errorf("public cases: %d", len(pubs))
		}
	})
}
