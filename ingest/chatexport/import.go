package chatexport

import (
	"context"
	"fmt"
	"time"

	"jianfu"
)

// Import puts an export's messages into one group through an ingester. The
// import is all or nothing: a message the checks refuse (a time in the
// future, a text too long) refuses the file, naming the message by its
// number in the file.
func Import(ctx context.Context, ing jianfu.Ingester, group int64, r *Result, now time.Time) (*jianfu.IngestResult, error) {
	if ing == nil {
		return nil, jianfu.Errorf(jianfu.EINVALID, "本服务未开启消息接入:请配置化名密钥(--pseudonym-key 或 JIANFU_PSEUDONYM_KEY)后重启", "message ingestion is off: configure the pseudonym key (--pseudonym-key or JIANFU_PSEUDONYM_KEY) and restart")
	}
	msgs := make([]jianfu.Message, len(r.Messages))
	var probs []jianfu.Problem
	for i, m := range r.Messages {
		m.GroupID = group
		m.Members = nil
		if i == 0 {
			m.Members = r.Members
		}
		if err := m.Validate(now); err != nil {
			for _, p := range err.(*jianfu.Error).Problems {
				p.Row = i + 1
				p.Message = fmt.Sprintf("第%d条消息(%s):%s", i+1, m.Time.In(jianfu.China).Format("2006-01-02 15:04"), p.Message)
				probs = append(probs, p)
			}
		}
		msgs[i] = m
	}
	if len(probs) > 0 {
		return nil, jianfu.ProblemsError(probs)
	}
	var res *jianfu.IngestResult
	var err error
	if all, ok := ing.(interface {
		IngestAll(context.Context, []jianfu.Message) (*jianfu.IngestResult, error)
	}); ok {
		res, err = all.IngestAll(ctx, msgs)
	} else if len(msgs) > jianfu.MaxBatch {
		return nil, jianfu.Errorf(jianfu.EINVALID, "一次最多导入%d条消息", "at most %d messages per import", jianfu.MaxBatch)
	} else {
		res, err = ing.Ingest(ctx, msgs)
	}
	if err != nil {
		return nil, err
	}
	if res.Accepted == 0 && len(res.Errors) > 0 {
		// one group for the whole file: it is unknown or out of scope
		e := res.Errors[0]
		return nil, &jianfu.Error{Code: e.Code, Message: e.Message, English: e.English}
	}
	return res, nil
}
