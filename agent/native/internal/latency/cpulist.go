package latency

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
)

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
