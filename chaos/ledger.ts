/**
 * The ledger the chaos worker processes write: one line per handler start and completion, kept in
 * a file so that it survives the processes and the Redis that a scenario kills.
 */
import { readFileSync, writeFileSync } from 'node:fs';

export interface LedgerEntry {
  what: 'start' | 'done';
  jobId: string;
  pid: number;
  at: number;
}

export class Ledger {
  constructor(readonly path: string) {
    writeFileSync(path, '');
  }

  entries(): LedgerEntry[] {
    return readFileSync(this.path, 'utf8').split('\n').filter(Boolean).map((line) => {
      const [what, jobId, pid, at] = line.split(' ');
      return { what: what as LedgerEntry['what'], jobId: jobId!, pid: Number(pid), at: Number(at) };
    });
  }

  /** Handler starts per job id. */
  startsByJob(): Map<string, LedgerEntry[]> {
    const starts = new Map<string, LedgerEntry[]>();
    for (const entry of this.entries()) {
      if (entry.what !== 'start') continue;
      const list = starts.get(entry.jobId) ?? [];
      list.push(entry);
      starts.set(entry.jobId, list);
    }
    return starts;
  }
}
