package web

import (
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"jianfu"
	"jianfu/importer"
	"jianfu/report"
	"jianfu/secret"
	"jianfu/tabular"
)

func (s *Server) showConsolidation(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	f := jianfu.ConsolidationFilter{Kind: jianfu.ChannelKind(q.Get("kind")), Limit: 50}
	p := s.newPage(r, "registry")
	p.Title = p.T("registry.cons.title")
	if err := queryRegion(q, &f.RegionPath); err != nil {
		p.Error = err
	}
	var view *jianfu.Consolidation
	if p.Error == nil {
		var err error
		if view, err = s.svc.Registry.Consolidate(r.Context(), f); err != nil {
			if jianfu.ErrorCode(err) == jianfu.EINTERNAL {
				return err
			}
			p.Error = err
		}
	}
	maxUnit := 1
	if view != nil && len(view.Units) > 0 {
		maxUnit = view.Units[0].Total
	}
	// The long lists are paged each on its own, with their counts.
	sl, ul, pl := subList(r, "soffset", "same", 30), subList(r, "uoffset", "units", 30), subList(r, "poffset", "people", 30)
	el, bl := subList(r, "eoffset", "expired", 30), subList(r, "boffset", "below", 30)
	if view != nil {
		view.SamePlatform, view.Units, view.People = window(sl, view.SamePlatform), window(ul, view.Units), window(pl, view.People)
		view.ExpiredGroups, view.BelowCounty = window(el, view.ExpiredGroups), window(bl, view.BelowCounty)
	}
	p.Data = map[string]any{"V": view, "Kinds": jianfu.ChannelKinds, "MaxUnit": maxUnit, "SameList": sl, "UnitList": ul, "PeopleList": pl, "ExpiredList": el, "BelowList": bl}
	s.render(w, r, "registry_consolidation", p)
	return nil
}

func (s *Server) showRegistryRules(w http.ResponseWriter, r *http.Request) error {
	return s.renderRegistryRules(w, r, nil, "", http.StatusOK)
}

// ruleRow is a rule setting with its definition, for the rules page.
type ruleRow struct {
	*jianfu.RuleSetting
	Def jianfu.RuleDef
}

func (s *Server) renderRegistryRules(w http.ResponseWriter, r *http.Request, formErr error, failed string, status int) error {
	ctx := r.Context()
	settings, err := s.svc.Registry.RuleSettings(ctx)
	if err != nil {
		return err
	}
	var rows []ruleRow
	for _, st := range settings {
		d, _ := jianfu.RuleDefOf(st.Rule)
		rows = append(rows, ruleRow{st, d})
	}
	links, err := s.svc.Registry.URLRules(ctx)
	if err != nil {
		return err
	}
	p := s.newPage(r, "registry")
	p.Title = p.T("registry.rules.title")
	p.Error = formErr
	a := info(r).actor
	var test *jianfu.Recognition
	var testErr error
	if link := r.URL.Query().Get("test"); link != "" {
		test, testErr = s.svc.Registry.RecognizeURL(ctx, link)
	}
	p.Data = map[string]any{"Rules": rows, "Links": links, "Blank": []int{1, 2, 3}, "CanEdit": a.MayEditRules() == nil,
		"Failed": failed, "Kinds": jianfu.ChannelKinds, "Platforms": platformOptions(), "Test": test, "TestErr": testErr, "TestLink": r.URL.Query().Get("test")}
	p.Status = status
	s.render(w, r, "registry_rules", p)
	return nil
}

func (s *Server) saveRegistryRule(w http.ResponseWriter, r *http.Request) error {
	v := r.PostFormValue
	st := &jianfu.RuleSetting{Rule: v("rule"), Enabled: v("enabled") == "1", Level: jianfu.RuleLevel(v("level")), Clause: v("clause"), Source: v("source")}
	st.Threshold, _ = strconv.Atoi(strings.TrimSpace(v("threshold")))
	return formAction(w, r, func() (string, error) {
		return "/registry/rules?saved=1#rule-" + url.QueryEscape(st.Rule), s.svc.Registry.UpdateRuleSetting(r.Context(), st)
	}, func(err error, status int) error { return s.renderRegistryRules(w, r, err, st.Rule, status) })
}

func (s *Server) saveURLRules(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return jianfu.Errorf(jianfu.EINVALID, "表单无法解析", "the form cannot be read")
	}
	var rules []*jianfu.URLRule
	if r.PostFormValue("restore") != "1" {
		f := r.PostForm
		for i := range f["host"] {
			at := func(k string) string {
				if i < len(f[k]) {
					return strings.TrimSpace(f[k][i])
				}
				return ""
			}
			if at("host") == "" {
				continue // a blank row, or a rule deleted by clearing its host
			}
			platform := at("platform")
			kind := jianfu.ChannelKind("")
			for _, k := range jianfu.ChannelKinds {
				if jianfu.ValidPlatform(k, platform) {
					kind = k
					break
				}
			}
			if k := jianfu.ChannelKind(at("kind")); k.Valid() {
				kind = k
			}
			rules = append(rules, &jianfu.URLRule{Kind: kind, Platform: platform, Host: at("host"), Path: at("path"), Param: at("param"), Note: at("note")})
		}
	}
	return formAction(w, r, func() (string, error) {
		if len(rules) == 0 && r.PostFormValue("restore") != "1" {
			return "", jianfu.Errorf(jianfu.EINVALID, "至少保留一条链接识别规则;如需恢复默认规则请点“恢复默认”", "keep at least one rule, or restore the defaults")
		}
		return "/registry/rules?saved=1#links", s.svc.Registry.SaveURLRules(r.Context(), rules)
	}, func(err error, status int) error { return s.renderRegistryRules(w, r, err, "links", status) })
}

