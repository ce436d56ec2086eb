// Package demo fills a fresh store with a deterministic, realistic fictional
// province, 临江省 (code 39, unused in reality): its cities, counties,
// townships and villages, the party and government units of each level with
// valid unified social credit codes, and users for every role, so that
// `jianfu demo` shows the platform as a cyberspace-affairs office would
// see it.
//
// Generation runs as a list of steps (regions, units, users, and later
// channels, messages, cases, campaigns). Each step draws from its own random
// stream seeded from Options.Seed and the step's name, so the same seed
// gives the same data, and adding a step never changes what the steps
// before it produce. Every date derives from one reference time, the start
// of the current China day, and whatever the generator reads back from the
// store it orders itself (by bytes, not by a database collation), so the
// data is the same whatever the minute of the run and on either engine. Every write goes through the store as the system actor
// "demo", so the audit log records the generator's work.
package demo

import (
	"context"
	"fmt"
	"hash/fnv"
	"io"
	"log/slog"
	"math/rand/v2"
	"time"

	"jianfu"
	"jianfu/calendar"
	"jianfu/detect"
	"jianfu/store"
)

// DefaultSeed is the seed used when Options.Seed is zero.
const DefaultSeed uint64 = 20260101

// DefaultPassword is the password of every demo user unless Options says
// otherwise. It satisfies jianfu.ValidatePassword.
const DefaultPassword = "Demo-2026-jianfu"

// Size is how much of the province to generate.
type Size string

const (
	// Full is the whole province: six cities, about 30 counties, 270
	// townships, 1,500 villages, 1,700 units. The default.
	Full Size = "full"
	// Small is one city with two districts and a few townships each, for
	// tests: it is generated in about a second.
	Small Size = "small"
)

// Options configure Generate. The zero value generates the full province
// with the default seed and password.
type Options struct {
	Seed     uint64 // 0 means DefaultSeed
	Password string // of every demo user; "" means DefaultPassword
	Size     Size   // "" means Full
	// Logger receives one line per step; nil discards them.
	Logger *slog.Logger
	// PseudonymKey keys the pseudonyms and message keys of the demo's work
	// group messages; "" derives one from the seed.
	PseudonymKey string
}

