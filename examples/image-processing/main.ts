import { JobDispatcher, RedisQueue, RedisWorker, type Job } from '../../src/index.js';
import { exampleLogger, outputDir, queueConfig } from '../shared/config.js';
import { reportOutcome, waitForJob } from '../shared/wait.js';
import { ImageProcessingHandler, type ImageProcessingPayload } from './handler.js';
import { ensureSampleImage } from './sample-image.js';

/** The seed's `ProcessUserAvatar`: a square 300×300 avatar, in grayscale. */
function processUserAvatar(dispatcher: JobDispatcher, imagePath: string): Promise<Job> {
  const payload: ImageProcessingPayload = {
    imagePath,
    operations: [
      { type: 'resize', width: 400, height: 400 },
      { type: 'crop', x: 50, y: 50, width: 300, height: 300 },
      { type: 'filter', filter: 'grayscale' },
    ],
  };
  return dispatcher.dispatch('image_processing', payload, { priority: 5, maxAttempts: 2 });
}

const dir = outputDir('image-processing');
const imagePath = await ensureSampleImage(dir);
const queue = await RedisQueue.connect('images', queueConfig('image-processing'));
const worker = new RedisWorker(queue, { numWorkers: 2, pollTime: 1_000, logger: exampleLogger() });
worker.registerHandler('image_processing', new ImageProcessingHandler(dir));
const stopped = worker.start();

try {
  const job = await processUserAvatar(new JobDispatcher(queue), imagePath);
  console.log(`dispatched image_processing job ${job.id} for ${imagePath}`);
  reportOutcome(await waitForJob(queue, job.id));
} finally {
  await worker.stop();
  await stopped;
  await queue.close();
}
