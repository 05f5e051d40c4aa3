// Package analysis holds the Dockerfile model and everything computed from it without I/O.
//
// Its principal types are [File] (the result of [Parse]: directives, stages, instructions,
// flags, arguments, heredocs and comments, each with a [Range]) and [Finding] (one problem a
// rule or the parser reports). Positions are (0-based line, byte column) in the source text;
// conversion to LSP's UTF-16 columns happens only in package lsp.
//
// analysis imports no LSP package and does no I/O.
package analysis

import "fmt"

// Pos is a position in the source: a 0-based line and a 0-based byte column in that line.
type Pos struct {
	Line int `json:"line"`
	Col  int `json:"col"`
}

// Before reports whether p comes strictly before q.
func (p Pos) Before(q Pos) bool {
	return p.Line < q.Line || (p.Line == q.Line && p.Col < q.Col)
}

func (p Pos) String() string { return fmt.Sprintf("%d:%d", p.Line, p.Col) }

// Range is a half-open range [Start, End) of the source.
type Range struct {
	Start Pos `json:"start"`
	End   Pos `json:"end"`
}

// Contains reports whether p lies in r (End inclusive, so a cursor just after a token counts).
func (r Range) Contains(p Pos) bool {
	return !p.Before(r.Start) && !r.End.Before(p)
}

// IsZero reports whether r is the zero range.
func (r Range) IsZero() bool { return r == Range{} }

func (r Range) String() string { return r.Start.String() + "-" + r.End.String() }

// Severity orders findings. The policy for choosing one (documented in the README):
//   - Error: the build breaks, or the Dockerfile does something dangerous by construction
//     (a secret value in the file, a miner, remote code piped to a shell from plain http).
//   - Warning: a likely bug or a real security weakness that needs a decision.
//   - Info: not a bug, but probably unintended or a hardening opportunity.
//   - Hint: style and modernisation.
type Severity int

// Severities, most severe first. The zero value is not a valid severity.
const (
	SeverityError Severity = iota + 1
	SeverityWarning
	SeverityInfo
	SeverityHint
)

func (s Severity) String() string {
	switch s {
	case SeverityError:
		return "error"
	case SeverityWarning:
		return "warning"
	case SeverityInfo:
		return "info"
	case SeverityHint:
		return "hint"
	}
	return "unknown"
}

// ParseSeverity parses the String form of a severity.
func ParseSeverity(s string) (Severity, bool) {
	switch s {
	case "error":
		return SeverityError, true
	case "warning", "warn":
		return SeverityWarning, true
	case "info", "information":
		return SeverityInfo, true
	case "hint":
		return SeverityHint, true
	}
	return 0, false
}

// TextEdit replaces Range of the source with NewText.
type TextEdit struct {
	Range   Range  `json:"range"`
	NewText string `json:"newText"`
}

// Fix is a named set of edits that resolves a finding.
type Fix struct {
	Title string     `json:"title"`
	Edits []TextEdit `json:"edits"`
}

// Related points at another place that explains a finding (e.g. the first CMD of a duplicate).
type Related struct {
	Range   Range  `json:"range"`
	Message string `json:"message"`
}

// Tag marks a finding for special rendering.
type Tag int

// Tags a finding may carry.
const (
	TagUnnecessary Tag = iota + 1
	TagDeprecated
)

// Finding is one problem in a Dockerfile, reported by the parser (Rule "ParseError",
// "UnknownInstruction", ...) or by a rule.
type Finding struct {
	Rule     string    `json:"rule"`
	Severity Severity  `json:"severity"`
	Message  string    `json:"message"`
	Range    Range     `json:"range"`
	URL      string    `json:"url,omitempty"`
	Related  []Related `json:"related,omitempty"`
	Fixes    []Fix     `json:"fixes,omitempty"`
	Tags     []Tag     `json:"tags,omitempty"`
}

