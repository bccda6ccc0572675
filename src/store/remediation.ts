// The remedy keys' engine in the TUI, the interactive twin of `wedgetop --fix` (src/app/fix.ts):
// plan -> (the store's confirm dialog) -> execute, each step shown as it happens -> follow-up,
// reported as how many blocked tasks came free and how long it took. Everything here runs off
// the key path: run() returns at once and reports through the store, so keys stay responsive.
import type { Analysis, RemedyAction } from '../model.js';
import type { ActionLog } from '../actions/log.js';
import { execute, followUp, planFor, type ActionPlan, type FollowResult, type PlanContext, type RunOptions, type RunResult } from '../actions/remedy.js';
import type { Remediator, UiStore } from './store.js';

/** execute()'s shape: tests put a fake one in (never signal a replay's fictional PIDs). */
export type Executor = (plan: ActionPlan, o: RunOptions) => Promise<RunResult>;

export interface RemediationOptions {
  /** Read when a plan is made and again when it runs: the collector child may have been replaced. */
  ctx: () => PlanContext;
  /** --dry-run. */
  dryRun: boolean;
  /** Set when the snapshot is a replay: its PIDs describe another moment, so only dry runs. */
  replay?: boolean;
  /** The replayed directory, named in the action log's entries. */
  replayDir?: string;
  graceMs: number;
  log: ActionLog;
  /** How long to follow the blocked tasks after the action (15 s, as --fix). */
  followMs?: number;
  /**
   * The next analysis for the follow-up. In the TUI this is the refresher's own next result
   * (Refresher.nextAnalysis), so the collector never has two requests out.
   */
  next: () => Promise<Analysis>;
  execute?: Executor;
  clock?: () => number;
}

export const REPLAY_DRY_RUN = 'a replayed snapshot describes another moment (maybe another machine): actions on it are dry-run only';

/** "5 of 5 blocked tasks came free in 0.4 s", as the follow-up line of the action log says it. */
export function followText(f: FollowResult, total: number, ms: number): string {
  const secs = `${(ms / 1000).toFixed(1)} s`;
  if (total === 0) return `no blocked task was waiting on it (checked for ${secs})`;
  if (f.remaining.length === 0) return `${f.freed} of ${total} blocked task${total === 1 ? '' : 's'} came free in ${secs}`;
  const left = f.remaining.slice(0, 8).join(' ') + (f.remaining.length > 8 ? ` +${f.remaining.length - 8} more` : '');
  return `${f.freed} of ${total} blocked task${total === 1 ? '' : 's'} came free; still blocked after ${secs}: ${left}`;
}

export class StoreRemediator implements Remediator {
  readonly dryRun: boolean;
  readonly dryRunWhy?: string;
  private readonly clock: () => number;

  constructor(private readonly store: UiStore, private readonly o: RemediationOptions) {
    this.dryRun = o.dryRun || !!o.replay;
    this.dryRunWhy = o.replay && !o.dryRun ? REPLAY_DRY_RUN : undefined;
    this.clock = o.clock ?? Date.now;
  }

  get logFile(): string | undefined {
    return this.o.log.file;
  }

  get logProblem(): string | undefined {
    return this.o.log.problem;
  }

  plan(a: Analysis, rootCauseId: string, action: RemedyAction): ActionPlan | { refused: string } {
    return planFor(a, rootCauseId, this.o.ctx(), action);
  }

  run(plan: ActionPlan): void {
    void this.go(plan);
  }

  private async go(plan: ActionPlan): Promise<void> {
    const st = (): ReturnType<UiStore['getState']> => this.store.getState();
    const sync = (): void => st().setActionLog(this.o.log.entries);
    st().actionBegin(plan, this.dryRun);
    // Before the first signal: a task counts as freed once it ran after this moment.
    const actedAt = this.clock();
    try {
      const exec = this.o.execute ?? execute;
      const res = await exec(plan, { ctx: this.o.ctx(), dryRun: this.dryRun, graceMs: this.o.graceMs, log: this.o.log, onStep: (m) => st().actionStep(m), replayOf: this.o.replay ? this.o.replayDir : undefined });
      sync();
      if (this.dryRun) {
        st().actionEnd(res.ok, `nothing was run (${this.dryRunWhy ? 'replayed snapshot: dry run only' : '--dry-run'}); it would run: ${plan.command}`);
        return;
      }
      // A SIGKILL that could only be queued (the holder is in D itself) may still free them.
      if (!res.ok && !/still D/.test(res.message)) {
        st().actionEnd(false, `failed: ${res.message}`);
        return;
      }
      const total = plan.blockedKeys.length;
      st().actionFollow({ freed: 0, remaining: [...plan.blockedKeys], ms: 0 });
      const f = await followUp(plan, this.o.next, this.o.followMs ?? 15_000, (t) => st().actionFollow(t), actedAt);
      const result = followText(f, total, this.clock() - actedAt);
      this.o.log.append({ action: 'follow-up', target: plan.target, command: plan.command, result });
      sync();
      // The count first: it is what the admin wants to know, and the status line may be cut.
      st().actionEnd(f.remaining.length === 0, `${result}; ${res.message}`, f);
    } catch (e) {
      sync();
      st().actionEnd(false, `failed: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
}
