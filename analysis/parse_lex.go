package analysis

import (
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

// This file holds the column scanner's lowest layer: a "logical line" (an instruction's physical
// lines joined the way BuildKit joins them) that remembers where each of its bytes came from, and
// tokenizers that mirror BuildKit's own word splitting on it while keeping positions.

// psPiece says that bytes [at, at+n) of a logical line were copied from (line, col) onwards.
type psPiece struct {
	at, line, col, n int
}

// psLogical is an instruction's text as BuildKit sees it (continuations removed, comment and
// blank lines dropped) together with a map back to source positions.
type psLogical struct {
	s      string
	pieces []psPiece
	anchor Pos // position used for an empty line
}

// pos maps byte i of the logical line to its source position. i == len(s) maps just after the
// last byte.
func (lg *psLogical) pos(i int) Pos {
	if len(lg.pieces) == 0 {
		return lg.anchor
	}
	if i >= len(lg.s) {
		// End of the line: after the last non-empty piece.
		for k := len(lg.pieces) - 1; k >= 0; k-- {
			if p := lg.pieces[k]; p.n > 0 || k == 0 {
				return Pos{p.line, p.col + p.n}
			}
		}
	}
	// The last piece whose start is <= i and that is not empty.
	k := sort.Search(len(lg.pieces), func(k int) bool { return lg.pieces[k].at > i }) - 1
	for k > 0 && lg.pieces[k].n == 0 {
		k--
	}
	if k < 0 {
		k = 0
	}
	p := lg.pieces[k]
	return Pos{p.line, p.col + i - p.at}
}

// rng maps the byte range [a, b) of the logical line to a source range. A token never straddles
// a piece boundary in a way that matters: its end is placed just after its last byte.
func (lg *psLogical) rng(a, b int) Range {
	if b <= a {
		p := lg.pos(a)
		return Range{p, p}
	}
	e := lg.pos(b - 1)
	e.Col++
	return Range{lg.pos(a), e}
}

// psBkSpace reports the characters of BuildKit's reWhitespace class, [\t\v\f\r ].
func psBkSpace(b byte) bool {
	return b == ' ' || b == '\t' || b == '\v' || b == '\f' || b == '\r'
}

// psTrimSpace narrows [a, b) of s like strings.TrimSpace.
func psTrimSpace(s string, a, b int) (int, int) {
	t := strings.TrimLeftFunc(s[a:b], unicode.IsSpace)
	a = b - len(t)
	t = strings.TrimRightFunc(t, unicode.IsSpace)
	return a, a + len(t)
}

// psLexCommand mirrors BuildKit's splitCommand on s[a:b]: the keyword, and where the text after it
// starts (restA == restB when there is none).
func psLexCommand(s string, a, b int) (kwA, kwB, restA, restB int) {
	a, b = psTrimSpace(s, a, b)
	k := a
	for k < b && !psBkSpace(s[k]) {
		k++
	}
	m := k
	for m < b && psBkSpace(s[m]) {
		m++
	}
	if k == b {
		return a, b, b, b
	}
	return a, k, m, b
}

// psFlagWord is one builder flag word found by psLexFlags.
type psFlagWord struct {
	a, b int    // the raw word in the logical line
	word string // decoded word (quotes and escapes removed)
	eqAt int    // logical-line index of the first "=" of the decoded word, or -1
}

// psLexFlags mirrors BuildKit's extractBuilderFlags on s[a:b]: it returns the "--" words and the
// index where the remaining arguments start. Like BuildKit it works byte by byte.
func psLexFlags(s string, a, b int, esc byte) ([]psFlagWord, int) {
	const (
		inSpaces = iota
		inWord
		inQuote
	)
	line := s[a:b]
	var flags []psFlagWord
	var cur psFlagWord
	var buf []byte
	phase := inSpaces
	var quote byte
	blankOK := false
	isSpace := func(c byte) bool { return unicode.IsSpace(rune(c)) }
	add := func(ch byte, at int) {
		if ch == '=' && cur.eqAt < 0 {
			cur.eqAt = at
		}
		buf = append(buf, ch)
	}
	finish := func(end int) {
		cur.b = end
		cur.word = string(buf)
		flags = append(flags, cur)
	}
	for pos := 0; pos <= len(line); pos++ {
		var ch byte
		if pos != len(line) {
			ch = line[pos]
		}
		if phase == inSpaces {
			if pos == len(line) {
				break
			}
			if isSpace(ch) {
				continue
			}
			if ch != '-' || pos+1 == len(line) || line[pos+1] != '-' {
				return flags, a + pos
			}
			phase = inWord
			cur = psFlagWord{a: a + pos, eqAt: -1}
			if buf == nil {
				buf = make([]byte, 0, len(line)-pos)
			}
			buf = buf[:0]
		}
		if pos == len(line) { // inWord or inQuote at the end
			if string(buf) != "--" && (blankOK || len(buf) > 0) {
				finish(a + pos)
			}
			break
		}
		if phase == inWord {
			if isSpace(ch) {
				phase = inSpaces
				if string(buf) == "--" {
					return flags, a + pos
				}
				if blankOK || len(buf) > 0 {
					finish(a + pos)
				}
				blankOK = false
				continue
			}
			if ch == '\'' || ch == '"' {
				quote = ch
				blankOK = true
				phase = inQuote
				continue
			}
			if ch == esc {
				if pos+1 == len(line) {
					continue
				}
				pos++
				ch = line[pos]
			}
			add(ch, a+pos)
			continue
		}
		// inQuote
		if ch == quote {
			phase = inWord
			continue
		}
		if ch == esc {
			if pos+1 == len(line) {
				phase = inWord
				continue
			}
			pos++
			ch = line[pos]
		}
		add(ch, a+pos)
	}
	return flags, b
}

// psLexWords mirrors BuildKit's parseWords on s[a:b] (quote- and escape-aware splitting on white
// space) and appends each word's raw span to words.
func psLexWords(words [][2]int, s string, a, b int, esc byte) [][2]int {
	const (
		inSpaces = iota
		inWord
		inQuote
	)
	rest := s[a:b]
	phase := inSpaces
	var quote rune
	blankOK := false
	n := 0 // runes written to the current word
	start := 0
	var ch rune
	var w int
	for pos := 0; pos <= len(rest); pos += w {
		if pos != len(rest) {
			ch, w = utf8.DecodeRuneInString(rest[pos:])
		}
		if phase == inSpaces {
			if pos == len(rest) {
				break
			}
			if unicode.IsSpace(ch) {
				continue
			}
			phase = inWord
			start = pos
		}
		if pos == len(rest) {
			if blankOK || n > 0 {
				words = append(words, [2]int{a + start, a + pos})
			}
			break
		}
		if phase == inWord {
			if unicode.IsSpace(ch) {
				phase = inSpaces
				if blankOK || n > 0 {
					words = append(words, [2]int{a + start, a + pos})
				}
				n = 0
				blankOK = false
				continue
			}
			if ch == '\'' || ch == '"' {
				quote = ch
				blankOK = true
				phase = inQuote
			}
			if ch == rune(esc) {
				if pos+w == len(rest) {
					continue
				}
				n++
				pos += w
				ch, w = utf8.DecodeRuneInString(rest[pos:])
			}
			n++
			continue
		}
		// inQuote
		if ch == quote {
			phase = inWord
		}
		if ch == rune(esc) && quote != '\'' {
			if pos+w == len(rest) {
				phase = inWord
				continue
			}
			pos += w
			n++
			ch, w = utf8.DecodeRuneInString(rest[pos:])
		}
		n++
	}
	return words
}

// psLexFields mirrors BuildKit's parseStringsWhitespaceDelimited: s[a:b] split on runs of
// [\t\v\f\r ], appended to words.
func psLexFields(words [][2]int, s string, a, b int) [][2]int {
	i := a
	for i < b {
		for i < b && psBkSpace(s[i]) {
			i++
		}
		if i == b {
			break
		}
		j := i
		for j < b && !psBkSpace(s[j]) {
			j++
		}
		words = append(words, [2]int{i, j})
		i = j
	}
	return words
}

// psLexJSON returns the spans of the string elements of the JSON array in s[a:b]. It is only
// called on text encoding/json accepted as an array of strings.
func psLexJSON(s string, a, b int) [][2]int {
	i := a
	ws := func() {
		for i < b && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r') {
			i++
		}
	}
	ws()
	if i >= b || s[i] != '[' {
		return nil
	}
	i++
	var spans [][2]int
	for i < b {
		ws()
		if i >= b || s[i] == ']' {
			break
		}
		if s[i] == ',' {
			i++
			continue
		}
		if s[i] != '"' {
			return spans
		}
		start := i
		i++
		for i < b && s[i] != '"' {
			if s[i] == '\\' {
				i++
			}
			i++
		}
		i++
		if i > b {
			i = b
		}
		spans = append(spans, [2]int{start, i})
	}
	return spans
}
