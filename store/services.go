package store

import "jianfu"

// The services. Each implements one of jianfu's service interfaces on the
// one database: they share its connections, clock, caches and
// configuration, and hold nothing of their own, so making one is free.
type (
	// Regions is the administrative division tree (行政区划).
	Regions struct{ db *DB }
	// Units is the tree of units (主办/使用单位) and their reporting lines.
	Units struct{ db *DB }
	// Users is accounts, sessions and API tokens.
	Users struct{ db *DB }
	// Audit is the hash-chained audit log.
	Audit struct{ db *DB }
	// Channels is the registry's apps, accounts and groups and their life cycle.
	Channels struct{ db *DB }
	// Registry is the rest of 备案管理: rule settings, link rules,
	// consolidation, public verification, import and export.
	Registry struct{ db *DB }
	// Burden is burden monitoring: work-group observations, findings,
	// aggregates, 多头报送 clusters and clues.
	Burden struct{ db *DB }
	// Intake takes complaints and clues in and answers public tracking.
	Intake struct{ db *DB }
	// Cases is the case workflow.
	Cases struct{ db *DB }
	// Deadlines keeps the working-day deadlines of cases.
	Deadlines struct{ db *DB }
	// Typical is the typical cases (典型案例).
	Typical struct{ db *DB }
	// Campaigns is spot checks (抽查评估): checklists, campaigns, forms,
	// rectifications.
	Campaigns struct{ db *DB }
	// Evaluation is scorecards, rankings, trends and anonymous ratings.
	Evaluation struct{ db *DB }
	// Cleanup is cleanup and exit (清理退出).
	Cleanup struct{ db *DB }
	// Monitor stores technical monitoring's targets and results.
	Monitor struct{ db *DB }
	// Leases are the turns of the periodic jobs, so each runs once per
	// interval however many processes schedule it.
	Leases struct{ db *DB }
	// Notifications is each user's own in-app notifications (通知中心).
	Notifications struct{ db *DB }
	// Deliveries is delivery beyond the browser: each user's channels and
	// the outbox the sender works through.
	Deliveries struct{ db *DB }
)

func (db *DB) Regions() *Regions             { return &Regions{db} }
func (db *DB) Units() *Units                 { return &Units{db} }
func (db *DB) Users() *Users                 { return &Users{db} }
func (db *DB) Audit() *Audit                 { return &Audit{db} }
func (db *DB) Channels() *Channels           { return &Channels{db} }
func (db *DB) Registry() *Registry           { return &Registry{db} }
func (db *DB) Burden() *Burden               { return &Burden{db} }
func (db *DB) Intake() *Intake               { return &Intake{db} }
func (db *DB) Cases() *Cases                 { return &Cases{db} }
func (db *DB) Deadlines() *Deadlines         { return &Deadlines{db} }
func (db *DB) Typical() *Typical             { return &Typical{db} }
func (db *DB) Campaigns() *Campaigns         { return &Campaigns{db} }
func (db *DB) Evaluation() *Evaluation       { return &Evaluation{db} }
func (db *DB) Cleanup() *Cleanup             { return &Cleanup{db} }
func (db *DB) Monitor() *Monitor             { return &Monitor{db} }
func (db *DB) Leases() *Leases               { return &Leases{db} }
func (db *DB) Notifications() *Notifications { return &Notifications{db} }
func (db *DB) Deliveries() *Deliveries       { return &Deliveries{db} }

var (
	_ jianfu.RegionService       = (*Regions)(nil)
	_ jianfu.UnitService         = (*Units)(nil)
	_ jianfu.UserService         = (*Users)(nil)
	_ jianfu.AuditService        = (*Audit)(nil)
	_ jianfu.ChannelService      = (*Channels)(nil)
	_ jianfu.RegistryService     = (*Registry)(nil)
	_ jianfu.BurdenService       = (*Burden)(nil)
	_ jianfu.BurdenReader        = (*Burden)(nil)
	_ jianfu.IntakeService       = (*Intake)(nil)
	_ jianfu.CaseService         = (*Cases)(nil)
	_ jianfu.DeadlineService     = (*Deadlines)(nil)
	_ jianfu.TypicalService      = (*Typical)(nil)
	_ jianfu.CampaignService     = (*Campaigns)(nil)
	_ jianfu.EvaluationService   = (*Evaluation)(nil)
	_ jianfu.CleanupService      = (*Cleanup)(nil)
	_ jianfu.MonitorService      = (*Monitor)(nil)
	_ jianfu.NotificationService = (*Notifications)(nil)
	_ jianfu.SecurityNotifier    = (*Notifications)(nil)
)
