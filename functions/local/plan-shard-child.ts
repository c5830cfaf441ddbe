/**
 * One child process of the local sharded-plan runner (plan-shards-runner.ts): it runs the plan
 * shard handler's passes (handlers/plan-shards.ts, the code the Lambdas run) over a folder as
 * the object store, one pass per message, and answers each with the result and the process's
 * resource usage so far (peak RSS and CPU time are the process's own, which a worker thread's
 * would not be).
 */
import { DirectoryStorage } from '../adapters/local/directory-storage.ts';
import { type PartPlacement, PlacedPartsStorage } from '../adapters/local/placed-parts-storage.ts';
import { planShardPasses } from '../handlers/plan-shards.ts';

export type ChildPass = 'firstPass' | 'reduce' | 'secondPass';

export interface ChildRequest {
  root: string;
  pass: ChildPass;
  event: unknown;
  /** Parts to write into one file at their offsets instead of as objects of their own. */
  placement?: PartPlacement;
}

export interface ChildUsage {
  maxRssKb: number;
  userMs: number;
  systemMs: number;
}

export type ChildReply =
  | { ok: true; result: unknown; usage: ChildUsage; ms: number }
  | { ok: false; error: string; name: string; usage: ChildUsage };

function usage(): ChildUsage {
  const used = process.resourceUsage();
  return { maxRssKb: used.maxRSS, userMs: used.userCPUTime / 1000, systemMs: used.systemCPUTime / 1000 };
}

process.on('message', (message: ChildRequest) => {
  const started = performance.now();
  const folder = new DirectoryStorage(message.root);
  const storage = message.placement ? new PlacedPartsStorage(folder, message.placement) : folder;
  const passes = planShardPasses(() => ({ storage }));
  passes[message.pass](message.event).then(
    (result) => {
      const reply: ChildReply = { ok: true, result, usage: usage(), ms: performance.now() - started };
      process.send?.(reply);
    },
    (error: unknown) => {
      const failure = error instanceof Error ? error : new Error(String(error));
      const reply: ChildReply = { ok: false, error: failure.message, name: failure.name, usage: usage() };
      process.send?.(reply);
    },
  );
});
