package deliver

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"jianfu"
	"jianfu/calendar"
	"jianfu/store"
	"jianfu/store/storetest"
)

var cst = jianfu.China

// recorder is a channel that keeps what it was given; fail, when set,
// decides each send's outcome.
type recorder struct {
	mu   sync.Mutex
	msgs []Message
	fail func(Message) error
}

func (r *recorder) Send(_ context.Context, m Message) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.fail != nil {
		if err := r.fail(m); err != nil {
			return err
		}
	}
	r.msgs = append(r.msgs, m)
	return nil
}

func (r *recorder) got() []Message {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Message(nil), r.msgs...)
}

// world is a fixture store with a settable clock, recording channels and
// a sender over them.
type world struct {
	db     *store.DB
	f      *storetest.Fixture
	mu     sync.Mutex
	now    time.Time
	email  *recorder
	feishu *recorder
	sender *Sender
}

func newWorld(t *testing.T, db *store.DB, now time.Time) *world {
	w := &world{db: db, f: storetest.Load(t, db), now: now, email: &recorder{}, feishu: &recorder{}}
	db.Now = w.clock
	cal, err := calendar.New(calendar.WithWorkingHours("08:30-12:00", "14:00-18:00"))
	if err != nil {
		t.Fatal(err)
	}
	w.sender = &Sender{Store: db.Deliveries(), Calendar: cal, DigestAt: 17 * 60, Now: w.clock, Workers: 2, Log: slog.New(slog.DiscardHandler),
		Channels: map[jianfu.DeliveryChannel]Channel{jianfu.ChannelEmail: w.email, jianfu.ChannelFeishu: w.feishu}}
	return w
}

func (w *world) clock() time.Time {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.now
}

func (w *world) set(t time.Time) {
	w.mu.Lock()
	w.now = t
	w.mu.Unlock()
}

func (w *world) as(t *testing.T, key string) context.Context { return w.f.Ctx(t, w.db, key) }

func (w *world) run(t *testing.T) Result {
	t.Helper()
	r, err := w.sender.Run(context.Background())
	if err != nil {
		t.Fatalf("sender run: %v", err)
	}
	return r
}

// transfer opens a clue in 江南区 and transfers it to 江南区教育局, whose
// administrator (eduAdmin) is told.
func (w *world) transfer(t *testing.T, what string) *jianfu.Case {
	t.Helper()
	sup := w.as(t, "southSup")
	c, _, err := w.db.Intake().CreateClue(sup, &jianfu.Clue{Category: "chain", RegionCode: "390102", Description: what})
	if err != nil {
		t.Fatal(err)
	}
	if c, err = w.db.Cases().TransferCase(sup, c.ID, jianfu.Transfer{UnitID: w.f.Units["southEdu"].ID, Note: "请核实"}); err != nil {
		t.Fatal(err)
	}
	return c
}

func (w *world) channels(t *testing.T, key string, chs ...jianfu.UserChannel) {
	t.Helper()
	if err := w.db.Deliveries().SetUserChannels(w.as(t, key), chs); err != nil {
		t.Fatal(err)
	}
}

func (w *world) rows(t *testing.T, key string) []*jianfu.OutboxMessage {
	t.Helper()
	items, _, err := w.db.Deliveries().FindDeliveries(w.as(t, key), jianfu.DeliveryFilter{})
	if err != nil {
		t.Fatal(err)
	}
	return items
}

