package latency

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// maxCPU is the kernel's NR_CPUS maximum minus one (server/domain/cpuset/cpuset.ts MAX_CPU).
const maxCPU = 8191

var cpuRange = regexp.MustCompile(`^(\d+)(?:-(\d+)(?::(\d+)/(\d+))?)?$`)

// ParseCpuList reads a kernel cpu list ("0-3,8", "0-15:2/4") into sorted, distinct CPUs; "" is none.
func ParseCpuList(text string) ([]int, error) {
	trimmed := jsTrim(text)
	if trimmed == "" {
		return []int{}, nil
	}
	set := map[int]bool{}
	for _, part := range strings.Split(trimmed, ",") {
		m := cpuRange.FindStringSubmatch(jsTrim(part))
		if m == nil {
			return nil, fmt.Errorf("not a cpu list: %q (bad part %q)", trimmed, part)
		}
		start, _ := strconv.Atoi(m[1])
		end := start
		if m[2] != "" {
			end, _ = strconv.Atoi(m[2])
		}
		if len(m[1]) > 9 || len(m[2]) > 9 || end > maxCPU {
			return nil, fmt.Errorf("cpu %s exceeds %d", part, maxCPU)
		}
		if end < start {
			return nil, fmt.Errorf("descending range %q", part)
		}
		used, group := 1, 1
		if m[3] != "" {
			used, _ = strconv.Atoi(m[3])
			group, _ = strconv.Atoi(m[4])
		}
		if group == 0 || used == 0 || used > group {
			return nil, fmt.Errorf("bad group %q", part)
		}
		for base := start; base <= end; base += group {
			for i := 0; i < used && base+i <= end; i++ {
				set[base+i] = true
			}
		}
	}
	return sortedSet(set), nil
}

func sortedSet(set map[int]bool) []int {
	out := make([]int, 0, len(set))
	for c := range set {
		out = append(out, c)
	}
	sort.Ints(out)
	return out
}

// FormatCpuList writes CPUs as the kernel does: "0-3,8,10-11"; none is "".
func FormatCpuList(cpus []int) string {
	set := map[int]bool{}
	for _, c := range cpus {
		set[c] = true
	}
	sorted := sortedSet(set)
	var parts []string
	for i := 0; i < len(sorted); i++ {
		start := sorted[i]
		end := start
		for i+1 < len(sorted) && sorted[i+1] == end+1 {
			end++
			i++
		}
		if start == end {
			parts = append(parts, strconv.Itoa(start))
		} else {
			parts = append(parts, fmt.Sprintf("%d-%d", start, end))
		}
	}
	return strings.Join(parts, ",")
}

// ExpandCpuList is latency.ts expandCpuList: "0-2,5" → [0 1 2 5] on a list the request check accepted.
func ExpandCpuList(list string) []float64 {
	set := map[int]bool{}
	for _, part := range strings.Split(list, ",") {
		ab := strings.Split(part, "-")
		a, err := strconv.Atoi(ab[0])
		if err != nil {
			continue
		}
		end := a
		if len(ab) > 1 {
			if b, err := strconv.Atoi(ab[1]); err == nil {
				end = b
			}
		}
		for c := a; c <= end; c++ {
			set[c] = true
		}
	}
	out := []float64{}
	for _, c := range sortedSet(set) {
		out = append(out, float64(c))
	}
	return out
}

func subtractCpus(from, remove []int) []int {
	drop := map[int]bool{}
	for _, c := range remove {
		drop[c] = true
	}
	keep := map[int]bool{}
	for _, c := range from {
		if !drop[c] {
			keep[c] = true
		}
	}
	return sortedSet(keep)
}

func intersectCpus(a, b []int) []int {
	in := map[int]bool{}
	for _, c := range b {
		in[c] = true
	}
	keep := map[int]bool{}
	for _, c := range a {
		if in[c] {
			keep[c] = true
		}
	}
	return sortedSet(keep)
}
