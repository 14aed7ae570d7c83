import { mkdir, readFile } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import sharp from 'sharp';
import { z } from 'zod';
import { PermanentError, type Handler, type Job, type JobContext, type JobResult } from '../../src/index.js';
import { applyOperation, ImageOperation, type ImageState } from './operations.js';

/** The payload of an `image_processing` job. */
export const ImageProcessingPayload = z.object({
  imagePath: z.string().min(1),
  operations: z.array(ImageOperation).min(1),
});
export type ImageProcessingPayload = z.input<typeof ImageProcessingPayload>;

/** What a processed image's job records as its result. */
export interface ImageProcessingResult {
  originalPath: string;
  outputPath: string;
  operations: ImageOperation[];
  width: number;
  height: number;
  processedAt: string;
}

/** Loads an image, runs the payload's operations in order and writes the result as PNG. */
export class ImageProcessingHandler implements Handler {
  constructor(private readonly outputDir: string) {}

  async handle(ctx: JobContext, job: Job): Promise<JobResult> {
    const parsed = ImageProcessingPayload.safeParse(job.payload);
    if (!parsed.success) throw new PermanentError(`invalid payload: ${z.prettifyError(parsed.error)}`);
    const { imagePath, operations } = parsed.data;
    ctx.logger.info({ imagePath, operations: operations.map((op) => op.type) }, 'processing image');

    let image = await this.load(imagePath);
    for (const op of operations) {
      ctx.signal.throwIfAborted(); // a cancelled job stops between steps
      image = await applyOperation(image, op);
    }
    // Named after the job, so a retried attempt overwrites its own earlier output.
    const outputPath = join(this.outputDir, `${basename(imagePath, extname(imagePath))}-${job.id}.png`);
    await mkdir(this.outputDir, { recursive: true });
    await sharp(image.data).toFile(outputPath);
    const result: ImageProcessingResult = {
      originalPath: imagePath, outputPath, operations, width: image.width, height: image.height, processedAt: new Date().toISOString(),
    };
    return { success: true, data: result };
  }

  private async load(path: string): Promise<ImageState> {
    let data: Buffer;
    try {
      data = await readFile(path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new PermanentError(`image not found: ${path}`);
      throw err; // e.g. a busy network share: worth another attempt
    }
    const { width, height } = await sharp(data).metadata().catch(() => {
      throw new PermanentError(`not a supported image: ${path}`);
    });
    if (width === undefined || height === undefined) throw new PermanentError(`image without dimensions: ${path}`);
    return { data, width, height };
  }
}
