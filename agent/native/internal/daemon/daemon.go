// Package daemon is the `run` loop (agent/daemon.ts). Two independent activities:
//   - every heartbeat, collect and append one report to the durable spool (never blocks on the network);
//   - a sender drains the spool oldest-first; on failure it backs off (full jitter) and retries the same
//     report, so delivery is in order and a resend carries the same idempotency key (stored once).
//
// Static sections are sent when they changed since the last delivered (or queued) report, and all of
// them on start and at least hourly; per-section refresh intervals keep slow sources (BIOS, topology)
// off the heartbeat. Sequence numbers are reserved in durable blocks of 1000 (a restart skips at most
// that many, never reuses one). The server's answer carries config (heartbeatSeconds, latencySchedule).
package daemon

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"nfvdeck/agent/internal/hostfs"
	"nfvdeck/agent/internal/jsonx"
	"nfvdeck/agent/internal/report"
	"nfvdeck/agent/internal/spool"
	"nfvdeck/agent/internal/state"
	"nfvdeck/agent/internal/transport"
)

// Reporter delivers one report (transport.Client is one).
type Reporter interface {
	Report(ctx context.Context, payload json.RawMessage) (*transport.ReportOutput, error)
}

// Options configure the daemon (DaemonOptions). Zero values are the TS defaults.
type Options struct {
	StateDir    string
	FS          *hostfs.FS
	Credentials state.Credentials
	// API is created lazily on the first send.
	API func() (Reporter, error)
	// HeartbeatMs is an explicit --heartbeat (wins over the server's heartbeatSeconds); 0: not given.
	HeartbeatMs int
	// FullEveryMs: send every section at least this often even when unchanged (default 1 h).
	FullEveryMs int
	// SectionRefreshMs is the minimum time between two collections of a section (nil: the default
	// table SectionRefreshMs); unlisted sections every heartbeat.
	SectionRefreshMs map[string]int
	Backoff          *transport.BackoffPolicy
	SpoolLimits      *spool.Limits
	// MaxServerErrorTries of one report answered with a report fault before it is set aside (default 5).
	MaxServerErrorTries int
	// Collectors default to report.SectionCollectors.
	Collectors []report.Collector
	// HousekeepingCpus is cyclictest's --mainaffinity list ("" = none).
	HousekeepingCpus string
	// RunLatency runs one scheduled cyclictest measurement (latency.Run's signature).
	RunLatency func(ctx context.Context, schedule map[string]any, housekeeping string, runKey string) (map[string]any, error)
	// TakeQosSamples returns the QoS samples gathered since the last call; none when nil.
	TakeQosSamples func() []map[string]any
	Log            func(line string)
	Verbose        bool
	// Now, Random and RSS are injectable for tests (defaults: the clock, math/rand, /proc/self/statm).
	Now    func() time.Time
	Random func() float64
	RSS    func() int64
}

const (
	defaultHeartbeatMs = 10_000
	hourMs             = 3_600_000
	// sequenceBlock numbers are reserved per durable write
	sequenceBlock            = 1000
	maxLatencyRunsPerReport  = 20
	maxQosPerReport          = 2000
	DefaultMaxServerErrorTry = 5
)

// SectionRefreshMs is how often a section is re-collected by default: what changes only with a reboot,
// a CPU hotplug or an operator's sysctl every minute; BIOS (dmidecode, maybe a BMC) every hour.
var SectionRefreshMs = map[string]int{"topology": 60_000, "kernel": 60_000, "bios": hourMs}

// signature identifies a section's state on the server: its ok/available flags and content hash.
func signature(e map[string]any) string {
	flag := func(k string) string {
		if e[k] == true {
			return "1"
		}
		return "0"
	}
	h, _ := e["hash"].(string)
	return flag("ok") + flag("available") + ":" + h
}

// SelectSections is the static sections to put in a report: all when full, else those whose signature
// differs from the last delivered report's or from the last queued one's (so A→B→A during an outage
// still sends A after the queued B). Pure.
func SelectSections(current map[string]any, delivered, queued map[string]string, full bool) map[string]any {
	out := map[string]any{}
	for name, v := range current {
		e, ok := v.(map[string]any)
		if !ok {
			continue
		}
		sig := signature(e)
		if full || delivered[name] != sig || queued[name] != sig {
			out[name] = e
		}
	}
	return out
}

