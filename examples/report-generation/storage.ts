import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Saves generated files under one folder (object storage in a real deployment). */
export class FileStorage {
  constructor(private readonly dir: string) {}

  /** Writes `data` as `filename`, replacing an earlier copy; resolves to its path. */
  async save(filename: string, data: Buffer): Promise<string> {
    await mkdir(this.dir, { recursive: true });
    const path = join(this.dir, filename);
    await writeFile(path, data);
    return path;
  }
}
