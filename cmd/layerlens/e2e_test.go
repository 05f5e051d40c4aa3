package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// buildBinary builds layerlens into a temporary directory.
func buildBinary(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := filepath.Join(t.TempDir(), "layerlens")
	cmd := exec.Command("go", "build", "-o", bin, ".")
	cmd.Env = append(os.Environ(), "GOTOOLCHAIN=local")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// frameConn is a client speaking Content-Length framed JSON-RPC to a child process. Every byte
// the server writes to stdout must be part of a well-formed frame.
type frameConn struct {
	t     *testing.T
	stdin io.WriteCloser
	msgs  chan map[string]json.RawMessage
	errc  chan error // the stdout reader's verdict, once stdout closes
}

func startServer(t *testing.T, bin string, args ...string) (*frameConn, *exec.Cmd, *bytes.Buffer) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	// A hermetic environment: no user cache, credentials or Docker config.
	home := t.TempDir()
	cmd.Env = append(os.Environ(), "HOME="+home, "XDG_CACHE_HOME="+home, "DOCKER_CONFIG="+home, "REGISTRY_AUTH_FILE="+home+"/auth.json")
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			cmd.Wait()
		}
	})
	c := &frameConn{t: t, stdin: stdin, msgs: make(chan map[string]json.RawMessage, 100), errc: make(chan error, 1)}
	go c.readAll(stdout)
	return c, cmd, &stderr
}

// readAll parses stdout as a sequence of frames until EOF; anything else is an error.
func (c *frameConn) readAll(r io.Reader) {
	defer close(c.msgs)
	br := bufio.NewReader(r)
	for {
		length := -1
		for {
			line, err := br.ReadString('\n')
			if err == io.EOF && line == "" && length == -1 {
				c.errc <- nil
				return
			}
			if err != nil {
				c.errc <- fmt.Errorf("reading header: %w (partial %q)", err, line)
				return
			}
			if line == "\r\n" {
				break
			}
			v, ok := strings.CutPrefix(line, "Content-Length: ")
			if !ok || !strings.HasSuffix(v, "\r\n") {
				c.errc <- fmt.Errorf("stdout has a non-protocol line %q", line)
				return
			}
			if length, err = strconv.Atoi(strings.TrimSuffix(v, "\r\n")); err != nil {
				c.errc <- fmt.Errorf("bad Content-Length %q", line)
				return
			}
		}
		body := make([]byte, length)
		if _, err := io.ReadFull(br, body); err != nil {
			c.errc <- fmt.Errorf("reading body: %w", err)
			return
		}
		var m map[string]json.RawMessage
		if err := json.Unmarshal(body, &m); err != nil {
			c.errc <- fmt.Errorf("stdout frame is not JSON: %q", body)
			return
		}
		c.msgs <- m
	}
}

func (c *frameConn) sendRaw(s string) {
	c.t.Helper()
	if _, err := io.WriteString(c.stdin, s); err != nil {
		c.t.Fatalf("writing to the server: %v", err)
	}
}

func (c *frameConn) send(v any) {
	c.t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		c.t.Fatal(err)
	}
	c.sendRaw(fmt.Sprintf("Content-Length: %d\r\n\r\n%s", len(b), b))
}

// waitFor returns the first message for which match is true, skipping others.
func (c *frameConn) waitFor(what string, match func(map[string]json.RawMessage) bool) map[string]json.RawMessage {
	c.t.Helper()
	timeout := time.After(30 * time.Second)
	for {
		select {
		case m, ok := <-c.msgs:
			if !ok {
				c.t.Fatalf("server closed stdout while waiting for %s: %v", what, <-c.errc)
			}
			if match(m) {
				return m
			}
		case <-timeout:
			c.t.Fatalf("timed out waiting for %s", what)
		}
	}
}

func (c *frameConn) response(id int) map[string]json.RawMessage {
	c.t.Helper()
	return c.waitFor(fmt.Sprintf("response %d", id), func(m map[string]json.RawMessage) bool {
		return string(m["id"]) == strconv.Itoa(id) && m["method"] == nil
	})
}