// Status is what the daemon reports about itself.
type Status struct {
	NextSequence int64
	Spooled      int
	Dropped      spool.Dropped
	Rejected     int64
	SetAside     int64
	HeartbeatMs  int
}

// Daemon is one running `run` loop.
type Daemon struct {
	opts       Options
	spool      *spool.Spool
	collecting *report.Collecting
	api        Reporter

	mu              sync.Mutex
	nextSequence    int64
	reservedUpTo    int64
	heartbeatMs     int
	lastFullAt      time.Time
	haveFull        bool
	delivered       map[string]string
	queued          map[string]string
	pendingLatency  []any
	lastEnvelope    map[string]map[string]any
	collectedAt     map[string]time.Time
	latencySchedule map[string]any
	scheduleText    string
	nextLatencyAt   time.Time
	latencyRunning  bool
	rejected        int64
	lastDropLogged  int64
	configProblem   string
	// latencyRuns is the running scheduled cyclictest (at most one): Stop waits for it, so the
	// interrupted child is reaped before the agent exits instead of measuring on, orphaned, at RT priority.
	latencyRuns sync.WaitGroup

	failures  int
	headFault struct {
		sequence int64
		count    int
	}

	wake     chan struct{}
	stopCh   chan struct{}
	stopOnce sync.Once
	loops    sync.WaitGroup
	bg       context.Context
	cancelBg context.CancelFunc
	done     chan struct{}
}

// New returns a daemon; Start opens the spool and starts the loops.
func New(opts Options) *Daemon {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.RSS == nil {
		opts.RSS = selfRSS
	}
	if opts.Log == nil {
		opts.Log = func(line string) { fmt.Fprintln(os.Stderr, line) }
	}
	hb := opts.HeartbeatMs
	if hb <= 0 {
		hb = defaultHeartbeatMs
	}
	bg, cancel := context.WithCancel(context.Background())
	c := report.NewCollecting()
	return &Daemon{
		opts: opts, collecting: c, heartbeatMs: hb, reservedUpTo: -1,
		delivered: map[string]string{}, queued: map[string]string{},
		lastEnvelope: map[string]map[string]any{}, collectedAt: map[string]time.Time{},
		wake: make(chan struct{}, 1), stopCh: make(chan struct{}), done: make(chan struct{}),
		bg: bg, cancelBg: cancel,
	}
}

func (d *Daemon) log(format string, args ...any) {
	d.opts.Log("nfvdeck-agent: " + fmt.Sprintf(format, args...))
}

// Start opens the spool, restores the sequence and starts the loops; it returns once running.
func (d *Daemon) Start() error {
	limits := spool.DefaultLimits
	if d.opts.SpoolLimits != nil {
		limits = *d.opts.SpoolLimits
	}
	sp, err := spool.Open(d.opts.StateDir+"/spool", limits)
	if err != nil {
		return err
	}
	d.spool = sp
	last := state.LoadLastSequence(d.opts.StateDir)
	if l := sp.LastSequence(); l > last {
		last = l
	}
	d.nextSequence = last + 1
	if n := sp.Files(); n > 0 {
		oldest, _ := sp.Oldest()
		d.log("%d undelivered report(s) in the spool, resending from sequence %d", n, oldest.Sequence)
	}
	d.loops.Add(2)
	go d.sendLoop()
	go d.cycleLoop()
	return nil
}

// Stop is the graceful stop: no new cycle, the current one finishes and is spooled, the sender stops
// after its in-flight request (a backoff is cut short). Returns once both loops are done.
func (d *Daemon) Stop() {
	d.stopOnce.Do(func() {
		close(d.stopCh)
		d.loops.Wait()
		d.cancelBg()         // a running cyclictest is ended (SIGINT, SIGKILL 5 s later) …
		d.latencyRuns.Wait() // … and reaped
		close(d.done)
	})
	<-d.done
}

