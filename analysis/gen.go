package analysis

import (
	"fmt"
	"strings"
)

// GenerateDockerfile returns a synthetic multi-stage Dockerfile of exactly lines lines (each
// ending in "\n"), for benchmarks here and in package lsp. It repeats an 18-line stage that has
// ARG, FROM with --platform and AS, ENV, LABEL, WORKDIR, COPY with flags, a 4-line RUN with
// continuations, a COPY heredoc, HEALTHCHECK and a JSON CMD, then pads with single-line RUNs (after a FROM when no stage fits).
// The output is deterministic.
func GenerateDockerfile(lines int) string {
	var b strings.Builder
	const block = 18
	n := 0
	for i := 0; n+block <= lines; i++ {
		from := "golang:1.22-alpine"
		if i > 0 {
			from = fmt.Sprintf("stage-%d", i-1)
		}
		fmt.Fprintf(&b, "# stage %d\n", i)
		fmt.Fprintf(&b, "ARG VERSION_%d=1.%d\n", i, i)
		fmt.Fprintf(&b, "FROM --platform=$BUILDPLATFORM %s AS stage-%d\n", from, i)
		fmt.Fprintf(&b, "ENV APP_HOME=/app/%d PATH=/app/bin:$PATH\n", i)
		fmt.Fprintf(&b, "LABEL org.opencontainers.image.title=\"app %d\" version=\"%d\"\n", i, i)
		fmt.Fprintf(&b, "WORKDIR /src/%d\n", i)
		fmt.Fprintf(&b, "COPY --chown=1000:1000 --chmod=644 go.mod go.sum ./\n")
		fmt.Fprintf(&b, "RUN --mount=type=cache,target=/root/.cache \\\n")
		fmt.Fprintf(&b, "    apk add --no-cache curl git && \\\n")
		fmt.Fprintf(&b, "    go mod download && \\\n")
		fmt.Fprintf(&b, "    go build -o /out/app-%d ./...\n", i)
		fmt.Fprintf(&b, "COPY <<EOF /etc/app-%d.conf\n", i)
		fmt.Fprintf(&b, "key=%d\n", i)
		fmt.Fprintf(&b, "EOF\n")
		fmt.Fprintf(&b, "HEALTHCHECK --interval=30s --timeout=3s CMD curl -f http://localhost:%d/ || exit 1\n", 8000+i%1000)
		fmt.Fprintf(&b, "USER 1000:1000\n")
		fmt.Fprintf(&b, "CMD [\"/out/app-%d\", \"--port\", \"%d\"]\n", i, 8000+i%1000)
		b.WriteString("\n")
		n += block
	}
	for ; n < lines; n++ {
		if n == 0 {
			b.WriteString("FROM scratch\n")
			continue
		}
		fmt.Fprintf(&b, "RUN echo filler %d\n", n)
	}
	return b.String()
}
