package web

import (
	"context"
	"encoding/base64"
	"net/http"

	"jianfu"
)

func (s *Server) apiCases(w http.ResponseWriter, r *http.Request) error {
	return listAPI(w, r, s.apiCaseFilter, s.svc.Cases.FindCases)
}

func (s *Server) apiCreateClue(w http.ResponseWriter, r *http.Request) error {
	var in jianfu.Clue
	if err := decode(w, r, &in); err != nil {
		return err
	}
	in.Proposed = s.svc.Detector.Propose(in.Description)
	c, created, err := s.svc.Intake.CreateClue(r.Context(), &in)
	if err != nil {
		return err
	}
	status := http.StatusCreated
	if !created {
		status = http.StatusOK // the same source record again: the existing case
	}
	writeJSON(w, status, c)
	return nil
}

func (s *Server) apiOverdue(w http.ResponseWriter, r *http.Request) error {
	b, err := s.svc.Deadlines.OverdueBoard(r.Context())
	if err != nil {
		return err
	}
	if b.Units == nil {
		b.Units = []*jianfu.OverdueRow{}
	}
	if b.Regions == nil {
		b.Regions = []*jianfu.OverdueRow{}
	}
	writeJSON(w, http.StatusOK, b)
	return nil
}

func (s *Server) apiSweep(w http.ResponseWriter, r *http.Request) error {
	res, err := s.svc.Deadlines.SweepDeadlines(r.Context(), s.now())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, res)
	return nil
}

func (s *Server) apiDeadlines(w http.ResponseWriter, r *http.Request) error {
	list, err := s.svc.Deadlines.CaseDeadlines(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": list})
	return nil
}

func (s *Server) apiSetDeadlines(w http.ResponseWriter, r *http.Request) error {
	var in jianfu.DeadlinePolicy
	if err := decode(w, r, &in); err != nil {
		return err
	}
	if err := s.svc.Deadlines.SetCaseDeadlines(r.Context(), &in); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, in)
	return nil
}

func (s *Server) apiCase(w http.ResponseWriter, r *http.Request) error {
	return serveByID(w, r, s.svc.Cases.FindCaseByID)
}

func (s *Server) apiCaseEvents(w http.ResponseWriter, r *http.Request) error {
	return serveByID(w, r, func(ctx context.Context, id int64) (map[string]any, error) {
		list, err := s.svc.Cases.CaseEvents(ctx, id)
		return map[string]any{"items": orEmpty(list)}, err
	})
}

func (s *Server) apiTriage(w http.ResponseWriter, r *http.Request) error {
	return changeByID(w, r, http.StatusOK, func(id int64, in jianfu.Triage) (*jianfu.Case, error) {
		return s.svc.Cases.TriageCase(r.Context(), id, in)
	})
}

func (s *Server) apiTransfer(w http.ResponseWriter, r *http.Request) error {
	return changeByID(w, r, http.StatusOK, func(id int64, in jianfu.Transfer) (*jianfu.Case, error) {
		return s.svc.Cases.TransferCase(r.Context(), id, in)
	})
}

func (s *Server) apiAnswer(w http.ResponseWriter, r *http.Request) error {
	return changeByID(w, r, http.StatusOK, func(id int64, in jianfu.CaseAnswer) (*jianfu.Case, error) {
		return s.svc.Cases.AnswerCase(r.Context(), id, in)
	})
}

// rectifyInput is the JSON body of a rectification: images in base64.
type rectifyInput struct {
	Text        string `json:"text"`
	Attachments []struct {
		Name string `json:"name"`
		Data string `json:"data"`
	} `json:"attachments"`
}

func (s *Server) apiRectify(w http.ResponseWriter, r *http.Request) error {
	return changeByID(w, r, http.StatusOK, func(id int64, in rectifyInput) (*jianfu.Case, error) {
		rect := jianfu.CaseRectification{Text: in.Text}
		for _, a := range in.Attachments {
			data, err := base64.StdEncoding.DecodeString(a.Data)
			if err != nil {
				return nil, jianfu.Errorf(jianfu.EINVALID, "附件“%s”不是有效的 base64", "attachment %s is not valid base64", a.Name)
			}
			rect.Attachments = append(rect.Attachments, &jianfu.Attachment{AttachmentInfo: jianfu.AttachmentInfo{Name: a.Name}, Data: data})
		}
		return s.svc.Cases.RectifyCase(r.Context(), id, rect)
	})
}

