package open311_test

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"jianfu"
	"jianfu/open311"
	"jianfu/secret"
	"jianfu/store"
	"jianfu/store/storetest"
)

// server is an Open311 endpoint over a fixture database, with an API key
// for a third-party application.
type server struct {
	db  *store.DB
	srv *httptest.Server
	key string
}

func newServer(t *testing.T, db *store.DB) *server {
	t.Helper()
	f := storetest.Load(t, db)
	app := &jianfu.User{Username: "app.12345", Name: "12345 市民热线应用", UnitID: f.Units["city"].ID, Roles: []jianfu.Role{jianfu.RoleApp}}
	if err := db.Users().CreateUser(storetest.System(), app, ""); err != nil {
		t.Fatal(err)
	}
	key, err := db.Users().CreateToken(storetest.System(), app.Username, "open311")
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Channels().CreateChannel(storetest.System(), &jianfu.Channel{Kind: jianfu.KindGroup, Name: "望江中学教师工作群", UnitID: f.Units["southSchool"].ID, Platform: "wechat", Status: jianfu.StatusActive}); err != nil {
		t.Fatal(err)
	}
	h := open311.New(db.Intake(), db.Users().TokenActor, open311.Config{})
	mux := http.NewServeMux()
	mux.Handle(open311.Prefix, h)
	s := &server{db: db, srv: httptest.NewServer(mux), key: key}
	t.Cleanup(s.srv.Close)
	return s
}

