// The entry of a `verify --jobs N` worker thread (src/parallel/pool.ts starts it; scripts/build.mjs
// bundles it as dist/verify-worker.cjs): checks the part its `workerData` names and posts it back.
import { parentPort, workerData } from 'node:worker_threads';
import { checkPart, type PartTask } from './part.ts';

if (parentPort === null) throw new Error('src/parallel/worker.ts runs as a worker thread of verify --jobs');
const port = parentPort;
// Not awaited at the top: the bundle is CommonJS. The pending work keeps the thread alive.
void checkPart(workerData as PartTask, (m) => port.postMessage(m));
