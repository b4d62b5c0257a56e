package reply

import "sort"

// Closest is the word among words nearest to typed, at most two edits away
// (a typo of it), or "" when none is that near; of equally near words the
// first in alphabetical order wins, so that the suggestion is stable.
func Closest(typed string, words []string) string {
	sorted := append([]string(nil), words...)
	sort.Strings(sorted)
	best, bestD := "", 3
	for _, w := range sorted {
		if d := editDistance(typed, w); d < bestD {
			best, bestD = w, d
		}
	}
	return best
}

// editDistance is the Levenshtein distance of a and b, in runes.
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
