// Pure bookkeeping of the server's work-done progress ($/progress), turned into the text of the
// status bar item. The extension feeds it begin/report/end values per token.

/** The subset of LSP's WorkDoneProgress{Begin,Report,End} values this tracker reads. */
export interface ProgressValue {
  kind: 'begin' | 'report' | 'end';
  title?: string;
  message?: string;
  percentage?: number;
}

interface Task {
  title: string;
  message?: string;
  percentage?: number;
}

/** What the status bar item should show; `undefined` from {@link ProgressTracker.view} hides it. */
export interface ProgressView {
  text: string;
  tooltip: string;
}

/** Tracks the server's running progress tasks by token, in the order they began. */
export class ProgressTracker {
  private readonly tasks = new Map<string, Task>();

  /** Applies one $/progress value; returns true when the view may have changed. */
  update(token: string | number, value: ProgressValue): boolean {
    const key = String(token);
    switch (value.kind) {
      case 'begin':
        this.tasks.set(key, { title: value.title ?? 'Working', message: value.message, percentage: value.percentage });
        return true;
      case 'report': {
        const t = this.tasks.get(key);
        if (t === undefined) {
          return false;
        }
        if (value.message !== undefined) {
          t.message = value.message;
        }
        if (value.percentage !== undefined) {
          t.percentage = value.percentage;
        }
        return true;
      }
      case 'end':
        return this.tasks.delete(key);
    }
    return false;
  }

  /** Forgets every task (the server stopped). */
  clear(): void {
    this.tasks.clear();
  }

  get size(): number {
    return this.tasks.size;
  }

  view(): ProgressView | undefined {
    const all = [...this.tasks.values()];
    if (all.length === 0) {
      return undefined;
    }
    const line = (t: Task): string => {
      let s = t.title;
      if (t.message) {
        s += `: ${t.message}`;
      }
      if (t.percentage !== undefined) {
        s += ` (${Math.round(t.percentage)}%)`;
      }
      return s;
    };
    const text = all.length === 1 ? `$(sync~spin) ${line(all[0])}` : `$(sync~spin) layerlens: ${all.length} tasks`;
    return { text, tooltip: all.map(line).join('\n') };
  }
}
