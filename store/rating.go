package store

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"database/sql"
	"encoding/binary"
	"encoding/hex"
	"slices"
	"strconv"
	"strings"

	"github.com/emmansun/gmsm/sm3"

	"jianfu"
)

// MinRaterKey is the shortest rater key accepted, in bytes.
const MinRaterKey = 16

// WithRaterKey sets the key of the marks that allow one rating per person,
// channel and quarter; see SetRaterKey.
func WithRaterKey(key []byte) Option { return func(db *DB) { db.SetRaterKey(key) } }

// SetRaterKey sets the key of the rater marks (or, with nil, removes it).
// The key is kept outside the database (--rater-key): without it a copy of
// the database cannot tell who rated what. Without a key, ratings are
// refused; a key shorter than MinRaterKey bytes is treated as none.
func (db *DB) SetRaterKey(key []byte) {
	db.cases.mu.Lock()
	defer db.cases.mu.Unlock()
	if len(key) < MinRaterKey {
		db.cases.raterKey = nil
		return
	}
	db.cases.raterKey = slices.Clone(key)
}

// raterMark is the keyed SM3 hash (HMAC-SM3) of a user, a channel and a
// quarter: the same person rating the same channel twice in a quarter makes
// the same mark, and nobody without the key can tell whose a mark is. Nil
// when no key is configured.
func (db *DB) raterMark(userID, channelID int64, quarter string) []byte {
	db.cases.mu.RLock()
	key := db.cases.raterKey
	db.cases.mu.RUnlock()
	if key == nil {
		return nil
	}
	m := hmac.New(sm3.New, key)
	m.Write([]byte(strconv.FormatInt(userID, 10) + "|" + strconv.FormatInt(channelID, 10) + "|" + quarter))
	return m.Sum(nil)
}

// rated reports whether the caller has rated the channel in the quarter.
func (tx *Tx) rated(userID, channelID int64, quarter string) (bool, error) {
	mark := tx.db.raterMark(userID, channelID, quarter)
	if mark == nil {
		return false, nil
	}
	var one int
	err := tx.queryRow(`SELECT 1 FROM rating_marks WHERE mark = ?`, hex.EncodeToString(mark)).Scan(&one)
	if err == sql.ErrNoRows {
		return false, nil
	}
	return err == nil, err
}

// randomRatingID is a rating's id: random, so ids follow no order of time.
func randomRatingID() int64 {
	var b [8]byte
	rand.Read(b[:])
	return int64(binary.BigEndian.Uint64(b[:]) >> 11) // 53 bits: exact in JSON numbers
}

// rateableScope is the channels a user may rate: in their scope, or owned
// by a unit above theirs.
func (w *where) rateableScope(a *jianfu.Actor) {
	var ors []string
	var args []any
	if a.RegionWide() {
		ors = append(ors, "(c.region_path >= ? AND c.region_path < ?)")
		args = append(args, a.RegionPath, prefixEnd(a.RegionPath))
	} else {
		ors = append(ors, "(c.unit_path >= ? AND c.unit_path < ?)")
		args = append(args, a.UnitPath, prefixEnd(a.UnitPath))
	}
	var anc []string
	parts := strings.Split(strings.Trim(a.UnitPath, "/"), "/")
	for i := 1; i < len(parts); i++ {
		anc = append(anc, "/"+strings.Join(parts[:i], "/")+"/")
	}
	if len(anc) > 0 {
		ors = append(ors, "c.unit_path IN ("+placeholders(len(anc))+")")
		args = append(args, anys(anc)...)
	}
	w.conds = append(w.conds, "("+strings.Join(ors, " OR ")+")")
	w.args = append(w.args, args...)
}

