package lsp

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"sync"

	"go.lsp.dev/jsonrpc2"
)

// maxMessageSize bounds one message body. Larger bodies are skipped (read and discarded
// without being buffered) and answered with an error; a 10 MB Dockerfile is far below it.
const maxMessageSize = 256 << 20

// maxHeaderLine bounds one header line; the excess of a longer line is discarded.
const maxHeaderLine = 4096

// stream is a jsonrpc2.Stream with Content-Length framing that survives bad input.
//
// jsonrpc2's own stream returns an error on any framing or JSON decode problem, and the
// connection then dies. This one never returns an error for bad input, only for a failed
// read of the underlying transport:
//   - a body that is not JSON is answered with a -32700 Parse error (id null) and skipped;
//   - JSON that is not a JSON-RPC message gets -32600 Invalid request (with its id when it
//     has a readable one);
//   - a header block without a usable Content-Length is skipped, and the reader
//     resynchronises on the next "Content-Length:" it finds, even mid-line (the body of the
//     broken message usually ends without a newline, right before the next header).
type stream struct {
	in  *bufio.Reader
	rwc io.ReadWriteCloser
	// log is set by Serve before the connection starts.
	log *slog.Logger

	wmu sync.Mutex // serialises writes to rwc
}

func newStream(rwc io.ReadWriteCloser, log *slog.Logger) *stream {
	return &stream{in: bufio.NewReaderSize(rwc, 64<<10), rwc: rwc, log: log}
}

// Read returns the next well-formed message.
func (s *stream) Read(ctx context.Context) (jsonrpc2.Message, int64, error) {
	for {
		if err := ctx.Err(); err != nil {
			return nil, 0, err
		}
		length, n, err := s.readHeader()
		if err != nil {
			return nil, n, err
		}
		if length < 0 {
			continue // bad header block: already logged, resynchronising
		}
		if length > maxMessageSize {
			if _, err := io.CopyN(io.Discard, s.in, length); err != nil {
				return nil, n, fmt.Errorf("skipping oversized message: %w", err)
			}
			s.log.Warn("message too large; skipped", "bytes", length)
			s.writeError(nil, jsonrpc2.InvalidRequest, fmt.Sprintf("message of %d bytes exceeds the %d-byte limit", length, maxMessageSize))
			continue
		}
		body, err := s.readBody(length)
		if err != nil {
			return nil, n, err
		}
		n += length
		msg, err := jsonrpc2.DecodeMessage(body)
		if err == nil {
			return msg, n, nil
		}
		s.reject(body, err)
	}
}

// readBody reads exactly length bytes. Large bodies grow with the data that really arrives,
// so a lying Content-Length cannot make the server allocate hundreds of megabytes up front.
func (s *stream) readBody(length int64) ([]byte, error) {
	if length <= 1<<20 {
		body := make([]byte, length)
		if _, err := io.ReadFull(s.in, body); err != nil {
			return nil, fmt.Errorf("reading message body: %w", err)
		}
		return body, nil
	}
	var b bytes.Buffer
	k, err := b.ReadFrom(io.LimitReader(s.in, length))
	if err != nil {
		return nil, fmt.Errorf("reading message body: %w", err)
	}
	if k < length {
		return nil, fmt.Errorf("reading message body: %w", io.ErrUnexpectedEOF)
	}
	return b.Bytes(), nil
}

// reject answers a body that is not a valid JSON-RPC message.
func (s *stream) reject(body []byte, derr error) {
	if !json.Valid(body) {
		s.log.Warn("malformed JSON-RPC body", "err", derr, "bytes", len(body))
		s.writeError(nil, jsonrpc2.ParseError, "Parse error: the message body is not valid JSON")
		return
	}
	// Valid JSON but not a message we understand: answer with its id if it has a usable one.
	var probe struct {
		ID     json.RawMessage `json:"id"`
		Method *string         `json:"method"`
	}
	_ = json.Unmarshal(body, &probe)
	if probe.Method == nil && probe.ID != nil {
		// A response to a request we never sent (or one with a broken id): nothing to answer.
		s.log.Warn("ignoring unexpected response", "err", derr)
		return
	}
	id := json.RawMessage(nil)
	var num float64
	var str string
	if json.Unmarshal(probe.ID, &num) == nil || json.Unmarshal(probe.ID, &str) == nil {
		id = probe.ID
	}
	s.log.Warn("invalid JSON-RPC message", "err", derr)
	s.writeError(id, jsonrpc2.InvalidRequest, "Invalid request: "+derr.Error())
}

