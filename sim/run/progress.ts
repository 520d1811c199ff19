/**
 * Progress on stderr for runs longer than a second: a line redrawn in place on a terminal,
 * an occasional plain line otherwise. Never on stdout, which carries data.
 */
export class Progress {
  private readonly started = Date.now();
  private lastDraw = 0;
  private drawn = false;
  private readonly tty: boolean;

  constructor(
    private readonly total: number,
    private readonly label: string,
    private readonly stream: NodeJS.WriteStream = process.stderr,
    private readonly enabled = true,
  ) {
    this.tty = Boolean(stream.isTTY);
  }

  update(done: number): void {
    if (!this.enabled) return;
    const now = Date.now();
    const elapsed = now - this.started;
    if (elapsed < 1000 || now - this.lastDraw < (this.tty ? 200 : 5000)) return;
    this.lastDraw = now;
    const rate = done / (elapsed / 1000);
    const eta = rate > 0 ? (this.total - done) / rate : Infinity;
    const line = `${this.label}: ${done}/${this.total} trials, ${(elapsed / 1000).toFixed(1)} s, about ${Number.isFinite(eta) ? Math.ceil(eta) : '?'} s left`;
    this.stream.write(this.tty ? `\r\x1b[K${line}` : `${line}\n`);
    this.drawn = true;
  }

  done(): void {
    if (!this.enabled || !this.drawn) return;
    const line = `${this.label}: ${this.total}/${this.total} trials in ${((Date.now() - this.started) / 1000).toFixed(1)} s`;
    this.stream.write(this.tty ? `\r\x1b[K${line}\n` : `${line}\n`);
  }
}