// Done is closed after Stop.
func (d *Daemon) Done() <-chan struct{} { return d.done }

func (d *Daemon) stopping() bool {
	select {
	case <-d.stopCh:
		return true
	default:
		return false
	}
}

// Status is a snapshot of the counters.
func (d *Daemon) Status() Status {
	d.mu.Lock()
	defer d.mu.Unlock()
	s := Status{NextSequence: d.nextSequence, Rejected: d.rejected, HeartbeatMs: d.heartbeatMs}
	if d.spool != nil {
		s.Spooled, s.Dropped, s.SetAside = d.spool.Files(), d.spool.DroppedCounts(), d.spool.SetAside()
	}
	return s
}

func (d *Daemon) cycleLoop() {
	defer d.loops.Done()
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		select {
		case <-d.stopCh:
			return
		case <-timer.C:
		}
		started := d.opts.Now()
		if err := d.safeCycle(started); err != nil {
			d.log("collection cycle failed: %v", err)
		}
		d.mu.Lock()
		hb := time.Duration(d.heartbeatMs) * time.Millisecond
		d.mu.Unlock()
		delay := started.Add(hb).Sub(d.opts.Now())
		if delay < 0 {
			delay = 0
		}
		timer.Reset(delay)
	}
}

// safeCycle is cycle with a panic turned into the cycle's error, as the TS daemon's .catch does: a
// panic outside the (already recovering) collectors — the QoS sampler, the heartbeat — must cost one
// report, not the agent (systemd would restart it into the same panic).
func (d *Daemon) safeCycle(now time.Time) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic: %v", r)
		}
	}()
	return d.cycle(now)
}

func (d *Daemon) takeSequence() (int64, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	seq := d.nextSequence
	d.nextSequence++
	if seq > d.reservedUpTo {
		d.reservedUpTo = seq + sequenceBlock - 1
		if err := state.SaveLastSequence(d.opts.StateDir, d.reservedUpTo); err != nil {
			d.nextSequence-- // not handed out: the report is not spooled
			d.reservedUpTo = -1
			return 0, err
		}
	}
	return seq, nil
}

// cycle is one heartbeat: collect, pick what to send, append to the spool, wake the sender.
func (d *Daemon) cycle(now time.Time) error {
	fullEvery := time.Duration(d.opts.FullEveryMs) * time.Millisecond
	if fullEvery <= 0 {
		fullEvery = hourMs * time.Millisecond
	}
	// as the TS `||`: the static-dropped flag is only taken when the clock did not already ask for a full report
	full := !d.haveFull || now.Sub(d.lastFullAt) >= fullEvery || d.spool.TakeStaticDropped()
	if full {
		d.lastFullAt, d.haveFull = now, true
	}
	current := d.collectDue(now, full)
	d.mu.Lock()
	sections := SelectSections(current, d.delivered, d.queued, full)
	d.mu.Unlock()
	d.maybeStartLatencyRun(now)
	d.mu.Lock()
	n := len(d.pendingLatency)
	if n > maxLatencyRunsPerReport {
		n = maxLatencyRunsPerReport
	}
	latencyRuns := append([]any{}, d.pendingLatency[:n]...)
	d.pendingLatency = d.pendingLatency[n:]
	d.mu.Unlock()
	qos := []any{}
	if d.opts.TakeQosSamples != nil {
		for i, s := range d.opts.TakeQosSamples() {
			if i >= maxQosPerReport {
				break
			}
			qos = append(qos, s)
		}
	}
	sequence, err := d.takeSequence()
	if err != nil {
		return err
	}
	hostID := d.opts.Credentials.HostID
	payload := map[string]any{
		"hostId":         hostID,
		"idempotencyKey": hostID + ":" + strconv.FormatInt(sequence, 10),
		"sequence":       sequence,
		"collectedAt":    report.ISOTime(now),
		"agentVersion":   report.AgentVersion,
		"hostname":       report.ReadHostname(d.opts.FS),
		"heartbeat":      d.heartbeat(),
		"sections":       sections,
		// sections are cleaned as they are collected; these come from cyclictest output and resctrl group names
		"latencyRuns": jsonx.CleanValue(latencyRuns),
		"qosSamples":  jsonx.CleanValue(qos),
	}
	text, err := jsonx.Marshal(payload)
	if err != nil {
		return err
	}
	evicted, err := d.spool.Append(sequence, text)
	if err != nil {
		return err
	}
	d.mu.Lock()
	for name, e := range sections {
		d.queued[name] = signature(e.(map[string]any))
	}
	d.mu.Unlock()
	dropped := d.spool.DroppedCounts()
	if len(evicted) > 0 && dropped.Reports-d.lastDropLogged >= 1 {
		d.lastDropLogged = dropped.Reports
		d.log("spool full (%d files, %d bytes): dropped so far %d report(s), %d latency run(s), %d QoS sample(s), %d with static sections",
			d.spool.Files(), d.spool.Bytes(), dropped.Reports, dropped.LatencyRuns, dropped.QosSamples, dropped.StaticReports)
	}
	if d.opts.Verbose {
		d.log("spooled sequence %d (%d section(s), %d run(s), %d QoS)", sequence, len(sections), len(latencyRuns), len(qos))
	}
	select {
	case d.wake <- struct{}{}:
	default:
	}
	return nil
}

