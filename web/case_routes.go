package web

import (
	"net/http"
	"strings"
	"time"

	"jianfu"
	"jianfu/open311"
	"jianfu/tabular"
)

// caseState is what the case pages keep between requests: the per-address
// limits of the public pages and the Open311 endpoint.
type caseState struct {
	read    *loginLimiter // public GETs: forms, tracking, typical cases, Open311 reads
	submit  *loginLimiter // complaint submissions (web and Open311)
	track   *loginLimiter // tracking-code lookups, so codes cannot be guessed
	open311 http.Handler
}

// Public rate limits per client address.
const (
	publicReads   = 120 // per minute
	publicSubmits = 20  // per 10 minutes
	trackLookups  = 30  // per 10 minutes
)

// SetPublicLimits replaces the per-address limits of the public pages
// (reads per minute; submissions and tracking lookups per ten minutes).
// The load benchmark lifts them; operators keep the defaults.
func (s *Server) SetPublicLimits(reads, submits, lookups int) {
	set := func(l *loginLimiter, max int) {
		l.mu.Lock()
		l.max = max
		l.mu.Unlock()
	}
	set(s.cases.read, reads)
	set(s.cases.submit, submits)
	set(s.cases.track, lookups)
}

// casePages registers the pages of the case workflow (问题线索) and the
// public pages that need no login: the complaint form, the tracking page,
// the typical cases and Open311 GeoReport v2.
func (s *Server) casePages(mux *http.ServeMux) {
	s.cases = &caseState{
		read:   newLoginLimiter(publicReads, time.Minute),
		submit: newLoginLimiter(publicSubmits, 10*time.Minute),
		track:  newLoginLimiter(trackLookups, 10*time.Minute)}
	if s.svc.Cases != nil {
		s.cases.open311 = open311.New(s.svc.Intake, s.svc.Users.TokenActor, open311.Config{Propose: s.svc.Detector.Propose})
	}

	// Public.
	mux.Handle("GET /complaint", s.h(s.public(s.cases.read, s.showComplaint)))
	mux.Handle("POST /complaint", s.h(s.public(s.cases.submit, s.submitComplaint)))
	mux.Handle("GET /complaint/channels", s.h(s.public(s.cases.read, s.complaintChannels)))
	mux.Handle("GET /track", s.h(s.public(s.cases.read, s.showTrack)))
	mux.Handle("POST /track", s.h(s.public(s.cases.track, s.lookupTrack)))
	mux.Handle("POST /track/reopen", s.h(s.public(s.cases.track, s.reopenTrack)))
	mux.Handle("POST /track/rate", s.h(s.public(s.cases.track, s.rateTrack)))
	mux.Handle("GET /typical", s.h(s.public(s.cases.read, s.showTypicalList)))
	mux.Handle("GET /typical/{id}", s.h(s.public(s.cases.read, s.showTypical)))
	mux.Handle(open311.Prefix, http.HandlerFunc(s.serveOpen311))

	// Staff.
	mux.Handle("GET /cases", s.h(s.login(s.showCases)))
	mux.Handle("GET /cases/overdue", s.h(s.login(s.showOverdue)))
	mux.Handle("GET /cases/new", s.h(s.login(s.showCaseNew)))
	mux.Handle("POST /cases", s.h(s.login(s.createClue)))
	mux.Handle("POST /cases/sweep", s.h(s.login(s.sweepCases)))
	mux.Handle("GET /cases/deadlines", s.h(s.login(s.showDeadlines)))
	mux.Handle("GET /cases/export.xlsx", s.h(s.login(s.exportCasesPage(tabular.XLSX))))
	mux.Handle("GET /cases/export.csv", s.h(s.login(s.exportCasesPage(tabular.CSV))))
	mux.Handle("POST /cases/deadlines", s.h(s.login(s.saveDeadlines)))
	mux.Handle("GET /cases/{id}", s.h(s.login(s.showCase)))
	mux.Handle("POST /cases/{id}/{action}", s.h(limitBody(maxUpload, s.login(s.caseAction))))
	mux.Handle("GET /cases/{id}/attachments/{aid}", s.h(s.login(s.caseAttachment)))
	mux.Handle("GET /cases/{id}/document.docx", s.h(s.login(s.caseDocument)))
}

