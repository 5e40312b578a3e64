package transport

import (
	crand "crypto/rand"
	"encoding/binary"
	"math"
	"math/rand"
	"sync"
)

// BackoffPolicy is exponential backoff with full jitter (agent/transport/backoff.ts): the delay
// before retry n (0-based) is uniform in [0, min(MaxMs, BaseMs·2^n)).
type BackoffPolicy struct {
	BaseMs float64
	MaxMs  float64
}

// DefaultBackoff is 500 ms .. 60 s.
var DefaultBackoff = BackoffPolicy{BaseMs: 500, MaxMs: 60_000}

// BackoffCeilingMs is the upper bound of the jitter window for retry attempt: min(max, base·2^attempt).
func BackoffCeilingMs(p BackoffPolicy, attempt float64) float64 {
	if math.IsNaN(attempt) || math.IsInf(attempt, 0) || attempt < 0 {
		return math.Min(p.MaxMs, p.BaseMs)
	}
	// 2^attempt overflows to +Inf past ~1023; Min keeps it at the cap
	return math.Min(p.MaxMs, p.BaseMs*math.Pow(2, math.Floor(attempt)))
}

// epsilon is Number.EPSILON.
const epsilon = 2.220446049250313e-16

// FullJitterDelayMs is the delay before retry attempt: floor(r · ceiling) with r from random in [0, 1)
// (nil: math/rand), clamped like the TS.
func FullJitterDelayMs(p BackoffPolicy, attempt int, random func() float64) int64 {
	if random == nil {
		random = processRandom
	}
	r := random()
	unit := 0.0
	if !math.IsNaN(r) && !math.IsInf(r, 0) {
		unit = math.Min(math.Max(r, 0), 1-epsilon)
	}
	return int64(math.Floor(unit * BackoffCeilingMs(p, float64(attempt))))
}

// Go 1.19's global math/rand starts from the same seed in every process: every agent of a fleet would
// draw the same "random" delays and come back in lock-step after an outage, which full jitter exists
// to prevent. This source is seeded per process from the kernel.
var (
	processRandMu sync.Mutex
	processRand   = rand.New(rand.NewSource(kernelSeed()))
)

func kernelSeed() int64 {
	var b [8]byte
	if _, err := crand.Read(b[:]); err != nil {
		return 0 // never on Linux (getrandom); the delays are then merely not spread
	}
	return int64(binary.LittleEndian.Uint64(b[:]))
}

func processRandom() float64 {
	processRandMu.Lock()
	defer processRandMu.Unlock()
	return processRand.Float64()
}