// collectDue collects the sections that are due (all on a full cycle) and reuses the last envelope of
// the others.
func (d *Daemon) collectDue(now time.Time, full bool) map[string]any {
	refresh := d.opts.SectionRefreshMs
	if refresh == nil {
		refresh = SectionRefreshMs
	}
	all := d.opts.Collectors
	if all == nil {
		all = report.SectionCollectors
	}
	out := map[string]any{}
	for _, c := range all {
		last, seen := d.collectedAt[c.Name]
		if full || !seen || now.Sub(last) >= time.Duration(refresh[c.Name])*time.Millisecond {
			e := d.collecting.CollectSection(d.opts.FS, c)
			d.lastEnvelope[c.Name] = e
			d.collectedAt[c.Name] = now
		}
		if e, ok := d.lastEnvelope[c.Name]; ok {
			out[c.Name] = e
		}
	}
	return out
}

var whitespace = regexp.MustCompile(`\s+`)

// jsNumber is Number(text) for /proc numbers: "" (after trim) is 0, anything unparsable NaN.
func jsNumber(text string) float64 {
	t := strings.TrimSpace(text)
	if t == "" {
		return 0
	}
	f, err := strconv.ParseFloat(t, 64)
	if err != nil || strings.ContainsAny(t, "_xXpP") || strings.EqualFold(t, "inf") || strings.EqualFold(t, "infinity") || strings.EqualFold(t, "nan") {
		return math.NaN()
	}
	return f
}

func finiteNonNegative(v float64) float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
		return 0
	}
	return v
}

func (d *Daemon) heartbeat() map[string]any {
	uptime := math.NaN()
	if text, ok := d.opts.FS.ReadTextOptional("proc/uptime"); ok {
		uptime = jsNumber(whitespace.Split(text, -1)[0])
	}
	loadText, _ := d.opts.FS.ReadTextOptional("proc/loadavg")
	fields := whitespace.Split(loadText, -1)
	load := []any{0.0, 0.0, 0.0}
	for i := 0; i < 3 && i < len(fields); i++ {
		load[i] = finiteNonNegative(jsNumber(fields[i]))
	}
	d.mu.Lock()
	rejected := d.rejected
	d.mu.Unlock()
	return map[string]any{
		"uptimeS":       finiteNonNegative(uptime),
		"loadavg":       load,
		"agentRssBytes": d.opts.RSS(),
		// so the server sees loss: reports evicted from the full spool, and reports it refused
		"spoolDropped": d.spool.DroppedCounts().Reports,
		"rejected":     rejected,
		"setAside":     d.spool.SetAside(),
	}
}

// selfRSS is this process's resident set size in bytes (/proc/self/statm, like process.memoryUsage.rss()).
func selfRSS() int64 {
	b, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return 0
	}
	f := strings.Fields(string(b))
	if len(f) < 2 {
		return 0
	}
	pages, _ := strconv.ParseInt(f[1], 10, 64)
	return pages * int64(os.Getpagesize())
}

