package web

import (
	"net/http"
	"net/url"
	"strings"

	"jianfu"
)

// login requires a logged-in user for a page.
func (s *Server) login(next handler) handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		if info(r).actor == nil {
			return jianfu.Errorf(jianfu.EUNAUTHORIZED, "请先登录", "please log in first")
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			if err := s.checkCSRF(r); err != nil {
				return err
			}
		}
		if done, err := mustChangeFirst(w, r); done || err != nil {
			return err
		}
		if area := areaOf(r.URL.Path); area != "" {
			if err := info(r).actor.UseArea(area); err != nil {
				return err
			}
		}
		return next(w, r)
	}
}

// mustChangeFirst keeps a session whose password an administrator set, or
// which has expired, on the change-password page until it is changed: a
// page is redirected there, anything else refused. It reports whether it
// answered.
func mustChangeFirst(w http.ResponseWriter, r *http.Request) (bool, error) {
	a := info(r).actor
	if a == nil || !a.MustChangePassword || a.Via != "session" {
		return false, nil
	}
	switch r.URL.Path {
	case "/account", "/account/password":
		return false, nil
	}
	if r.Method == http.MethodGet && !strings.HasPrefix(r.URL.Path, "/api/") {
		http.Redirect(w, r, "/account", http.StatusSeeOther)
		return true, nil
	}
	return true, jianfu.Errorf(jianfu.EFORBIDDEN, "请先修改密码:管理员设置的密码或已过期的密码须修改后才能继续使用", "change your password first: a password set by an administrator or expired must be changed before anything else")
}

// landing is the first page a user sees after logging in: the 工作台,
// which shows each role its own work.
func landing(*jianfu.Actor) string { return "/" }

// safeNext accepts only a same-origin relative path as the redirect target
// after login: it starts with one "/", has no scheme or host, and holds
// only printable ASCII other than a backslash. Browsers drop tabs and line
// breaks from URLs and read "\\" as "/", so "/\t/evil.example" or
// "/\\evil.example" would leave the site.
func safeNext(next string) string {
	if len(next) < 1 || len(next) > 2048 || next[0] != '/' || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/login") {
		return ""
	}
	for i := 0; i < len(next); i++ {
		if c := next[i]; c <= ' ' || c >= 0x7f || c == '\\' {
			return ""
		}
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" || !strings.HasPrefix(u.Path, "/") || strings.HasPrefix(u.Path, "//") {
		return ""
	}
	return next
}

func (s *Server) showLogin(w http.ResponseWriter, r *http.Request) error {
	if a := info(r).actor; a != nil {
		http.Redirect(w, r, landing(a), http.StatusSeeOther)
		return nil
	}
	p := s.newPage(r, "login")
	p.Title = p.T("login.title")
	p.Data = s.loginData(safeNext(r.URL.Query().Get("next")), "")
	s.render(w, r, "login", p)
	return nil
}

