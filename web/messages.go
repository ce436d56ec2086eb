package web

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"jianfu"
	"jianfu/ingest/chatexport"
)

// messagesLimit caps the body of POST /api/v1/messages: 10,000 messages of
// ordinary length fit many times over.
const messagesLimit = 64 << 20

// uploadLimit caps a chat-export upload (the file and the form around it).
const uploadLimit = chatexport.MaxSize + 1<<20

// messageInput is one item of POST /api/v1/messages.
type messageInput struct {
	ID          string   `json:"id"`
	GroupID     int64    `json:"group_id"`
	Platform    string   `json:"platform"`
	PlatformID  string   `json:"platform_id"`
	Time        string   `json:"time"`
	Sender      string   `json:"sender"`
	Text        string   `json:"text"`
	MentionAll  bool     `json:"mention_all"`
	ReplyTo     string   `json:"reply_to"`
	Members     []string `json:"members"`
	MemberCount int      `json:"member_count"`
}

// ingester returns the configured ingester, or the error that says how to
// turn ingestion on.
func (s *Server) ingester() (jianfu.Ingester, error) {
	if s.svc.Ingest == nil {
		return nil, jianfu.Errorf(jianfu.EINVALID, "本服务未开启消息接入:请配置化名密钥(--pseudonym-key 或环境变量 JIANFU_PSEUDONYM_KEY)后重启服务", "message ingestion is off: configure the pseudonym key (--pseudonym-key or JIANFU_PSEUDONYM_KEY) and restart")
	}
	return s.svc.Ingest, nil
}

// apiMessages takes a JSON array of up to 10,000 messages for one or many
// groups. Each item is checked on its own: items with errors are listed
// and the others accepted — durably stored (or queued on the stream) when
// the answer, 202, is sent.
func (s *Server) apiMessages(w http.ResponseWriter, r *http.Request) error {
	ing, err := s.ingester()
	if err != nil {
		return err
	}
	if !info(r).actor.CanIngest() {
		return jianfu.Errorf(jianfu.EFORBIDDEN, "无权提交工作群消息:需要监管人员、抽查评估员、单位管理员、基层干部或系统管理员角色", "not allowed to submit work-group messages")
	}
	if ct := r.Header.Get("Content-Type"); ct != "" && !strings.HasPrefix(ct, "application/json") {
		return jianfu.Errorf(jianfu.EINVALID, "请求体应为 JSON 数组(Content-Type: application/json),收到 %s", "the body must be a JSON array (Content-Type: application/json), got %s", ct)
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, messagesLimit))
	dec.DisallowUnknownFields()
	tok, err := dec.Token()
	if err != nil {
		return bodyError(err)
	}
	if d, ok := tok.(json.Delim); !ok || d != '[' {
		return jianfu.Errorf(jianfu.EINVALID, "请求体应为消息对象的 JSON 数组:[{\"group_id\":1,\"time\":\"…\",\"text\":\"…\"}]", "the body must be a JSON array of message objects: [{\"group_id\":1,\"time\":\"…\",\"text\":\"…\"}]")
	}
	msgs := make([]jianfu.Message, 0, 256)
	var bad []jianfu.IngestItem
	var pos []int // positions in the request of msgs
	for i := 0; dec.More(); i++ {
		if i == jianfu.MaxBatch {
			return jianfu.Errorf(jianfu.EINVALID, "一次最多提交%d条消息:请分批提交", "at most %d messages per request; send them in batches", jianfu.MaxBatch)
		}
		var in messageInput
		if err := dec.Decode(&in); err != nil {
			var se *json.SyntaxError
			var me *http.MaxBytesError
			if errors.As(err, &se) || errors.As(err, &me) || errors.Is(err, io.ErrUnexpectedEOF) {
				return bodyError(err)
			}
			bad = append(bad, itemErr(i, &jianfu.Error{Code: jianfu.EINVALID, Message: "第" + strconv.Itoa(i) + "条:" + fieldError(err, "zh"),
				English: "item " + strconv.Itoa(i) + ": " + fieldError(err, "en")}))
			continue
		}
		m := jianfu.Message{ID: in.ID, GroupID: in.GroupID, Platform: in.Platform, PlatformID: in.PlatformID, Sender: in.Sender, Text: in.Text,
			MentionAll: in.MentionAll, ReplyTo: in.ReplyTo, Members: in.Members, MemberCount: in.MemberCount, Source: jianfu.SourceAPI}
		if in.Time != "" {
			t, err := time.Parse(time.RFC3339Nano, in.Time)
			if err != nil {
				bad = append(bad, itemErr(i, jianfu.Errorf(jianfu.EINVALID, "第%d条:时间“%s”应为 RFC 3339 格式,如 2026-03-01T21:30:00+08:00", "item %d: the time %q must be RFC 3339, e.g. 2026-03-01T21:30:00+08:00", i, in.Time)))
				continue
			}
			m.Time = t
		}
		msgs = append(msgs, m)
		pos = append(pos, i)
	}
	if _, err := dec.Token(); err != nil {
		return bodyError(err)
	}
	res, err := ing.Ingest(r.Context(), msgs)
	if err != nil {
		return err
	}
	// report positions in the request, refused-here items included
	for k := range res.Errors {
		res.Errors[k].Index = pos[res.Errors[k].Index]
	}
	res.Errors = append(res.Errors, bad...)
	res.Rejected += len(bad)
	sortItems(res.Errors)
	if lang := info(r).lang; lang == "en" {
		for k := range res.Errors {
			res.Errors[k].Message = res.Errors[k].English
		}
	}
	if res.Errors == nil {
		res.Errors = []jianfu.IngestItem{}
	}
	writeJSON(w, http.StatusAccepted, res)
	return nil
}