// public marks a page that needs no login, limits it per client address
// and keeps its caller out of the logs (anonymous).
func (s *Server) public(l *loginLimiter, next handler) handler {
	return anonymous(func(w http.ResponseWriter, r *http.Request) error {
		if !l.allowShared(r.Context(), info(r).ip, s.now()) {
			w.Header().Set("Retry-After", "60")
			return jianfu.Errorf(jianfu.ETOOMANY, "访问过于频繁,请稍后再试", "too many requests; try again in a while")
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			if err := limitBody(maxUpload, func(http.ResponseWriter, *http.Request) error { return nil })(w, r); err != nil {
				return err
			}
			if err := s.checkCSRF(r); err != nil {
				return err
			}
		}
		if s.svc.Cases == nil {
			return jianfu.Errorf(jianfu.ENOTFOUND, "页面不存在", "page not found")
		}
		return next(w, r)
	})
}

// serveOpen311 limits the Open311 endpoint per client address: reads
// against the read limit, submissions against the submission limit.
func (s *Server) serveOpen311(w http.ResponseWriter, r *http.Request) {
	r = anonymize(r)
	l := s.cases.read
	if r.Method == http.MethodPost {
		l = s.cases.submit
	}
	if s.cases.open311 == nil {
		http.NotFound(w, r)
		return
	}
	if !l.allowShared(r.Context(), info(r).ip, s.now()) {
		w.Header().Set("Retry-After", "60")
		w.Header().Set("Content-Type", "text/xml; charset=utf-8")
		w.WriteHeader(http.StatusTooManyRequests)
		w.Write([]byte(`<?xml version="1.0" encoding="utf-8"?>` + "\n<errors><error><code>429</code><description>访问过于频繁,请稍后再试</description></error></errors>\n"))
		return
	}
	s.cases.open311.ServeHTTP(w, r)
}

// casesAPI lists the JSON endpoints of the case workflow.
func (s *Server) casesAPI() []apiRoute {
	return []apiRoute{
		{"GET", "/api/v1/cases", s.apiCases},
		{"POST", "/api/v1/cases", s.apiCreateClue},
		{"GET", "/api/v1/cases/export", s.apiExportCases},
		{"GET", "/api/v1/cases/overdue", s.apiOverdue},
		{"POST", "/api/v1/cases/sweep", s.apiSweep},
		{"GET", "/api/v1/cases/deadlines", s.apiDeadlines},
		{"PUT", "/api/v1/cases/deadlines", s.apiSetDeadlines},
		{"GET", "/api/v1/cases/{id}", s.apiCase},
		{"GET", "/api/v1/cases/{id}/events", s.apiCaseEvents},
		{"POST", "/api/v1/cases/{id}/triage", s.apiTriage},
		{"POST", "/api/v1/cases/{id}/transfer", s.apiTransfer},
		{"POST", "/api/v1/cases/{id}/answer", s.apiAnswer},
		{"POST", "/api/v1/cases/{id}/rectify", s.apiRectify},
		{"POST", "/api/v1/cases/{id}/verify", s.apiVerify},
		{"POST", "/api/v1/cases/{id}/close", s.apiClose},
		{"POST", "/api/v1/cases/{id}/reopen", s.apiReopen},
		{"GET", "/api/v1/cases/{id}/opinions", s.apiOpinions},
		{"POST", "/api/v1/cases/{id}/opinions", s.apiAddOpinion},
		{"GET", "/api/v1/cases/{id}/document", s.caseDocument},
		{"POST", "/api/v1/cases/{id}/reveal", s.apiReveal},
		{"POST", "/api/v1/cases/{id}/typical", s.apiDraftTypical},
		{"POST", "/api/v1/cases/{id}/typical/publish", s.apiPublishTypical},
	}
}

// maxUpload bounds a form with images: three images of 5 MB and the text.
const maxUpload = 3*jianfu.MaxAttachmentSize + 1<<20

// limitBody bounds a request body and parses a multipart form within the
// bound before anything reads a form value, so a huge upload is refused
// with a clear message instead of filling memory or disk.
func limitBody(n int64, next handler) handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		if r.Method == http.MethodGet || r.Method == http.MethodHead {
			return next(w, r)
		}
		tooLarge := jianfu.Errorf(jianfu.ETOOLARGE, "上传内容过大:最多3张图片,每张不超过5MB", "the upload is too large: at most 3 images of 5 MB each")
		if r.ContentLength > n {
			return tooLarge
		}
		r.Body = http.MaxBytesReader(w, r.Body, n)
		if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") && r.MultipartForm == nil {
			if err := r.ParseMultipartForm(n); err != nil {
				if bodyTooLarge(err) != nil {
					return tooLarge
				}
				return jianfu.Errorf(jianfu.EINVALID, "上传内容格式有误,请刷新页面后重新提交", "the upload is malformed; reload the page and submit again")
			}
		}
		return next(w, r)
	}
}
