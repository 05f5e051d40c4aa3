package lsp

import (
	"fmt"
	"strings"
)

// analysisGenerate returns a deterministic Dockerfile of exactly n lines: repeated stages with
// ARG/ENV/LABEL, a 4-line RUN with continuations, COPY with flags, a heredoc, HEALTHCHECK and a
// JSON CMD.
//
// TODO(lsp helper): use analysis.GenerateDockerfile once the parser helper provides it.
func analysisGenerate(n int) string {
	var lines []string
	for stage := 0; len(lines) < n; stage++ {
		block := []string{
			fmt.Sprintf("FROM alpine:3.%d AS stage%d", stage%20, stage),
			fmt.Sprintf("ARG VERSION_%d=1.%d", stage, stage),
			fmt.Sprintf("ENV APP_HOME=/opt/app%d PATH=/opt/app%d/bin:$PATH", stage, stage),
			fmt.Sprintf(`LABEL org.opencontainers.image.title="app %d"`, stage),
			"RUN apk add --no-cache \\",
			"        curl \\",
			"        ca-certificates \\",
			"    && rm -rf /var/cache/apk/*",
			fmt.Sprintf("COPY --chown=app:app --chmod=644 config/%d.yaml /etc/app/", stage),
			"COPY <<EOF /etc/motd",
			fmt.Sprintf("welcome to stage %d", stage),
			"EOF",
			"HEALTHCHECK --interval=30s --timeout=3s CMD wget -q -O- http://localhost/ || exit 1",
			`CMD ["/opt/app/bin/server", "--port", "8080"]`,
			"",
		}
		lines = append(lines, block...)
	}
	lines = lines[:n]
	// Never end inside the heredoc: an unterminated heredoc at the end would be a parse error.
	for i := len(lines) - 1; i >= 0 && i >= len(lines)-3; i-- {
		if strings.HasPrefix(lines[i], "COPY <<EOF") || strings.HasPrefix(lines[i], "welcome") {
			lines[i] = "# end"
		}
	}
	return strings.Join(lines, "\n") + "\n"
}
