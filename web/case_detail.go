package web

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"jianfu"
	"jianfu/redact"
	"jianfu/report"
)

// caseRights says what the actor may do with a case now, for the forms
// shown: the actor's role (the office handles, the responsible unit
// answers and rectifies) and what the case's status allows (the root's
// Case.Allows), so a form shows only at the stage it applies to.
type caseRights struct {
	Handle  bool // the office: its forms, and the case document
	Unit    bool // the responsible unit
	Reveal  bool
	Publish bool

	Triage, Transfer, Reroute, Answer, Rectify, Verify, Close, Reopen, Opinion, Typical bool
}

func rightsOn(a *jianfu.Actor, c *jianfu.Case) caseRights {
	r := caseRights{
		Handle:  a.CanHandleCases(),
		Unit:    a.CanAnswerCases() && !a.RegionWide() && !c.Former && c.UnitID != 0,
		Reveal:  a.CanRevealReporters() && c.HasIdentity,
		Publish: a.CanPublishTypical(),
	}
	office := func(x jianfu.CaseAction) bool { return r.Handle && c.Allows(x) }
	r.Triage = office(jianfu.CaseActTriage) && c.Status == jianfu.CaseNew // an accepted clue goes on to its transfer
	r.Transfer, r.Reroute = office(jianfu.CaseActTransfer), office(jianfu.CaseActReroute)
	r.Verify, r.Close, r.Reopen, r.Opinion = office(jianfu.CaseActVerify), office(jianfu.CaseActClose), office(jianfu.CaseActReopen), office(jianfu.CaseActOpinion)
	r.Answer, r.Rectify = r.Unit && c.Allows(jianfu.CaseActAnswer), r.Unit && c.Allows(jianfu.CaseActRectify)
	r.Typical = r.Handle && c.Status == jianfu.CaseClosed
	return r
}

// caseForm keeps what a form held when the page is shown again with an error.
type caseForm struct {
	Action string
	Values url.Values
}

func (f caseForm) Get(k string) string { return f.Values.Get(k) }

func (s *Server) showCase(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var flash string
	if done := r.URL.Query().Get("done"); done != "" {
		p := s.newPage(r, "cases")
		flash = p.T("case.done." + done)
	}
	return s.renderCase(w, r, id, caseForm{}, nil, nil, flash, http.StatusOK)
}

// caseRecord reads a case with its events and opinions: what its page and
// its document show.
func (s *Server) caseRecord(ctx context.Context, id int64) (*jianfu.Case, []*jianfu.CaseEvent, []*jianfu.CaseOpinion, error) {
	c, err := s.svc.Cases.FindCaseByID(ctx, id)
	if err != nil {
		return nil, nil, nil, err
	}
	events, err := s.svc.Cases.CaseEvents(ctx, id)
	if err != nil {
		return nil, nil, nil, err
	}
	opinions, err := s.svc.Cases.CaseOpinions(ctx, id)
	return c, events, opinions, err
}

func (s *Server) renderCase(w http.ResponseWriter, r *http.Request, id int64, form caseForm, formErr error, identity *jianfu.ReporterIdentity, flash string, status int) error {
	ctx := r.Context()
	c, events, opinions, err := s.caseRecord(ctx, id)
	if err != nil {
		return err
	}
	typical, err := s.svc.Typical.TypicalOfCase(ctx, id)
	if err != nil && jianfu.ErrorCode(err) != jianfu.ENOTFOUND {
		return err
	}
	a := info(r).actor
	rights := rightsOn(a, c)
	p := s.newPage(r, "cases")
	p.Title = c.Number
	p.Error = formErr
	p.Flash = flash
	data := map[string]any{"Case": s.viewCase(p, c, s.now()), "Events": events, "Opinions": opinions, "Typical": typical,
		"Can": rights, "Form": form, "Identity": identity, "Categories": categoryOptions(),
		"Findings": jianfu.CaseFindings, "Outcomes": c.CloseOutcomes()}
	if rights.Handle && c.Status.Open() {
		q := r.URL.Query()
		unitQ := q.Get("unitq")
		units, _, err := s.svc.Units.FindUnits(ctx, jianfu.UnitFilter{RegionPath: officeRegion(c.RegionPath), Query: unitQ, Page: jianfu.Page{Limit: 200, Sort: "name"}})
		if err != nil {
			return err
		}
		data["Units"], data["UnitQ"] = units, unitQ
		data["OfficeRegion"] = officeRegion(c.RegionPath)
		if chq := q.Get("chq"); chq != "" {
			chans, err := s.svc.Intake.ComplaintChannels(ctx, chq, officeRegion(c.RegionPath), 20)
			if err != nil {
				return err
			}
			data["Channels"], data["ChQ"] = chans, chq
		}
	}
	accountable := false
	for _, o := range opinions {
		accountable = accountable || o.Kind == jianfu.OpinionAccountability
	}
	if err := c.CanBecomeTypical(accountable); err != nil && c.Status == jianfu.CaseClosed {
		data["TypicalRefused"] = jianfu.ErrorMessage(err, p.Lang)
	} else if rights.Handle && err == nil && (typical == nil || form.Action == "typical") {
		draft := c.TypicalDraft(redact.Placeholders(c.Description), accountable)
		data["TypicalDraft"] = &draft
	}
	p.Data = data
	p.Status = status
	s.render(w, r, "case", p)
	return nil
}

