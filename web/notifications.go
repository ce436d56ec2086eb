package web

import (
	"context"
	"net/http"
	"strconv"
	"strings"

	"jianfu"
)

// The notification centre (通知中心): the bell in the top bar with the
// caller's unread count, the /notifications page, and its API. The store
// keeps each user to their own notifications.

func (s *Server) notificationPages(mux *http.ServeMux) {
	mux.Handle("GET /notifications", s.h(s.login(s.showNotifications)))
	mux.Handle("POST /notifications/read-all", s.h(s.login(s.readAllNotifications)))
	mux.Handle("POST /notifications/{id}/read", s.h(s.login(s.readNotification)))
	mux.Handle("POST /notifications/{id}/open", s.h(s.login(s.openNotification)))
}

func (s *Server) notificationsAPI() []apiRoute {
	return []apiRoute{
		{"GET", "/api/v1/notifications", s.apiNotifications},
		{"POST", "/api/v1/notifications/read-all", s.apiReadAllNotifications},
		{"POST", "/api/v1/notifications/{id}/read", s.apiReadNotification},
	}
}

// unreadCount is the caller's unread count for the bell: 0 without a
// person logged in or a notification service, and 0 (logged) when the
// count fails, so a page never fails for its badge.
func (s *Server) unreadCount(ctx context.Context, a *jianfu.Actor) int {
	if a == nil || a.UserID == 0 || s.svc.Notifications == nil {
		return 0
	}
	n, err := s.svc.Notifications.UnreadCount(ctx)
	if err != nil {
		s.log.Warn("count unread notifications", "user", a.UserID, "err", err)
		return 0
	}
	return n
}

// notificationFilter reads the filter of the list: unread=1 for the unread
// ones only.
func notificationFilter(r *http.Request, p jianfu.Page) (jianfu.NotificationFilter, error) {
	f := jianfu.NotificationFilter{Page: p}
	switch v := r.URL.Query().Get("unread"); v {
	case "", "0", "false":
	case "1", "true":
		f.Unread = true
	default:
		return f, jianfu.Errorf(jianfu.EINVALID, "unread 应为 1 或 0,收到“%s”", "unread must be 1 or 0, got %q", v)
	}
	return f, nil
}

func (s *Server) showNotifications(w http.ResponseWriter, r *http.Request) error {
	l := newList(r, 20)
	f, err := notificationFilter(r, l.Page())
	if err != nil {
		return err
	}
	items, total, unread, err := s.svc.Notifications.FindNotifications(r.Context(), f)
	if err != nil {
		return err
	}
	l.Total = total
	p := s.newPage(r, "")
	p.Title = p.T("notifications.title")
	if r.URL.Query().Get("read") != "" {
		p.Flash = p.T("notifications.marked")
	}
	p.Data = map[string]any{"Items": items, "List": l, "Unread": unread, "OnlyUnread": f.Unread, "Back": l.URL("read", ""),
		"Delivery": s.deliveryStatuses(r, items), "Channels": s.svc.Deliveries != nil && len(s.cfg.DeliveryChannels) > 0}
	s.render(w, r, "notifications", p)
	return nil
}

// notificationsBack is where a notification form returns: the list (or
// home page) the form was on, saying how many were marked.
func notificationsBack(r *http.Request, marked int) string {
	back := safeNext(r.PostFormValue("back"))
	if back != "/" && !strings.HasPrefix(back, "/notifications") {
		back = "/notifications"
	}
	sep := "?"
	if strings.Contains(back, "?") {
		sep = "&"
	}
	return back + sep + "read=" + strconv.Itoa(marked)
}

func (s *Server) readNotification(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	return formAction(w, r, func() (string, error) {
		_, err := s.svc.Notifications.MarkRead(r.Context(), id)
		return notificationsBack(r, 1), err
	}, nil)
}

// openNotification marks a notification read and goes to its object.
func (s *Server) openNotification(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	return formAction(w, r, func() (string, error) {
		n, err := s.svc.Notifications.MarkRead(r.Context(), id)
		if err != nil {
			return "", err
		}
		if next := safeNext(n.Link); next != "" {
			return next, nil
		}
		return "/notifications", nil
	}, nil)
}

func (s *Server) readAllNotifications(w http.ResponseWriter, r *http.Request) error {
	return formAction(w, r, func() (string, error) {
		n, err := s.svc.Notifications.MarkAllRead(r.Context())
		return notificationsBack(r, n), err
	}, nil)
}

// notificationList is the API's page of notifications: the list shape
// with the caller's unread count.
type notificationList struct {
	listResponse[*jianfu.Notification]
	Unread int `json:"unread"`
}

func (s *Server) apiNotifications(w http.ResponseWriter, r *http.Request) error {
	p, err := apiPage(r)
	if err != nil {
		return err
	}
	f, err := notificationFilter(r, p)
	if err != nil {
		return err
	}
	items, total, unread, err := s.svc.Notifications.FindNotifications(r.Context(), f)
	if err != nil {
		return err
	}
	p = p.Normalize()
	writeJSON(w, http.StatusOK, notificationList{listResponse[*jianfu.Notification]{Items: orEmpty(items), Total: total, Limit: p.Limit, Offset: p.Offset}, unread})
	return nil
}

func (s *Server) apiReadNotification(w http.ResponseWriter, r *http.Request) error {
	return serveByID(w, r, s.svc.Notifications.MarkRead)
}

func (s *Server) apiReadAllNotifications(w http.ResponseWriter, r *http.Request) error {
	n, err := s.svc.Notifications.MarkAllRead(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]int{"marked": n})
	return nil
}