// TestDeliveryEndToEnd: 江南区教育局's administrator chose e-mail and 飞书;
// a transfer to the unit puts one outbox row per channel in the
// transaction of the transfer; the sender sends each once with its key and
// the in-app wording; a second run sends nothing; the administrator's
// notification shows both channels sent; the provincial system
// administrator sees the rows, another unit's administrator does not.
func TestDeliveryEndToEnd(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db, time.Date(2026, 3, 2, 9, 0, 0, 0, cst)) // a Monday morning
		w.channels(t, "eduAdmin", jianfu.UserChannel{Channel: jianfu.ChannelEmail, Address: "zhao.min@jiangnan.gov.cn"},
			jianfu.UserChannel{Channel: jianfu.ChannelFeishu, Address: "zhaomin"})

		// A bad address is refused with a Chinese message and nothing changes.
		err := db.Deliveries().SetUserChannels(w.as(t, "eduAdmin"), []jianfu.UserChannel{{Channel: jianfu.ChannelSMS, Address: "12345"}})
		if jianfu.ErrorCode(err) != jianfu.EINVALID || !strings.Contains(jianfu.ErrorMessage(err, "zh"), "手机号码") {
			t.Errorf("a bad mobile: %v", err)
		}
		if chs, _ := db.Deliveries().UserChannels(w.as(t, "eduAdmin")); len(chs) != 2 || chs[0].Channel != jianfu.ChannelEmail {
			t.Errorf("channels after a refused change: %+v", chs)
		}
		// The change is audited by channel names, without the addresses.
		entries, _, err := db.Audit().FindAuditEntries(storetest.System(), jianfu.AuditFilter{Action: "user.channels"})
		if err != nil || len(entries) != 1 || entries[0].Detail != "通知方式:电子邮件、飞书" || entries[0].ActorName != "south.edu" {
			t.Errorf("audit of the change: %v %+v", err, entries)
		}

		c := w.transfer(t, "教育局工作群每天要求教师接龙报平安")
		rows := w.rows(t, "eduAdmin")
		if len(rows) != 2 || rows[0].Status != jianfu.DeliveryPending {
			t.Fatalf("outbox after the transfer: %+v", rows)
		}
		if r := w.run(t); r.Sent != 2 {
			t.Fatalf("first run: %+v", r)
		}
		mails, chats := w.email.got(), w.feishu.got()
		if len(mails) != 1 || len(chats) != 1 {
			t.Fatalf("sent %d mails and %d 飞书 messages", len(mails), len(chats))
		}
		title := "线索" + c.Number + "已移送本单位办理"
		if m := mails[0]; m.To != "zhao.min@jiangnan.gov.cn" || m.Subject != "【减负】"+title || !strings.HasPrefix(m.Body, "线索移送:"+title) ||
			!strings.Contains(m.Body, "说明:请核实") || !strings.HasPrefix(m.Key, "jf-n") || !strings.HasSuffix(m.Key, "-email") {
			t.Errorf("the mail: %+v", m)
		}
		if r := w.run(t); r.Sent != 0 || len(w.email.got()) != 1 {
			t.Errorf("second run sent again: %+v", r)
		}

		notes, _, _, err := db.Notifications().FindNotifications(w.as(t, "eduAdmin"), jianfu.NotificationFilter{})
		if err != nil || len(notes) != 1 {
			t.Fatal(err, len(notes))
		}
		st, err := db.Deliveries().DeliveryStatuses(w.as(t, "eduAdmin"), []int64{notes[0].ID})
		if err != nil || st[notes[0].ID][jianfu.ChannelEmail] != jianfu.DeliverySent || st[notes[0].ID][jianfu.ChannelFeishu] != jianfu.DeliverySent {
			t.Errorf("statuses: %v %v", st, err)
		}
		if got := w.rows(t, "provAdmin"); len(got) != 2 || got[0].UserName != "江南区教育局管理员(江州市江南区教育局)" || got[0].SentAt == nil {
			t.Errorf("the system administrator's list: %+v", got)
		}
		if got := w.rows(t, "northAdmin"); len(got) != 0 {
			t.Errorf("another unit's administrator sees %d rows", len(got))
		}
		// Filters.
		items, total, err := db.Deliveries().FindDeliveries(w.as(t, "provAdmin"), jianfu.DeliveryFilter{Channel: jianfu.ChannelFeishu, Status: jianfu.DeliverySent})
		if err != nil || total != 1 || items[0].Address != "zhaomin" {
			t.Errorf("filtered: %d %v", total, err)
		}
	})
}

