package web

import (
	"context"
	"io"
	"net/http"
	"strconv"
	"strings"

	"jianfu"
)

// categoryOption is a problem category as the forms show it.
type categoryOption struct {
	Code string
}

func categoryOptions() []categoryOption {
	out := make([]categoryOption, len(jianfu.CaseCategories))
	for i, c := range jianfu.CaseCategories {
		out[i] = categoryOption{Code: string(c)}
	}
	return out
}

// regionGroup is a city with its counties, for the region choice.
type regionGroup struct {
	Label   string
	Regions []*jianfu.Region
}

// groupRegions arranges the regions of the complaint form: the province
// first, then each city followed by its counties.
func groupRegions(all []*jianfu.Region) []regionGroup {
	var out []regionGroup
	byCity := map[string]int{}
	for _, r := range all {
		switch len(r.Path) {
		case 2:
			out = append(out, regionGroup{Label: r.Name, Regions: []*jianfu.Region{r}})
		case 4:
			byCity[r.Path] = len(out)
			out = append(out, regionGroup{Label: r.Name, Regions: []*jianfu.Region{r}})
		case 6:
			if i, ok := byCity[r.Path[:4]]; ok {
				out[i].Regions = append(out[i].Regions, r)
			} else {
				out = append(out, regionGroup{Label: r.Name, Regions: []*jianfu.Region{r}})
			}
		}
	}
	return out
}

// complaintForm is what the complaint form holds, kept when it is shown
// again with an error.
type complaintForm struct {
	Category    string
	ChannelID   string
	ChannelText string
	Region      string
	Address     string
	Description string
	Name        string
	Phone       string
	Email       string
	Other       string
}

func (s *Server) renderComplaint(w http.ResponseWriter, r *http.Request, f complaintForm, formErr error, status int) error {
	regions, err := s.svc.Intake.ComplaintRegions(r.Context())
	if err != nil {
		return err
	}
	p := s.newPage(r, "cases")
	p.Title = p.T("complaint.title")
	p.Error = formErr
	p.Data = map[string]any{"Form": f, "Categories": categoryOptions(), "Regions": groupRegions(regions),
		"AcceptsIdentity": s.svc.Intake.AcceptsIdentity(), "Inside": info(r).actor != nil,
		"MaxImages": jianfu.MaxAttachments}
	p.Status = status
	s.render(w, r, "complaint", p)
	return nil
}

func (s *Server) showComplaint(w http.ResponseWriter, r *http.Request) error {
	f := complaintForm{Category: r.URL.Query().Get("category"), Region: r.URL.Query().Get("region")}
	if !jianfu.ValidCategory(f.Category) {
		f.Category = ""
	}
	return s.renderComplaint(w, r, f, nil, http.StatusOK)
}

// readImages reads the uploaded images of a multipart form field.
func readImages(r *http.Request, field string) ([]*jianfu.Attachment, error) {
	if r.MultipartForm == nil {
		return nil, nil
	}
	var out []*jianfu.Attachment
	for _, fh := range r.MultipartForm.File[field] {
		if fh.Size == 0 && fh.Filename == "" {
			continue
		}
		if len(out) == jianfu.MaxAttachments {
			return nil, jianfu.Errorf(jianfu.EINVALID, "最多上传3张图片", "at most 3 images")
		}
		if fh.Size > jianfu.MaxAttachmentSize {
			return nil, jianfu.Errorf(jianfu.EINVALID, "图片“%s”超过5MB,请压缩后再上传", "image %s is larger than 5 MB; compress it first", fh.Filename)
		}
		f, err := fh.Open()
		if err != nil {
			return nil, err
		}
		data, err := io.ReadAll(io.LimitReader(f, jianfu.MaxAttachmentSize+1))
		f.Close()
		if err != nil {
			return nil, err
		}
		out = append(out, &jianfu.Attachment{AttachmentInfo: jianfu.AttachmentInfo{Name: fh.Filename}, Data: data})
	}
	return out, nil
}

