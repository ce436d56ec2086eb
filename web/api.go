package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"jianfu"
)

// api requires an authenticated caller for a JSON endpoint. Callers using
// a browser session must also send the CSRF token on changes.
func (s *Server) api(next handler) handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		a := info(r).actor
		if a == nil {
			if r.Header.Get("Authorization") != "" {
				return jianfu.Errorf(jianfu.EUNAUTHORIZED, "接口令牌无效、已过期或已吊销", "the API token is invalid, expired or revoked")
			}
			return jianfu.Errorf(jianfu.EUNAUTHORIZED, "需要身份认证:请在 Authorization 头中提供 Bearer 令牌", "authentication required: send a Bearer token in the Authorization header")
		}
		if a.Via == "session" && r.Method != http.MethodGet && r.Method != http.MethodHead {
			if err := s.checkCSRF(r); err != nil {
				return err
			}
		}
		if done, err := mustChangeFirst(w, r); done || err != nil {
			return err
		}
		return next(w, r)
	}
}

// listResponse is the shape of every paged list.
type listResponse[T any] struct {
	Items  []T `json:"items"`
	Total  int `json:"total"`
	Limit  int `json:"limit"`
	Offset int `json:"offset"`
}

func respondList[T any](w http.ResponseWriter, items []T, total int, p jianfu.Page) error {
	p = p.Normalize()
	writeJSON(w, http.StatusOK, listResponse[T]{Items: orEmpty(items), Total: total, Limit: p.Limit, Offset: p.Offset})
	return nil
}

// orEmpty answers an empty list as [] rather than null.
func orEmpty[T any](v []T) []T {
	if v == nil {
		return []T{}
	}
	return v
}

// listAPI answers a paged list: the page from limit, offset and sort, the
// filter read from the query by filter (which refuses what it cannot read),
// the items find returns, in the one list shape.
func listAPI[F, T any](w http.ResponseWriter, r *http.Request, filter func(*http.Request, jianfu.Page) (F, error), find func(context.Context, F) ([]T, int, error)) error {
	p, err := apiPage(r)
	if err != nil {
		return err
	}
	f, err := filter(r, p)
	if err != nil {
		return err
	}
	items, total, err := find(r.Context(), f)
	if err != nil {
		return err
	}
	return respondList(w, items, total, p)
}

// serveByID answers a request on …/{id} with what find returns for the
// path's id, as JSON: a lookup, or an action on the record that takes no
// body. find is the service method, scoped by the caller as always.
func serveByID[T any](w http.ResponseWriter, r *http.Request, find func(context.Context, int64) (T, error)) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	v, err := find(r.Context(), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}

// changeByID answers a request on …/{id} with a JSON body: the body is
// decoded into an In (strictly, see decode), change acts with it on the
// record of the path's id, and what change returns is the answer, with
// status. change calls the service method, scoped by the caller as always.
func changeByID[In, Out any](w http.ResponseWriter, r *http.Request, status int, change func(id int64, in In) (Out, error)) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in In
	if err := decode(w, r, &in); err != nil {
		return err
	}
	out, err := change(id, in)
	if err != nil {
		return err
	}
	writeJSON(w, status, out)
	return nil
}

// queryID reads the integer id parameter key into dst when it is given.
func queryID(q url.Values, key string, dst *int64) error {
	v := q.Get(key)
	if v == "" {
		return nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return jianfu.Errorf(jianfu.EINVALID, "%s 应为整数,收到“%s”", "%s must be an integer, got %q", key, v)
	}
	*dst = n
	return nil
}

// queryRegion reads the region code parameter into the region path dst.
func queryRegion(q url.Values, dst *string) error {
	code := strings.TrimSpace(q.Get("region"))
	if code == "" {
		return nil
	}
	_, path, _, err := jianfu.ParseRegionCode(code)
	if err != nil {
		return err
	}
	*dst = path
	return nil
}

