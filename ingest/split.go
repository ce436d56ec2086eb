package ingest

import (
	"slices"
	"sync"
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
	splitGroups = 10000           // groups whose last pieces are remembered
)

// pieces remembers, between batches, each group's last pieces that found
// nothing on their own: a platform bot delivers one message per request.
// Their text is held in memory only, for splitWindow at most, and never
// stored. A worker remembers only the messages it analysed.
type pieces struct {
	mu sync.Mutex
	m  map[int64]pieceRun
}

type pieceRun struct {
	sender string
	texts  []string
	last   time.Time
}

func (p *pieces) take(group int64) pieceRun {
	p.mu.Lock()
	defer p.mu.Unlock()
	r := p.m[group]
	delete(p.m, group)
	return r
}

func (p *pieces) put(group int64, r pieceRun) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.m == nil {
		p.m = map[int64]pieceRun{}
	}
	if len(p.m) >= splitGroups {
		for g, x := range p.m {
			if r.last.Sub(x.last) > splitWindow {
				delete(p.m, g)
			}
		}
		if len(p.m) >= splitGroups {
			return
		}
	}
	p.m[group] = r
}

// piece reports whether message i may be part of a split demand.
func piece(m *jianfu.Message) bool {
	return m.Sender != "" && utf8.RuneCountInString(m.Text) <= splitRunes
}

// joinSplit reads the runs of pieces in a batch (in any order; taken here
// by group and time, after the group's remembered pieces) and rewrites
// their observations.
func (p *Pipeline) joinSplit(msgs []jianfu.Message, obs []jianfu.Observation, red *redact.Redactor) {
	order := make([]int, len(msgs))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int {
		if obs[a].GroupID != obs[b].GroupID {
			if obs[a].GroupID < obs[b].GroupID {
				return -1
			}
			return 1
		}
		return msgs[a].Time.Compare(msgs[b].Time)
	})
	var r detect.Result
	var text []byte
	for lo := 0; lo < len(order); {
		group := obs[order[lo]].GroupID
		prev := p.pieces.take(group)
		hi := lo
		for hi < len(order) && obs[order[hi]].GroupID == group {
			hi++
		}
		// the group's messages in time order: runs of pieces of one sender
		var run []int
		for k := lo; k <= hi; k++ {
			if k < hi && len(run) > 0 && len(prev.texts)+len(run) < splitMax && p.continues(msgs, run[len(run)-1], order[k]) {
				run = append(run, order[k])
				continue
			}
			if len(run) > 0 {
				text = p.endRun(msgs, obs, run, &prev, text, &r, red)
			}
			run = run[:0]
			if k == hi {
				break
			}
			i := order[k]
			if !piece(&msgs[i]) || prev.sender != msgs[i].Sender || msgs[i].Time.Sub(prev.last) > splitWindow || msgs[i].Time.Before(prev.last) {
				prev = pieceRun{}
			}
			if piece(&msgs[i]) {
				run = append(run, i)
			}
		}
		if len(prev.texts) > 0 {
			p.pieces.put(group, prev)
		}
		lo = hi
	}
}

// continues reports whether message b is the next piece after a: a piece
// of the same sender soon after.
func (p *Pipeline) continues(msgs []jianfu.Message, a, b int) bool {
	if !piece(&msgs[b]) || msgs[a].Sender != msgs[b].Sender {
		return false
	}
	d := msgs[b].Time.Sub(msgs[a].Time)
	return d >= 0 && d <= splitWindow
}

// endRun reads a run (after the remembered pieces prev of the same sender)
// as one text and leaves in prev what a later message may continue: the
// run's trailing pieces that found nothing, or nothing when the run found
// a demand.
func (p *Pipeline) endRun(msgs []jianfu.Message, obs []jianfu.Observation, run []int, prev *pieceRun, text []byte, r *detect.Result, red *redact.Redactor) []byte {
	if len(prev.texts)+len(run) >= 2 {
		var joined bool
		text, joined = p.joinRun(msgs, obs, prev.texts, run, text, r, red)
		if joined {
			*prev = pieceRun{}
			return text
		}
	}
	last := run[len(run)-1]
	if obs[last].Categories != 0 {
		*prev = pieceRun{}
		return text
	}
	k := len(run)
	for k > 0 && obs[run[k-1]].Categories == 0 {
		k--
	}
	texts := prev.texts
	if k > 0 {
		texts = nil
	}
	texts = append(texts[:len(texts):len(texts)], textsOf(msgs, run[k:])...)
	if len(texts) > splitMax-1 {
		texts = texts[len(texts)-(splitMax-1):]
	}
	*prev = pieceRun{sender: msgs[last].Sender, texts: texts, last: msgs[last].Time}
	return text
}

func textsOf(msgs []jianfu.Message, idx []int) []string {
	out := make([]string, len(idx))
	for k, i := range idx {
		out[k] = msgs[i].Text
	}
	return out
}

// joinRun analyses the remembered pieces and the run as one text; when it
// finds a category none of the pieces has, or an emergency that exempts
// them, the run's last message carries the joined finding and the run's
// other messages lose theirs (remembered pieces found nothing).
func (p *Pipeline) joinRun(msgs []jianfu.Message, obs []jianfu.Observation, before []string, run []int, text []byte, r *detect.Result, red *redact.Redactor) ([]byte, bool) {
	text = text[:0]
	add := func(s string) {
		if len(text) > 0 {
			// one utterance: a comma keeps "今晚十点前" and "报送台账" in
			// one sentence, unless the piece ended its own
			if c, _ := utf8.DecodeLastRune(text); !endsSentence(c) {
				text = append(text, "\uff0c"...)
			}
		}
		text = append(text, s...)
	}
	for _, s := range before {
		add(s)
	}
	var cats uint16
	demand := false
	for _, i := range run {
		add(msgs[i].Text)
		cats |= obs[i].Categories
		demand = demand || obs[i].Demand
	}
	last := run[len(run)-1]
	m := msgs[last]
	m.Text = string(text)
	p.Detector.AnalyzeInto(detect.Message{Text: m.Text, Time: m.Time}, r)
	var found uint16
	for _, c := range r.Categories {
		found |= c.Bit()
	}
	if found&^cats == 0 && !(r.Exempt && demand) {
		return text, false
	}
	for _, i := range run[:len(run)-1] {
		o := &obs[i]
		o.Categories, o.Demand, o.Exempt, o.Assessed, o.Score, o.Finding = 0, false, false, false, 0, nil
	}
	o := &obs[last]
	o.Categories = found
	o.Exempt = r.Exempt && len(r.Categories) > 0
	o.Demand = r.Found()
	o.Assessed = r.Assessed && o.Demand
	o.Score = r.Score
	o.Finding = nil
	if o.Demand {
		o.Finding = p.finding(&m, r, o.Sender, red)
	}
	return text, true
}

func endsSentence(c rune) bool {
	switch c {
	case '。', '\uff01', '\uff1f', '\uff1b', '\uff0c', '\uff1a', '!', '?', ';', ',', ':', '\n':
		return true
	}
	return false
}
