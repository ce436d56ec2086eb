package store

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"jianfu"
)

// errDryRun rolls back a checked import.
var errDryRun = errors.New("dry run")

// ImportChannels adds channels from a file in one transaction: all or
// nothing. Owners are named by credit code or exact name among the units in
// scope. Drafts may be imported by whoever may register channels; filed
// records (an existing ledger, with their filing numbers) only by the local
// operator or by a reviewer above the owning unit.
func (s *Registry) ImportChannels(ctx context.Context, rows []*jianfu.ChannelImport) (int, error) {
	return s.db.importChannels(ctx, rows, false)
}

// CheckChannelImport runs every check of ImportChannels and saves nothing:
// the preview of an upload.
func (s *Registry) CheckChannelImport(ctx context.Context, rows []*jianfu.ChannelImport) error {
	_, err := s.db.importChannels(ctx, rows, true)
	return err
}

func (db *DB) importChannels(ctx context.Context, rows []*jianfu.ChannelImport, dryRun bool) (int, error) {
	a, err := jianfu.RequireActor(ctx)
	if err != nil {
		return 0, err
	}
	if err := a.CanOwnChannels(); err != nil {
		return 0, err
	}
	if len(rows) == 0 {
		return 0, jianfu.Errorf(jianfu.EINVALID, "文件中没有数据行", "the file has no data rows")
	}
	err = db.inTx(ctx, func(tx *Tx) error {
		var probs []jianfu.Problem
		bad := func(row int, field, zh, en string) {
			probs = append(probs, jianfu.Problem{Row: row, Field: field, Message: zh, English: en})
		}
		units, err := tx.unitRefs(a)
		if err != nil {
			return err
		}
		months, err := tx.revalidationMonths()
		if err != nil {
			return err
		}
		// Filing numbers and platform ids already taken.
		var numbers, pids []string
		for _, r := range rows {
			if r.Channel.FilingNumber != "" {
				numbers = append(numbers, r.Channel.FilingNumber)
			}
			if r.Channel.PlatformID != "" {
				pids = append(pids, r.Channel.PlatformID)
			}
		}
		takenNumbers, err := tx.existing(`SELECT filing_number FROM channels WHERE filing_number IN `, numbers, "")
		if err != nil {
			return err
		}
		takenPIDs, err := tx.existing(`SELECT platform || '/' || platform_id FROM channels WHERE status <> 'closed' AND platform_id IN `, pids, "")
		if err != nil {
			return err
		}
		for _, r := range rows {
			c := &r.Channel
			u := units.resolve(r.UnitRef)
			switch {
			case u == nil && units.ambiguous(r.UnitRef):
				bad(r.Row, "unit", "主办单位名称“"+r.UnitRef+"”对应多个单位,请改填统一社会信用代码", "unit name "+r.UnitRef+" matches several units; give its credit code")
				continue
			case u == nil:
				bad(r.Row, "unit", "找不到主办单位“"+r.UnitRef+"”(不存在或不在您的管辖范围内)", "no unit "+r.UnitRef+" in your scope")
				continue
			}
			c.UnitID = u.ID
			if r.OperatorRef != "" {
				op := units.resolve(r.OperatorRef)
				if op == nil {
					bad(r.Row, "operator", "找不到运营单位“"+r.OperatorRef+"”", "no operator unit "+r.OperatorRef)
					continue
				}
				c.OperatorUnitID = op.ID
			}
			if err := c.Validate(); err != nil {
				for _, p := range err.(*jianfu.Error).Problems {
					bad(r.Row, p.Field, p.Message, p.English)
				}
				continue
			}
			if c.PlatformID != "" && takenPIDs[c.Platform+"/"+c.PlatformID] {
				bad(r.Row, "platform_id", "平台标识"+c.PlatformID+"已由库中其他渠道登记", "platform id "+c.PlatformID+" is registered already")
			}
			if !c.Status.Filed() {
				c.Status = jianfu.StatusDraft
				if err := a.MayOwn(u.ID, u.Path); err != nil {
					bad(r.Row, "unit", jianfu.ErrorMessage(err, "zh"), jianfu.ErrorMessage(err, "en"))
				}
				continue
			}
			probe := &jianfu.Channel{UnitID: u.ID, RegionPath: u.RegionPath}
			if err := a.MayReview(probe); err != nil {
				bad(r.Row, "status", "导入已备案的记录需要该单位所在县(区)及以上的审核人员(或本机命令行);单位只能导入草稿", "importing filed records needs a reviewer above the unit (or the command line); units import drafts")
				continue
			}
			f, _ := jianfu.ParseFilingNumber(c.FilingNumber)
			if want := jianfu.FilingRegionCode(u.RegionPath); f.RegionCode != want {
				bad(r.Row, "filing_number", fmt.Sprintf("备案号%s的区划代码应为主办单位所在的%s", c.FilingNumber, want), fmt.Sprintf("filing number %s should start with the unit's region code %s", c.FilingNumber, want))
				continue
			}
			if takenNumbers[c.FilingNumber] {
				bad(r.Row, "filing_number", "备案号"+c.FilingNumber+"已被库中其他渠道使用", "filing number "+c.FilingNumber+" is taken")
				continue
			}
			c.FillLedgerDates(tx.now, months)
		}
		if len(probs) > 0 {
			return jianfu.ProblemsError(sortProblems(probs))
		}
		for _, r := range rows {
			if f, ok := jianfu.ParseFilingNumber(r.Channel.FilingNumber); ok {
				if err := tx.reserveFilingNumber(f); err != nil {
					return err
				}
			}
			if err := tx.insertChannel(a, &r.Channel, false); err != nil {
				if jianfu.ErrorCode(err) == jianfu.EINTERNAL {
					return err
				}
				return jianfu.ProblemsError([]jianfu.Problem{{Row: r.Row, Message: jianfu.ErrorMessage(err, "zh"), English: jianfu.ErrorMessage(err, "en")}})
			}
		}
		if err := tx.audit("channel.import", "channel", "", a.RegionPath, fmt.Sprintf("%d个渠道", len(rows))); err != nil {
			return err
		}
		if dryRun {
			return errDryRun
		}
		return nil
	})
	if errors.Is(err, errDryRun) {
		return len(rows), nil
	}
	if err != nil {
		return 0, err
	}
	return len(rows), nil
}