func (o Options) withDefaults() Options {
	if o.Seed == 0 {
		o.Seed = DefaultSeed
	}
	if o.Password == "" {
		o.Password = DefaultPassword
	}
	if o.Size == "" {
		o.Size = Full
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return o
}

// Summary says what Generate made.
type Summary struct {
	Seed        uint64
	Size        Size
	Regions     map[jianfu.Level]int // regions added, by level (print in jianfu.Levels order)
	Units       int
	UnitsByType map[jianfu.UnitType]int
	Users       int
	// Counts are what later steps add (channels, findings, cases …), in
	// the order they ran.
	Counts []Count
	// Logins are the demo accounts, from the province down.
	Logins []Login
	Steps  []StepTime
	Took   time.Duration
}

// Count is a number of generated records of one kind.
type Count struct {
	What string // Chinese, e.g. "政务渠道"
	N    int
}

// StepTime is how long one generation step took.
type StepTime struct {
	Step string
	Took time.Duration
}

// Login is a demo account to print for the person trying the demo.
type Login struct {
	Username   string
	Password   string
	Name       string
	Roles      []jianfu.Role
	UnitName   string
	RegionPath string // short code of the unit's region, e.g. "390102"
	// Scope says in Chinese what the user sees, e.g. "江州市江南区全区".
	Scope string
	// Unread is how many notifications wait unread in the user's inbox.
	Unread int
}

// RoleNames returns the Chinese names of the login's roles joined by "、".
func (l Login) RoleNames() string {
	s := ""
	for i, r := range l.Roles {
		if i > 0 {
			s += "、"
		}
		s += jianfu.RoleNames[r]
	}
	return s
}

// step adds one kind of data to the demo. Steps run in order and read what
// the earlier ones left in the generator's world.
type step struct {
	name string
	run  func(g *gen, ctx context.Context) error
}

// steps lists the generation steps. Later capabilities append theirs here
// (channels, messages, cases, campaigns): a step plans its data from g.rng
// and the world, writes it through the store, and reports with g.count.
func steps() []step {
	return []step{
		{"regions", (*gen).regions},
		{"units", (*gen).units},
		{"users", (*gen).users},
		{"channels", (*gen).channels},
		{"campaigns", (*gen).campaigns},
		{"cases", (*gen).cases},
		{"inbox", (*gen).inbox},
		{"messages", (*gen).messages},
	}
}

// gen is the state of one generation run.
type gen struct {
	db   *store.DB
	opts Options
	spec spec
	rng  *rand.Rand // the current step's own stream
	sum  *Summary
	w    world
	cal  *calendar.Calendar // working days, for the messages step
	det  *detect.Detector   // finds the demands in messages and proposes complaints' categories
	// revealer is the province's 反映人信息查阅 account, once made.
	revealer *user
}

// count records a number of generated records for the summary.
func (g *gen) count(what string, n int) {
	g.sum.Counts = append(g.sum.Counts, Count{What: what, N: n})
}

// Generate fills a fresh, migrated store with the demo province and
// returns what it made. It refuses a store that already holds units or the
// demo province (ECONFLICT), and a password that the password policy
// rejects (EINVALID), before writing anything.
func Generate(ctx context.Context, db *store.DB, opts Options) (*Summary, error) {
	opts = opts.withDefaults()
	sp, err := specOf(opts.Size)
	if err != nil {
		return nil, err
	}
	if err := jianfu.ValidatePassword("", opts.Password); err != nil {
		return nil, fmt.Errorf("demo password: %w", err)
	}
	ctx = jianfu.WithActor(ctx, jianfu.SystemActor("demo"))
	if err := checkEmpty(ctx, db); err != nil {
		return nil, err
	}
	det, err := detect.New()
	if err != nil {
		return nil, err
	}
	// Everything is dated from one reference time, the start of the
	// current China day: the same seed gives the same data whatever the
	// minute of the run (today's messages, deadlines, audit times).
	clock := db.Now
	ref := jianfu.Midnight(clock())
	db.Now = func() time.Time { return ref }
	defer func() { db.Now = clock }()
	g := &gen{db: db, opts: opts, spec: sp, det: det, sum: &Summary{
		Seed: opts.Seed, Size: opts.Size,
		Regions: map[jianfu.Level]int{}, UnitsByType: map[jianfu.UnitType]int{},
	}}
	start := time.Now()
	for _, s := range steps() {
		g.rng = rand.New(rand.NewPCG(opts.Seed, stream(s.name)))
		t := time.Now()
		if err := s.run(g, ctx); err != nil {
			return nil, fmt.Errorf("demo step %s: %w", s.name, err)
		}
		took := time.Since(t)
		g.sum.Steps = append(g.sum.Steps, StepTime{Step: s.name, Took: took})
		opts.Logger.Info("demo step done", "step", s.name, "took", took.Round(time.Millisecond))
	}
	g.sum.Took = time.Since(start)
	return g.sum, nil
}

// stream derives a step's random stream from its name.
func stream(name string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(name))
	return h.Sum64()
}

// checkEmpty refuses a store that has data already: the demo's credit codes
// and usernames would collide half-way through.
func checkEmpty(ctx context.Context, db *store.DB) error {
	_, n, err := db.Units().FindUnits(ctx, jianfu.UnitFilter{Page: jianfu.Page{Limit: 1}})
	if err != nil {
		return fmt.Errorf("demo: check the store is empty: %w", err)
	}
	if n > 0 {
		return jianfu.Errorf(jianfu.ECONFLICT,
			"数据库中已有%d个单位:演示数据只能写入新建的空数据库,请换一个新的数据库文件或地址",
			"the database already holds %d units: the demo only fills a new, empty database; give it a new file or address", n)
	}
	if _, err := db.Regions().FindRegion(ctx, province.Code); err == nil {
		return jianfu.Errorf(jianfu.ECONFLICT,
			"数据库中已有演示省份“%s”:请换一个新的数据库文件或地址",
			"the database already holds the demo province %s; give the demo a new file or address", province.Name)
	}
	return nil
}