func sortItems(items []jianfu.IngestItem) {
	for i := 1; i < len(items); i++ {
		for j := i; j > 0 && items[j].Index < items[j-1].Index; j-- {
			items[j], items[j-1] = items[j-1], items[j]
		}
	}
}

func itemErr(i int, err *jianfu.Error) jianfu.IngestItem {
	return jianfu.IngestItem{Index: i, Code: err.Code, Message: err.Message, English: err.English}
}

// fieldError explains a per-item decoding error.
func fieldError(err error, lang string) string {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		if lang == "en" {
			return "field " + te.Field + " has the wrong type (want " + te.Type.String() + ")"
		}
		return "字段“" + te.Field + "”类型错误,应为" + te.Type.String()
	}
	if f, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		if lang == "en" {
			return "unknown field " + f + "; see /api/v1/openapi.json"
		}
		return "未知字段 " + f + ",请对照 /api/v1/openapi.json"
	}
	if lang == "en" {
		return "cannot read the item: " + err.Error()
	}
	return "无法解析:" + err.Error()
}

// bodyError explains a request body that cannot be read at all.
func bodyError(err error) error {
	var se *json.SyntaxError
	var me *http.MaxBytesError
	switch {
	case errors.Is(err, io.EOF):
		return jianfu.Errorf(jianfu.EINVALID, "请求体为空,应为消息对象的 JSON 数组", "the body is empty; send a JSON array of messages")
	case errors.As(err, &se):
		return jianfu.Errorf(jianfu.EINVALID, "JSON 格式错误(第%d字节附近):%v;本批消息均未接收", "malformed JSON near byte %d: %v; nothing of this batch was accepted", se.Offset, err)
	case errors.As(err, &me):
		return jianfu.Errorf(jianfu.EINVALID, "请求体超过%d字节:请分批提交", "the body exceeds %d bytes; send smaller batches", me.Limit)
	}
	return jianfu.Errorf(jianfu.EINVALID, "无法读取请求体:%v;本批消息均未接收", "cannot read the body: %v; nothing of this batch was accepted", err)
}

// apiMessagesExport imports a chat-export file (the raw body) into one
// group: POST /api/v1/messages/export?group_id=ID&filename=NAME.
func (s *Server) apiMessagesExport(w http.ResponseWriter, r *http.Request) error {
	ing, err := s.ingester()
	if err != nil {
		return err
	}
	q := r.URL.Query()
	group, err := strconv.ParseInt(q.Get("group_id"), 10, 64)
	if err != nil || group <= 0 {
		return jianfu.Errorf(jianfu.EINVALID, "请用 group_id 参数指明导入到哪个工作群", "name the group to import into with group_id")
	}
	name := q.Get("filename")
	if name == "" {
		name = "export"
	}
	res, parsed, err := s.importExport(r, ing, group, http.MaxBytesReader(w, r.Body, uploadLimit), name)
	if err != nil {
		return err
	}
	zh, en := parsed.Format.Describe()
	answer := map[string]any{"format": parsed.Format, "format_name": zh, "format_name_en": en, "encoding": parsed.Encoding,
		"messages": len(parsed.Messages), "accepted": res.Accepted, "queued": res.Queued}
	if !res.Queued { // queued: the workers count them later
		answer["duplicates"], answer["findings"] = res.Duplicates, res.Findings
	}
	writeJSON(w, http.StatusAccepted, answer)
	return nil
}

