package reply

import "sort"

// Closest is the name among names nearest to word by edit distance, at
// most two edits away: the command someone meant when they typed a typo.
// ok is false when none is that close.
func Closest(word string, names []string) (string, bool) {
	names = append([]string(nil), names...)
	sort.Strings(names)
	best, bestD := "", 3
	for _, c := range names {
		if d := editDistance(word, c); d < bestD {
			best, bestD = c, d
		}
	}
	return best, best != ""
}

func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}
