/**
 * The stand-ins one local process shares between its handlers: the clock (real for
 * `npm start`, virtual for `campaign simulate`), the SMS sink, the opt-out list, the
 * scheduler and the send queue. Whoever runs the local stack sets it once; the
 * composition root hands its parts to the handlers, as AWS would hand them its services.
 */
import type { Clock } from '../../ports/clock.ts';
import type { LocalSmsOptOuts } from './opt-outs.ts';
import type { LocalScheduler } from './scheduler.ts';
import type { InProcessSendQueue } from './send-queue.ts';
import type { LocalSmsSink } from './sms-sink.ts';

export interface LocalRuntime {
  clock: Clock;
  sms: LocalSmsSink;
  optOuts: LocalSmsOptOuts;
  scheduler: LocalScheduler;
  sendQueue: InProcessSendQueue;
  /**
   * Where the links in local emails point (unsubscribe): the local HTTP server's URL, set by
   * whoever starts that server (`npm start`, `campaign simulate`, a test) once it listens, so
   * the link has its real port. PUBLIC_BASE_URL, when set, wins over it.
   */
  publicBaseUrl?: string;
  /** Send workers pass the rate limiter and the provider in queue order (a virtual clock's rule). */
  sendInOrder?: boolean;
  /** The send path's randomness (back-off jitter); undefined = Math.random. */
  random?: () => number;
}

let current: LocalRuntime | undefined;

export function setLocalRuntime(runtime: LocalRuntime | undefined): void {
  current = runtime;
}

export function localRuntime(): LocalRuntime {
  if (!current)
    throw new Error('the local stack is not running in this process (npm start or campaign simulate sets it up)');
  return current;
}