func uuidV4() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

func (d *Daemon) maybeStartLatencyRun(now time.Time) {
	d.mu.Lock()
	schedule := d.latencySchedule
	if schedule == nil || d.latencyRunning || d.stopping() || now.Before(d.nextLatencyAt) {
		d.mu.Unlock()
		return
	}
	every, _ := schedule["everyMinutes"].(float64)
	d.latencyRunning = true
	d.nextLatencyAt = now.Add(time.Duration(every * float64(time.Minute)))
	d.mu.Unlock()
	runKey := uuidV4()
	d.latencyRuns.Add(1) // only from the cycle loop, which Stop has waited for before latencyRuns.Wait
	go func() {
		defer d.latencyRuns.Done()
		defer func() {
			d.mu.Lock()
			d.latencyRunning = false
			d.mu.Unlock()
		}()
		defer func() {
			if r := recover(); r != nil {
				d.log("scheduled latency run failed: panic: %v", r)
			}
		}()
		if d.opts.RunLatency == nil {
			d.log("scheduled latency run failed: no latency runner in this agent")
			return
		}
		run, err := d.opts.RunLatency(d.bg, schedule, d.opts.HousekeepingCpus, runKey)
		if err != nil {
			d.log("scheduled latency run failed: %v", err)
			return
		}
		d.mu.Lock()
		d.pendingLatency = append(d.pendingLatency, run)
		d.mu.Unlock()
	}()
}