// apiPage reads limit, offset and sort, rejecting nonsense clearly.
func apiPage(r *http.Request) (jianfu.Page, error) {
	q := r.URL.Query()
	var p jianfu.Page
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1000 {
			return p, jianfu.Errorf(jianfu.EINVALID, "limit 应为1至1000之间的整数,收到“%s”", "limit must be an integer from 1 to 1000, got %q", v)
		}
		p.Limit = n
	}
	if v := q.Get("offset"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return p, jianfu.Errorf(jianfu.EINVALID, "offset 应为非负整数,收到“%s”", "offset must be a non-negative integer, got %q", v)
		}
		p.Offset = n
	}
	p.Sort = q.Get("sort")
	return p, nil
}

// decode reads a JSON body into v: at most 1 MiB, no unknown fields.
func decode(w http.ResponseWriter, r *http.Request, v any) error {
	if ct := r.Header.Get("Content-Type"); ct != "" && !strings.HasPrefix(ct, "application/json") {
		return jianfu.Errorf(jianfu.EINVALID, "请求体应为 JSON(Content-Type: application/json),收到 %s", "the body must be JSON (Content-Type: application/json), got %s", ct)
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var se *json.SyntaxError
		var te *json.UnmarshalTypeError
		var me *http.MaxBytesError
		switch {
		case errors.Is(err, io.EOF):
			return jianfu.Errorf(jianfu.EINVALID, "请求体为空,应为 JSON 对象", "the body is empty; send a JSON object")
		case errors.As(err, &se):
			return jianfu.Errorf(jianfu.EINVALID, "JSON 格式错误(第%d字节附近):%v", "malformed JSON near byte %d: %v", se.Offset, err)
		case errors.As(err, &te):
			return jianfu.Errorf(jianfu.EINVALID, "字段“%s”类型错误:应为%s", "field %q has the wrong type: want %s", te.Field, te.Type.String())
		case errors.As(err, &me):
			return tooLarge(me.Limit)
		case strings.HasPrefix(err.Error(), "json: unknown field"):
			f := strings.TrimPrefix(err.Error(), "json: unknown field ")
			return jianfu.Errorf(jianfu.EINVALID, "未知字段 %s,请对照 /api/v1/openapi.json", "unknown field %s; see /api/v1/openapi.json", f)
		}
		return jianfu.Errorf(jianfu.EINVALID, "无法解析请求体:%v", "cannot read the body: %v", err)
	}
	if dec.More() {
		return jianfu.Errorf(jianfu.EINVALID, "请求体只能包含一个 JSON 对象", "the body must hold exactly one JSON object")
	}
	cleanStrings(v)
	return nil
}

func (s *Server) apiMe(w http.ResponseWriter, r *http.Request) error {
	a := info(r).actor
	writeJSON(w, http.StatusOK, map[string]any{
		"id": a.UserID, "username": a.Username, "name": a.Name, "roles": a.Roles,
		"unit_id": a.UnitID, "unit_name": a.UnitName, "region_path": a.RegionPath, "via": a.Via,
	})
	return nil
}

func (s *Server) apiRegions(w http.ResponseWriter, r *http.Request) error {
	return listAPI(w, r, apiRegionFilter, s.svc.Regions.FindRegions)
}

func apiRegionFilter(r *http.Request, p jianfu.Page) (jianfu.RegionFilter, error) {
	q := r.URL.Query()
	f := jianfu.RegionFilter{Level: jianfu.Level(q.Get("level")), Query: q.Get("q"), Page: p}
	if q.Has("parent") {
		parent := q.Get("parent")
		if parent != "" {
			_, path, _, err := jianfu.ParseRegionCode(parent)
			if err != nil {
				return f, err
			}
			parent = path
		}
		f.Parent = &parent
	}
	if f.Level != "" && f.Level.Rank() < 0 {
		return f, jianfu.Errorf(jianfu.EINVALID, "level 取值无效:%s(可选 province、city、county、township、village)", "invalid level %q (province, city, county, township or village)", f.Level)
	}
	return f, nil
}

