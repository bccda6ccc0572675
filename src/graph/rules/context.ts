// What a holder rule may look at and ask for. One context per analysis: the indexes in it are
// built once, so a rule that runs for each of 5,000 waiters costs a lookup, not a scan.
import type { Frame, Mount, Resource, Snapshot, Task, WaitSite } from '../../model.js';
import type { HolderRule, Signature } from '../../kernel/signatures.js';
import type { HolderFinding } from '../holders.js';

/** What the collector should still read for the analysis to be complete. */
export interface DataNeeds {
  /** Task keys whose details (stack, syscall, fds...) are missing. */
  details: Set<string>;
  /** Processes whose every thread should be looked at (holders that are whole processes). */
  processes: Set<number>;
  netlink: boolean;
  fuse: boolean;
  stackScan: boolean;
  /** Loop devices (/sys/block/loop*) and the collector's mount table: the store below a device. */
  blockDevices: boolean;
  /** Processes whose child processes should be read (a vfork parent's child). */
  children: Set<number>;
}

export interface ResourceInit {
  id: string;
  label: string;
  mount?: string;
  connection?: number;
}

export interface RuleContext {
  snap: Snapshot;
  byKey: Map<string, Task>;
  threadsOf: Map<number, Task[]>;
  sites: Map<string, WaitSite>;
  /** Task keys of every waiting task (D, or asleep at a known signature). */
  waiting: Set<string>;
  needs: DataNeeds;
  mountsOf(t: Task): Mount[];
  /** The frame of a task's wait site. */
  siteFrame(t: Task): Frame | undefined;
  /** A process whose every thread waits on audit itself is a sender, not the daemon. */
  isSenderOnly(pid: number): boolean;
  /** Tasks whose stack passes through fn (indexed once per analysis). */
  tasksThrough(fn: string): Task[];
  /** Waiting tasks whose wait-site frame is fn. */
  waitersOfSite(fn: string): string[];
  /** Per-analysis memo for rules whose answer is the same for many waiters. */
  memo: Map<string, unknown>;
  /**
   * The resource with this id, created on first use: `find` runs once per resource. Its release,
   * remedy and risk come from the signature row of the waiter that created it.
   */
  resource(sig: Signature, init: ResourceInit, find: () => HolderFinding | undefined, fallbackHow: string): Resource;
}

/** Resolves the resource (and its holder) a waiter of `sig` waits on; undefined: it waits on nobody. */
export type HolderResolver<R extends HolderRule = HolderRule> = (
  ctx: RuleContext, t: Task, site: WaitSite, sig: Signature, rule: R,
) => Resource | undefined;

export function rank(c: string): number {
  return c === 'certain' ? 3 : c === 'likely' ? 2 : 1;
}