func (s *server) get(t *testing.T, path string) (int, []byte) {
	t.Helper()
	resp, err := http.Get(s.srv.URL + "/open311/v2/" + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

// post submits a form exactly as a third-party application would: a plain
// net/http client, application/x-www-form-urlencoded, no cookies.
func (s *server) post(t *testing.T, format string, form url.Values) (int, []byte) {
	t.Helper()
	resp, err := http.PostForm(s.srv.URL+"/open311/v2/requests."+format, form)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); format == "xml" && ct != "text/xml; charset=utf-8" || format == "json" && ct != "application/json; charset=utf-8" {
		t.Errorf("content type %q for %s", ct, format)
	}
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

func complaintForm(key string) url.Values {
	return url.Values{
		"api_key": {key}, "jurisdiction_id": {"jiangzhou.gov.cn"}, "service_code": {"chain"},
		"address_string": {"江州市江南区望江街道"}, "device_id": {"tt222111"}, "account_id": {"123456"},
		"description":        {"望江中学教师工作群每天晚上十点要求接龙回复收到,第二天通报未回复的老师。"},
		"attribute[channel]": {"望江中学教师工作群"},
	}
}

var trackingRe = regexp.MustCompile(`[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}`)

// TestThirdPartyAppFilesAndFollowsARequest: an app posts a complaint with
// its API key, reads the number and the tracking code from the answer,
// resolves the code as a token and reads the request's public status.
func TestThirdPartyAppFilesAndFollowsARequest(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := newServer(t, db)
		st, body := s.post(t, "xml", complaintForm(s.key))
		if st != http.StatusOK {
			t.Fatalf("POST requests.xml: %d %s", st, body)
		}
		var created struct {
			Requests []struct {
				ID        string  `xml:"service_request_id"`
				Notice    string  `xml:"service_notice"`
				AccountID *string `xml:"account_id"`
			} `xml:"request"`
		}
		if err := xml.Unmarshal(body, &created); err != nil || len(created.Requests) != 1 {
			t.Fatalf("answer %s: %v", body, err)
		}
		id, notice := created.Requests[0].ID, created.Requests[0].Notice
		code := trackingRe.FindString(notice)
		if !strings.HasPrefix(id, "JF") || code == "" || !strings.Contains(notice, "/track") {
			t.Fatalf("id %q notice %q", id, notice)
		}
		st, body = s.get(t, "tokens/"+code+".json")
		if st != 200 || !strings.Contains(string(body), `"service_request_id":"`+id+`"`) {
			t.Errorf("token: %d %s", st, body)
		}
		st, body = s.get(t, "requests/"+id+".json")
		if st != 200 || !strings.Contains(string(body), `"status":"open"`) || !strings.Contains(string(body), `"address_id":"390102"`) {
			t.Errorf("request: %d %s", st, body)
		}
		if strings.Contains(string(body), "十点") {
			t.Errorf("a public request shows the complaint's words: %s", body)
		}
		// The case is in the county's queue, from the app, with the channel proposed.
		f := storetest.System()
		list, _, err := db.Cases().FindCases(f, jianfu.CaseFilter{Query: id})
		if err != nil || len(list) != 1 {
			t.Fatalf("case %s: %v", id, err)
		}
		c := list[0]
		if c.Source != jianfu.SourceOpen311 || c.RegionPath != "390102" || c.ProposedChannelName != "望江中学教师工作群" || c.Category != "chain" {
			t.Errorf("stored case: source %s region %s channel %q category %s", c.Source, c.RegionPath, c.ProposedChannelName, c.Category)
		}
		entries, _, _ := db.Audit().FindAuditEntries(f, jianfu.AuditFilter{Action: "case.submit"})
		if len(entries) != 1 || entries[0].ActorName != "app.12345" {
			t.Errorf("the app is not named in the audit log: %+v", entries)
		}
		dump := strings.Join(caseColumns(t, db), "|")
		if strings.Contains(dump, "tt222111") || strings.Contains(dump, "123456") {
			t.Error("device_id or account_id was stored")
		}

		// Errors in the spec's format and status codes.
		for _, tt := range []struct {
			name   string
			form   func(url.Values)
			status int
			says   string
		}{
			{"no key", func(v url.Values) { v.Del("api_key") }, 403, "api_key"},
			{"bad key", func(v url.Values) { v.Set("api_key", "jf_forged") }, 403, "api_key"},
			{"unknown service", func(v url.Values) { v.Set("service_code", "potholes") }, 404, "service_code"},
			{"no location", func(v url.Values) { v.Del("address_string") }, 400, "address_id"},
			{"lat/long only", func(v url.Values) { v.Del("address_string"); v.Set("lat", "28.19"); v.Set("long", "112.97") }, 400, "经纬度"},
			{"unknown county", func(v url.Values) { v.Set("address_string", "火星基地") }, 400, "address_id"},
			{"bad division", func(v url.Values) { v.Set("address_id", "99x") }, 400, "address_id"},
			{"identity without a key", func(v url.Values) { v.Set("first_name", "晓明"); v.Set("last_name", "王") }, 400, "匿名"},
			{"short description", func(v url.Values) { v.Set("description", "太烦") }, 400, "描述"},
		} {
			form := complaintForm(s.key)
			tt.form(form)
			st, body := s.post(t, "json", form)
			var errs []struct {
				Code        int    `json:"code"`
				Description string `json:"description"`
			}
			decodeJSON(t, body, &errs)
			if st != tt.status || len(errs) != 1 || errs[0].Code != tt.status || !strings.Contains(errs[0].Description, tt.says) {
				t.Errorf("%s: %d %s", tt.name, st, body)
			}
		}
		// With a key configured, a named request is taken and sealed.
		db.SetReporterKey(mustSealer(t))
		form := complaintForm(s.key)
		form.Set("first_name", "晓明")
		form.Set("last_name", "王")
		form.Set("phone", "13912345678")
		if st, body := s.post(t, "json", form); st != 200 {
			t.Errorf("named request with a key: %d %s", st, body)
		}
		if strings.Contains(strings.Join(caseColumns(t, db), "|"), "13912345678") {
			t.Error("the phone number is stored in clear")
		}
	})
}

func mustSealer(t *testing.T) *secret.Sealer {
	s, err := secret.ParseSealerKey(secret.NewSealerKey())
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// caseColumns returns every text column of the cases, events and reporters.
func caseColumns(t *testing.T, db *store.DB) []string {
	var out []string
	for _, q := range []string{`SELECT description || channel_text || address || media_url || source_ref FROM cases`, `SELECT note || public_note FROM case_events`, `SELECT detail FROM audit_log`} {
		rows, err := db.SQL().Query(q)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var s string
			rows.Scan(&s)
			out = append(out, s)
		}
		rows.Close()
	}
	return out
}

func decodeJSON(t *testing.T, b []byte, v any) {
	t.Helper()
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("not JSON: %s: %v", b, err)
	}
}