// unitRef is what an import needs of a unit.
type unitRef struct {
	ID         int64
	RegionPath string
	Path       string
}

type unitIndex struct {
	byCode map[string]*unitRef
	byName map[string][]*unitRef
}

func (x *unitIndex) resolve(ref string) *unitRef {
	if u := x.byCode[strings.ToUpper(ref)]; u != nil {
		return u
	}
	if l := x.byName[ref]; len(l) == 1 {
		return l[0]
	}
	return nil
}

func (x *unitIndex) ambiguous(ref string) bool { return len(x.byName[ref]) > 1 }

// unitRefs indexes the enabled units in the actor's scope.
func (tx *Tx) unitRefs(a *jianfu.Actor) (*unitIndex, error) {
	var w where
	w.unitScope(a, "u")
	w.add("NOT u.disabled")
	rows, err := tx.query(`SELECT u.id, u.name, COALESCE(u.credit_code, ''), u.region_path, u.path FROM units u`+w.String(), w.args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	x := &unitIndex{byCode: map[string]*unitRef{}, byName: map[string][]*unitRef{}}
	for rows.Next() {
		var u unitRef
		var name, code string
		if err := rows.Scan(&u.ID, &name, &code, &u.RegionPath, &u.Path); err != nil {
			return nil, err
		}
		if code != "" {
			x.byCode[code] = &u
		}
		x.byName[name] = append(x.byName[name], &u)
	}
	return x, rows.Err()
}

// existing returns which of the values a query (ending in "IN ") finds.
func (tx *Tx) existing(query string, values []string, _ string) (map[string]bool, error) {
	out := map[string]bool{}
	for start := 0; start < len(values); start += importBatch {
		batch := values[start:min(start+importBatch, len(values))]
		args := make([]any, len(batch))
		for i, v := range batch {
			args[i] = v
		}
		rows, err := tx.query(query+"(?"+strings.Repeat(", ?", len(batch)-1)+")", args...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var v string
			if err := rows.Scan(&v); err != nil {
				rows.Close()
				return nil, err
			}
			out[v] = true
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// ExportChannels streams every channel the filter selects, newest first,
// and audits the export.
func (s *Registry) ExportChannels(ctx context.Context, f jianfu.ChannelFilter, fn func(*jianfu.Channel) error) (int, error) {
	a, err := jianfu.RequireActor(ctx)
	if err != nil {
		return 0, err
	}
	f.Page = jianfu.Page{}
	q, err := s.db.planChannels(ctx, a, f)
	if err != nil {
		return 0, err
	}
	n := 0
	if !q.empty {
		if n, err = s.db.streamChannels(ctx, a, q, fn); err != nil {
			return n, err
		}
	}
	err = s.db.inTx(ctx, func(tx *Tx) error {
		return tx.audit("channel.export", "channel", "", a.RegionPath, fmt.Sprintf("%d个渠道", n))
	})
	return n, err
}

func (db *DB) streamChannels(ctx context.Context, a *jianfu.Actor, q *channelQuery, fn func(*jianfu.Channel) error) (int, error) {
	cond, args := whereFor(db.engine, q.w, q.page)
	rows, err := db.query(ctx, `SELECT `+channelCols+from(db.engine, q.page)+channelJoins+cond+q.sort, args...)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		r, err := scanChannelRow(rows)
		if err != nil {
			return n, err
		}
		if !a.SeesPersonal(r.unitPath) {
			r.Mask()
		}
		r.Pending = nil
		if err := fn(r.Channel); err != nil {
			return n, err
		}
		n++
	}
	return n, rows.Err()
}