// TestQuietHours: on the Friday evening before the 国庆 调休 Saturday a
// transfer is held until 08:30 on the Saturday (a working day), while a
// security event goes to the auditor at once.
func TestQuietHours(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db, time.Date(2026, 10, 9, 20, 0, 0, 0, cst))
		w.channels(t, "eduAdmin", jianfu.UserChannel{Channel: jianfu.ChannelEmail, Address: "zhao.min@jiangnan.gov.cn"})
		w.channels(t, "cityAuditor", jianfu.UserChannel{Channel: jianfu.ChannelFeishu, Address: "auditor01"})
		w.transfer(t, "教育局工作群每天要求教师接龙报平安")
		db.Notifications().SecurityEvent(context.Background(), &jianfu.AuditEntry{ID: 1, Action: jianfu.ActionReveal, RegionPath: "390102", ActorName: "江南区监管员", Detail: "线索JF2026-000001:反映人张三"})

		if r := w.run(t); r.Sent != 1 || r.Held != 1 {
			t.Fatalf("Friday 20:00: %+v", r)
		}
		if got := w.feishu.got(); len(got) != 1 || !strings.Contains(got[0].Body, "查看了反映人身份") || strings.Contains(got[0].Body, "张三") {
			t.Errorf("the urgent security event: %+v", got)
		}
		held := w.rows(t, "eduAdmin")[0]
		if held.Status != jianfu.DeliveryHeld || !held.NextAt.Equal(time.Date(2026, 10, 10, 8, 30, 0, 0, cst)) || held.Attempts != 0 {
			t.Errorf("held row: %s until %s, %d attempts", held.Status, held.NextAt, held.Attempts)
		}
		w.set(time.Date(2026, 10, 10, 8, 0, 0, 0, cst))
		if r := w.run(t); r.Sent != 0 || r.Held != 0 {
			t.Errorf("08:00 on the Saturday: %+v", r)
		}
		w.set(time.Date(2026, 10, 10, 8, 30, 0, 0, cst))
		if r := w.run(t); r.Sent != 1 || len(w.email.got()) != 1 {
			t.Errorf("08:30 on the Saturday: %+v", r)
		}
	})
}

// TestDailyDigest: an administrator who chose the digest gets the
// morning's two transfers as one Chinese message at 17:00, and each
// notification shows as sent by it.
func TestDailyDigest(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db, time.Date(2026, 3, 2, 9, 0, 0, 0, cst))
		w.channels(t, "eduAdmin", jianfu.UserChannel{Channel: jianfu.ChannelEmail, Address: "zhao.min@jiangnan.gov.cn", Digest: true})
		a := w.transfer(t, "教育局工作群每天要求教师接龙报平安")
		w.set(time.Date(2026, 3, 2, 10, 15, 0, 0, cst))
		b := w.transfer(t, "望江中学家长群每日要求上传打卡截图")
		if r := w.run(t); r.Held != 2 || r.Sent != 0 {
			t.Fatalf("10:15: %+v", r)
		}
		w.set(time.Date(2026, 3, 2, 16, 59, 0, 0, cst))
		if r := w.run(t); r.Sent != 0 {
			t.Fatalf("16:59: %+v", r)
		}
		w.set(time.Date(2026, 3, 2, 17, 0, 0, 0, cst))
		if r := w.run(t); r.Bundled != 2 || r.Sent != 1 {
			t.Fatalf("17:00: %+v", r)
		}
		got := w.email.got()
		if len(got) != 1 {
			t.Fatalf("%d mails", len(got))
		}
		m := got[0]
		if m.Subject != "【减负】2026年3月2日通知汇总(2条)" || !strings.Contains(m.Body, "线索移送2条") ||
			!strings.Contains(m.Body, "1. 线索"+a.Number+"已移送本单位办理(09:00)") || !strings.Contains(m.Body, "2. 线索"+b.Number+"已移送本单位办理(10:15)") {
			t.Errorf("the digest: %q\n%s", m.Subject, m.Body)
		}
		notes, _, _, _ := db.Notifications().FindNotifications(w.as(t, "eduAdmin"), jianfu.NotificationFilter{})
		st, _ := db.Deliveries().DeliveryStatuses(w.as(t, "eduAdmin"), []int64{notes[0].ID, notes[1].ID})
		for _, n := range notes {
			if st[n.ID][jianfu.ChannelEmail] != jianfu.DeliverySent {
				t.Errorf("notification %d: %v", n.ID, st[n.ID])
			}
		}
		if r := w.run(t); r.Sent != 0 {
			t.Errorf("after the digest: %+v", r)
		}
	})
}

