package store

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"strconv"
	"strings"

	"github.com/emmansun/gmsm/sm3"

	"jianfu"
)

// raterHash is the keyed SM3 hash (HMAC-SM3) of a user, a channel and a
// quarter. Without the key, which is made at random on first use and never
// leaves the database, nobody can tell whose rating a row is; the same
// person rating the same channel twice in a quarter gets the same hash.
func (tx *Tx) raterHash(userID, channelID int64, quarter string) (string, error) {
	var b [32]byte
	rand.Read(b[:])
	if _, err := tx.exec(`INSERT INTO rating_key(singleton, k) VALUES (1, ?) ON CONFLICT DO NOTHING`, hex.EncodeToString(b[:])); err != nil {
		return "", err
	}
	var k string
	if err := tx.queryRow(`SELECT k FROM rating_key WHERE singleton = 1`).Scan(&k); err != nil {
		return "", err
	}
	key, _ := hex.DecodeString(k)
	m := hmac.New(sm3.New, key)
	m.Write([]byte(strconv.FormatInt(userID, 10) + "|" + strconv.FormatInt(channelID, 10) + "|" + quarter))
	return hex.EncodeToString(m.Sum(nil)), nil
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
			h, err := tx.raterHash(a.UserID, rc.Channel.ID, q)
			if err != nil {
				return err
			}
			var one int
			err = tx.queryRow(`SELECT 1 FROM ratings WHERE channel_id = ? AND quarter = ? AND rater = ?`, rc.Channel.ID, q, h).Scan(&one)
			rc.Rated = err == nil
			if err != nil && err != sql.ErrNoRows {
				return err
			}
		}
		return nil
	})
	return out, total, err
}

// RateChannel stores an anonymous rating. The audit entry says that the
// user rated something this quarter, not which channel, so the audit log
// cannot be joined with the ratings to unmask a rater.
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
		r.Quarter, r.Day = jianfu.Quarter(tx.now), dateOf(tx.now)
		h, err := tx.raterHash(a.UserID, r.ChannelID, r.Quarter)
		if err != nil {
			return err
		}
		if _, err := tx.exec(`INSERT INTO ratings(channel_id, unit_path, region_path, quarter, score, comment, day, rater) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			r.ChannelID, unitPath, region, r.Quarter, r.Score, r.Comment, r.Day, h); err != nil {
			if isUnique(err) {
				return jianfu.Errorf(jianfu.ECONFLICT, "本季度(%s)您已评价过该渠道,每人每季度只能评价一次", "you rated this channel this quarter (%s) already; one rating per quarter", r.Quarter)
			}
			return err
		}
		return tx.audit("rating.submit", "rating", nil, a.RegionPath, r.Quarter)
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
	rows, err := s.db.query(ctx, `SELECT score, comment, day FROM ratings WHERE channel_id = ? AND quarter = ? ORDER BY day DESC, score, comment`, channelID, quarter)
	if err != nil {
		return nil, err
	}
	var ratings []jianfu.Rating
	for rows.Next() {
		var r jianfu.Rating
		if err := rows.Scan(&r.Score, &r.Comment, &r.Day); err != nil {
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
			h, err := tx.raterHash(a.UserID, channelID, quarter)
			if err != nil {
				return err
			}
			var one int
			err = tx.queryRow(`SELECT 1 FROM ratings WHERE channel_id = ? AND quarter = ? AND rater = ?`, channelID, quarter, h).Scan(&one)
			out.Mine = err == nil
			if err == sql.ErrNoRows {
				return nil
			}
			return err
		})
	}
	return out, err
}
