package lsp

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"strings"
	"testing"
)

// bufConn is an in-memory transport: reads come from in, writes go to out.
type bufConn struct {
	in  io.Reader
	out bytes.Buffer
}

func (c *bufConn) Read(p []byte) (int, error)  { return c.in.Read(p) }
func (c *bufConn) Write(p []byte) (int, error) { return c.out.Write(p) }
func (c *bufConn) Close() error                { return nil }

// readAll reads messages until the input ends, returning the methods/ids seen.
func readAll(t testing.TB, input string) (msgs []string, replies string) {
	c := &bufConn{in: strings.NewReader(input)}
	s := newStream(c, slog.New(slog.NewTextHandler(io.Discard, nil)))
	for i := 0; i < 10000; i++ {
		m, _, err := s.Read(context.Background())
		if err != nil {
			if !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
				t.Logf("read error: %v", err)
			}
			return msgs, c.out.String()
		}
		b, _ := json.Marshal(m)
		msgs = append(msgs, string(b))
	}
	t.Fatalf("stream did not end")
	return nil, ""
}

func frame(body string) string {
	return "Content-Length: " + itoa(len(body)) + "\r\n\r\n" + body
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}

func TestStreamResync(t *testing.T) {
	good := `{"jsonrpc":"2.0","id":1,"method":"shutdown"}`
	tests := []struct {
		name, input string
		wantErrors  int
	}{
		{"clean", frame(good), 0},
		{"lower-case header and extra headers", "content-length: " + itoa(len(good)) + "\r\nContent-Type: application/vscode-jsonrpc; charset=utf-8\r\n\r\n" + good, 0},
		{"bad JSON then good", frame(`{"a":`) + frame(good), 1},
		{"missing length then good", "Content-Type: x\r\n\r\n{\"id\":9}" + frame(good), 1},
		{"junk line then good", "hello there\r\n\r\n" + frame(good), 1},
		{"negative length", "Content-Length: -5\r\n\r\n" + frame(good), 1},
		{"blank lines between messages", "\r\n\r\n" + frame(good) + "\r\n" + frame(good), 0},
		{"binary garbage", "\x00\x01\xff\xfe\r\n\r\n" + frame(good), 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			msgs, replies := readAll(t, tt.input)
			if len(msgs) == 0 || !strings.Contains(msgs[len(msgs)-1], `"shutdown"`) {
				t.Errorf("messages = %q, want the good message last", msgs)
			}
			if n := strings.Count(replies, `"error"`); n != tt.wantErrors {
				t.Errorf("error replies = %d (%q), want %d", n, replies, tt.wantErrors)
			}
		})
	}
}

func TestStreamLongHeaderLine(t *testing.T) {
	good := `{"jsonrpc":"2.0","id":1,"method":"shutdown"}`
	msgs, _ := readAll(t, strings.Repeat("x", 100000)+frame(good))
	if len(msgs) != 1 {
		t.Errorf("after a 100 kB junk line: messages = %q, want the good one", msgs)
	}
}

// FuzzStream feeds arbitrary bytes to the reader: it must neither panic nor loop, and every
// reply it writes must be a well-formed frame.
func FuzzStream(f *testing.F) {
	good := `{"jsonrpc":"2.0","id":1,"method":"shutdown"}`
	for _, s := range []string{frame(good), frame(`{`), "Content-Length: 3\r\n\r\n{}}", "Content-Length: 99999999999\r\n\r\n", "\r\n\r\n", "Content-Length: 2\r\n\r\n[]"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, input string) {
		_, replies := readAll(t, input)
		for replies != "" {
			head, rest, ok := strings.Cut(replies, "\r\n\r\n")
			if !ok || !strings.HasPrefix(head, "Content-Length: ") {
				t.Fatalf("malformed reply %q", replies)
			}
			var n int
			if err := json.Unmarshal([]byte(strings.TrimPrefix(head, "Content-Length: ")), &n); err != nil || n > len(rest) {
				t.Fatalf("bad reply length in %q", head)
			}
			if !json.Valid([]byte(rest[:n])) {
				t.Fatalf("reply body %q is not JSON", rest[:n])
			}
			replies = rest[n:]
		}
	})
}