// maxChannelUpload bounds an uploaded channel file.
const maxChannelUpload = 20 << 20

func (s *Server) showChannelImport(w http.ResponseWriter, r *http.Request) error {
	return s.renderImport(w, r, map[string]any{}, nil, http.StatusOK)
}

// renderImport shows the import page with data (the file, its rows or its
// problems) and the error of the upload or the import.
func (s *Server) renderImport(w http.ResponseWriter, r *http.Request, data map[string]any, formErr error, status int) error {
	p := s.newPage(r, "registry")
	p.Title = p.T("registry.import.title")
	data["Columns"] = importer.ChannelColumns
	p.Data, p.Error, p.Status = data, formErr, status
	s.render(w, r, "registry_import", p)
	return nil
}

// previewChannelImport reads an uploaded file and checks every row without
// saving anything; a clean file waits for the user's confirmation.
func (s *Server) previewChannelImport(w http.ResponseWriter, r *http.Request) error {
	data := map[string]any{}
	fail := func(err error) error {
		if status, onForm := formError(err); onForm {
			return s.renderImport(w, r, data, err, status)
		}
		return err
	}
	file, hdr, err := r.FormFile("file") // the route caps the body; readForm says when it is too large
	if err != nil {
		return fail(jianfu.Errorf(jianfu.EINVALID, "请选择要上传的 .xlsx 或 .csv 文件", "choose an .xlsx or .csv file to upload"))
	}
	defer file.Close()
	tr, err := tabular.NewReader(file, hdr.Filename, importer.ChannelColumns)
	if err != nil {
		return fail(err)
	}
	defer tr.Close()
	rows, probs := importer.ReadChannels(tr)
	data["File"] = hdr.Filename
	data["Read"] = len(rows) + countRows(probs)
	// Check the rows that parse against the store too, so the preview
	// lists every row's problems at once.
	if len(rows) > 0 {
		if err := s.svc.Registry.CheckChannelImport(r.Context(), rows); err != nil {
			err = importer.RemapChannelProblems(err, tr)
			if je, ok := err.(*jianfu.Error); ok && len(je.Problems) > 0 {
				probs = append(probs, je.Problems...)
				sort.SliceStable(probs, func(i, j int) bool { return probs[i].Row < probs[j].Row })
			} else {
				return fail(err)
			}
		}
	}
	if len(probs) > 0 {
		data["Problems"] = probs
		return fail(jianfu.Errorf(jianfu.EINVALID, "共%d处问题,未导入任何数据。请修正文件后重新上传。", "%d problems; nothing was imported. Fix the file and upload it again.", len(probs)))
	}
	token := secret.NewToken("imp_")
	st := s.registry
	st.mu.Lock()
	for k, u := range st.uploads {
		if time.Since(u.at) > 30*time.Minute {
			delete(st.uploads, k)
		}
	}
	st.uploads[token] = &upload{user: info(r).actor.UserID, name: hdr.Filename, rows: rows, at: time.Now()}
	st.mu.Unlock()
	preview := rows
	if len(preview) > 200 {
		preview = preview[:200]
	}
	data["Rows"], data["Preview"], data["Token"] = len(rows), preview, token
	return s.renderImport(w, r, data, nil, http.StatusOK)
}

func countRows(probs []jianfu.Problem) int {
	rows := map[int]bool{}
	for _, p := range probs {
		rows[p.Row] = true
	}
	return len(rows)
}

func (s *Server) confirmChannelImport(w http.ResponseWriter, r *http.Request) error {
	token := r.PostFormValue("token")
	st := s.registry
	st.mu.Lock()
	u := st.uploads[token]
	if u != nil && u.user == info(r).actor.UserID {
		delete(st.uploads, token)
	} else {
		u = nil
	}
	st.mu.Unlock()
	if u == nil || time.Since(u.at) > 30*time.Minute {
		return jianfu.Errorf(jianfu.EINVALID, "导入预览已过期或不存在,请重新上传文件", "the import preview expired or does not exist; upload the file again")
	}
	return formAction(w, r, func() (string, error) {
		n, err := s.svc.Registry.ImportChannels(r.Context(), u.rows)
		return "/registry?imported=" + strconv.Itoa(n), err
	}, func(err error, status int) error {
		data := map[string]any{"File": u.name}
		if je, ok := err.(*jianfu.Error); ok {
			data["Problems"] = je.Problems
		}
		return s.renderImport(w, r, data, err, status)
	})
}

// channelTemplate downloads an empty channel file with Chinese headers and
// three example rows.
func (s *Server) channelTemplate(w http.ResponseWriter, r *http.Request) error {
	f, err := report.ChannelTemplate(queryFormat(r), info(r).actor.UnitName)
	if err != nil {
		return err
	}
	return download(w, f)
}

// queryFormat is the table format a download asks for: xlsx unless csv.
func queryFormat(r *http.Request) tabular.Format {
	if r.URL.Query().Get("format") == "csv" {
		return tabular.CSV
	}
	return tabular.XLSX
}

// exportChannels downloads the filtered registry as .xlsx or .csv.
func (s *Server) exportChannels(w http.ResponseWriter, r *http.Request) error {
	f, err := channelFilter(r, nil)
	if err != nil {
		return err
	}
	file, n, err := report.Channels(queryFormat(r), s.now(), func(add func(*jianfu.Channel) error) (int, error) {
		return s.svc.Registry.ExportChannels(r.Context(), f, add)
	})
	if err != nil {
		return err
	}
	w.Header().Set("X-Rows", strconv.Itoa(n))
	return download(w, file)
}