func (s *Server) submitComplaint(w http.ResponseWriter, r *http.Request) error {
	ri := info(r)
	f := complaintForm{
		Category: r.PostFormValue("category"), ChannelID: r.PostFormValue("channel_id"), ChannelText: r.PostFormValue("channel_text"),
		Region: r.PostFormValue("region"), Address: r.PostFormValue("address"), Description: r.PostFormValue("description"),
		Name: r.PostFormValue("name"), Phone: r.PostFormValue("phone"), Email: r.PostFormValue("email"), Other: r.PostFormValue("other"),
	}
	c := &jianfu.Complaint{Source: jianfu.SourceComplaint, Category: f.Category, ChannelText: f.ChannelText, RegionCode: strings.TrimSpace(f.Region),
		Address: f.Address, Description: f.Description,
		Identity: &jianfu.ReporterIdentity{Name: f.Name, Phone: f.Phone, Email: f.Email, Other: f.Other}}
	if ri.actor != nil {
		c.Source = jianfu.SourceStaff
	}
	if c.Category == "" {
		c.Category = jianfu.CategoryOther
	}
	if v, err := strconv.ParseInt(f.ChannelID, 10, 64); err == nil && v > 0 {
		c.ChannelID = v
	}
	imgs, err := readImages(r, "images")
	if err == nil {
		c.Attachments = imgs
		c.Proposed = s.svc.Detector.Propose(c.Description, c.ChannelText)
		var rec *jianfu.ComplaintReceipt
		// The store must not see the cadre's account: the complaint is
		// filed as the reporter, whoever is logged in.
		ctx := jianfu.WithActor(r.Context(), nil)
		if rec, err = s.svc.Intake.SubmitComplaint(ctx, c); err == nil {
			p := s.newPage(r, "cases")
			p.Title = p.T("complaint.done")
			p.Data = rec
			s.render(w, r, "complaint_done", p)
			return nil
		}
	}
	if status, onForm := formError(err); onForm {
		return s.renderComplaint(w, r, f, err, status)
	}
	return err
}

// complaintChannels answers the form's channel search with JSON.
func (s *Server) complaintChannels(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	region := ""
	_ = queryRegion(q, &region) // pages ignore a bad code in a filter
	list, err := s.svc.Intake.ComplaintChannels(r.Context(), q.Get("q"), region, 20)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, list)
	return nil
}

func (s *Server) renderTrack(w http.ResponseWriter, r *http.Request, code string, pc *jianfu.PublicCase, flash string, formErr error, status int) error {
	p := s.newPage(r, "cases")
	p.Title = p.T("track.title")
	p.Flash = flash
	p.Error = formErr
	p.Data = map[string]any{"Code": code, "Case": pc}
	w.Header().Set("Referrer-Policy", "no-referrer")
	p.Status = status
	s.render(w, r, "track", p)
	return nil
}

func (s *Server) showTrack(w http.ResponseWriter, r *http.Request) error {
	return s.renderTrack(w, r, "", nil, "", nil, http.StatusOK)
}

// lookupTrack shows a case's public progress. The code comes in a POST so
// it stays out of addresses, history and logs.
func (s *Server) lookupTrack(w http.ResponseWriter, r *http.Request) error {
	code := strings.TrimSpace(r.PostFormValue("code"))
	pc, err := s.svc.Intake.TrackCase(r.Context(), code)
	if err != nil {
		if status, onForm := formError(err); onForm {
			return s.renderTrack(w, r, code, nil, "", err, status)
		}
		return err
	}
	return s.renderTrack(w, r, code, pc, "", nil, http.StatusOK)
}

func (s *Server) reopenTrack(w http.ResponseWriter, r *http.Request) error {
	return s.trackAction(w, r, "track.reopened", func(ctx context.Context, code string) error {
		return s.svc.Intake.RequestReopen(ctx, code, r.PostFormValue("reason"))
	})
}

// rateTrack takes the reporter's answer to the follow-up after closure
// (满意度回访) and shows the case again.
func (s *Server) rateTrack(w http.ResponseWriter, r *http.Request) error {
	return s.trackAction(w, r, "track.rated", func(ctx context.Context, code string) error {
		return s.svc.Intake.RateSatisfaction(ctx, code, jianfu.SatisfactionFollowUp{Rating: jianfu.Satisfaction(r.PostFormValue("rating")), Comment: r.PostFormValue("comment")})
	})
}

// trackAction runs a reporter's action on the case of the posted tracking
// code and shows the case again: with the flash on success, with the
// action's error on the page otherwise.
func (s *Server) trackAction(w http.ResponseWriter, r *http.Request, flash string, act func(ctx context.Context, code string) error) error {
	code := strings.TrimSpace(r.PostFormValue("code"))
	err := act(r.Context(), code)
	if jianfu.ErrorCode(err) == jianfu.EINTERNAL {
		return err
	}
	pc, terr := s.svc.Intake.TrackCase(r.Context(), code)
	if terr != nil {
		return s.renderTrack(w, r, code, nil, "", terr, statusOf[jianfu.ErrorCode(terr)])
	}
	if err != nil {
		return s.renderTrack(w, r, code, pc, "", err, statusOf[jianfu.ErrorCode(err)])
	}
	p := s.newPage(r, "cases")
	return s.renderTrack(w, r, code, pc, p.T(flash), nil, http.StatusOK)
}
