package values

import (
	"errors"
	"sort"
	"strings"
)

// The Go port of server/domain/cpuset/cpuset.ts: kernel cpu-list ("0-3,8,10-11", "0-15:2/4") and
// cpu-mask ("ff,ffffffff") text. Error messages are the TS ones (collectors put some into warnings).

// MaxCPU is the largest CPU number accepted: the kernel's NR_CPUS maximum is 8192.
const MaxCPU = 8191

// cpuListTruncate is cpuset.ts's truncate: more than 64 UTF-16 units → the first 64 and "…".
func cpuListTruncate(s string) string {
	if UTF16Len(s) > 64 {
		return SliceText(s, 64) + "…"
	}
	return s
}

// cpuRange matches /^(\d+)(?:-(\d+)(?::(\d+)\/(\d+))?)?$/; "" for an absent group.
func cpuRange(part string) (start, end, used, group string, ok bool) {
	digits := func(s string) (string, string) {
		i := 0
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		return s[:i], s[i:]
	}
	start, rest := digits(part)
	if start == "" {
		return "", "", "", "", false
	}
	if rest == "" {
		return start, "", "", "", true
	}
	if rest[0] != '-' {
		return "", "", "", "", false
	}
	end, rest = digits(rest[1:])
	if end == "" {
		return "", "", "", "", false
	}
	if rest == "" {
		return start, end, "", "", true
	}
	if rest[0] != ':' {
		return "", "", "", "", false
	}
	used, rest = digits(rest[1:])
	if used == "" || rest == "" || rest[0] != '/' {
		return "", "", "", "", false
	}
	group, rest = digits(rest[1:])
	if group == "" || rest != "" {
		return "", "", "", "", false
	}
	return start, end, used, group, true
}

// ParseCPUList is parseCpuList: a sorted, de-duplicated list; blank text is the empty set; anything
// else, "(null)" included, is an error.
func ParseCPUList(text string) ([]int, error) {
	trimmed := Trim(text)
	if trimmed == "" {
		return []int{}, nil
	}
	seen := map[int]bool{}
	out := []int{}
	for _, part := range strings.Split(trimmed, ",") {
		s, e, u, g, ok := cpuRange(Trim(part))
		if !ok {
			return nil, errors.New(`not a cpu list: "` + cpuListTruncate(trimmed) + `" (bad part "` + cpuListTruncate(part) + `")`)
		}
		start := DigitsNumber(s)
		end := start
		if e != "" {
			end = DigitsNumber(e)
		}
		if end < start {
			return nil, errors.New(`descending range "` + part + `"`)
		}
		if end > MaxCPU {
			return nil, errors.New("cpu " + NumberText(end) + " exceeds 8191")
		}
		used, group := 1.0, 1.0
		if u != "" {
			used, group = DigitsNumber(u), DigitsNumber(g)
		}
		if group == 0 || used == 0 || used > group {
			return nil, errors.New(`bad group "` + part + `"`)
		}
		// end <= MaxCPU, so capping used and group at MaxCPU+1 changes nothing and keeps ints exact.
		if group > MaxCPU+1 {
			group = MaxCPU + 1
		}
		if used > MaxCPU+1 {
			used = MaxCPU + 1
		}
		lo, hi, nu, ng := int(start), int(end), int(used), int(group)
		for base := lo; base <= hi; base += ng {
			for i := 0; i < nu && base+i <= hi; i++ {
				if !seen[base+i] {
					seen[base+i] = true
					out = append(out, base+i)
				}
			}
		}
	}
	sort.Ints(out)
	return out, nil
}

// TryParseCPUList is tryParseCpuList: ok=false instead of an error.
func TryParseCPUList(text string) ([]int, bool) {
	cpus, err := ParseCPUList(text)
	return cpus, err == nil
}

func isHexDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return true
}

// ParseCPUMask is parseCpuMask: comma-separated 32-bit hex words, most significant first, optional 0x.
func ParseCPUMask(text string) ([]int, error) {
	trimmed := Trim(text)
	if len(trimmed) >= 2 && trimmed[0] == '0' && (trimmed[1] == 'x' || trimmed[1] == 'X') {
		trimmed = trimmed[2:]
	}
	if trimmed == "" {
		return []int{}, nil
	}
	words := strings.Split(trimmed, ",")
	var hex strings.Builder
	for i, w := range words {
		w = Trim(w)
		if !isHexDigits(w) {
			return nil, errors.New(`not a cpu mask: "` + cpuListTruncate(trimmed) + `"`)
		}
		if i > 0 && len(w) < 8 {
			hex.WriteString(strings.Repeat("0", 8-len(w)))
		}
		hex.WriteString(w)
	}
	h := hex.String()
	if len(h)*4 > MaxCPU+1+32 {
		return nil, errors.New("cpu mask too long")
	}
	cpus := []int{}
	for n, bit := len(h)-1, 0; n >= 0; n, bit = n-1, bit+4 {
		c := h[n]
		var nibble int
		switch {
		case c >= '0' && c <= '9':
			nibble = int(c - '0')
		case c >= 'a' && c <= 'f':
			nibble = int(c-'a') + 10
		default:
			nibble = int(c-'A') + 10
		}
		for b := 0; b < 4; b++ {
			if nibble&(1<<b) != 0 {
				cpus = append(cpus, bit+b)
			}
		}
	}
	for _, c := range cpus {
		if c > MaxCPU {
			return nil, errors.New("cpu mask exceeds 8191")
		}
	}
	sort.Ints(cpus)
	return cpus, nil
}

// TryParseCPUMask is tryParseCpuMask.
func TryParseCPUMask(text string) ([]int, bool) {
	cpus, err := ParseCPUMask(text)
	return cpus, err == nil
}

// UnionCPUs is unionCpus: every CPU of every set, sorted, once.
func UnionCPUs(sets ...[]int) []int {
	seen := map[int]bool{}
	out := []int{}
	for _, s := range sets {
		for _, c := range s {
			if !seen[c] {
				seen[c] = true
				out = append(out, c)
			}
		}
	}
	sort.Ints(out)
	return out
}

// SubtractCPUs is subtractCpus: from − remove, sorted, once.
func SubtractCPUs(from, remove []int) []int {
	drop := map[int]bool{}
	for _, c := range remove {
		drop[c] = true
	}
	seen := map[int]bool{}
	out := []int{}
	for _, c := range from {
		if !drop[c] && !seen[c] {
			seen[c] = true
			out = append(out, c)
		}
	}
	sort.Ints(out)
	return out
}

// IntersectCPUs is intersectCpus: CPUs in both, sorted, once.
func IntersectCPUs(a, b []int) []int {
	keep := map[int]bool{}
	for _, c := range b {
		keep[c] = true
	}
	seen := map[int]bool{}
	out := []int{}
	for _, c := range a {
		if keep[c] && !seen[c] {
			seen[c] = true
			out = append(out, c)
		}
	}
	sort.Ints(out)
	return out
}
