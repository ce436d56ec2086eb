package web

import (
	"context"
	"net/http"
	"strings"

	"jianfu"
)

// Delivery beyond the browser: each user's 通知方式 (the channels this
// deployment offers, their address on each, daily digest or not) under
// the account, and the outbox's status (消息投递) — a system
// administrator's view of everyone in their scope, anyone else's of their
// own messages. The store scopes and audits.

func (s *Server) deliveryPages(mux *http.ServeMux) {
	mux.Handle("GET /account/channels", s.h(s.login(s.showChannels)))
	mux.Handle("POST /account/channels", s.h(s.login(s.saveChannels)))
	mux.Handle("GET /deliveries", s.h(s.login(s.showDeliveries)))
}

// channelRow is one channel on the settings form.
type channelRow struct {
	Channel jianfu.DeliveryChannel
	On      bool
	Address string
	Digest  bool
}

func (s *Server) channelRows(chs []jianfu.UserChannel) []channelRow {
	have := map[jianfu.DeliveryChannel]jianfu.UserChannel{}
	for _, c := range chs {
		have[c.Channel] = c
	}
	var rows []channelRow
	for _, ch := range s.cfg.DeliveryChannels {
		c, on := have[ch]
		rows = append(rows, channelRow{Channel: ch, On: on, Address: c.Address, Digest: c.Digest})
	}
	return rows
}

func (s *Server) showChannels(w http.ResponseWriter, r *http.Request) error {
	if err := s.deliveriesOn(); err != nil {
		return err
	}
	chs, err := s.svc.Deliveries.UserChannels(r.Context())
	if err != nil {
		return err
	}
	return s.renderChannels(w, r, s.channelRows(chs), nil, 0)
}

func (s *Server) renderChannels(w http.ResponseWriter, r *http.Request, rows []channelRow, formErr error, status int) error {
	p := s.newPage(r, "account")
	p.Title = p.T("channels.title")
	p.Error, p.Status = formErr, status
	p.Data = map[string]any{"Rows": rows}
	s.render(w, r, "channels", p)
	return nil
}

func (s *Server) saveChannels(w http.ResponseWriter, r *http.Request) error {
	if err := s.deliveriesOn(); err != nil {
		return err
	}
	var rows []channelRow
	var chs []jianfu.UserChannel
	for _, ch := range s.cfg.DeliveryChannels {
		row := channelRow{Channel: ch, On: r.PostFormValue("on_"+string(ch)) == "1",
			Address: strings.TrimSpace(r.PostFormValue("addr_" + string(ch))), Digest: r.PostFormValue("digest_"+string(ch)) == "1"}
		rows = append(rows, row)
		if row.On {
			chs = append(chs, jianfu.UserChannel{Channel: ch, Address: row.Address, Digest: row.Digest})
		}
	}
	return formAction(w, r, func() (string, error) {
		return "/account/channels?saved=1", s.svc.Deliveries.SetUserChannels(r.Context(), chs)
	}, func(err error, status int) error { return s.renderChannels(w, r, rows, err, status) })
}

func (s *Server) showDeliveries(w http.ResponseWriter, r *http.Request) error {
	if err := s.deliveriesOn(); err != nil {
		return err
	}
	l := newList(r, 50)
	f, err := deliveryFilter(r, l.Page())
	if err != nil {
		return err
	}
	items, total, err := s.svc.Deliveries.FindDeliveries(r.Context(), f)
	if err != nil {
		return err
	}
	l.Total = total
	a := info(r).actor
	p := s.newPage(r, "admin")
	p.Title = p.T("deliveries.title")
	statuses := []jianfu.DeliveryStatus{jianfu.DeliveryPending, jianfu.DeliverySending, jianfu.DeliveryHeld, jianfu.DeliverySent, jianfu.DeliveryBundled, jianfu.DeliveryFailed}
	p.Data = map[string]any{"Items": items, "List": l, "Statuses": statuses, "Channels": jianfu.DeliveryChannels,
		"All": a.Has(jianfu.RoleSysAdmin) || a.System}
	s.render(w, r, "deliveries", p)
	return nil
}

// deliveryStatuses are the per-channel statuses of notifications for the
// list; nil (logged) when they cannot be read, so the list still shows.
func (s *Server) deliveryStatuses(r *http.Request, items []*jianfu.Notification) map[int64]map[jianfu.DeliveryChannel]jianfu.DeliveryStatus {
	if s.svc.Deliveries == nil || len(items) == 0 {
		return nil
	}
	ids := make([]int64, len(items))
	for i, n := range items {
		ids[i] = n.ID
	}
	st, err := s.svc.Deliveries.DeliveryStatuses(r.Context(), ids)
	if err != nil {
		s.log.Warn("read delivery statuses", "err", err)
		return nil
	}
	return st
}