// File is a parsed Dockerfile. It is immutable once returned by Parse.
type File struct {
	// Text is the source as given (a leading UTF-8 BOM is kept in Text but skipped by the scanner).
	Text string
	// LineStarts[i] is the byte offset of line i in Text. len(LineStarts) >= 1.
	LineStarts []int
	// Escape is the escape character in force ('\\' or '`').
	Escape rune
	// Directives are the parser directives at the top of the file (syntax, escape, check).
	Directives []*Directive
	// Instructions holds every instruction in source order, including ARGs before the first FROM
	// and instructions the parser did not recognise (Known == false).
	Instructions []*Instruction
	// Stages are the build stages in order; each starts with a FROM.
	Stages []*Stage
	// Comments are the comment lines (not directives), in source order, including comment lines
	// inside continuations.
	Comments []*Comment
	// Errors are the problems found while parsing; a bad line never hides the rest of the file.
	Errors []Finding

	headerErrs  []Finding // findings about the directives
	headerEnd   int       // the first line after the directives
	openHeredoc int       // index of the first instruction with an unterminated heredoc, or -1
}

// Directive is a parser directive such as "# syntax=docker/dockerfile:1".
type Directive struct {
	Name       string // lower-case: syntax, escape, check
	Value      string
	Range      Range // the whole comment line
	NameRange  Range
	ValueRange Range
}

// Instruction is one Dockerfile instruction with everything located.
type Instruction struct {
	// Keyword is the instruction keyword as typed ("run", "RUN"); Cmd is its upper-case form.
	Keyword string
	Cmd     string
	// Known is false for a keyword that is not a Dockerfile instruction.
	Known bool
	// Range covers the whole instruction: continuation lines and heredoc bodies included.
	Range        Range
	KeywordRange Range
	Flags        []*Flag
	// Args are the arguments after the flags. In exec (JSON) form, each array element is one Arg
	// with its value decoded; in shell form, Args are the whitespace-separated words with quotes
	// kept as typed (use Shell for the command text). FROM, EXPOSE and the shell form of
	// COPY/ADD/VOLUME split on white space only, as BuildKit does (quotes do not group); the
	// others split into quote-aware words. HEALTHCHECK's first Arg is its type (CMD or NONE).
	// ONBUILD has no Args: see Sub.
	Args []*Arg
	// JSON reports exec form (a valid JSON array of strings).
	JSON bool
	// Shell is the shell-form command text after the flags with continuations joined (escape +
	// newline removed, comment lines dropped), as BuildKit sees it; ShellRange covers it in the
	// source. Empty for exec form.
	Shell      string
	ShellRange Range
	// Heredocs are the here-documents this instruction opens, in order (for ONBUILD, on Sub).
	Heredocs []*Heredoc
	// Stage is the index in File.Stages of the stage this instruction belongs to, or -1 for
	// instructions before the first FROM.
	Stage int
	// Sub is the instruction triggered by ONBUILD (nil otherwise); its ranges are in the source.
	Sub *Instruction
	// Continued reports that the instruction spans more than one line.
	Continued bool

	errs []Finding // what BuildKit rejects in this instruction (part of File.Errors)
}

// Flag is a "--name=value" or "--name" flag of an instruction.
type Flag struct {
	Name       string // without the leading dashes
	Value      string
	HasValue   bool
	Range      Range
	NameRange  Range // covers "--name"
	ValueRange Range // empty range just after "=" when the value is empty
}

// Arg is one argument of an instruction.
type Arg struct {
	Value string
	Range Range
}

// Heredoc is a here-document opened by "<<NAME" (or "<<-NAME", "<<'NAME'").
type Heredoc struct {
	Name   string
	Expand bool // false when the name was quoted
	Chomp  bool // "<<-": leading tabs stripped
	// Body is the body lines as BuildKit reads them: each with its line ending, tabs not yet
	// stripped for Chomp.
	Body      string
	NameRange Range // the "<<NAME" token in the instruction line
	BodyRange Range // the body lines (may be empty; empty at the next line when unterminated)
	EndRange  Range // the terminator line; zero when unterminated (then Body is empty too)
}

// Stage is one build stage: a FROM and the instructions up to the next FROM.
type Stage struct {
	Index int
	// Name is the "AS name" as typed ("" when unnamed); NameRange covers it.
	Name      string
	NameRange Range
	From      *Instruction
	// BaseImage is the image (or stage) word of the FROM as typed; BaseRange covers it.
	BaseImage string
	BaseRange Range
	// Platform is the --platform value as typed ("" when absent).
	Platform      string
	PlatformRange Range
	Instructions  []*Instruction // the FROM first
	Range         Range          // from the FROM to the end of the last instruction of the stage

	first int // index of the FROM in File.Instructions
}

// Comment is a comment line.
type Comment struct {
	Text  string // after the "#", trimmed of one leading space
	Range Range
}
