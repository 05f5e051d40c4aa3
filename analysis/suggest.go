package analysis

import "strings"

// EditDistance is the Levenshtein distance between a and b, counted in bytes.
func EditDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// Closest returns the candidate nearest to word, ignoring case, when its edit distance is
// below limit; "" when none is that close. The earliest candidate wins a tie. It backs the
// "did you mean" suggestions for instructions, rule names and settings.
func Closest(word string, candidates []string, limit int) string {
	lw := strings.ToLower(word)
	best, bestD := "", limit
	for _, c := range candidates {
		if d := EditDistance(lw, strings.ToLower(c)); d < bestD {
			best, bestD = c, d
		}
	}
	return best
}