func (s *Server) deliveryAPI() []apiRoute {
	return []apiRoute{
		{"GET", "/api/v1/deliveries", s.apiDeliveries},
		{"GET", "/api/v1/account/channels", s.apiUserChannels},
		{"PUT", "/api/v1/account/channels", s.apiSetChannels},
	}
}

// channelsAnswer is the caller's channels and the ones offered.
type channelsAnswer struct {
	Channels []jianfu.UserChannel     `json:"channels"`
	Offered  []jianfu.DeliveryChannel `json:"offered"`
}

func (s *Server) deliveriesOn() error {
	if s.svc.Deliveries == nil {
		return jianfu.Errorf(jianfu.ENOTFOUND, "本部署未启用站外通知", "delivery beyond the browser is not enabled")
	}
	return nil
}

func (s *Server) apiUserChannels(w http.ResponseWriter, r *http.Request) error {
	if err := s.deliveriesOn(); err != nil {
		return err
	}
	chs, err := s.svc.Deliveries.UserChannels(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, channelsAnswer{orEmpty(chs), orEmpty(s.cfg.DeliveryChannels)})
	return nil
}

func (s *Server) apiSetChannels(w http.ResponseWriter, r *http.Request) error {
	if err := s.deliveriesOn(); err != nil {
		return err
	}
	var in struct {
		Channels []jianfu.UserChannel `json:"channels"`
	}
	if err := decode(w, r, &in); err != nil {
		return err
	}
	offered := map[jianfu.DeliveryChannel]bool{}
	for _, ch := range s.cfg.DeliveryChannels {
		offered[ch] = true
	}
	for _, c := range in.Channels {
		if _, known := jianfu.DeliveryChannelNames[c.Channel]; known && !offered[c.Channel] {
			return jianfu.Errorf(jianfu.EINVALID, "本部署未配置%s,可选:%s", "this deployment does not deliver by %s; offered: %s",
				jianfu.DeliveryChannelNames[c.Channel], s.offeredNames())
		}
	}
	if err := s.svc.Deliveries.SetUserChannels(r.Context(), in.Channels); err != nil {
		return err
	}
	return s.apiUserChannels(w, r)
}

func (s *Server) offeredNames() string {
	var names []string
	for _, ch := range s.cfg.DeliveryChannels {
		names = append(names, jianfu.DeliveryChannelNames[ch])
	}
	if len(names) == 0 {
		return "无"
	}
	return strings.Join(names, "、")
}

// apiDeliveries lists outbox rows as FindDeliveries scopes them; the
// address of another user's row is left out (personal data the list
// does not need).
func (s *Server) apiDeliveries(w http.ResponseWriter, r *http.Request) error {
	if err := s.deliveriesOn(); err != nil {
		return err
	}
	a := info(r).actor
	return listAPI(w, r, deliveryFilter, func(ctx context.Context, f jianfu.DeliveryFilter) ([]*jianfu.OutboxMessage, int, error) {
		items, total, err := s.svc.Deliveries.FindDeliveries(ctx, f)
		for _, m := range items {
			if m.UserID != a.UserID {
				m.Address = ""
			}
		}
		return items, total, err
	})
}

// deliveryFilter reads status and channel from the query.
func deliveryFilter(r *http.Request, p jianfu.Page) (jianfu.DeliveryFilter, error) {
	q := r.URL.Query()
	f := jianfu.DeliveryFilter{Page: p, Status: jianfu.DeliveryStatus(q.Get("status")), Channel: jianfu.DeliveryChannel(q.Get("channel"))}
	if _, ok := jianfu.DeliveryStatusNames[f.Status]; f.Status != "" && !ok {
		return f, jianfu.Errorf(jianfu.EINVALID, "投递状态“%s”不存在,可选 pending、sending、held、sent、bundled、failed", "unknown delivery status %q", string(f.Status))
	}
	if _, ok := jianfu.DeliveryChannelNames[f.Channel]; f.Channel != "" && !ok {
		return f, jianfu.Errorf(jianfu.EINVALID, "通知方式“%s”不存在,可选 email、sms、wecom、dingtalk、feishu", "unknown delivery channel %q", string(f.Channel))
	}
	return f, nil
}