// importExport reads and imports an export into a group: all or nothing.
func (s *Server) importExport(r *http.Request, ing jianfu.Ingester, group int64, body io.Reader, name string) (*jianfu.IngestResult, *chatexport.Result, error) {
	if !info(r).actor.CanIngest() {
		return nil, nil, jianfu.Errorf(jianfu.EFORBIDDEN, "无权导入聊天记录:需要监管人员、抽查评估员、单位管理员、基层干部或系统管理员角色", "not allowed to import chat exports")
	}
	parsed, err := chatexport.Parse(body, name)
	if err != nil {
		var me *http.MaxBytesError
		if errors.As(err, &me) {
			return nil, nil, jianfu.Errorf(jianfu.EINVALID, "文件超过64MB,请按时间分成几个文件导入", "the file exceeds 64 MB; split it by time")
		}
		return nil, nil, err
	}
	res, err := chatexport.Import(r.Context(), ing, group, parsed, s.now())
	if err != nil {
		return nil, nil, err
	}
	return res, parsed, nil
}

func (s *Server) showUpload(w http.ResponseWriter, r *http.Request) error {
	return s.renderUpload(w, r, nil, http.StatusOK)
}

func (s *Server) renderUpload(w http.ResponseWriter, r *http.Request, formErr error, status int) error {
	var groups []*jianfu.Channel
	if s.svc.Channels != nil {
		var err error
		groups, _, err = s.svc.Channels.FindChannels(r.Context(), jianfu.ChannelFilter{Kind: jianfu.KindGroup, Page: jianfu.Page{Limit: 1000, Sort: "name"}})
		if err != nil {
			return err
		}
	}
	p := s.newPage(r, "burden")
	p.Title = p.T("burden.upload")
	p.Error = formErr
	sel, _ := strconv.ParseInt(r.FormValue("group"), 10, 64)
	if v, err := strconv.ParseInt(r.FormValue("group_id"), 10, 64); err == nil {
		sel = v
	}
	p.Data = map[string]any{"Groups": groups, "Selected": sel, "Ready": s.svc.Ingest != nil, "CanIngest": info(r).actor.CanIngest()}
	p.Status = status
	s.render(w, r, "burden_upload", p)
	return nil
}

// doUpload imports an uploaded export and shows the group's burden with
// what the import did; errors come back on the form.
func (s *Server) doUpload(w http.ResponseWriter, r *http.Request) error {
	fail := func(err error) error {
		if status, onForm := formError(err); onForm {
			return s.renderUpload(w, r, err, status)
		}
		return err
	}
	ing, err := s.ingester()
	if err != nil {
		return fail(err)
	}
	group, err := strconv.ParseInt(r.FormValue("group_id"), 10, 64)
	if err != nil || group <= 0 {
		return fail(jianfu.Errorf(jianfu.EINVALID, "请选择要导入的工作群", "choose the group to import into"))
	}
	file, hdr, err := r.FormFile("file") // the route caps the body; readForm says when it is too large
	if err != nil {
		return fail(jianfu.Errorf(jianfu.EINVALID, "请选择要上传的聊天记录文件", "choose the chat-export file to upload"))
	}
	defer file.Close()
	res, parsed, err := s.importExport(r, ing, group, file, hdr.Filename)
	if err != nil {
		return fail(err)
	}
	v := url.Values{}
	v.Set("imported", strconv.Itoa(len(parsed.Messages)))
	v.Set("new", strconv.Itoa(res.Accepted-res.Duplicates))
	v.Set("dup", strconv.Itoa(res.Duplicates))
	v.Set("findings", strconv.Itoa(res.Findings))
	v.Set("format", string(parsed.Format))
	if res.Queued {
		v.Set("queued", "1")
	}
	http.Redirect(w, r, "/burden/groups/"+itoa(group)+"?"+v.Encode(), http.StatusSeeOther)
	return nil
}
