import sharp, { type Sharp } from 'sharp';
import { z } from 'zod';
import { PermanentError } from '../../src/index.js';

/** One step of the pipeline, as a job payload spells it. */
export const ImageOperation = z.discriminatedUnion('type', [
  z.object({ type: z.literal('resize'), width: z.int().positive(), height: z.int().positive(), fit: z.enum(['cover', 'contain', 'fill', 'inside']).default('cover') }),
  z.object({ type: z.literal('crop'), x: z.int().nonnegative(), y: z.int().nonnegative(), width: z.int().positive(), height: z.int().positive() }),
  z.object({ type: z.literal('filter'), filter: z.enum(['grayscale', 'sepia', 'blur', 'sharpen', 'negate']) }),
]);
export type ImageOperation = z.output<typeof ImageOperation>;

/** An encoded image and its size, between two steps. */
export interface ImageState {
  data: Buffer;
  width: number;
  height: number;
}

const SEPIA: [[number, number, number], [number, number, number], [number, number, number]] = [
  [0.393, 0.769, 0.189],
  [0.349, 0.686, 0.168],
  [0.272, 0.534, 0.131],
];

function pipelineFor(image: ImageState, op: ImageOperation): Sharp {
  const input = sharp(image.data);
  switch (op.type) {
    case 'resize':
      return input.resize(op.width, op.height, { fit: op.fit });
    case 'crop':
      if (op.x + op.width > image.width || op.y + op.height > image.height) {
        // The same payload would fail the same way on every attempt.
        throw new PermanentError(`crop ${op.width}x${op.height} at (${op.x},${op.y}) falls outside the ${image.width}x${image.height} image`);
      }
      return input.extract({ left: op.x, top: op.y, width: op.width, height: op.height });
    case 'filter':
      switch (op.filter) {
        case 'grayscale':
          return input.grayscale();
        case 'sepia':
          return input.recomb(SEPIA);
        case 'blur':
          return input.blur(3);
        case 'sharpen':
          return input.sharpen();
        case 'negate':
          return input.negate({ alpha: false });
      }
  }
}

/** Applies one operation; each step is encoded losslessly so the next one sees its real size. */
export async function applyOperation(image: ImageState, op: ImageOperation): Promise<ImageState> {
  const { data, info } = await pipelineFor(image, op).png().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}
