package web

import (
	"net/http"
	"strconv"
	"strings"

	"jianfu"
)

func userFilter(r *http.Request, p jianfu.Page) (jianfu.UserFilter, error) {
	q := r.URL.Query()
	f := jianfu.UserFilter{Role: jianfu.Role(q.Get("role")), Query: q.Get("q"), Page: p}
	f.UnitID, _ = strconv.ParseInt(q.Get("unit"), 10, 64)
	return f, nil
}

func (s *Server) showUsers(w http.ResponseWriter, r *http.Request) error {
	users, l, err := findList(r, 50, userFilter, s.svc.Users.FindUsers)
	if err != nil {
		return err
	}
	p := s.newPage(r, "admin")
	p.Title = p.T("users.title")
	p.Data = map[string]any{"Users": users, "List": l, "Roles": jianfu.Roles}
	s.render(w, r, "users", p)
	return nil
}

func (s *Server) showUser(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	return s.renderUser(w, r, id, nil, http.StatusOK)
}

func (s *Server) renderUser(w http.ResponseWriter, r *http.Request, id int64, formErr error, status int) error {
	u, err := s.svc.Users.FindUserByID(r.Context(), id)
	if err != nil {
		return err
	}
	a := info(r).actor
	p := s.newPage(r, "admin")
	p.Title = u.Name
	p.Error = formErr
	// What the actor may do with this account (三员分立): manage it (name,
	// phone, disable, password, unlock) and toggle which roles.
	grant := map[jianfu.Role]bool{}
	anyGrant := false
	if a.UserID != u.ID {
		for _, role := range jianfu.Roles {
			if a.MayChangeRoles(u.Roles, toggle(u.Roles, role)) == nil {
				grant[role], anyGrant = true, true
			}
		}
	}
	manage := a.CanManageUsers() && (a.UserID == u.ID || a.MayManageAccount(u.Roles) == nil)
	var tokens []*jianfu.APIToken
	if manage {
		tokens = s.tokensOf(r, u.ID)
	}
	p.Data = map[string]any{"User": u, "Roles": jianfu.Roles, "Has": roleSet(u.Roles), "Grant": grant, "AnyGrant": anyGrant, "Manage": manage, "Tokens": tokens}
	if r.URL.Query().Get("revoked") == "1" {
		p.Flash = p.T("tokens.revokedone")
	}
	p.Status = status
	s.render(w, r, "user", p)
	return nil
}

func roleSet(rs []jianfu.Role) map[jianfu.Role]bool {
	m := map[jianfu.Role]bool{}
	for _, r := range rs {
		m[r] = true
	}
	return m
}

// toggle returns rs with r added or taken away.
func toggle(rs []jianfu.Role, r jianfu.Role) []jianfu.Role {
	var out []jianfu.Role
	found := false
	for _, x := range rs {
		if x == r {
			found = true
			continue
		}
		out = append(out, x)
	}
	if !found {
		out = append(out, r)
	}
	return out
}

// grantable lists the roles the actor may give a new account.
func grantable(a *jianfu.Actor) map[jianfu.Role]bool {
	m := map[jianfu.Role]bool{}
	for _, r := range jianfu.Roles {
		m[r] = a.MayGrant([]jianfu.Role{r}) == nil
	}
	return m
}

func formRoles(r *http.Request) []jianfu.Role {
	r.ParseForm()
	var out []jianfu.Role
	for _, v := range r.PostForm["roles"] {
		out = append(out, jianfu.Role(v))
	}
	return out
}

func (s *Server) showUserNew(w http.ResponseWriter, r *http.Request) error {
	u := &jianfu.User{Roles: []jianfu.Role{jianfu.RoleStaff}}
	u.UnitID, _ = strconv.ParseInt(r.URL.Query().Get("unit"), 10, 64)
	return s.renderUserForm(w, r, u, nil, http.StatusOK)
}

func (s *Server) renderUserForm(w http.ResponseWriter, r *http.Request, u *jianfu.User, formErr error, status int) error {
	var unit *jianfu.Unit
	if u.UnitID != 0 {
		unit, _ = s.svc.Units.FindUnitByID(r.Context(), u.UnitID)
	}
	p := s.newPage(r, "admin")
	p.Title = p.T("users.new")
	p.Error = formErr
	p.Data = map[string]any{"User": u, "Unit": unit, "Roles": jianfu.Roles, "Has": roleSet(u.Roles), "Grant": grantable(info(r).actor)}
	p.Status = status
	s.render(w, r, "user_new", p)
	return nil
}

func (s *Server) createUser(w http.ResponseWriter, r *http.Request) error {
	u := &jianfu.User{
		Username: strings.ToLower(strings.TrimSpace(r.PostFormValue("username"))),
		Name:     r.PostFormValue("name"),
		Phone:    strings.TrimSpace(r.PostFormValue("phone")),
		Roles:    formRoles(r),
	}
	u.UnitID, _ = strconv.ParseInt(r.PostFormValue("unit_id"), 10, 64)
	return formAction(w, r, func() (string, error) {
		err := s.svc.Users.CreateUser(r.Context(), u, r.PostFormValue("password"))
		return "/users/" + itoa(u.ID) + "?saved=1", err
	}, func(err error, status int) error { return s.renderUserForm(w, r, u, err, status) })
}

func (s *Server) updateUser(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	return formAction(w, r, func() (string, error) {
		var upd jianfu.UserUpdate
		switch r.PostFormValue("action") {
		case "unlock":
			upd.Unlock = true
		case "password":
			return "/users/" + itoa(id) + "?saved=1", s.svc.Users.SetPassword(r.Context(), id, r.PostFormValue("password"))
		default:
			upd.Roles = formRoles(r)
			if r.PostFormValue("profile") == "1" { // the form carried the account's fields, not only its roles
				name, phone := r.PostFormValue("name"), strings.TrimSpace(r.PostFormValue("phone"))
				disabled := r.PostFormValue("disabled") == "1"
				upd.Name, upd.Phone, upd.Disabled = &name, &phone, &disabled
			}
			if id == info(r).actor.UserID {
				upd.Roles = nil // one's own roles are not edited here
			}
		}
		_, err := s.svc.Users.UpdateUser(r.Context(), id, upd)
		return "/users/" + itoa(id) + "?saved=1", err
	}, func(err error, status int) error { return s.renderUser(w, r, id, err, status) })
}
