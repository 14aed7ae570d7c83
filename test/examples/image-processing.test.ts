import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import sharp from 'sharp';
import { afterEach, describe, expect, it } from 'vitest';
import { deletePrefix, uniquePrefix } from '../helpers.js';
import { printedResult, runExample } from './helpers.js';

describe('examples/image-processing', { timeout: 60_000 }, () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
  });

  it('resizes, crops and greys the generated sample image and writes a 300x300 PNG', async () => {
    const prefix = uniquePrefix('ex-image');
    const dir = await mkdtemp(join(tmpdir(), 'flexq-ex-image-'));
    cleanups.push(() => deletePrefix(prefix), () => rm(dir, { recursive: true, force: true }));

    const run = await runExample('image-processing', { FLEXQ_REDIS_PREFIX: prefix, EXAMPLES_OUTPUT_DIR: dir });
    expect(run.code, run.output).toBe(0);
    const { attempts, result } = printedResult(run);
    expect(attempts).toBe(1);
    expect(result).toMatchObject({
      originalPath: join(dir, 'sample.png'),
      operations: [
        { type: 'resize', width: 400, height: 400 },
        { type: 'crop', x: 50, y: 50, width: 300, height: 300 },
        { type: 'filter', filter: 'grayscale' },
      ],
      width: 300,
      height: 300,
    });

    const outputPath = String(result['outputPath']);
    expect(dirname(outputPath)).toBe(dir);
    expect((await readdir(dir)).sort()).toEqual(['sample.png', outputPath.slice(dir.length + 1)].sort());
    const input = await sharp(join(dir, 'sample.png')).metadata();
    expect([input.width, input.height]).toEqual([640, 480]);
    const output = await sharp(outputPath).metadata();
    expect(output).toMatchObject({ format: 'png', width: 300, height: 300 });
    // Grayscale: red, green and blue carry the same values in every pixel.
    const { channels } = await sharp(outputPath).stats();
    expect(channels[0]?.mean).toBeCloseTo(channels[1]?.mean ?? NaN, 6);
    expect(channels[1]?.mean).toBeCloseTo(channels[2]?.mean ?? NaN, 6);
    expect(channels[0]?.min).not.toBe(channels[0]?.max); // and the picture is still there
  });
});
