// Pure helpers that read just enough of a Dockerfile for the client-side commands: finding the
// FROM lines, so "Re-review base image" knows which image is meant. The server does the real
// parsing; this only looks at line starts.

/**
 * A FROM instruction: its 0-based line, the UTF-16 column of the FROM keyword (a position the
 * server's layerlens.reviewImage accepts for "this FROM"), and its image reference.
 */
export interface FromLine {
  line: number;
  character: number;
  image: string;
}

/** Lists the FROM instructions of text, skipping comment lines and continuation lines. */
export function fromLines(text: string): FromLine[] {
  const out: FromLine[] = [];
  const lines = text.split(/\r?\n/);
  let continued = false;
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i];
    const wasContinued = continued;
    continued = /\\\s*$/.test(l) && !/^\s*#/.test(l);
    if (wasContinued) {
      continue;
    }
    const m = /^\s*from\s+(.*)$/i.exec(l);
    if (m === null) {
      continue;
    }
    const words = m[1].split(/\s+/).filter((w) => w !== '' && w !== '\\');
    const image = words.find((w) => !w.startsWith('--'));
    if (image !== undefined) {
      out.push({ line: i, character: l.length - l.trimStart().length, image });
    }
  }
  return out;
}

/**
 * Chooses the FROM line a cursor on `line` refers to: the FROM on that line, or else the nearest
 * one above it (the stage the cursor is in); undefined when there is none above.
 */
export function fromForLine(froms: FromLine[], line: number): FromLine | undefined {
  let best: FromLine | undefined;
  for (const f of froms) {
    if (f.line <= line) {
      best = f;
    }
  }
  return best;
}
