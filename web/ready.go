package web

import (
	"context"
	"net/http"
	"time"

	"jianfu"
)

// ReadyCheck is one condition of /readyz: the database takes writes, the
// disk has room, the stream answers.
type ReadyCheck struct {
	Name string // database, disk, stream
	// Check returns nil when ready; otherwise an error whose message (a
	// *jianfu.Error, in Chinese and English) says what is wrong.
	Check func(ctx context.Context) error
}

// readyResult is one check in the answer of /readyz.
type readyResult struct {
	Name    string `json:"name"`
	OK      bool   `json:"ok"`
	Reason  string `json:"reason,omitempty"`
	English string `json:"reason_en,omitempty"`
}

// readyz answers 200 when this replica can do its work — every ReadyCheck
// passes — and 503 with the reasons otherwise, so a load balancer sends
// requests elsewhere. /healthz stays liveness: the process answers.
func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 3*time.Second)
	defer cancel()
	status := http.StatusOK
	body := map[string]any{"status": "ready", "message": "就绪", "version": s.cfg.Version}
	results := []readyResult{}
	var reasons []string
	for _, c := range s.svc.Ready {
		res := readyResult{Name: c.Name, OK: true}
		if err := c.Check(ctx); err != nil {
			res.OK, res.Reason, res.English = false, jianfu.ErrorMessage(err, "zh"), jianfu.ErrorMessage(err, "en")
			if jianfu.ErrorCode(err) == jianfu.EINTERNAL {
				res.Reason, res.English = "检查失败:"+err.Error(), "check failed: "+err.Error()
			}
			reasons = append(reasons, res.Reason)
			s.log.Warn("not ready", "check", c.Name, "reason", res.English)
			status = http.StatusServiceUnavailable
		}
		results = append(results, res)
	}
	if status != http.StatusOK {
		msg := "未就绪:"
		for i, r := range reasons {
			if i > 0 {
				msg += ";"
			}
			msg += r
		}
		body["status"], body["message"] = "not_ready", msg
		retryLater(w, status)
	}
	body["checks"] = results
	writeJSON(w, status, body)
}
