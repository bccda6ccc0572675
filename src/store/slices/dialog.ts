// The dialog slice: a remedy key asks the remediator for a plan and opens the confirmation; a
// confirmed plan is handed back to the remediator, which reports through the action slice.
import type { ActionPlan } from '../../actions/remedy.js';
import { indexOf } from '../derive.js';
import { actionBusy, remedyTarget } from '../select.js';
import type { DialogSlice, SliceContext } from '../types.js';

export function dialogSlice(ctx: SliceContext): DialogSlice {
  const { set, get, clock, closeDialog } = ctx;

  /**
   * Kill on tagged rows: one dialog for every tagged holder, each planned (and so guarded: PID 1,
   * kernel threads, wedgetop itself, the start time) exactly as a single kill is; tagged waiters
   * are named and left alone (killing a waiter frees nobody behind the holder).
   */
  const requestTaggedKill = (key: string): void => {
    const s = get();
    const a = s.analysis;
    const r = s.remediator;
    if (!a) return;
    const idx = indexOf(a);
    const plans: ActionPlan[] = [];
    const refused: string[] = [];
    const done = new Set<number>();
    for (const k of s.tagged) {
      const t = idx.tasks.get(k);
      if (!t || done.has(t.pid)) continue;
      const name = `${t.comm}:${t.pid === t.tid ? t.pid : `${t.pid}/${t.tid}`}`;
      const rc = t.isHolder ? a.rootCauses.find((x) => x.id === `task:${t.pid}`) ?? a.hops.find((x) => x.id === `task:${t.pid}`) : undefined;
      if (!rc || !rc.remedies.some((m) => m.action === 'kill')) {
        refused.push(`${name}: ${t.isHolder ? 'no kill remedy for it' : 'not a holder (killing a waiter frees nobody)'}`);
        continue;
      }
      done.add(t.pid);
      if (s.opts.readOnly || !r) {
        refused.push(`${name}: ${s.opts.readOnly ? 'read-only' : 'remediation is not available here'}`);
        continue;
      }
      const plan = r.plan(a, rc.id, 'kill');
      if ('refused' in plan) refused.push(`${name}: ${plan.refused}`);
      else plans.push(plan);
    }
    if (plans.length === 0) {
      s.say(`${key}: no tagged holder to kill${refused.length ? ` — ${refused.join('; ')}` : ''} (U untags)`, 'warn');
      return;
    }
    if (actionBusy(s)) {
      s.say(`an action is still running on ${s.action!.plan.target}: wait for its outcome (L shows its steps)`, 'warn');
      return;
    }
    set({ dialog: { plan: plans[0]!, queue: plans.slice(1), refused, stage: 1, choice: 'no', dryRun: r!.dryRun, dryRunWhy: r!.dryRunWhy }, message: undefined });
  };

  return {

    setRemediator(r) {
      set({ remediator: r });
    },
    requestRemedy(action, key) {
      const s = get();
      if (s.dialog) return;
      if (action === 'kill' && s.tagged.size > 0) {
        requestTaggedKill(key);
        return;
      }
      const rc = remedyTarget(s);
      if (!rc) {
        s.say('nothing is blocked: no root cause to act on');
        return;
      }
      // "Continue" is what makes a parked holder run again: SIGCONT for a stopped one, the thaw of
      // its cgroup for one in a frozen cgroup (SIGCONT cannot wake it); the dialog says which.
      const remedy = rc.remedies.find((r) => r.action === action) ?? (action === 'cont' ? rc.remedies.find((r) => r.action === 'cgroup-thaw') : undefined);
      if (!remedy) {
        const have = rc.remedies.map((r) => r.action).join(', ');
        s.say(`${key}: no ${action} remedy for "${rc.label}"${have ? ` (it has: ${have})` : ' (wedgetop has no remedy for it)'}`, 'warn');
        return;
      }
      if (s.opts.readOnly) {
        s.say(`read-only: not running ${remedy.command}`, 'warn');
        return;
      }
      const r = s.remediator;
      if (!r) {
        s.say(`remediation is not available here — ${key} would run: ${remedy.command}`, 'warn');
        return;
      }
      if (actionBusy(s)) {
        s.say(`an action is still running on ${s.action!.plan.target}: wait for its outcome (L shows its steps)`, 'warn');
        return;
      }
      const plan = s.analysis ? r.plan(s.analysis, rc.id, remedy.action) : { refused: 'no data yet' };
      if ('refused' in plan) {
        s.say(`refused: ${plan.refused}`, 'error');
        return;
      }
      set({ dialog: { plan, stage: 1, choice: 'no', dryRun: r.dryRun, dryRunWhy: r.dryRunWhy }, message: undefined });
    },
    confirmYes() {
      const s = get();
      const d = s.dialog;
      if (!d) return;
      if (d.plan.confirmTwice && d.stage === 1) {
        // The second question starts on No again: one reflexive Enter must not abort a mount.
        set({ dialog: { ...d, stage: 2, choice: 'no' } });
        return;
      }
      set({ ...closeDialog(), ...(d.queue?.length ? { actionQueue: d.queue, tagged: new Set<string>() } : {}) });
      if (!s.remediator) return;
      s.remediator.run(d.plan);
    },
    confirmNo() {
      const s = get();
      if (!s.dialog) return;
      set({ ...closeDialog(), message: { text: `not run: ${s.dialog.plan.command}`, level: 'info', at: clock() } });
    },
    confirmToggle() {
      const d = get().dialog;
      if (d) set({ dialog: { ...d, choice: d.choice === 'no' ? 'yes' : 'no' } });
    },
    confirmEnter() {
      const d = get().dialog;
      if (!d) return;
      if (d.choice === 'yes') get().confirmYes();
      else get().confirmNo();
    },
  };
}
