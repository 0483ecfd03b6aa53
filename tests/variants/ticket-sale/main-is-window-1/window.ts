// A ticket window (one worker thread): sells at its window until the tickets run out.

import { workerData } from 'node:worker_threads';
import { sellAt } from './seller.ts';
import type { WindowData } from './office.ts';

sellAt(workerData as WindowData);
