// The dialog slice: a remedy key asks the remediator for a plan and opens the confirmation; a
// confirmed plan is handed back to the remediator, which reports through the action slice.
import { actionBusy, remedyTarget } from '../select.js';
import type { DialogSlice, SliceContext } from '../types.js';

export function dialogSlice(ctx: SliceContext): DialogSlice {
  const { set, get, clock, closeDialog } = ctx;
  return {

    setRemediator(r) {
      set({ remediator: r });
    },
    requestRemedy(action, key) {
      const s = get();
      if (s.dialog) return;
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
      set(closeDialog());
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
