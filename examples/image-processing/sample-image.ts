import { access, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';

/** A 640×480 picture drawn from SVG, so the example needs no image files of its own. */
const SAMPLE_SVG = `<svg xmlns="http://www.w3.org/2000/svg" width="640" height="480">
  <defs><linearGradient id="sky" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="#4a90d9"/><stop offset="1" stop-color="#f5d76e"/></linearGradient></defs>
  <rect width="640" height="480" fill="url(#sky)"/>
  <circle cx="480" cy="130" r="70" fill="#fff3b0"/>
  <polygon points="0,480 200,220 380,480" fill="#3b6e4f"/>
  <polygon points="220,480 430,260 640,480" fill="#2d5a3d"/>
</svg>`;

/** Writes `sample.png` into `dir` unless it is already there; resolves to its path. */
export async function ensureSampleImage(dir: string): Promise<string> {
  const path = join(dir, 'sample.png');
  await mkdir(dir, { recursive: true });
  const exists = await access(path).then(() => true, () => false);
  if (!exists) await sharp(Buffer.from(SAMPLE_SVG)).png().toFile(path);
  return path;
}
