package web

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"jianfu"
	"jianfu/report"
)

func itoa(v int64) string { return strconv.FormatInt(v, 10) }

// healthz answers 200 when the database answers.
func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 3*time.Second)
	defer cancel()
	status, body := http.StatusOK, map[string]any{"status": "ok", "version": s.cfg.Version}
	if s.svc.Ping != nil {
		if err := s.svc.Ping(ctx); err != nil {
			s.log.Error("healthz: database", "err", err)
			status, body = http.StatusServiceUnavailable, map[string]any{"status": "database unavailable", "version": s.cfg.Version}
		}
	}
	writeJSON(w, status, body)
}

func (s *Server) notFound(w http.ResponseWriter, r *http.Request) error {
	return jianfu.Errorf(jianfu.ENOTFOUND, "页面不存在", "page not found")
}

func (s *Server) apiNotFound(w http.ResponseWriter, r *http.Request) error {
	return jianfu.Errorf(jianfu.ENOTFOUND, "接口不存在:%s %s,请查看 /api/v1/openapi.json", "no such endpoint: %s %s; see /api/v1/openapi.json", r.Method, r.URL.Path)
}

// pathID reads a numeric path value.
func pathID(r *http.Request, name string) (int64, error) {
	v, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || v <= 0 {
		return 0, jianfu.Errorf(jianfu.ENOTFOUND, "编号“%s”无效", "invalid id %q", r.PathValue(name))
	}
	return v, nil
}

// download answers a composed document or workbook as a file to save,
// named in Chinese with an ASCII name for clients that cannot read it
// (never cached, as every answer: wrap).
func download(w http.ResponseWriter, f *report.File) error {
	h := w.Header()
	h.Set("Content-Type", f.Type)
	h.Set("Content-Disposition", `attachment; filename="`+f.Short+`"; filename*=UTF-8''`+url.PathEscape(f.Name))
	_, err := w.Write(f.Data)
	return err
}
