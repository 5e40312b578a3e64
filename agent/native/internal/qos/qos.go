// Package qos takes the daemon's QoS samples: the resctrl monitoring counters (CMT llc_occupancy, MBM
// mbm_total_bytes / mbm_local_bytes) of every monitoring group in every L3 domain — the Go port of what
// agent/commands/run.ts passes the daemon as takeQosSamples (readQosSamples in
// agent/collectors/resctrl.ts). The groups include the agent's per-VNF groups (agent/resctrl-groups),
// which live under mon_groups like any other.
//
// API, for the daemon loop:
//
//	s := qos.NewSampler(fs, time.Now)   // fs rooted at "/" in production; now is injectable for tests
//	samples := s.Take()                 // once per heartbeat
//
// Take returns one QosSample (server/contract/sections/qos.ts) per monitoring group and domain, in the
// TS agent's order (root group, its mon_groups, then each control group and its mon_groups):
//
//	{"at": "2026-11-22T10:00:00.000Z",      // now() when Take started, as Date.toISOString
//	 "group": "/" | "<ctrl>" | "<ctrl>/mon_groups/<m>" | "mon_groups/<m>",
//	 "domain": "mon_L3_00",
//	 "llcOccupancyBytes": "2359296" | nil, // decimal text: MBM counters are u64 and pass 2^53
//	 "mbmTotalBytes": "191692800" | nil,   // nil when the kernel said Error/Unavailable/Unassigned,
//	 "mbmLocalBytes": "150994944" | nil}   // the file is missing, or it is not a u64
//
// The counters are cumulative and sent raw, as the TS agent does: no deltas here, so a counter that
// wrapped or was reset just reads lower (the server computes rates). Take returns an empty, non-nil
// slice when resctrl is not mounted. The daemon (as agent/daemon.ts) keeps at most 2000 samples per
// report and cleans their strings (jsonx.CleanValue) before spooling.
//
// Errors: only an unreadable resctrl directory (EACCES/EIO on a listing) fails a take. TakeChecked
// returns that error; Take returns no samples then. (The TS agent's rejected takeQosSamples fails that
// whole heartbeat, logged as "collection cycle failed"; the caller chooses with TakeChecked.) The
// sampler reads only the monitoring part of the tree (not info, schemata, cpus_list, tasks or mode, which
// readQosSamples also reads): the samples are the same, in fewer reads per heartbeat.
package qos

import (
	"time"

	"nfvdeck/agent/internal/collectors/resctrl"
	"nfvdeck/agent/internal/hostfs"
)

// Sampler reads QoS samples from a host tree; it keeps no state between takes.
type Sampler struct {
	fs  *hostfs.FS
	now func() time.Time
}

// NewSampler returns a sampler of fs's sys/fs/resctrl; now defaults to time.Now when nil.
func NewSampler(fs *hostfs.FS, now func() time.Time) *Sampler {
	if now == nil {
		now = time.Now
	}
	return &Sampler{fs: fs, now: now}
}

// Take reads the counters now: the samples, or an empty slice when resctrl is not mounted or its tree
// could not be listed (see TakeChecked).
func (s *Sampler) Take() []map[string]any {
	samples, err := s.TakeChecked()
	if err != nil {
		return []map[string]any{}
	}
	return samples
}

// TakeChecked is Take that also returns the error of an unreadable resctrl tree (then no samples).
func (s *Sampler) TakeChecked() ([]map[string]any, error) {
	at := s.now() // readQosSamples' `at = new Date()` is taken before the tree is read
	groups, mounted, err := resctrl.ReadMonitoring(s.fs)
	if err != nil {
		return []map[string]any{}, err
	}
	if !mounted {
		return []map[string]any{}, nil
	}
	return resctrl.ToQosSamples(groups, at), nil
}