// schemaDir returns testdata/georeport-v2: the published GeoReport v2 JSON
// Schemas (source in testdata/README.md). Their absence fails the test.
func schemaDir(t *testing.T) string {
	t.Helper()
	p := filepath.Join("testdata", "georeport-v2")
	for _, name := range []string{"request.json", "requests.json", "service.json", "services.json", "service-definition.json"} {
		if _, err := os.Stat(filepath.Join(p, name)); err != nil {
			t.Fatalf("the Open311 schemas belong in the repository: %v", err)
		}
	}
	return p
}

// TestJSONValidatesAgainstPublishedSchemas checks every JSON answer the
// schemas cover: services, a service definition, requests (a list and
// one), with open and closed cases and every kind of optional field.
func TestJSONValidatesAgainstPublishedSchemas(t *testing.T) {
	dir := schemaDir(t)
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	schema := func(name string) *jsonschema.Schema {
		sch, err := c.Compile(filepath.Join(dir, name))
		if err != nil {
			t.Fatalf("compile %s: %v", name, err)
		}
		return sch
	}
	services, definition, requests := schema("services.json"), schema("service-definition.json"), schema("requests.json")
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := newServer(t, db)
		// An open request, one with lat/long and address_id, and a closed one.
		s.post(t, "json", complaintForm(s.key))
		form := complaintForm(s.key)
		form.Del("address_string")
		form.Set("address_id", "390103")
		form.Set("lat", "28.2")
		form.Set("long", "112.9")
		form.Set("media_url", "https://example.org/p.jpg")
		form.Set("service_code", "other")
		s.post(t, "json", form)
		st, body := s.post(t, "json", complaintForm(s.key))
		var made []struct {
			ID string `json:"service_request_id"`
		}
		decodeJSON(t, body, &made)
		closeCase(t, db, made[0].ID)

		check := func(sch *jsonschema.Schema, path string) {
			t.Helper()
			st, body = s.get(t, path)
			if st != 200 {
				t.Fatalf("GET %s: %d %s", path, st, body)
			}
			v, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
			if err != nil {
				t.Fatalf("%s: %v", path, err)
			}
			if err := sch.Validate(v); err != nil {
				t.Errorf("%s does not validate: %v\n%s", path, err, body)
			}
		}
		check(services, "services.json")
		for _, code := range jianfu.CaseCategories {
			check(definition, "services/"+string(code)+".json")
		}
		check(requests, "requests.json")
		check(requests, "requests.json?status=closed")
		check(requests, "requests/"+made[0].ID+".json")
		if !strings.Contains(string(body), `"status":"closed"`) {
			t.Errorf("the closed request: %s", body)
		}
		_, all := s.get(t, "requests.json")
		if n := strings.Count(string(all), "service_request_id"); n != 3 {
			t.Errorf("requests.json lists %d requests, want 3", n)
		}
	})
}

// closeCase takes a case through to closed as the county office and unit.
func closeCase(t *testing.T, db *store.DB, number string) {
	t.Helper()
	sys := storetest.System()
	list, _, err := db.Cases().FindCases(sys, jianfu.CaseFilter{Query: number})
	if err != nil || len(list) != 1 {
		t.Fatalf("find %s: %v", number, err)
	}
	id := list[0].ID
	if _, err := db.Cases().TransferCase(sys, id, jianfu.Transfer{}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Cases().AnswerCase(sys, id, jianfu.CaseAnswer{Finding: jianfu.FindingUnsubstantiated, Text: "经查该群没有此类要求。"}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Cases().CloseCase(sys, id, jianfu.Closing{Outcome: jianfu.OutcomeUnsubstantiated, Note: "经核查反映不实"}); err != nil {
		t.Fatal(err)
	}
}

// elements lists the element paths of an XML document in document order
// (each repeated list is cut to its first item).
func elements(t *testing.T, b []byte) []string {
	t.Helper()
	dec := xml.NewDecoder(bytes.NewReader(b))
	var stack, out []string
	seen := map[string]bool{}
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatalf("XML: %v\n%s", err, b)
		}
		switch e := tok.(type) {
		case xml.StartElement:
			stack = append(stack, e.Name.Local)
			p := strings.Join(stack, "/")
			if !seen[p] {
				seen[p] = true
				out = append(out, p)
			}
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		}
	}
}

