// Package open311 serves jianfu's complaint intake over Open311 GeoReport
// v2 (http://wiki.open311.org/GeoReport_v2), so third-party applications —
// a city's 12345 app, a citizen-service mini program — can file
// "指尖上的形式主义" problems and follow them, in XML (required by the spec)
// and JSON.
//
// Mapping to jianfu:
//   - service codes are the problem categories of the detector plus
//     "other"; each has one optional attribute, "channel", naming the app,
//     account or group concerned;
//   - service_request_id is the case number (JF2026-000123);
//   - location is the administrative division: address_id takes a
//     division code (6 or 9 digits), address_string is searched for a
//     county's name; lat/long alone cannot be routed and is refused;
//   - the reporter's name, phone and e-mail, when given, are stored only
//     encrypted; device_id and account_id are not stored at all;
//   - the POST response's service_notice carries the reporter's tracking
//     code, which GET tokens/{code} resolves to the service_request_id;
//   - GET requests lists complaints from the public with their public
//     status, never their description.
package open311

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"jianfu"
)

// Backend is what the endpoint needs of the case store.
type Backend interface {
	SubmitComplaint(ctx context.Context, c *jianfu.Complaint) (*jianfu.ComplaintReceipt, error)
	TrackCase(ctx context.Context, code string) (*jianfu.PublicCase, error)
	PublicCases(ctx context.Context, f jianfu.PublicCaseFilter) ([]*jianfu.PublicCase, error)
	ComplaintRegions(ctx context.Context) ([]*jianfu.Region, error)
}

// KeyResolver turns an api_key into the acting application; an error
// means the key is unknown or revoked.
type KeyResolver func(ctx context.Context, key string) (*jianfu.Actor, error)

// Config describes the endpoint for discovery.
type Config struct {
	Contact    string    // how to reach the operator, shown in discovery
	KeyService string    // how to obtain an api_key
	Changeset  time.Time // when the service list last changed
	// BaseURL returns the public URL of the API (up to and including
	// /open311/v2) for a request; nil derives it from the request.
	BaseURL func(r *http.Request) string
	// Propose finds the demand categories in a request's words (the
	// detector's); nil proposes none.
	Propose func(texts ...string) []string
}

// Handler serves /open311/v2/….
type Handler struct {
	b    Backend
	keys KeyResolver
	cfg  Config
	now  func() time.Time
}

// New returns the handler. It expects to be mounted at /open311/v2/.
func New(b Backend, keys KeyResolver, cfg Config) *Handler {
	if cfg.Changeset.IsZero() {
		cfg.Changeset = time.Date(2026, 3, 1, 0, 0, 0, 0, jianfu.China)
	}
	if cfg.Contact == "" {
		cfg.Contact = "请联系所在地网信办;接口问题请联系平台管理员"
	}
	if cfg.KeyService == "" {
		cfg.KeyService = "api_key 由平台管理员为“第三方应用”账号创建:jianfu user create APP --roles app --unit ID,再 jianfu user token APP"
	}
	return &Handler{b: b, keys: keys, cfg: cfg, now: time.Now}
}

// Prefix is where the handler is mounted.
const Prefix = "/open311/v2/"

// format is the response format chosen by the path's extension.
type format int

const (
	fmtXML format = iota
	fmtJSON
)

// splitFormat cuts ".xml" or ".json" off the last path element.
func splitFormat(p string) (string, format, bool) {
	switch {
	case strings.HasSuffix(p, ".xml"):
		return strings.TrimSuffix(p, ".xml"), fmtXML, true
	case strings.HasSuffix(p, ".json"):
		return strings.TrimSuffix(p, ".json"), fmtJSON, true
	}
	return p, fmtXML, false
}

// apiError is an Open311 error: its HTTP status is its code.
type apiError struct {
	code int
	zh   string
	en   string
}

func (e *apiError) Error() string { return e.zh }

func errorf(code int, zh, en string) *apiError { return &apiError{code, zh, en} }