func TestServeStdioEndToEnd(t *testing.T) {
	bin := buildBinary(t)
	c, cmd, stderr := startServer(t, bin, "serve", "--stdio")

	c.send(map[string]any{"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": map[string]any{
		"processId": nil, "rootUri": nil, "capabilities": map[string]any{},
		// No test may reach a registry: image review stays offline, with a private store.
		"initializationOptions": map[string]any{"offline": true, "cacheDir": t.TempDir()},
	}})
	init := c.response(1)
	if !strings.Contains(string(init["result"]), `"hoverProvider":true`) {
		t.Fatalf("initialize result = %s", init["result"])
	}
	c.send(map[string]any{"jsonrpc": "2.0", "method": "initialized", "params": map[string]any{}})

	const uri = "file:///work/Dockerfile"
	c.send(map[string]any{"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": map[string]any{
		"textDocument": map[string]any{"uri": uri, "languageId": "dockerfile", "version": 1,
			"text": "FROM alpine:3.20\n# ä 😀\nFROBNICATE x\n"},
	}})
	pub := c.waitFor("publishDiagnostics", func(m map[string]json.RawMessage) bool {
		return string(m["method"]) == `"textDocument/publishDiagnostics"`
	})
	var params struct {
		URI         string `json:"uri"`
		Version     int    `json:"version"`
		Diagnostics []struct {
			Range struct {
				Start struct{ Line, Character int }
				End   struct{ Line, Character int }
			}
			Code   string
			Source string
		}
	}
	if err := json.Unmarshal(pub["params"], &params); err != nil {
		t.Fatal(err)
	}
	if params.URI != uri || params.Version != 1 || len(params.Diagnostics) == 0 {
		t.Fatalf("publishDiagnostics = %s, want version 1 with a diagnostic", pub["params"])
	}
	d := params.Diagnostics[0]
	for _, x := range params.Diagnostics {
		if x.Code == "UnknownInstruction" {
			d = x
		}
	}
	if d.Code != "UnknownInstruction" || d.Source != "layerlens" || d.Range.Start.Line != 2 ||
		d.Range.Start.Character != 0 || d.Range.End.Character != len("FROBNICATE") {
		t.Errorf("diagnostic = %+v, want UnknownInstruction on FROBNICATE (2:0-2:10)", d)
	}

	c.send(map[string]any{"jsonrpc": "2.0", "id": 2, "method": "textDocument/hover", "params": map[string]any{
		"textDocument": map[string]any{"uri": uri}, "position": map[string]any{"line": 0, "character": 1},
	}})
	if h := c.response(2); !strings.Contains(string(h["result"]), "FROM") {
		t.Errorf("hover on FROM = %s", h["result"])
	}

	// A malformed frame gets a parse error and does not kill the server.
	c.sendRaw("Content-Length: 9\r\n\r\n{\"bad\": }")
	perr := c.waitFor("parse error", func(m map[string]json.RawMessage) bool { return m["error"] != nil })
	if !strings.Contains(string(perr["error"]), "-32700") {
		t.Errorf("malformed frame reply = %v, want -32700", perr)
	}
	c.send(map[string]any{"jsonrpc": "2.0", "id": 3, "method": "textDocument/hover", "params": map[string]any{
		"textDocument": map[string]any{"uri": uri}, "position": map[string]any{"line": 2, "character": 1},
	}})
	c.response(3)

	c.send(map[string]any{"jsonrpc": "2.0", "id": 4, "method": "shutdown"})
	if r := c.response(4); string(r["result"]) != "null" {
		t.Errorf("shutdown result = %s, want null", r["result"])
	}
	c.send(map[string]any{"jsonrpc": "2.0", "method": "exit"})
	c.stdin.Close()
	for range c.msgs { // drain until stdout closes
	}
	if err := <-c.errc; err != nil {
		t.Errorf("stdout: %v", err)
	}
	if err := cmd.Wait(); err != nil {
		t.Errorf("exit after shutdown: %v, want exit code 0\nstderr:\n%s", err, stderr)
	}
	if !strings.Contains(stderr.String(), "initialize") {
		t.Errorf("stderr = %q, want the server log", stderr)
	}
}

func TestServeExitWithoutShutdown(t *testing.T) {
	bin := buildBinary(t)
	c, cmd, _ := startServer(t, bin, "--stdio")
	c.send(map[string]any{"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": map[string]any{
		"capabilities":          map[string]any{},
		"initializationOptions": map[string]any{"offline": true, "cacheDir": t.TempDir()},
	}})
	c.response(1)
	c.send(map[string]any{"jsonrpc": "2.0", "method": "exit"})
	c.stdin.Close()
	for range c.msgs {
	}
	err := cmd.Wait()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 1 {
		t.Errorf("exit without shutdown: %v, want exit code 1", err)
	}
}