// TestXMLMatchesSpecExamples compares the structure of every XML answer
// with the specification's example of the same call.
func TestXMLMatchesSpecExamples(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	s := newServer(t, db)
	st, created := s.post(t, "xml", complaintForm(s.key))
	if st != 200 {
		t.Fatalf("post: %d %s", st, created)
	}
	var id string
	if m := regexp.MustCompile(`<service_request_id>([^<]+)</service_request_id>`).FindSubmatch(created); m != nil {
		id = string(m[1])
	}
	code := trackingRe.FindString(string(created))
	_, badKey := s.post(t, "xml", url.Values{"api_key": {"jf_nonsense"}, "service_code": {"chain"}})
	for _, tt := range []struct{ example, path string }{
		{"discovery.xml", "discovery.xml"},
		{"services.xml", "services.xml"},
		{"service_definition.xml", "services/chain.xml"},
		{"requests.xml", "requests.xml"},
		{"requests.xml", "requests/" + id + ".xml"},
		{"token.xml", "tokens/" + code + ".xml"},
		{"errors.xml", "requests/JF1999-000000.xml"},
	} {
		want, err := os.ReadFile(filepath.Join("testdata", "spec", tt.example))
		if err != nil {
			t.Fatal(err)
		}
		_, got := s.get(t, tt.path)
		if !bytes.HasPrefix(got, []byte(`<?xml version="1.0" encoding="utf-8"?>`)) {
			t.Errorf("%s: no XML declaration", tt.path)
		}
		if w, g := strings.Join(elements(t, want), "\n"), strings.Join(elements(t, got), "\n"); w != g {
			t.Errorf("%s differs from the spec's %s:\nwant\n%s\ngot\n%s", tt.path, tt.example, w, g)
		}
	}
	for name, got := range map[string][]byte{"post_response.xml": created, "errors.xml": badKey} {
		want, _ := os.ReadFile(filepath.Join("testdata", "spec", name))
		if w, g := strings.Join(elements(t, want), "\n"), strings.Join(elements(t, got), "\n"); w != g {
			t.Errorf("%s structure:\nwant\n%s\ngot\n%s", name, w, g)
		}
	}
	// A 404 for the unknown request, and the English description on request.
	resp, _ := http.Get(s.srv.URL + "/open311/v2/requests/JF1999-000000.xml?lang=en")
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 404 || !strings.Contains(string(b), "no public service request") {
		t.Errorf("unknown request: %d %s", resp.StatusCode, b)
	}
	if st, _ := s.get(t, "services"); st != 404 {
		t.Errorf("no extension: %d", st)
	}
	if st, _ := s.get(t, "requests.json?start_date=2026-01-01T00:00:00Z&end_date=2026-06-01T00:00:00Z"); st != 400 {
		t.Errorf("a range over 90 days: %d", st)
	}
}

// FuzzParseForm feeds arbitrary form bodies to the POST parser: it never
// panics, and what it accepts has a service code, a location and sane
// coordinates.
func FuzzParseForm(f *testing.F) {
	f.Add(complaintForm("jf_x").Encode())
	f.Add("service_code=chain&lat=91&long=0&address_id=3901")
	f.Add("service_code=&address_string=%E6%B1%9F%E5%8D%97%E5%8C%BA&attribute[channel][]=a&attribute[x]=1")
	f.Add("service_code=task&lat=NaN&long=NaN&address_string=x")
	f.Add("service_code=trace&address_id=390102001&media_url=javascript:alert(1)")
	f.Add("description=%ff%fe&service_code=other&address_id=39")
	f.Fuzz(func(t *testing.T, body string) {
		v, err := url.ParseQuery(body)
		if err != nil {
			return
		}
		form, err := open311.ParseForm(v)
		if err != nil {
			if jianfu.ErrorCode(err) != jianfu.EINVALID || jianfu.ErrorMessage(err, "zh") == "" {
				t.Fatalf("refusal is not a clear EINVALID: %v", err)
			}
			return
		}
		if form.ServiceCode == "" || form.AddressID == "" && form.AddressString == "" {
			t.Fatalf("accepted without service code or location: %+v", form)
		}
		if form.Lat != nil && (*form.Lat < -90 || *form.Lat > 90 || *form.Long < -180 || *form.Long > 180) {
			t.Fatalf("coordinates out of range: %v %v", *form.Lat, *form.Long)
		}
		c := form.Complaint("390102")
		if c.Source != jianfu.SourceOpen311 || c.RegionCode != "390102" {
			t.Fatalf("complaint %+v", c)
		}
	})
}