// RateableChannels lists the channels the caller may rate.
func (s *Evaluation) RateableChannels(ctx context.Context, f jianfu.ChannelFilter) ([]*jianfu.RateableChannel, int, error) {
	a, err := jianfu.RequireActor(ctx)
	if err != nil {
		return nil, 0, err
	}
	if a.System {
		return nil, 0, nil
	}
	var w where
	w.rateableScope(a)
	w.add("c.status IN ('approved', 'active', 'rectifying')")
	if f.Kind != "" {
		w.add("c.kind = ?", string(f.Kind))
	} else {
		w.add("c.kind IN ('group', 'app')")
	}
	w.like(f.Query, "c.name")
	var total int
	if err := s.db.queryRow(ctx, `SELECT COUNT(*) FROM channels c`+w.String(), w.args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	p := f.Page.Normalize()
	rows, err := s.db.query(ctx, `SELECT `+channelCols+channelFrom+w.String()+` ORDER BY c.kind DESC, c.name, c.id LIMIT ? OFFSET ?`, append(w.args, p.Limit, p.Offset)...)
	if err != nil {
		return nil, 0, err
	}
	var out []*jianfu.RateableChannel
	for rows.Next() {
		c, err := scanChannel(rows)
		if err != nil {
			rows.Close()
			return nil, 0, err
		}
		c.ResponsiblePhone, c.ResponsiblePerson = "", "" // not needed to rate
		out = append(out, &jianfu.RateableChannel{Channel: c})
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, 0, err
	}
	q := jianfu.Quarter(s.db.Now())
	err = s.db.inTx(ctx, func(tx *Tx) error {
		for _, rc := range out {
			if rc.Rated, err = tx.rated(a.UserID, rc.Channel.ID, q); err != nil {
				return err
			}
		}
		return nil
	})
	return out, total, err
}

// RateChannel stores an anonymous rating. Nothing stored ties it to the
// rater or to a moment: the row has a random id and the quarter; the mark
// that refuses a second rating is a bare keyed hash in a table of its own;
// and the audit entry, like a complaint's, is from "rater", naming no
// account, address or channel (see docs/security.md).
func (s *Evaluation) RateChannel(ctx context.Context, r *jianfu.Rating) error {
	a, err := jianfu.RequireActor(ctx)
	if err != nil {
		return err
	}
	if a.System || a.UserID == 0 {
		return forbidden("评价需要以用户身份登录", "rating needs a logged-in user")
	}
	if err := r.Validate(); err != nil {
		return err
	}
	return s.db.inTx(ctx, func(tx *Tx) error {
		var w where
		w.add("c.id = ?", r.ChannelID)
		w.rateableScope(a)
		w.add("c.status IN ('approved', 'active', 'rectifying')")
		var unitPath, region string
		if err := tx.queryRow(`SELECT c.unit_path, c.region_path FROM channels c`+w.String(), w.args...).Scan(&unitPath, &region); err != nil {
			return s.db.translate(err, nChannel)
		}
		r.Quarter = jianfu.Quarter(tx.now)
		mark := s.db.raterMark(a.UserID, r.ChannelID, r.Quarter)
		if mark == nil {
			return jianfu.Errorf(jianfu.EINVALID, "本平台尚未配置评价密钥,暂不能接收匿名评价:请管理员以 --rater-key(或环境变量 JIANFU_RATER_KEY)配置至少16个字符的密钥",
				"this platform has no rater key yet, so it cannot take anonymous ratings: ask the administrator to set --rater-key (or JIANFU_RATER_KEY) to 16 or more characters")
		}
		if _, err := tx.exec(`INSERT INTO rating_marks(mark) VALUES (?)`, hex.EncodeToString(mark)); err != nil {
			if isUnique(err) {
				return jianfu.Errorf(jianfu.ECONFLICT, "本季度(%s)您已评价过该渠道,每人每季度只能评价一次", "you rated this channel this quarter (%s) already; one rating per quarter", r.Quarter)
			}
			return err
		}
		// 53 random bits: a clash needs millions of ratings and fails the
		// insert, which the rater may simply send again.
		if _, err := tx.exec(`INSERT INTO ratings(id, channel_id, unit_path, region_path, quarter, score, comment) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			randomRatingID(), r.ChannelID, unitPath, region, r.Quarter, r.Score, r.Comment); err != nil {
			return err
		}
		return tx.appendAudit(&jianfu.AuditEntry{Action: "rating.submit", ObjectType: "rating", RegionPath: region, Detail: r.Quarter, ActorName: "rater"})
	})
}

// Ratings summarises a channel's ratings: counts, average and comments,
// never who gave them.
func (s *Evaluation) Ratings(ctx context.Context, channelID int64, quarter string) (*jianfu.RatingSummary, error) {
	a, err := jianfu.RequireActor(ctx)
	if err != nil {
		return nil, err
	}
	if _, err := s.db.Channels().FindChannelByID(ctx, channelID); err != nil {
		return nil, err
	}
	if quarter == "" {
		quarter = jianfu.Quarter(s.db.Now())
	}
	rows, err := s.db.query(ctx, `SELECT score, comment FROM ratings WHERE channel_id = ? AND quarter = ? ORDER BY score, comment`, channelID, quarter)
	if err != nil {
		return nil, err
	}
	var ratings []jianfu.Rating
	for rows.Next() {
		var r jianfu.Rating
		if err := rows.Scan(&r.Score, &r.Comment); err != nil {
			rows.Close()
			return nil, err
		}
		ratings = append(ratings, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := jianfu.SummariseRatings(channelID, quarter, ratings)
	trows, err := s.db.query(ctx, `SELECT quarter, SUM(score), COUNT(*) FROM ratings WHERE channel_id = ? GROUP BY quarter ORDER BY quarter DESC LIMIT 8`, channelID)
	if err != nil {
		return nil, err
	}
	var quarters []jianfu.RatingQuarter
	for trows.Next() {
		var q jianfu.RatingQuarter
		if err := trows.Scan(&q.Quarter, &q.Sum, &q.Count); err != nil {
			trows.Close()
			return nil, err
		}
		quarters = append(quarters, q)
	}
	trows.Close()
	if err := trows.Err(); err != nil {
		return nil, err
	}
	out.Trend = jianfu.RatingTrend(quarters)
	if a.UserID != 0 {
		err = s.db.inTx(ctx, func(tx *Tx) error {
			out.Mine, err = tx.rated(a.UserID, channelID, quarter)
			return err
		})
	}
	return out, err
}
