/**
 * Progress on stderr for long CLI work (training, scoring runs, imports), so that stdout stays the
 * command's machine-readable JSON: redrawn in place on a terminal, one line per change otherwise
 * (a log keeps every step).
 */

/** `[#####.....]`: `share` (0..1) of `width` characters filled. */
export function progressBar(share: number, width = 30): string {
  const filled = Math.max(0, Math.min(width, Math.round(share * width)));
  return `[${"#".repeat(filled)}${".".repeat(width - filled)}]`;
}

export class ProgressLine {
  private last = "";
  private readonly tty = Boolean(process.stderr.isTTY);

  /** Shows `line` unless it is the one already shown. */
  update(line: string): void {
    if (line === this.last) return;
    process.stderr.write(this.tty ? `\r${line}\x1b[K` : `${line}\n`);
    this.last = line;
  }

  /** Ends the redrawn line, so that what is written next starts on its own line (once). */
  done(): void {
    if (this.tty && this.last) process.stderr.write("\n");
    this.last = "";
  }
}
