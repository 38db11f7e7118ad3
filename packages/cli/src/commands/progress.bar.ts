/**
 * Page progress on stderr for `scan` batches, `submit --wait` and `wait`: a cli-progress bar with
 * pages done, pages per second and the ETA when stderr is a terminal; plain lines otherwise (CI
 * logs, pipes), so stdout stays clean for results and `--json`.
 */
import cliProgress from 'cli-progress';

export interface PagesProgressOptions {
  total: number;
  /** false: print nothing (`--quiet`). */
  enabled?: boolean;
  /** Force the line mode even on a terminal. */
  plain?: boolean;
  stream?: NodeJS.WriteStream;
}

export class PagesProgress {
  private readonly stream: NodeJS.WriteStream;
  private readonly enabled: boolean;
  private readonly multi: cliProgress.MultiBar | null = null;
  private readonly bar: cliProgress.SingleBar | null = null;
  private readonly t0 = performance.now();
  private done = 0;
  private total: number;
  private status = '';

  constructor(o: PagesProgressOptions) {
    this.stream = o.stream ?? process.stderr;
    this.enabled = o.enabled ?? true;
    this.total = o.total;
    if (this.enabled && !o.plain && this.stream.isTTY) {
      this.multi = new cliProgress.MultiBar(
        {
          stream: this.stream,
          format: ' {bar} {value}/{total} pages | {speed} pages/s | ETA {eta_formatted} | {status}',
          barCompleteChar: '█',
          barIncompleteChar: '░',
          hideCursor: true,
          clearOnComplete: false,
          etaBuffer: 20,
          fps: 5,
        },
        cliProgress.Presets.shades_classic,
      );
      this.bar = this.multi.create(Math.max(1, this.total), 0, { speed: '0.00', status: '' });
    }
  }

  get pagesDone(): number {
    return this.done;
  }

  pagesPerSecond(): number {
    const s = (performance.now() - this.t0) / 1000;
    return s > 0 ? this.done / s : 0;
  }

  setTotal(total: number): void {
    this.total = total;
    this.bar?.setTotal(Math.max(1, total));
  }

  setStatus(status: string): void {
    this.status = status;
    this.bar?.update({ status, speed: this.pagesPerSecond().toFixed(2) });
  }

  /** Pages finished (for the bar) — lines mode stays quiet here; call `log` for milestones. */
  advance(pages = 1, status?: string): void {
    this.done += pages;
    if (status !== undefined) this.status = status;
    this.bar?.update(this.done, { speed: this.pagesPerSecond().toFixed(2), status: this.status });
  }

  /** A message above the bar (or a line on its own). */
  log(line: string): void {
    if (!this.enabled) return;
    if (this.multi) this.multi.log(line.endsWith('\n') ? line : `${line}\n`);
    else this.stream.write(line.endsWith('\n') ? line : `${line}\n`);
  }

  /**
   * Text for stdout (results between bars): on a terminal shared with the bar it goes above the
   * bar so neither garbles the other; into a pipe or file it is written as is.
   */
  print(text: string | Uint8Array, out: NodeJS.WriteStream = process.stdout): void {
    if (this.multi && out.isTTY && typeof text === 'string') this.multi.log(text.endsWith('\n') ? text : `${text}\n`);
    else out.write(text);
  }

  stop(): void {
    if (this.multi) {
      this.bar?.update(this.done, { speed: this.pagesPerSecond().toFixed(2), status: this.status });
      this.multi.stop();
    }
  }
}