// fromDomain maps a jianfu error to the status the spec asks for: 404 for
// what does not exist, 403 for keys, 400 for everything else.
func fromDomain(err error) *apiError {
	var status int
	switch jianfu.ErrorCode(err) {
	case jianfu.ENOTFOUND:
		status = http.StatusNotFound
	case jianfu.EUNAUTHORIZED, jianfu.EFORBIDDEN:
		status = http.StatusForbidden
	case jianfu.ETOOMANY:
		status = http.StatusTooManyRequests
	case jianfu.EUNAVAILABLE:
		status = http.StatusServiceUnavailable
	case jianfu.EINTERNAL:
		status = http.StatusInternalServerError
	default:
		status = http.StatusBadRequest
	}
	e := &apiError{code: status, zh: jianfu.ErrorMessage(err, "zh"), en: jianfu.ErrorMessage(err, "en")}
	if je, ok := err.(*jianfu.Error); ok && len(je.Problems) > 1 {
		var zh, en []string
		for _, p := range je.Problems {
			zh = append(zh, p.Message)
			en = append(en, p.Localize("en"))
		}
		e.zh, e.en = strings.Join(zh, ";"), strings.Join(en, "; ")
	}
	return e
}

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rest := strings.TrimPrefix(r.URL.Path, strings.TrimSuffix(Prefix, "/"))
	rest = strings.TrimPrefix(rest, "/")
	parts := strings.Split(rest, "/")
	last, f, ok := splitFormat(parts[len(parts)-1])
	parts[len(parts)-1] = last
	en := wantsEnglish(r)
	fail := func(e *apiError) { writeErrors(w, f, e, en) }
	if !ok {
		fail(errorf(http.StatusNotFound, "资源须以 .xml 或 .json 结尾,例如 services.xml", "resources end in .xml or .json, e.g. services.xml"))
		return
	}
	var err error
	switch {
	case len(parts) == 1 && parts[0] == "discovery" && r.Method == http.MethodGet:
		err = h.discovery(w, r, f)
	case len(parts) == 1 && parts[0] == "services" && r.Method == http.MethodGet:
		err = h.services(w, f)
	case len(parts) == 2 && parts[0] == "services" && r.Method == http.MethodGet:
		err = h.serviceDefinition(w, f, parts[1])
	case len(parts) == 1 && parts[0] == "requests" && r.Method == http.MethodGet:
		err = h.requests(w, r, f)
	case len(parts) == 1 && parts[0] == "requests" && r.Method == http.MethodPost:
		err = h.create(w, r, f)
	case len(parts) == 2 && parts[0] == "requests" && r.Method == http.MethodGet:
		err = h.request(w, r, f, parts[1])
	case len(parts) == 2 && parts[0] == "tokens" && r.Method == http.MethodGet:
		err = h.token(w, r, f, parts[1])
	case len(parts) <= 2 && (parts[0] == "requests" || parts[0] == "services" || parts[0] == "tokens" || parts[0] == "discovery"):
		w.Header().Set("Allow", allowFor(parts))
		err = errorf(http.StatusMethodNotAllowed, "不支持 "+r.Method+" 方法", "method "+r.Method+" is not allowed")
	default:
		err = errorf(http.StatusNotFound, "没有这个资源:"+r.URL.Path, "no such resource: "+r.URL.Path)
	}
	if err != nil {
		if e, ok := err.(*apiError); ok {
			fail(e)
		} else {
			fail(fromDomain(err))
		}
	}
}

func allowFor(parts []string) string {
	if len(parts) == 1 && parts[0] == "requests" {
		return "GET, POST"
	}
	return "GET"
}

func wantsEnglish(r *http.Request) bool {
	if l := r.URL.Query().Get("lang"); l != "" {
		return l == "en"
	}
	al := strings.ToLower(r.Header.Get("Accept-Language"))
	return strings.HasPrefix(al, "en")
}

// write sends v as XML (with the declaration the spec requires) or JSON.
func write(w http.ResponseWriter, status int, f format, xmlValue, jsonValue any) {
	w.Header().Set("Cache-Control", "no-store")
	if f == fmtJSON {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(status)
		enc := json.NewEncoder(w)
		enc.SetEscapeHTML(false)
		enc.Encode(jsonValue)
		return
	}
	w.Header().Set("Content-Type", "text/xml; charset=utf-8")
	w.WriteHeader(status)
	w.Write([]byte(`<?xml version="1.0" encoding="utf-8"?>` + "\n"))
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	enc.Encode(xmlValue)
	w.Write([]byte("\n"))
}

