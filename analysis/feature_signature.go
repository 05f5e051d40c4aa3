package analysis

import "strings"

// Signature help: the forms of the instruction under the cursor with the part being typed
// highlighted, or, inside a --mount/--device value, the options of that flag.

// Signature is one form; Params are [start, end) byte offsets into Label.
type Signature struct {
	Label  string
	Doc    string // Markdown
	Params []SignatureParam
}

// SignatureParam is one parameter of a Signature.
type SignatureParam struct {
	Start, End int
	Doc        string
}

// SignatureHelp is the answer for one position.
type SignatureHelp struct {
	Signatures  []Signature
	Active      int
	ActiveParam int // -1 when none
}

// SignatureAt returns signature help at p, or nil outside an instruction.
func SignatureAt(f *File, p Pos) *SignatureHelp {
	if p.Line < 0 || p.Line >= len(f.LineStarts) || inHeredocBody(f, p) {
		return nil
	}
	line := ftLine(f, p.Line)
	p.Col = min(p.Col, len(line))
	if t := strings.TrimLeft(line[:p.Col], " \t"); strings.HasPrefix(t, "#") {
		return nil
	}
	c := &compCtx{f: f, pos: p, line: line}
	c.split()
	words := c.words
	if len(words) < 2 {
		return nil // still typing the keyword
	}
	if strings.EqualFold(words[0], "ONBUILD") {
		words = words[1:]
		if len(words) < 2 {
			return nil
		}
	}
	doc := LookupInstruction(words[0])
	if doc == nil {
		return nil
	}
	cur := words[len(words)-1]
	nonFlags := 0
	for _, w := range words[1 : len(words)-1] {
		if !strings.HasPrefix(w, "--") {
			nonFlags++
		}
	}
	if nonFlags == 0 && strings.HasPrefix(cur, "--") {
		name, value, ok := strings.Cut(cur[2:], "=")
		if fl := LookupFlag(doc.Name, name); ok && fl != nil && len(fl.SubOptions) > 0 {
			return optionSignature(fl, value)
		}
	}
	h := &SignatureHelp{ActiveParam: -1}
	for _, form := range doc.Syntax {
		h.Signatures = append(h.Signatures, syntaxSignature(form, doc))
	}
	// Choose the form: exec (JSON) when the arguments start with "[", HEALTHCHECK NONE.
	var rest []string
	for _, w := range words[1:] {
		if !strings.HasPrefix(w, "--") || len(rest) > 0 {
			rest = append(rest, w)
		}
	}
	chosen := false
	for i, form := range doc.Syntax {
		switch {
		case chosen:
		case len(rest) > 0 && strings.HasPrefix(rest[0], "[") && strings.Contains(form, `["`):
			h.Active, chosen = i, true
		case doc.Name == "HEALTHCHECK" && len(rest) > 0 && strings.EqualFold(rest[0], "NONE") && strings.HasSuffix(form, "NONE"):
			h.Active = i
		}
	}
	sig := h.Signatures[h.Active]
	form := doc.Syntax[h.Active]
	if nonFlags == 0 && strings.HasPrefix(cur, "-") {
		name, _, _ := strings.Cut(strings.TrimLeft(cur, "-"), "=")
		for i, prm := range sig.Params {
			text := form[prm.Start:prm.End]
			if name != "" && strings.Contains(text, "--"+name) {
				h.ActiveParam = i
				break
			}
		}
		return h
	}
	// The n-th argument after the flags, clamped to the last (often variadic) parameter.
	var args []int
	for i, prm := range sig.Params {
		if !strings.HasPrefix(strings.TrimLeft(form[prm.Start:prm.End], "["), "--") {
			args = append(args, i)
		}
	}
	if len(args) > 0 {
		h.ActiveParam = args[min(nonFlags, len(args)-1)]
	}
	return h
}

// syntaxSignature splits a catalog syntax line into parameters: the words after the keyword,
// with bracketed groups kept whole.
func syntaxSignature(form string, doc *InstructionDoc) Signature {
	sig := Signature{Label: form, Doc: doc.Summary}
	i := strings.IndexByte(form, ' ')
	if i < 0 || strings.Contains(form, "\n") {
		return sig
	}
	depth := 0
	start := -1
	inQuote := false
	for j := i + 1; j <= len(form); j++ {
		var ch byte = ' '
		if j < len(form) {
			ch = form[j]
		}
		switch {
		case ch == '"':
			inQuote = !inQuote
		case ch == '[' && !inQuote:
			depth++
		case ch == ']' && !inQuote:
			depth--
		}
		if ch == ' ' && depth == 0 && !inQuote {
			if start >= 0 {
				prm := SignatureParam{Start: start, End: j}
				if name, _, ok := strings.Cut(strings.TrimPrefix(form[start:j], "[--"), "="); ok || strings.HasPrefix(form[start:j], "[--") {
					if fl := LookupFlag(doc.Name, strings.TrimSuffix(name, "]")); fl != nil {
						prm.Doc = fl.Summary
					}
				}
				sig.Params = append(sig.Params, prm)
				start = -1
			}
			continue
		}
		if start < 0 {
			start = j
		}
	}
	return sig
}

// optionSignature shows the options of a flag such as --mount for the mount type typed so far.
func optionSignature(fl *FlagDoc, value string) *SignatureHelp {
	fields := strings.Split(value, ",")
	typ := ""
	for _, fd := range fields {
		if k, v, ok := strings.Cut(fd, "="); ok && strings.EqualFold(k, "type") {
			typ = strings.ToLower(v)
		}
	}
	opts := fl.OptionsFor(typ)
	var b strings.Builder
	b.WriteString("--" + fl.Name + "=")
	sig := Signature{Doc: fl.Summary}
	for i, o := range opts {
		if i > 0 {
			b.WriteByte(',')
		}
		start := b.Len()
		b.WriteString(o.Name)
		switch {
		case o.Name == "type" && typ != "":
			b.WriteString("=" + typ)
		case len(o.Values) > 0 && !o.Bare:
			b.WriteString("=<" + strings.Join(o.Values, "|") + ">")
		case !o.Bare:
			b.WriteString("=<" + o.Name + ">")
		}
		sig.Params = append(sig.Params, SignatureParam{Start: start, End: b.Len(), Doc: o.Summary})
	}
	sig.Label = b.String()
	h := &SignatureHelp{Signatures: []Signature{sig}, ActiveParam: -1}
	curKey, _, _ := strings.Cut(fields[len(fields)-1], "=")
	if o := fl.Option(curKey); o != nil {
		curKey = o.Name
	}
	for i, x := range opts {
		if curKey != "" && strings.HasPrefix(x.Name, strings.ToLower(curKey)) {
			h.ActiveParam = i
			break
		}
	}
	return h
}