func (s *Server) doLogin(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	p := s.newPage(r, "login")
	p.Title = p.T("login.title")
	username := strings.TrimSpace(r.PostFormValue("username"))
	next := safeNext(r.PostFormValue("next"))
	p.Data = s.loginData(next, username)
	fail := func(err error, status int) error {
		p.Error = err
		p.Status = status
		s.render(w, r, "login", p)
		return nil
	}
	if err := s.checkCSRF(r); err != nil {
		return fail(err, http.StatusForbidden)
	}
	// Only failures count against an address, so an office behind one NAT
	// address can log in together at nine; each account has its own lockout.
	if s.limiter.fullShared(r.Context(), info(r).ip, s.now()) {
		return fail(jianfu.Errorf(jianfu.ETOOMANY, "来自您所在网络地址的登录失败次数过多,请%d分钟后再试", "too many failed logins from your network address; try again in %d minutes", int(loginFailureWindow.Minutes())), http.StatusTooManyRequests)
	}
	if username == "" || r.PostFormValue("password") == "" {
		return fail(jianfu.Errorf(jianfu.EINVALID, "请输入用户名和密码", "enter your username and password"), http.StatusBadRequest)
	}
	u, err := s.svc.Users.Authenticate(r.Context(), username, r.PostFormValue("password"))
	if err != nil {
		code := jianfu.ErrorCode(err)
		if code == jianfu.EINTERNAL {
			return err
		}
		s.limiter.noteShared(r.Context(), info(r).ip, s.now())
		return fail(err, statusOf[code])
	}
	tok, err := s.svc.Users.CreateSession(r.Context(), u.ID, info(r).ip, r.UserAgent())
	if err != nil {
		return err
	}
	s.startSession(w, r, tok)
	a, err := s.svc.Users.SessionActor(r.Context(), tok)
	if err != nil {
		return err
	}
	if next == "" {
		next = landing(a)
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
	return nil
}

func (s *Server) doLogout(w http.ResponseWriter, r *http.Request) error {
	if err := s.checkCSRF(r); err != nil {
		return err
	}
	if c, err := r.Cookie(sessionCookie); err == nil {
		s.svc.Users.DeleteSession(r.Context(), c.Value)
	}
	if a := info(r).actor; a != nil {
		s.svc.Audit.RecordAudit(r.Context(), &jianfu.AuditEntry{Action: "logout", ObjectType: "user", ObjectID: itoa(a.UserID), RegionPath: a.RegionPath})
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: s.secure(r)})
	http.Redirect(w, r, "/login", http.StatusSeeOther)
	return nil
}

func (s *Server) showAccount(w http.ResponseWriter, r *http.Request) error {
	a := info(r).actor
	u, err := s.svc.Users.FindUserByID(r.Context(), a.UserID)
	if err != nil {
		return err
	}
	p := s.newPage(r, "account")
	p.Title = p.T("account.title")
	p.Data = map[string]any{"User": u, "Tokens": s.tokensOf(r, u.ID)}
	if r.URL.Query().Get("revoked") == "1" {
		p.Flash = p.T("tokens.revokedone")
	} else if r.URL.Query().Get("done") == "1" {
		p.Flash = p.T("account.changed")
	} else if a.MustChangePassword {
		p.Flash = p.T("account.mustchange")
	}
	s.render(w, r, "account", p)
	return nil
}

func (s *Server) changePassword(w http.ResponseWriter, r *http.Request) error {
	a := info(r).actor
	return formAction(w, r, func() (string, error) {
		current, next, again := r.PostFormValue("current"), r.PostFormValue("new"), r.PostFormValue("again")
		if next != again {
			return "", jianfu.Errorf(jianfu.EINVALID, "两次输入的新密码不一致", "the two new passwords differ")
		}
		if next == current {
			return "", jianfu.Errorf(jianfu.EINVALID, "新密码不能与当前密码相同", "the new password must differ from the current one")
		}
		if _, err := s.svc.Users.Authenticate(r.Context(), a.Username, current); err != nil {
			return "", jianfu.Errorf(jianfu.EINVALID, "当前密码不正确", "the current password is wrong")
		}
		if err := s.svc.Users.SetPassword(r.Context(), a.UserID, next); err != nil {
			return "", err
		}
		// Changing the password ended every session, this one included.
		tok, err := s.svc.Users.CreateSession(r.Context(), a.UserID, info(r).ip, r.UserAgent())
		if err != nil {
			return "", err
		}
		http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: tok, Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: s.secure(r)})
		return "/account?done=1", nil
	}, func(err error, status int) error {
		u, _ := s.svc.Users.FindUserByID(r.Context(), a.UserID)
		p := s.newPage(r, "account")
		p.Title = p.T("account.title")
		p.Data, p.Error, p.Status = map[string]any{"User": u, "Tokens": s.tokensOf(r, a.UserID)}, err, status
		s.render(w, r, "account", p)
		return nil
	})
}
