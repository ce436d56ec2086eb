package ingest

import (
	"slices"
	"time"
	"unicode/utf8"

	"jianfu"
	"jianfu/detect"
	"jianfu/redact"
)

// A demand is often typed in pieces: "@所有人", then "今晚十点前", then "报送走访
// 台账". Consecutive messages of one sender in one group, close in time and
// each short, are read again as one text; what that text demands beyond its
// pieces is found once, on the run's last message, and the pieces' own
// findings give way to it.
const (
	splitWindow = 5 * time.Minute // from one piece to the next
	splitMax    = 4               // pieces in a run
	splitRunes  = 80              // a longer message is no piece
)

// joinSplit reads the runs of pieces in a batch (any order; grouped here by
// group and time) and rewrites their observations.
func (p *Pipeline) joinSplit(msgs []jianfu.Message, obs []jianfu.Observation, red *redact.Redactor) {
	order := make([]int, 0, len(msgs))
	for i := range msgs {
		if msgs[i].Sender != "" && utf8.RuneCountInString(msgs[i].Text) <= splitRunes {
			order = append(order, i)
		}
	}
	if len(order) < 2 {
		return
	}
	slices.SortStableFunc(order, func(a, b int) int {
		if c := cmpInt(obs[a].GroupID, obs[b].GroupID); c != 0 {
			return c
		}
		return msgs[a].Time.Compare(msgs[b].Time)
	})
	var r detect.Result
	var text []byte
	for lo := 0; lo < len(order); {
		hi := lo + 1
		for hi < len(order) && hi-lo < splitMax && p.continues(msgs, obs, order[hi-1], order[hi]) {
			hi++
		}
		if hi-lo >= 2 {
			text = p.joinRun(msgs, obs, order[lo:hi], text, &r, red)
		}
		lo = hi
	}
}

// continues reports whether message b is the next piece after a: the same
// group and sender, no other message of the group between them (the batch
// may hold other senders' messages, which break the run), and soon after.
func (p *Pipeline) continues(msgs []jianfu.Message, obs []jianfu.Observation, a, b int) bool {
	if obs[a].GroupID != obs[b].GroupID || msgs[a].Sender != msgs[b].Sender {
		return false
	}
	d := msgs[b].Time.Sub(msgs[a].Time)
	return d >= 0 && d <= splitWindow
}

// joinRun analyses the pieces run as one text; when it finds a category
// none of the pieces has, or an emergency that exempts them, the run's last
// message carries the joined finding and the others lose theirs.
func (p *Pipeline) joinRun(msgs []jianfu.Message, obs []jianfu.Observation, run []int, text []byte, r *detect.Result, red *redact.Redactor) []byte {
	text = text[:0]
	var pieces uint16
	demand := false
	for k, i := range run {
		if k > 0 && len(text) > 0 {
			// one utterance: a comma keeps "今晚十点前" and "报送台账" in one
			// sentence, unless the piece ended its own
			if c, _ := utf8.DecodeLastRune(text); !endsSentence(c) {
				text = append(text, "\uff0c"...)
			}
		}
		text = append(text, msgs[i].Text...)
		pieces |= obs[i].Categories
		demand = demand || obs[i].Demand
	}
	last := run[len(run)-1]
	m := msgs[last]
	m.Text = string(text)
	p.Detector.AnalyzeInto(detect.Message{Text: m.Text, Time: m.Time}, r)
	var cats uint16
	for _, c := range r.Categories {
		cats |= c.Bit()
	}
	if cats&^pieces == 0 && !(r.Exempt && demand) {
		return text
	}
	for _, i := range run[:len(run)-1] {
		o := &obs[i]
		o.Categories, o.Demand, o.Exempt, o.Assessed, o.Score, o.Finding = 0, false, false, false, 0, nil
	}
	o := &obs[last]
	o.Categories = cats
	o.Exempt = r.Exempt && len(r.Categories) > 0
	o.Demand = r.Found()
	o.Assessed = r.Assessed && o.Demand
	o.Score = r.Score
	o.Finding = nil
	if o.Demand {
		o.Finding = p.finding(&m, r, o.Sender, red)
	}
	return text
}

func endsSentence(c rune) bool {
	switch c {
	case '。', '\uff01', '\uff1f', '\uff1b', '\uff0c', '\uff1a', '!', '?', ';', ',', ':', '\n':
		return true
	}
	return false
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