// readHeader reads one header block. It returns the Content-Length, or -1 when the block had
// none usable, and an error only when the transport fails.
func (s *stream) readHeader() (length, n int64, err error) {
	length = -1
	sawHeader := false
	bad := ""
	for {
		line, k, err := s.readLine()
		n += k
		if err != nil {
			if errors.Is(err, io.EOF) && !sawHeader && line == "" {
				return -1, n, io.EOF
			}
			return -1, n, fmt.Errorf("reading header: %w", err)
		}
		trimmed := strings.TrimSpace(line)
		if trimmed == "" {
			if !sawHeader {
				continue // stray blank line between messages
			}
			break
		}
		// Resynchronise: junk (often the body of a message whose header was broken) can
		// precede a header on the same line.
		if i := indexFold(trimmed, "content-length:"); i > 0 {
			s.log.Warn("discarding bytes before a header", "bytes", i)
			trimmed = trimmed[i:]
		}
		sawHeader = true
		name, value, ok := strings.Cut(trimmed, ":")
		if !ok {
			bad = fmt.Sprintf("invalid header line %q", truncate(trimmed, 80))
			continue
		}
		if strings.EqualFold(strings.TrimSpace(name), "Content-Length") {
			v, perr := strconv.ParseInt(strings.TrimSpace(value), 10, 64)
			if perr != nil || v < 0 {
				bad = fmt.Sprintf("invalid Content-Length %q", truncate(value, 40))
				continue
			}
			length = v
			bad = "" // whatever came before belonged to a broken message
		}
	}
	if bad != "" || length < 0 {
		if bad == "" {
			bad = "missing Content-Length header"
		}
		s.log.Warn("bad message header; skipped", "problem", bad)
		s.writeError(nil, jsonrpc2.ParseError, "Parse error: "+bad)
		return -1, n, nil
	}
	return length, n, nil
}

// readLine reads one line, keeping at most maxHeaderLine bytes of it (the end, where a
// resynchronising "Content-Length:" would be).
func (s *stream) readLine() (string, int64, error) {
	var buf []byte
	var n int64
	for {
		chunk, err := s.in.ReadSlice('\n')
		n += int64(len(chunk))
		buf = append(buf, chunk...)
		if len(buf) > maxHeaderLine {
			buf = append(buf[:0], buf[len(buf)-maxHeaderLine:]...)
		}
		if err == bufio.ErrBufferFull {
			continue
		}
		return string(buf), n, err
	}
}

func indexFold(s, sub string) int {
	return strings.Index(strings.ToLower(s), sub)
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n] + "..."
	}
	return s
}

// Write sends one message with Content-Length framing.
func (s *stream) Write(ctx context.Context, msg jsonrpc2.Message) (int64, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	var data []byte
	var err error
	if m, ok := msg.(json.Marshaler); ok {
		// jsonrpc2's messages encode themselves; json.Marshal would only re-validate and
		// compact the (large, for diagnostics) result once more.
		data, err = m.MarshalJSON()
	} else {
		data, err = json.Marshal(msg)
	}
	if err != nil {
		return 0, fmt.Errorf("marshaling message: %w", err)
	}
	return s.writeFrame(data)
}

func (s *stream) writeFrame(data []byte) (int64, error) {
	var b bytes.Buffer
	b.Grow(len(data) + 32)
	fmt.Fprintf(&b, "Content-Length: %d\r\n\r\n", len(data))
	b.Write(data)
	s.wmu.Lock()
	defer s.wmu.Unlock()
	n, err := s.rwc.Write(b.Bytes())
	if err != nil {
		return int64(n), fmt.Errorf("writing message: %w", err)
	}
	return int64(n), nil
}

// writeError sends an error response; id nil means JSON null (the request id is unknown).
func (s *stream) writeError(id json.RawMessage, code jsonrpc2.Code, message string) {
	if id == nil {
		id = json.RawMessage("null")
	}
	resp := struct {
		JSONRPC string          `json:"jsonrpc"`
		ID      json.RawMessage `json:"id"`
		Error   *jsonrpc2.Error `json:"error"`
	}{"2.0", id, jsonrpc2.NewError(code, message)}
	data, err := json.Marshal(resp)
	if err != nil {
		return
	}
	if _, err := s.writeFrame(data); err != nil {
		s.log.Debug("error reply not sent", "err", err)
	}
}

// Close closes the transport.
func (s *stream) Close() error { return s.rwc.Close() }