func (s *Server) apiVerify(w http.ResponseWriter, r *http.Request) error {
	return changeByID(w, r, http.StatusOK, func(id int64, in jianfu.Verification) (*jianfu.Case, error) {
		return s.svc.Cases.VerifyCase(r.Context(), id, in)
	})
}

func (s *Server) apiClose(w http.ResponseWriter, r *http.Request) error {
	return changeByID(w, r, http.StatusOK, func(id int64, in jianfu.Closing) (*jianfu.Case, error) {
		return s.svc.Cases.CloseCase(r.Context(), id, in)
	})
}

type reasonInput struct {
	Reason string `json:"reason"`
}

func (s *Server) apiReopen(w http.ResponseWriter, r *http.Request) error {
	return changeByID(w, r, http.StatusOK, func(id int64, in reasonInput) (*jianfu.Case, error) {
		return s.svc.Cases.ReopenCase(r.Context(), id, in.Reason)
	})
}

func (s *Server) apiOpinions(w http.ResponseWriter, r *http.Request) error {
	return serveByID(w, r, func(ctx context.Context, id int64) (map[string]any, error) {
		list, err := s.svc.Cases.CaseOpinions(ctx, id)
		return map[string]any{"items": orEmpty(list)}, err
	})
}

type opinionInput struct {
	Kind   jianfu.OpinionKind `json:"kind"`
	Text   string             `json:"text"`
	Target string             `json:"target"`
}

func (s *Server) apiAddOpinion(w http.ResponseWriter, r *http.Request) error {
	return changeByID(w, r, http.StatusCreated, func(id int64, in opinionInput) (*jianfu.CaseOpinion, error) {
		return s.svc.Cases.AddOpinion(r.Context(), id, jianfu.CaseOpinion{Kind: in.Kind, Text: in.Text, Target: in.Target})
	})
}

func (s *Server) apiReveal(w http.ResponseWriter, r *http.Request) error {
	return changeByID(w, r, http.StatusOK, func(id int64, in reasonInput) (*jianfu.ReporterIdentity, error) {
		return s.svc.Cases.RevealReporter(r.Context(), id, in.Reason)
	})
}

type typicalInput struct {
	Title   string `json:"title"`
	Summary string `json:"summary"`
	Lesson  string `json:"lesson"`
}

func (s *Server) apiDraftTypical(w http.ResponseWriter, r *http.Request) error {
	return changeByID(w, r, http.StatusOK, func(id int64, in typicalInput) (*jianfu.TypicalCase, error) {
		return s.svc.Typical.DraftTypical(r.Context(), id, jianfu.TypicalCase{Title: in.Title, Summary: in.Summary, Lesson: in.Lesson})
	})
}

func (s *Server) apiPublishTypical(w http.ResponseWriter, r *http.Request) error {
	return serveByID(w, r, s.svc.Typical.PublishTypical)
}

// apiCaseFilter reads the filters of the case list and the ledger export.
func (s *Server) apiCaseFilter(r *http.Request, p jianfu.Page) (jianfu.CaseFilter, error) {
	q := r.URL.Query()
	f := jianfu.CaseFilter{Page: p, Status: jianfu.CaseStatus(q.Get("status")), Stage: jianfu.CaseStage(q.Get("stage")), Category: q.Get("category"),
		Source: jianfu.CaseSource(q.Get("source")), Query: q.Get("q"), Open: q.Get("open") == "true", Overdue: q.Get("overdue") == "true",
		DueSoon: q.Get("due_soon") == "true", Escalated: q.Get("escalated") == "true", Now: s.now()}
	if f.Status != "" && !f.Status.Valid() {
		return f, jianfu.Errorf(jianfu.EINVALID, "status 取值无效:%s", "invalid status %q", f.Status)
	}
	if f.Category != "" && !jianfu.ValidCategory(f.Category) {
		return f, jianfu.Errorf(jianfu.EINVALID, "category 取值无效:%s", "invalid category %q", f.Category)
	}
	if err := queryID(q, "unit_id", &f.UnitID); err != nil {
		return f, err
	}
	if err := queryRegion(q, &f.RegionPath); err != nil {
		return f, err
	}
	return f, nil
}