// officeRegion is the region of the office supervising a case: the county
// for anything below it.
func officeRegion(path string) string {
	if len(path) > 6 {
		return path[:6]
	}
	return path
}

// caseAction runs one of the forms of the case page.
func (s *Server) caseAction(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	ctx := r.Context()
	action := r.PathValue("action")
	v := r.PostForm
	if r.MultipartForm != nil {
		v = url.Values(r.MultipartForm.Value)
	}
	get := func(k string) string { return strings.TrimSpace(v.Get(k)) }
	num := func(k string) int64 { n, _ := strconv.ParseInt(get(k), 10, 64); return n }
	var identity *jianfu.ReporterIdentity
	switch action {
	case "triage":
		_, err = s.svc.Cases.TriageCase(ctx, id, jianfu.Triage{Decision: get("decision"), Categories: v["categories"], ChannelID: num("channel_id"), MergeInto: get("merge_into"), Reason: get("reason")})
	case "transfer":
		_, err = s.svc.Cases.TransferCase(ctx, id, jianfu.Transfer{UnitID: num("unit_id"), Note: get("note"), Reason: get("reason")})
	case "answer":
		_, err = s.svc.Cases.AnswerCase(ctx, id, jianfu.CaseAnswer{Finding: jianfu.CaseFinding(get("finding")), Text: get("text")})
	case "rectify":
		var imgs []*jianfu.Attachment
		if imgs, err = readImages(r, "images"); err == nil {
			_, err = s.svc.Cases.RectifyCase(ctx, id, jianfu.CaseRectification{Text: get("text"), Attachments: imgs})
		}
	case "verify":
		_, err = s.svc.Cases.VerifyCase(ctx, id, jianfu.Verification{Passed: get("passed") == "1", Note: get("note")})
	case "close":
		_, err = s.svc.Cases.CloseCase(ctx, id, jianfu.Closing{Outcome: jianfu.CaseOutcome(get("outcome")), Note: get("note")})
	case "reopen":
		_, err = s.svc.Cases.ReopenCase(ctx, id, get("reason"))
	case "opinion":
		_, err = s.svc.Cases.AddOpinion(ctx, id, jianfu.CaseOpinion{Kind: jianfu.OpinionKind(get("kind")), Text: get("text"), Target: get("target")})
	case "reveal":
		identity, err = s.svc.Cases.RevealReporter(ctx, id, get("reason"))
		if err == nil {
			p := s.newPage(r, "cases")
			return s.renderCase(w, r, id, caseForm{}, nil, identity, p.T("case.done.reveal"), http.StatusOK)
		}
	case "typical":
		_, err = s.svc.Typical.DraftTypical(ctx, id, jianfu.TypicalCase{Title: get("title"), Summary: get("summary"), Lesson: get("lesson")})
	case "publish":
		_, err = s.svc.Typical.PublishTypical(ctx, id)
	case "withdraw":
		err = s.svc.Typical.WithdrawTypical(ctx, id, get("reason"))
	default:
		return jianfu.Errorf(jianfu.ENOTFOUND, "页面不存在", "page not found")
	}
	if err != nil {
		if status, onForm := formError(err); onForm {
			return s.renderCase(w, r, id, caseForm{Action: action, Values: v}, err, nil, "", status)
		}
		return err
	}
	http.Redirect(w, r, "/cases/"+itoa(id)+"?done="+action, http.StatusSeeOther)
	return nil
}

// caseAttachment serves an image of a case to those who may read the case.
func (s *Server) caseAttachment(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	aid, err := pathID(r, "aid")
	if err != nil {
		return err
	}
	at, err := s.svc.Cases.CaseAttachment(r.Context(), id, aid)
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", at.MIME) // checked by content when stored: an image type
	h.Set("Content-Disposition", "inline")
	h.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	w.Write(at.Data)
	return nil
}

// caseDocument exports the case's 整改意见 and 问责建议 as a .docx file
// (the page link and the API serve the same).
func (s *Server) caseDocument(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	c, events, opinions, err := s.caseRecord(r.Context(), id)
	if err != nil {
		return err
	}
	office, err := s.svc.Cases.HandlingOffice(r.Context(), id)
	if err != nil {
		return err
	}
	if office == "" {
		office = info(r).actor.UnitName // nobody has handled it yet: the caller's office
	}
	f, err := report.CaseDocument(c, events, opinions, office, s.now())
	if err != nil {
		return err
	}
	return download(w, f)
}