// TestRetries: a rate limit backs the channel off and the message goes
// later; a transient failure is retried with growing waits and failed
// after the last attempt; a permanent failure fails at once; a row whose
// sender died while sending is sent again, under the same key, once its
// claim lapses.
func TestRetries(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		start := time.Date(2026, 3, 2, 9, 0, 0, 0, cst)
		w := newWorld(t, db, start)
		w.channels(t, "eduAdmin", jianfu.UserChannel{Channel: jianfu.ChannelFeishu, Address: "zhaomin"})

		limited := true
		w.feishu.fail = func(Message) error {
			if limited {
				limited = false
				return rateLimited(time.Minute, "飞书发送被限流(错误码 99991400)")
			}
			return nil
		}
		w.transfer(t, "第一个工作群每天要求接龙报平安")
		if r := w.run(t); r.Retried != 1 {
			t.Fatalf("rate limited: %+v", r)
		}
		row := w.rows(t, "eduAdmin")[0]
		if row.Status != jianfu.DeliveryPending || !row.NextAt.Equal(start.Add(time.Minute)) || !strings.Contains(row.LastError, "99991400") {
			t.Errorf("after the rate limit: %+v", row)
		}
		w.set(start.Add(59 * time.Second))
		if r := w.run(t); r.Sent != 0 {
			t.Errorf("before the wait is over: %+v", r)
		}
		w.set(start.Add(time.Minute))
		if r := w.run(t); r.Sent != 1 {
			t.Errorf("after the wait: %+v", r)
		}

		// Always failing: 10 attempts, 30 s doubling, then failed (at
		// any hour: this part is not about quiet hours).
		w.sender.Calendar = nil
		w.feishu.fail = func(Message) error { return transient("飞书发送失败(错误码 -1:系统繁忙)") }
		w.transfer(t, "第二个工作群每天要求上传截图")
		now := w.clock()
		var waits []time.Duration
		for i := 0; i < jianfu.DeliveryMaxAttempts; i++ {
			w.run(t)
			r := w.rows(t, "eduAdmin")[0]
			if r.Status == jianfu.DeliveryFailed {
				break
			}
			waits = append(waits, r.NextAt.Sub(now))
			now = r.NextAt
			w.set(now)
		}
		r := w.rows(t, "eduAdmin")[0]
		if r.Status != jianfu.DeliveryFailed || r.Attempts != jianfu.DeliveryMaxAttempts || len(waits) != 9 ||
			waits[0] != 30*time.Second || waits[1] != time.Minute || waits[8] != 256*30*time.Second {
			t.Errorf("after %d attempts: %s, waits %v", r.Attempts, r.Status, waits)
		}

		// A permanent failure fails at once.
		w.feishu.fail = func(Message) error {
			return permanent("飞书发送失败(错误码 230013:用户不在应用可用范围内)")
		}
		w.transfer(t, "第三个工作群每天要求打卡签到")
		w.run(t)
		if r := w.rows(t, "eduAdmin")[0]; r.Status != jianfu.DeliveryFailed || r.Attempts != 1 || !strings.Contains(r.LastError, "230013") {
			t.Errorf("permanent: %+v", r)
		}

		// A sender that claimed a row and died: nothing until the claim
		// lapses, then the row goes under the same key.
		w.feishu.fail = nil
		w.transfer(t, "第四个工作群每天要求填报表格")
		claimed, err := db.Deliveries().ClaimOutbox(context.Background(), "dead-sender", w.clock().Add(5*time.Minute), 10)
		if err != nil || len(claimed) != 1 {
			t.Fatal(err, len(claimed))
		}
		if r := w.run(t); r.Sent != 0 {
			t.Errorf("while the dead sender's claim lives: %+v", r)
		}
		w.set(w.clock().Add(5*time.Minute + time.Millisecond))
		before := len(w.feishu.got())
		if r := w.run(t); r.Sent != 1 {
			t.Errorf("after the claim lapsed: %+v", r)
		}
		if got := w.feishu.got(); len(got) != before+1 || got[len(got)-1].Key != claimed[0].Key {
			t.Errorf("resent under another key")
		}
		if err := db.Deliveries().MarkSent(context.Background(), claimed[0].ID, "dead-sender"); !errors.Is(err, store.ErrLostClaim) {
			t.Errorf("the dead sender's late mark: %v", err)
		}
	})
}
