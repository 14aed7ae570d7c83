/** A terminal for `openConsole`: a stdout that keeps frames and can be resized, a stdin to type into. */
import { EventEmitter } from 'node:events';

/** Output stream with a settable size; `lastFrame` is the last thing Ink drew. */
export class FakeStdout extends EventEmitter {
  readonly isTTY = true;
  frames: string[] = [];
  constructor(public columns = 80, public rows = 24) {
    super();
  }
  write = (frame: string): boolean => {
    this.frames.push(frame);
    return true;
  };
  /** The last write that drew text (cursor show/hide and colour resets alone are skipped). */
  lastFrame = (): string => {
    for (let i = this.frames.length - 1; i >= 0; i--) {
      if (this.frames[i]!.replace(/\u001b\[[0-9;?]*[A-Za-z]/g, '').trim() !== '') return this.frames[i]!;
    }
    return '';
  };
  resize(columns: number, rows: number): void {
    this.columns = columns;
    this.rows = rows;
    this.emit('resize');
  }
}

/** Input stream in raw mode that hands Ink what the test types. */
export class FakeStdin extends EventEmitter {
  isTTY = true;
  private data: string | null = null;
  write = (data: string): void => {
    this.data = data;
    this.emit('readable');
    this.emit('data', data);
  };
  read = (): string | null => {
    const { data } = this;
    this.data = null;
    return data;
  };
  setEncoding(): void {}
  setRawMode(): void {}
  resume(): void {}
  pause(): void {}
  ref(): void {}
  unref(): void {}
}