type xmlErrors struct {
	XMLName xml.Name   `xml:"errors"`
	Errors  []xmlError `xml:"error"`
}

type xmlError struct {
	Code        int    `xml:"code" json:"code"`
	Description string `xml:"description" json:"description"`
}

func writeErrors(w http.ResponseWriter, f format, e *apiError, en bool) {
	msg := e.zh
	if en && e.en != "" {
		msg = e.en
	}
	one := xmlError{Code: e.code, Description: msg}
	if e.code == http.StatusServiceUnavailable {
		w.Header().Set("Retry-After", "5") // busy for a moment; nothing was saved
	}
	write(w, e.code, f, xmlErrors{Errors: []xmlError{one}}, []xmlError{one})
}

// baseURL is the public address of the API.
func (h *Handler) baseURL(r *http.Request) string {
	if h.cfg.BaseURL != nil {
		return h.cfg.BaseURL(r)
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host + strings.TrimSuffix(Prefix, "/")
}

// siteURL is the address of the web site the API belongs to.
func (h *Handler) siteURL(r *http.Request) string {
	return strings.TrimSuffix(h.baseURL(r), strings.TrimSuffix(Prefix, "/"))
}

// Discovery.

type discovery struct {
	XMLName    xml.Name   `xml:"discovery" json:"-"`
	Changeset  string     `xml:"changeset" json:"changeset"`
	Contact    string     `xml:"contact" json:"contact"`
	KeyService string     `xml:"key_service" json:"key_service"`
	Endpoints  []endpoint `xml:"endpoints>endpoint" json:"endpoints"`
}

type endpoint struct {
	Specification string   `xml:"specification" json:"specification"`
	URL           string   `xml:"url" json:"url"`
	Changeset     string   `xml:"changeset" json:"changeset"`
	Type          string   `xml:"type" json:"type"`
	Formats       []string `xml:"formats>format" json:"formats"`
}

func (h *Handler) discovery(w http.ResponseWriter, r *http.Request, f format) error {
	cs := h.cfg.Changeset.In(jianfu.China).Format(time.RFC3339)
	d := discovery{Changeset: cs, Contact: h.cfg.Contact, KeyService: h.cfg.KeyService, Endpoints: []endpoint{{
		Specification: "http://wiki.open311.org/GeoReport_v2", URL: h.baseURL(r), Changeset: cs, Type: "production",
		Formats: []string{"text/xml", "application/json"},
	}}}
	write(w, http.StatusOK, f, d, d)
	return nil
}

// Services.

type service struct {
	Code        string `xml:"service_code" json:"service_code"`
	Name        string `xml:"service_name" json:"service_name"`
	Description string `xml:"description" json:"description"`
	Metadata    bool   `xml:"metadata" json:"metadata"`
	Type        string `xml:"type" json:"type"`
	Keywords    string `xml:"keywords" json:"keywords"`
	Group       string `xml:"group" json:"group"`
}

type xmlServices struct {
	XMLName  xml.Name  `xml:"services"`
	Services []service `xml:"service"`
}

// keywords are synonyms people use for each category.
var keywords = map[jianfu.Category]string{
	jianfu.Checkin:       "打卡, 签到, 定位, 学习积分, 在线时长",
	jianfu.Chain:         "接龙, 收到请回复, 报数, 回复1",
	jianfu.Instant:       "秒回, 随时在线, 深夜回复, 限时",
	jianfu.Task:          "摊派, 拉人头, 问卷, 指标, 完成率",
	jianfu.Material:      "填表, 台账, 材料, 重复报送, 多头报送",
	jianfu.Promote:       "强制下载, 关注, 注册, 装机率",
	jianfu.Engagement:    "点赞, 转发, 评论, 投票, 阅读量",
	jianfu.Trace:         "截图, 拍照, 视频, 轨迹, 留痕",
	jianfu.CategoryOther: "形式主义, 基层负担",
}

func services() []service {
	out := make([]service, 0, len(jianfu.CaseCategories))
	for _, c := range jianfu.CaseCategories {
		out = append(out, service{Code: string(c), Name: c.Label(), Description: c.Meaning(),
			Metadata: true, Type: "realtime", Keywords: keywords[c], Group: "指尖上的形式主义"})
	}
	return out
}

func (h *Handler) services(w http.ResponseWriter, f format) error {
	s := services()
	write(w, http.StatusOK, f, xmlServices{Services: s}, s)
	return nil
}

type serviceDefinition struct {
	XMLName    xml.Name    `xml:"service_definition" json:"-"`
	Code       string      `xml:"service_code" json:"service_code"`
	Attributes []attribute `xml:"attributes>attribute" json:"attributes"`
}

type attribute struct {
	Variable            bool   `xml:"variable" json:"variable"`
	Code                string `xml:"code" json:"code"`
	Datatype            string `xml:"datatype" json:"datatype"`
	Required            bool   `xml:"required" json:"required"`
	DatatypeDescription string `xml:"datatype_description" json:"datatype_description"`
	Order               int    `xml:"order" json:"order"`
	Description         string `xml:"description" json:"description"`
}

// ChannelAttribute is the code of the one attribute every service has.
const ChannelAttribute = "channel"

func (h *Handler) serviceDefinition(w http.ResponseWriter, f format, code string) error {
	if !jianfu.ValidCategory(code) {
		return errorf(http.StatusNotFound, "没有这个 service_code:"+code+",可用代码见 services.xml", "no service_code "+code+"; see services.xml for the codes")
	}
	d := serviceDefinition{Code: code, Attributes: []attribute{{
		Variable: true, Code: ChannelAttribute, Datatype: "string", Required: false, Order: 1,
		DatatypeDescription: "名称,最多100字",
		Description:         "涉及的政务应用程序、政务公众账号或工作群组的名称(如“某某区教师工作群”)",
	}}}
	write(w, http.StatusOK, f, d, d)
	return nil
}

// Service requests.

// request is one service request as GET requests answers it. Pointers are
// null in JSON and empty elements in XML.
type request struct {
	ID                string   `xml:"service_request_id" json:"service_request_id"`
	Status            string   `xml:"status" json:"status"`
	StatusNotes       *string  `xml:"status_notes" json:"status_notes"`
	ServiceName       string   `xml:"service_name" json:"service_name"`
	ServiceCode       string   `xml:"service_code" json:"service_code"`
	Description       *string  `xml:"description" json:"description"`
	AgencyResponsible *string  `xml:"agency_responsible" json:"agency_responsible"`
	ServiceNotice     *string  `xml:"service_notice" json:"service_notice"`
	RequestedDatetime string   `xml:"requested_datetime" json:"requested_datetime"`
	UpdatedDatetime   *string  `xml:"updated_datetime" json:"updated_datetime"`
	ExpectedDatetime  *string  `xml:"expected_datetime" json:"expected_datetime"`
	Address           *string  `xml:"address" json:"address"`
	AddressID         *string  `xml:"address_id" json:"address_id"`
	Zipcode           *string  `xml:"zipcode" json:"zipcode"`
	Lat               *float64 `xml:"lat" json:"lat"`
	Long              *float64 `xml:"long" json:"long"`
	MediaURL          *string  `xml:"media_url" json:"media_url"`
}

// MarshalXML writes every element, nil ones empty, in the spec's order.
func (q request) MarshalXML(e *xml.Encoder, start xml.StartElement) error {
	type field struct {
		name string
		v    *string
	}
	num := func(f *float64) *string {
		if f == nil {
			return nil
		}
		s := strconv.FormatFloat(*f, 'f', -1, 64)
		return &s
	}
	id, status, sname, scode, req := q.ID, q.Status, q.ServiceName, q.ServiceCode, q.RequestedDatetime
	fields := []field{{"service_request_id", &id}, {"status", &status}, {"status_notes", q.StatusNotes}, {"service_name", &sname},
		{"service_code", &scode}, {"description", q.Description}, {"agency_responsible", q.AgencyResponsible}, {"service_notice", q.ServiceNotice},
		{"requested_datetime", &req}, {"updated_datetime", q.UpdatedDatetime}, {"expected_datetime", q.ExpectedDatetime},
		{"address", q.Address}, {"address_id", q.AddressID}, {"zipcode", q.Zipcode}, {"lat", num(q.Lat)}, {"long", num(q.Long)}, {"media_url", q.MediaURL}}
	start.Name.Local = "request"
	if err := e.EncodeToken(start); err != nil {
		return err
	}
	for _, f := range fields {
		v := ""
		if f.v != nil {
			v = *f.v
		}
		if err := e.EncodeElement(v, xml.StartElement{Name: xml.Name{Local: f.name}}); err != nil {
			return err
		}
	}
	return e.EncodeToken(start.End())
}

type xmlRequests struct {
	XMLName  xml.Name  `xml:"service_requests"`
	Requests []request `xml:"request"`
}

func w3c(t time.Time) string { return t.In(jianfu.China).Format(time.RFC3339) }

func strp(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func toRequest(p *jianfu.PublicCase) request {
	status := "open"
	if !p.Open {
		status = "closed"
	}
	q := request{ID: p.Number, Status: status, StatusNotes: strp(p.StatusNote), ServiceName: jianfu.Category(p.Category).Label(), ServiceCode: p.Category,
		AgencyResponsible: strp(p.UnitName), RequestedDatetime: w3c(p.RequestedAt), Lat: p.Lat, Long: p.Lon}
	up := w3c(p.UpdatedAt)
	q.UpdatedDatetime = &up
	if p.ExpectedAt != nil {
		ex := w3c(*p.ExpectedAt)
		q.ExpectedDatetime = &ex
	}
	addr := p.RegionName
	if p.Address != "" {
		addr = p.Address + "," + p.RegionName
	}
	q.Address, q.AddressID = strp(addr), strp(p.RegionCode)
	return q
}

// parseW3C reads a date-time as the spec writes them (w3 note: a date, or
// a date-time with a zone).
func parseW3C(name, v string) (time.Time, error) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04Z07:00", "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, v, jianfu.China); err == nil {
			return t, nil
		}
	}
	return time.Time{}, errorf(http.StatusBadRequest, name+" 格式应为 w3c 日期时间,如 2026-03-01T00:00:00+08:00", name+" must be a w3c date-time such as 2026-03-01T00:00:00Z")
}