func formatJS(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// Bounds of a server heartbeat (the contract's is a positive integer of seconds, no maximum): past a
// day the cycle's time.Duration would overflow to a negative delay, a collection loop without pause.
const (
	minServerHeartbeatMs = 1000
	maxServerHeartbeatMs = 86_400_000
)

// scheduleProblem checks what the daemon itself uses of a latency schedule (the rest is checked by the
// runner before anything runs): everyMinutes as the contract has it. 0, a missing one or one whose
// Duration overflows would start a cyclictest on the measured CPUs at every heartbeat.
func scheduleProblem(s map[string]any) string {
	every, ok := s["everyMinutes"].(float64)
	if !ok || every != math.Trunc(every) || every < 1 || every > 10_080 {
		return fmt.Sprintf("latencySchedule.everyMinutes %v is not an integer in 1..10080", s["everyMinutes"])
	}
	return ""
}

func (d *Daemon) applyConfig(out *transport.ReportOutput) {
	d.mu.Lock()
	defer d.mu.Unlock()
	problem := out.ConfigProblem
	if problem == "" && out.Config.LatencySchedule != nil {
		problem = scheduleProblem(out.Config.LatencySchedule)
	}
	if problem != "" {
		// the report is delivered; the server's config is not usable, so the current settings stay
		if problem != d.configProblem {
			d.log("server config ignored: %s", problem)
		}
		d.configProblem = problem
		return
	}
	d.configProblem = ""
	serverMs := 0
	if hb := out.Config.HeartbeatSeconds; hb > 0 && !math.IsInf(hb, 0) {
		serverMs = int(math.Min(math.Max(math.Round(hb*1000), minServerHeartbeatMs), maxServerHeartbeatMs))
	}
	if d.opts.HeartbeatMs <= 0 && serverMs > 0 && serverMs != d.heartbeatMs {
		d.log("heartbeat %s s → %s s (server config)", formatJS(float64(d.heartbeatMs)/1000), formatJS(float64(serverMs)/1000))
		d.heartbeatMs = serverMs
	}
	text := "null"
	if out.Config.LatencySchedule != nil {
		b, _ := jsonx.Marshal(out.Config.LatencySchedule)
		text = string(b)
	}
	if d.scheduleText == "" {
		d.scheduleText = "null"
	}
	if text != d.scheduleText {
		d.scheduleText = text
		d.latencySchedule = out.Config.LatencySchedule
		d.nextLatencyAt = time.Time{} // a new or changed schedule runs at the next heartbeat
		if s := out.Config.LatencySchedule; s != nil {
			every, _ := s["everyMinutes"].(float64)
			d.log("latency schedule: cpus %v every %s min", s["cpus"], formatJS(every))
		} else {
			d.log("latency schedule: none")
		}
	}
}

// sleep waits ms or until stop (new reports do not cut a backoff short).
func (d *Daemon) sleep(ms int64) {
	t := time.NewTimer(time.Duration(ms) * time.Millisecond)
	defer t.Stop()
	select {
	case <-t.C:
	case <-d.stopCh:
	}
}

func clip(s string, n int) string { return jsonx.ClipText(s, n) }

func (d *Daemon) sendLoop() {
	defer d.loops.Done()
	maxTries := d.opts.MaxServerErrorTries
	if maxTries <= 0 {
		maxTries = DefaultMaxServerErrorTry
	}
	backoff := transport.DefaultBackoff
	if d.opts.Backoff != nil {
		backoff = *d.opts.Backoff
	}
	for !d.stopping() {
		entry, ok := d.spool.Oldest()
		if !ok {
			select {
			case <-d.wake:
			case <-d.stopCh:
			}
			continue
		}
		payload, err := d.spool.Read(entry)
		if err != nil {
			// evicted meanwhile, or unreadable: nothing to send for it
			d.log("spooled report %d unreadable (%v); skipped", entry.Sequence, err)
			_ = d.spool.Remove(entry.Sequence)
			continue
		}
		var out *transport.ReportOutput
		if d.api == nil && d.opts.API != nil {
			d.api, err = d.opts.API()
		}
		if err == nil && d.api == nil {
			err = fmt.Errorf("no API")
		}
		if err == nil {
			out, err = d.api.Report(context.Background(), payload)
		}
		if err == nil {
			_ = d.spool.Remove(entry.Sequence)
			var sent struct {
				Sections map[string]map[string]any `json:"sections"`
			}
			_ = json.Unmarshal(payload, &sent)
			d.mu.Lock()
			for name, e := range sent.Sections {
				if e != nil {
					d.delivered[name] = signature(e)
				}
			}
			d.mu.Unlock()
			if d.failures > 0 {
				d.log("server reachable again after %d failed attempt(s); %d report(s) still spooled", d.failures, d.spool.Files())
			}
			d.failures = 0
			if d.opts.Verbose {
				dup := ""
				if out.Duplicate {
					dup = " (duplicate, already stored)"
				}
				d.log("delivered sequence %d%s", entry.Sequence, dup)
			}
			d.applyConfig(out)
			continue
		}
		failure := transport.ClassifyDeliveryError(err)
		if transport.IsReportFault(failure.Status) {
			count := 1
			if d.headFault.sequence == entry.Sequence && d.headFault.count > 0 {
				count = d.headFault.count + 1
			}
			d.headFault.sequence, d.headFault.count = entry.Sequence, count
			if count >= maxTries {
				kept, _ := d.spool.SetAsideReport(entry.Sequence)
				if kept == "" {
					kept = "(gone)"
				}
				d.headFault.count = 0
				d.failures = 0
				d.log("server failed report %d %d times (HTTP %d: %s); set aside as %s (%d set aside so far), moving on",
					entry.Sequence, count, failure.Status, clip(failure.Message, 200), kept, d.spool.SetAside())
				continue
			}
		}
		if failure.Action == "reject" {
			d.mu.Lock()
			d.rejected++
			rejected := d.rejected
			d.mu.Unlock()
			d.log("server rejected report %d (HTTP %d): %s; dropped (%d rejected so far)", entry.Sequence, failure.Status, clip(failure.Message, 300), rejected)
			_ = d.spool.Remove(entry.Sequence)
			continue
		}
		delay := transport.FullJitterDelayMs(backoff, d.failures, d.opts.Random)
		if d.failures == 0 || d.opts.Verbose {
			what := "no answer"
			if failure.Status != 0 {
				what = fmt.Sprintf("HTTP %d", failure.Status)
			}
			d.log("cannot deliver report %d (%s: %s); spooling, retry in %d ms", entry.Sequence, what, clip(failure.Message, 200), delay)
		}
		d.failures++
		d.sleep(delay)
	}
}
