/**
 * A real terminal for process-level console tests: a detached tmux session on a tmux server of its
 * own (its socket in the test's temp folder, no user config), so tests never touch anyone's tmux
 * and leave no socket behind.
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { waitFor } from '../helpers.js';

const run = promisify(execFile);

/** `text` quoted for the `sh -c` that tmux runs a session's command with. */
export const shellQuote = (text: string): string => `'${text.replace(/'/g, `'\\''`)}'`;

/** Whether a `tmux` binary answers (`.ci/run` installs it when missing). */
export async function tmuxAvailable(): Promise<boolean> {
  try {
    await run('tmux', ['-V']);
    return true;
  } catch {
    return false;
  }
}

/**
 * Every SGR escape in `screen` that sets a colour: 30–38, 40–48, 90–97, 100–107 (38/48 start the
 * extended ones). 39 and 49 only go back to the terminal's default colours; tmux writes them with
 * every reset, so they do not count.
 */
export function colourEscapes(screen: string): string[] {
  const found: string[] = [];
  for (const match of screen.matchAll(/\u001b\[([0-9;:]*)m/g)) {
    const params = (match[1] ?? '').split(/[;:]/).filter((p) => p !== '').map(Number);
    if (params.some((p) => (p >= 30 && p <= 38) || (p >= 40 && p <= 48) || (p >= 90 && p <= 97) || (p >= 100 && p <= 107))) found.push(match[0]);
  }
  return found;
}

/** A command running in a tmux pane of a fixed size. */
export class TmuxTerminal {
  private readonly socket: string;
  private readonly statusFile: string;
  private readonly sttyFile: string;
  private readonly outputFile: string;
  readonly session = 'console';
  private started = false;

  /** `folder`: a temp folder of the test, which holds the tmux server's socket and the exit status. */
  constructor(folder: string, readonly columns = 100, readonly rows = 30) {
    this.socket = join(folder, 'tmux.sock');
    this.statusFile = join(folder, 'exit-status');
    this.sttyFile = join(folder, 'stty-after-exit');
    this.outputFile = join(folder, 'pane-output');
  }

  private tmux(args: readonly string[], env?: Record<string, string>): Promise<{ stdout: string }> {
    return run('tmux', ['-S', this.socket, '-f', '/dev/null', ...args], env ? { env } : {});
  }

  /**
   * Runs `argv` in a new pane. `env` becomes the whole environment of the tmux server and so of the
   * command (the pane's TERM is tmux's own). The pane stays after the command exits, so a failing
   * test can still show the last screen.
   */
  async start(argv: readonly string[], options: { env: Record<string, string>; cwd: string }): Promise<void> {
    // The pane's shell writes the exit status to a file: tmux 3.3 often leaves a dead pane's
    // #{pane_dead_status} empty, so it cannot be trusted.
    // After the status, the terminal's modes as the command left them (`sttyAfterExit`); written
    // first to another name, so a reader never sees half of it.
    const stty = shellQuote(this.sttyFile);
    const command = `${argv.map(shellQuote).join(' ')}; s=$?; stty -a > ${stty}.tmp; mv ${stty}.tmp ${stty}; echo $s > ${shellQuote(this.statusFile)}`;
    const env = { TERM: 'xterm-256color', ...options.env };
    await this.tmux([
      'new-session', '-d', '-s', this.session, '-x', String(this.columns), '-y', String(this.rows), '-c', options.cwd, command,
      ';', 'set-option', '-w', '-t', this.session, 'remain-on-exit', 'on',
      // Every byte the command writes, as written (`output`).
      ';', 'pipe-pane', '-o', '-t', this.session, `cat >> ${shellQuote(this.outputFile)}`,
    ], env);
    this.started = true;
  }

  /** The screen as text; with `escapes`, with the SGR sequences of its colours and attributes. */
  async capture(escapes = false): Promise<string> {
    const { stdout } = await this.tmux(['capture-pane', '-p', ...(escapes ? ['-e'] : []), '-t', this.session]);
    return stdout;
  }

  /** Polls the screen until `check` holds; the error carries the last screen. */
  async waitForScreen(check: (screen: string) => boolean, what: string, timeoutMs = 15_000): Promise<string> {
    let last = '';
    try {
      return await waitFor(what, async () => {
        last = await this.capture();
        return check(last) ? last : null;
      }, { timeoutMs, intervalMs: 50 });
    } catch (error) {
      throw new Error(`${(error as Error).message}\n--- screen ---\n${last}`);
    }
  }

  /** Resizes the window, as a user dragging the terminal's edge does (the program gets SIGWINCH). */
  async resize(columns: number, rows: number): Promise<void> {
    await this.tmux(['resize-window', '-t', this.session, '-x', String(columns), '-y', String(rows)]);
  }

  /** Types keys as tmux names them: `Enter`, `Tab`, `Escape`, `Down`, or a character. */
  async press(...keys: string[]): Promise<void> {
    for (const key of keys) await this.tmux(['send-keys', '-t', this.session, key]);
  }

  /**
   * Pastes `text` as a terminal does: the whole of it in one write to the program (tmux turns each
   * `\n` into `\r`, as a terminal sends Enter).
   */
  async paste(text: string): Promise<void> {
    await this.tmux(['set-buffer', '-b', 'test-paste', '--', text]);
    await this.tmux(['paste-buffer', '-d', '-b', 'test-paste', '-t', this.session]);
  }

  /** `stty -a` of the pane's terminal right after the command exited ('' before). */
  async sttyAfterExit(): Promise<string> {
    return readFile(this.sttyFile, 'utf8').catch(() => '');
  }

  /**
   * Everything the command wrote to the terminal so far, escapes included. (tmux's own cursor flag
   * cannot say whether a program showed the cursor again: a dead pane always reports it hidden.)
   */
  async output(): Promise<string> {
    return readFile(this.outputFile, 'utf8').catch(() => '');
  }

  /** The command's exit status once it has ended, else null. */
  async exitStatus(): Promise<number | null> {
    const text = await readFile(this.statusFile, 'utf8').catch(() => '');
    // Only a whole line counts: the shell may be writing it right now.
    return /^\d+\n$/.test(text) ? Number(text.trim()) : null;
  }

  /** Whether the pane's shell has ended (the pane stays, dead, for its last screen). */
  async paneDead(): Promise<boolean> {
    const { stdout } = await this.tmux(['display-message', '-p', '-t', this.session, '#{pane_dead}']);
    return stdout.trim() === '1';
  }

  /** Ends the session (tmux hangs up on a command still running) and with it this test's tmux server. */
  async kill(): Promise<void> {
    if (!this.started) return;
    this.started = false;
    await this.tmux(['kill-session', '-t', this.session]).catch(() => {});
  }
}