func splitList(v string) []string {
	var out []string
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

func (h *Handler) requests(w http.ResponseWriter, r *http.Request, f format) error {
	q := r.URL.Query()
	var filter jianfu.PublicCaseFilter
	if ids := splitList(q.Get("service_request_id")); len(ids) > 0 {
		if len(ids) > 100 {
			return errorf(http.StatusBadRequest, "一次最多查询100个 service_request_id", "at most 100 service_request_id values at once")
		}
		filter.Numbers = ids
	} else {
		for _, c := range splitList(q.Get("service_code")) {
			if !jianfu.ValidCategory(c) {
				return errorf(http.StatusBadRequest, "service_code 无效:"+c, "invalid service_code: "+c)
			}
			filter.Category = append(filter.Category, c)
		}
		statuses := splitList(q.Get("status"))
		for _, s := range statuses {
			if s != "open" && s != "closed" {
				return errorf(http.StatusBadRequest, "status 只能是 open 或 closed", "status is open or closed")
			}
		}
		if len(statuses) == 1 {
			filter.Status = statuses[0]
		}
		var err error
		if v := q.Get("start_date"); v != "" {
			if filter.Since, err = parseW3C("start_date", v); err != nil {
				return err
			}
		}
		if v := q.Get("end_date"); v != "" {
			if filter.Until, err = parseW3C("end_date", v); err != nil {
				return err
			}
		}
		switch {
		case !filter.Since.IsZero() && !filter.Until.IsZero():
			if filter.Until.Before(filter.Since) {
				return errorf(http.StatusBadRequest, "end_date 早于 start_date", "end_date is before start_date")
			}
			if filter.Until.Sub(filter.Since) > 90*24*time.Hour {
				return errorf(http.StatusBadRequest, "查询范围不能超过90天", "the date range may not span more than 90 days")
			}
		case !filter.Since.IsZero():
			filter.Until = filter.Since.Add(90 * 24 * time.Hour)
		case !filter.Until.IsZero():
			filter.Since = filter.Until.Add(-90 * 24 * time.Hour)
		}
	}
	list, err := h.b.PublicCases(r.Context(), filter)
	if err != nil {
		return err
	}
	out := make([]request, 0, len(list))
	for _, p := range list {
		out = append(out, toRequest(p))
	}
	write(w, http.StatusOK, f, xmlRequests{Requests: out}, out)
	return nil
}

func (h *Handler) request(w http.ResponseWriter, r *http.Request, f format, id string) error {
	list, err := h.b.PublicCases(r.Context(), jianfu.PublicCaseFilter{Numbers: []string{id}})
	if err != nil {
		return err
	}
	if len(list) == 0 {
		return errorf(http.StatusNotFound, "没有编号为 "+id+" 的公开反映", "no public service request "+id)
	}
	out := []request{toRequest(list[0])}
	write(w, http.StatusOK, f, xmlRequests{Requests: out}, out)
	return nil
}

type tokenAnswer struct {
	ID    string `xml:"service_request_id" json:"service_request_id"`
	Token string `xml:"token" json:"token"`
}

type xmlTokens struct {
	XMLName  xml.Name      `xml:"service_requests"`
	Requests []tokenAnswer `xml:"request"`
}

func (h *Handler) token(w http.ResponseWriter, r *http.Request, f format, token string) error {
	p, err := h.b.TrackCase(r.Context(), token)
	if err != nil {
		return err
	}
	out := []tokenAnswer{{ID: p.Number, Token: token}}
	write(w, http.StatusOK, f, xmlTokens{Requests: out}, out)
	return nil
}

// Creating a request.

type created struct {
	ID            string  `xml:"service_request_id" json:"service_request_id"`
	ServiceNotice string  `xml:"service_notice" json:"service_notice"`
	AccountID     *string `xml:"-" json:"account_id"` // never stored: always null
	XMLAccountID  string  `xml:"account_id" json:"-"` // the spec's example writes <account_id/>
}

type xmlCreated struct {
	XMLName  xml.Name  `xml:"service_requests"`
	Requests []created `xml:"request"`
}

// MaxForm bounds the body of a POST: text fields only.
const MaxForm = 64 << 10

var attrRe = regexp.MustCompile(`^attribute\[([A-Za-z0-9_\-]+)\](\[\])?$`)

// Form is a POST Service Request as sent by a client, before it becomes
// a complaint.
type Form struct {
	APIKey        string
	ServiceCode   string
	Lat, Long     *float64
	AddressString string
	AddressID     string
	Email         string
	FirstName     string
	LastName      string
	Phone         string
	Description   string
	MediaURL      string
	Attributes    map[string][]string
}

// ParseForm reads and checks the fields of a POST Service Request. Every
// problem found is reported at once, in Chinese and English.
func ParseForm(v url.Values) (*Form, error) {
	f := &Form{Attributes: map[string][]string{}}
	var probs []jianfu.Problem
	add := func(field, zh, en string) {
		probs = append(probs, jianfu.Problem{Field: field, Message: zh, English: en})
	}
	get := func(k string) string { return strings.TrimSpace(v.Get(k)) }
	for k, vals := range v {
		if !utf8.ValidString(k) {
			add("", "参数名不是有效的 UTF-8", "a parameter name is not valid UTF-8")
			continue
		}
		for i, x := range vals {
			if !utf8.ValidString(x) {
				add(k, k+" 不是有效的 UTF-8 文本", k+" is not valid UTF-8 text")
			}
			vals[i] = jianfu.CleanText(x) // no NUL, bidi overrides or zero-width characters
		}
		if m := attrRe.FindStringSubmatch(k); m != nil {
			f.Attributes[m[1]] = append(f.Attributes[m[1]], vals...)
		}
	}
	f.APIKey, f.ServiceCode = get("api_key"), get("service_code")
	f.AddressString, f.AddressID = get("address_string"), get("address_id")
	f.Email, f.FirstName, f.LastName, f.Phone = get("email"), get("first_name"), get("last_name"), get("phone")
	f.Description, f.MediaURL = strings.TrimSpace(v.Get("description")), get("media_url")
	if f.ServiceCode == "" {
		add("service_code", "缺少 service_code,可用代码见 services.xml", "service_code is required; see services.xml")
	}
	lat, long := get("lat"), get("long")
	if lat != "" || long != "" {
		la, err1 := strconv.ParseFloat(lat, 64)
		lo, err2 := strconv.ParseFloat(long, 64)
		switch {
		case lat == "" || long == "":
			add("lat", "lat 与 long 须同时提供", "lat and long go together")
		case err1 != nil || err2 != nil || la < -90 || la > 90 || lo < -180 || lo > 180 || la != la || lo != lo:
			add("lat", "lat/long 应为 WGS84 经纬度数值", "lat and long are WGS84 numbers")
		default:
			f.Lat, f.Long = &la, &lo
		}
	}
	if f.AddressID != "" {
		if _, _, _, err := jianfu.ParseRegionCode(f.AddressID); err != nil {
			add("address_id", "address_id 应为行政区划代码(6位或9位):"+jianfu.ErrorMessage(err, "zh"), "address_id is a division code (6 or 9 digits): "+jianfu.ErrorMessage(err, "en"))
		}
	}
	if f.AddressID == "" && f.AddressString == "" {
		if f.Lat != nil {
			add("address_id", "本接口按行政区划受理,仅有经纬度无法确定责任地区:请同时提供 address_id(区划代码)或含区县名称的 address_string", "requests are routed by administrative division; lat/long alone cannot be routed: also send address_id (a division code) or an address_string naming the county")
		} else {
			add("address_id", "缺少位置:请提供 address_id(区划代码)或 address_string", "a location is required: send address_id (a division code) or address_string")
		}
	}
	if utf8.RuneCountInString(f.AddressString) > 200 {
		add("address_string", "address_string 过长(最多200字)", "address_string is too long (200 characters at most)")
	}
	if utf8.RuneCountInString(f.Description) > jianfu.MaxDescription {
		add("description", "description 最多4000字", "description is limited to 4,000 characters")
	}
	if f.MediaURL != "" {
		u, err := url.Parse(f.MediaURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || len(f.MediaURL) > 500 {
			add("media_url", "media_url 应为 http(s) 网址", "media_url must be an http(s) URL")
		}
	}
	for code := range f.Attributes {
		if code != ChannelAttribute {
			add("attribute["+code+"]", "未知属性 "+code+",可用属性见服务定义", "unknown attribute "+code+"; see the service definition")
		}
	}
	if err := jianfu.ProblemsError(probs); err != nil {
		return nil, err
	}
	return f, nil
}

// Complaint turns the form into a complaint; region is the division the
// location resolved to.
func (f *Form) Complaint(region string) *jianfu.Complaint {
	c := &jianfu.Complaint{Source: jianfu.SourceOpen311, Category: f.ServiceCode, RegionCode: region, Address: f.AddressString,
		Lat: f.Lat, Lon: f.Long, MediaURL: f.MediaURL, Description: f.Description}
	if ch := f.Attributes[ChannelAttribute]; len(ch) > 0 {
		c.ChannelText = strings.TrimSpace(ch[0])
	}
	id := &jianfu.ReporterIdentity{Name: strings.TrimSpace(f.LastName + f.FirstName), Phone: f.Phone, Email: f.Email}
	if !id.Empty() {
		c.Identity = id
	}
	return c
}

// resolveRegion finds the division of a request: address_id, else the
// most specific county or city named in address_string.
func (h *Handler) resolveRegion(ctx context.Context, f *Form) (string, error) {
	if f.AddressID != "" {
		return f.AddressID, nil
	}
	regions, err := h.b.ComplaintRegions(ctx)
	if err != nil {
		return "", err
	}
	// Longest path first (counties before cities before provinces); among
	// equals, a name whose parent is also named wins.
	sort.SliceStable(regions, func(i, j int) bool { return len(regions[i].Path) > len(regions[j].Path) })
	names := map[string]string{}
	for _, r := range regions {
		names[r.Path] = r.Name
	}
	best, score := "", 0
	for _, r := range regions {
		if !strings.Contains(f.AddressString, r.Name) {
			continue
		}
		s := len(r.Path) * 10
		if p := names[r.ParentPath]; p != "" && strings.Contains(f.AddressString, p) {
			s += 5
		}
		if s > score {
			best, score = r.Code, s
		}
	}
	if best == "" {
		return "", errorf(http.StatusBadRequest, "无法从 address_string 确定所在区县,请提供 address_id(行政区划代码)", "cannot tell the county from address_string; send address_id (the division code)")
	}
	return best, nil
}

func (h *Handler) create(w http.ResponseWriter, r *http.Request, f format) error {
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/x-www-form-urlencoded") {
		return errorf(http.StatusBadRequest, "请求体应为 application/x-www-form-urlencoded", "the body must be application/x-www-form-urlencoded")
	}
	r.Body = http.MaxBytesReader(w, r.Body, MaxForm)
	if err := r.ParseForm(); err != nil {
		return errorf(http.StatusBadRequest, "无法解析表单(最多64KB)", "cannot read the form (64 KB at most)")
	}
	key := strings.TrimSpace(r.PostForm.Get("api_key"))
	if key == "" {
		return errorf(http.StatusForbidden, "缺少 api_key,无法创建请求", "missing api_key -- can't proceed with create_request")
	}
	actor, err := h.keys(r.Context(), key)
	if err != nil || actor == nil {
		return errorf(http.StatusForbidden, "api_key 无效、已过期或已吊销,无法创建请求", "invalid api_key received -- can't proceed with create_request")
	}
	if !actor.IsApplication() {
		// A person's token would tie the complaint to that person.
		return errorf(http.StatusForbidden, "api_key 必须属于“第三方应用”账号,个人的接口令牌不能用作 api_key", "the api_key must belong to an application account, not to a person -- can't proceed with create_request")
	}
	form, err := ParseForm(r.PostForm)
	if err != nil {
		return err
	}
	if !jianfu.ValidCategory(form.ServiceCode) {
		return errorf(http.StatusNotFound, "没有这个 service_code:"+form.ServiceCode+",可用代码见 services.xml", "service_code "+form.ServiceCode+" was not found; see services.xml")
	}
	ctx := jianfu.WithActor(r.Context(), actor)
	region, err := h.resolveRegion(ctx, form)
	if err != nil {
		return err
	}
	c := form.Complaint(region)
	if h.cfg.Propose != nil {
		c.Proposed = h.cfg.Propose(c.Description, c.ChannelText)
	}
	rec, err := h.b.SubmitComplaint(ctx, c)
	if err != nil {
		return err
	}
	notice := "已登记,编号" + rec.Number + "。请将查询码 " + rec.TrackingCode + " 告知反映人(仅此一次):凭码可在 " + h.siteURL(r) + "/track 查询办理进展,或以 GET tokens/" + rec.TrackingCode + " 换取编号。网信部门将于" + rec.TriageDue.Add(-time.Minute).In(jianfu.China).Format("2006年1月2日") + "前完成受理。"
	if wantsEnglish(r) {
		notice = "Filed as " + rec.Number + ". Give the reporter the tracking code " + rec.TrackingCode + " (shown once): it shows the progress at " + h.siteURL(r) + "/track, and GET tokens/" + rec.TrackingCode + " resolves it to the request id. Triage is due by " + rec.TriageDue.Add(-time.Minute).In(jianfu.China).Format("2006-01-02") + "."
	}
	out := []created{{ID: rec.Number, ServiceNotice: notice}}
	write(w, http.StatusOK, f, xmlCreated{Requests: out}, out)
	return nil
}