func (s *Server) apiRegion(w http.ResponseWriter, r *http.Request) error {
	reg, err := s.svc.Regions.FindRegion(r.Context(), r.PathValue("code"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, reg)
	return nil
}

func (s *Server) apiUnits(w http.ResponseWriter, r *http.Request) error {
	return listAPI(w, r, apiUnitFilter, s.svc.Units.FindUnits)
}

func apiUnitFilter(r *http.Request, p jianfu.Page) (jianfu.UnitFilter, error) {
	q := r.URL.Query()
	f := jianfu.UnitFilter{Type: jianfu.UnitType(q.Get("type")), Query: q.Get("q"), Page: p}
	if err := queryRegion(q, &f.RegionPath); err != nil {
		return f, err
	}
	return f, queryID(q, "parent_id", &f.ParentID)
}

func (s *Server) apiUnit(w http.ResponseWriter, r *http.Request) error {
	return serveByID(w, r, s.svc.Units.FindUnitByID)
}

// unitInput is the body of POST and PATCH /api/v1/units.
type unitInput struct {
	Name       *string          `json:"name"`
	Type       *jianfu.UnitType `json:"type"`
	RegionCode *string          `json:"region_code"`
	ParentID   *int64           `json:"parent_id"`
	CreditCode *string          `json:"credit_code"`
	Disabled   *bool            `json:"disabled"`
}

func (s *Server) apiCreateUnit(w http.ResponseWriter, r *http.Request) error {
	var in unitInput
	if err := decode(w, r, &in); err != nil {
		return err
	}
	u := &jianfu.Unit{Name: deref(in.Name), RegionCode: deref(in.RegionCode), CreditCode: deref(in.CreditCode)}
	if in.Type != nil {
		u.Type = *in.Type
	}
	if in.ParentID != nil {
		u.ParentID = *in.ParentID
	}
	if err := s.svc.Units.CreateUnit(r.Context(), u); err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, u)
	return nil
}

func (s *Server) apiUpdateUnit(w http.ResponseWriter, r *http.Request) error {
	return changeByID(w, r, http.StatusOK, func(id int64, in unitInput) (*jianfu.Unit, error) {
		if in.RegionCode != nil || in.ParentID != nil {
			return nil, jianfu.Errorf(jianfu.EINVALID, "单位的所在区划和上级单位不能修改;如需调整请新建单位", "a unit's region and parent cannot change; create a new unit instead")
		}
		return s.svc.Units.UpdateUnit(r.Context(), id, jianfu.UnitUpdate{Name: in.Name, Type: in.Type, CreditCode: in.CreditCode, Disabled: in.Disabled})
	})
}

func (s *Server) apiUsers(w http.ResponseWriter, r *http.Request) error {
	return listAPI(w, r, apiUserFilter, s.svc.Users.FindUsers)
}

func apiUserFilter(r *http.Request, p jianfu.Page) (jianfu.UserFilter, error) {
	q := r.URL.Query()
	f := jianfu.UserFilter{Role: jianfu.Role(q.Get("role")), Query: q.Get("q"), Page: p}
	return f, queryID(q, "unit_id", &f.UnitID)
}

func (s *Server) apiUser(w http.ResponseWriter, r *http.Request) error {
	return serveByID(w, r, s.svc.Users.FindUserByID)
}

// userInput is the body of POST and PATCH /api/v1/users.
type userInput struct {
	Username *string       `json:"username"`
	Name     *string       `json:"name"`
	UnitID   *int64        `json:"unit_id"`
	Roles    []jianfu.Role `json:"roles"`
	Phone    *string       `json:"phone"`
	Password *string       `json:"password"`
	Disabled *bool         `json:"disabled"`
	Unlock   bool          `json:"unlock"`
}

func (s *Server) apiCreateUser(w http.ResponseWriter, r *http.Request) error {
	var in userInput
	if err := decode(w, r, &in); err != nil {
		return err
	}
	u := &jianfu.User{Username: deref(in.Username), Name: deref(in.Name), Roles: in.Roles, Phone: deref(in.Phone)}
	if in.UnitID != nil {
		u.UnitID = *in.UnitID
	}
	if err := s.svc.Users.CreateUser(r.Context(), u, deref(in.Password)); err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, u)
	return nil
}

