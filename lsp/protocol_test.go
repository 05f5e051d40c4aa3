package lsp

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Test-only methods: one that blocks until cancelled, one that panics.
func init() {
	methods["$/test/block"] = func(s *server, ctx context.Context, _ json.RawMessage) (any, error) {
		<-ctx.Done()
		return "finished anyway", nil
	}
	methods["$/test/panic"] = func(s *server, ctx context.Context, _ json.RawMessage) (any, error) {
		panic("boom")
	}
}

// rawClient speaks framed JSON-RPC by hand, so tests can send what a real client library
// never would.
type rawClient struct {
	t    *testing.T
	conn net.Conn
	r    *bufio.Reader
	errc chan error
}

func newRawClient(t *testing.T) *rawClient {
	t.Helper()
	srv, cli := net.Pipe()
	c := &rawClient{t: t, conn: cli, r: bufio.NewReader(cli), errc: make(chan error, 1)}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	go func() { c.errc <- Serve(context.Background(), srv, Options{Logger: log}) }()
	t.Cleanup(func() {
		c.conn.Close()
		select {
		case <-c.errc:
		case <-time.After(10 * time.Second):
			t.Errorf("Serve did not return after the client closed")
		}
	})
	return c
}

func (c *rawClient) sendRaw(s string) {
	c.t.Helper()
	if _, err := io.WriteString(c.conn, s); err != nil {
		c.t.Fatalf("write: %v", err)
	}
}

func (c *rawClient) send(body string) {
	c.t.Helper()
	c.sendRaw(fmt.Sprintf("Content-Length: %d\r\n\r\n%s", len(body), body))
}

type rawMsg struct {
	ID     json.RawMessage `json:"id"`
	Method string          `json:"method"`
	Result json.RawMessage `json:"result"`
	Error  *struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

// read returns the next message that is not a notification.
func (c *rawClient) read() rawMsg {
	c.t.Helper()
	c.conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	for {
		n := -1
		for {
			line, err := c.r.ReadString('\n')
			if err != nil {
				c.t.Fatalf("reading header: %v", err)
			}
			line = strings.TrimSpace(line)
			if line == "" {
				break
			}
			if v, ok := strings.CutPrefix(line, "Content-Length: "); ok {
				n, _ = strconv.Atoi(v)
			}
		}
		body := make([]byte, n)
		if _, err := io.ReadFull(c.r, body); err != nil {
			c.t.Fatalf("reading body: %v", err)
		}
		var m rawMsg
		if err := json.Unmarshal(body, &m); err != nil {
			c.t.Fatalf("server sent invalid JSON %q: %v", body, err)
		}
		if m.Method != "" && len(m.ID) == 0 {
			continue // a notification (window/logMessage)
		}
		return m
	}
}

func (c *rawClient) initialize() {
	c.t.Helper()
	c.send(`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"processId":null,"rootUri":null,"capabilities":{}}}`)
	if m := c.read(); m.Error != nil || string(m.ID) != "1" {
		c.t.Fatalf("initialize reply = %+v", m)
	}
	c.send(`{"jsonrpc":"2.0","method":"initialized","params":{}}`)
}

// alive checks that the server still answers a request.
func (c *rawClient) alive(id int) {
	c.t.Helper()
	c.send(fmt.Sprintf(`{"jsonrpc":"2.0","id":%d,"method":"textDocument/documentSymbol","params":{"textDocument":{"uri":"untitled:x"}}}`, id))
	m := c.read()
	if string(m.ID) != strconv.Itoa(id) || m.Error == nil || m.Error.Code != -32602 {
		c.t.Fatalf("after bad input, reply to id %d = %+v, want an InvalidParams error (document not open)", id, m)
	}
}

func TestMalformedFrames(t *testing.T) {
	c := newRawClient(t)
	c.initialize()

	c.send(`{"jsonrpc":"2.0","id":5,"method":`) // truncated JSON
	if m := c.read(); m.Error == nil || m.Error.Code != -32700 || string(m.ID) != "null" {
		t.Fatalf("bad JSON body: reply = %+v, want -32700 with id null", m)
	}
	c.alive(10)

	c.send(`[1,2,3]`) // valid JSON, not a message
	if m := c.read(); m.Error == nil || (m.Error.Code != -32600 && m.Error.Code != -32700) {
		t.Fatalf("non-message JSON: reply = %+v, want an error", m)
	}
	c.alive(11)

	// A header without Content-Length, then its body, then a good message on the same line.
	c.sendRaw("Content-Type: application/json\r\n\r\n{\"jsonrpc\":\"2.0\",\"id\":6}")
	if m := c.read(); m.Error == nil || m.Error.Code != -32700 {
		t.Fatalf("bad header: reply = %+v, want -32700", m)
	}
	c.alive(12)

	c.sendRaw("Content-Length: banana\r\n\r\n")
	if m := c.read(); m.Error == nil || m.Error.Code != -32700 {
		t.Fatalf("bad Content-Length: reply = %+v, want -32700", m)
	}
	c.alive(13)

	c.sendRaw("garbage without any header at all\r\n\r\n")
	if m := c.read(); m.Error == nil {
		t.Fatalf("garbage: reply = %+v, want an error", m)
	}
	c.alive(14)
}

func TestCancelRequest(t *testing.T) {
	for _, id := range []string{`7`, `"seven"`} {
		t.Run(id, func(t *testing.T) {
			c := newRawClient(t)
			c.initialize()
			c.send(`{"jsonrpc":"2.0","id":` + id + `,"method":"$/test/block"}`)
			// The blocked request holds the queue; the cancel is handled out of band.
			c.send(`{"jsonrpc":"2.0","method":"$/cancelRequest","params":{"id":` + id + `}}`)
			m := c.read()
			if string(m.ID) != id || m.Error == nil || m.Error.Code != -32800 {
				t.Fatalf("cancelled request reply = %+v, want RequestCancelled (-32800)", m)
			}
			c.alive(20)
		})
	}
}

func TestPanicBecomesError(t *testing.T) {
	c := newRawClient(t)
	c.initialize()
	c.send(`{"jsonrpc":"2.0","id":3,"method":"$/test/panic"}`)
	m := c.read()
	if string(m.ID) != "3" || m.Error == nil || m.Error.Code != -32603 {
		t.Fatalf("panicking handler reply = %+v, want InternalError (-32603)", m)
	}
	c.alive(4)
}

func TestRequestBeforeInitialize(t *testing.T) {
	c := newRawClient(t)
	c.send(`{"jsonrpc":"2.0","id":1,"method":"textDocument/hover","params":{}}`)
	if m := c.read(); m.Error == nil || m.Error.Code != -32002 {
		t.Fatalf("request before initialize: reply = %+v, want ServerNotInitialized (-32002)", m)
	}
	c.initialize()
}