func (s *Server) apiUpdateUser(w http.ResponseWriter, r *http.Request) error {
	return changeByID(w, r, http.StatusOK, func(id int64, in userInput) (*jianfu.User, error) {
		if in.Username != nil || in.UnitID != nil {
			return nil, jianfu.Errorf(jianfu.EINVALID, "用户名和所属单位不能修改", "the username and the unit cannot change")
		}
		if in.Password != nil { // checked before anything changes
			u, err := s.svc.Users.FindUserByID(r.Context(), id)
			if err != nil {
				return nil, err
			}
			if err := info(r).actor.MayManageAccount(u.Roles); err != nil && info(r).actor.UserID != id {
				return nil, err
			}
			if err := jianfu.ValidatePassword(u.Username, *in.Password); err != nil {
				return nil, err
			}
		}
		u, err := s.svc.Users.UpdateUser(r.Context(), id, jianfu.UserUpdate{Name: in.Name, Roles: in.Roles, Phone: in.Phone, Disabled: in.Disabled, Unlock: in.Unlock})
		if err != nil || in.Password == nil {
			return u, err
		}
		return u, s.svc.Users.SetPassword(r.Context(), id, *in.Password)
	})
}

func (s *Server) apiAudit(w http.ResponseWriter, r *http.Request) error {
	return listAPI(w, r, auditFilter, s.svc.Audit.FindAuditEntries)
}

func (s *Server) openAPI(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	w.Write(s.openapi)
}

// buildOpenAPI merges the OpenAPI fragments (openapi/*.json, one per
// capability; core.json holds the header) into one document, with the
// category schemas made from the categories' one definition. Paths,
// parameters, responses and schemas defined twice are an error.
func buildOpenAPI() ([]byte, error) {
	files, err := fs.Glob(assets, "openapi/*.json")
	if err != nil {
		return nil, err
	}
	var doc map[string]any
	for _, f := range files {
		b, err := assets.ReadFile(f)
		if err != nil {
			return nil, err
		}
		var part map[string]any
		if err := json.Unmarshal(b, &part); err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
		if doc == nil {
			doc = map[string]any{"paths": map[string]any{}, "components": map[string]any{}}
		}
		for k, v := range part {
			switch k {
			case "paths":
				if err := mergeInto(doc["paths"].(map[string]any), v, f+": path"); err != nil {
					return nil, err
				}
			case "components":
				comps := doc["components"].(map[string]any)
				for kind, defs := range v.(map[string]any) {
					if comps[kind] == nil {
						comps[kind] = map[string]any{}
					}
					if err := mergeInto(comps[kind].(map[string]any), defs, f+": "+kind); err != nil {
						return nil, err
					}
				}
			default:
				if _, dup := doc[k]; dup {
					return nil, fmt.Errorf("%s: %q defined twice", f, k)
				}
				doc[k] = v
			}
		}
	}
	comps := doc["components"].(map[string]any)
	if comps["schemas"] == nil {
		comps["schemas"] = map[string]any{}
	}
	if err := mergeInto(comps["schemas"].(map[string]any), categorySchemas(), "categories: schemas"); err != nil {
		return nil, err
	}
	return json.MarshalIndent(doc, "", "  ")
}

// categorySchemas are DemandCategory (the eight) and CaseCategory (the
// eight and "other"), each code described by its Chinese name.
func categorySchemas() map[string]any {
	schema := func(cats []jianfu.Category) map[string]any {
		codes := make([]any, len(cats))
		names := make([]string, len(cats))
		for i, c := range cats {
			codes[i] = string(c)
			names[i] = string(c) + " " + c.Label()
		}
		return map[string]any{"type": "string", "enum": codes, "description": strings.Join(names, " · ")}
	}
	return map[string]any{"DemandCategory": schema(jianfu.Categories[:]), "CaseCategory": schema(jianfu.CaseCategories)}
}

func mergeInto(dst map[string]any, src any, what string) error {
	m, ok := src.(map[string]any)
	if !ok {
		return fmt.Errorf("%s: not an object", what)
	}
	for k, v := range m {
		if _, dup := dst[k]; dup {
			return fmt.Errorf("%s %q defined twice", what, k)
		}
		dst[k] = v
	}
	return nil
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}
