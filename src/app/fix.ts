// `wedgetop --fix ID`: the non-interactive twin of the remedy keys, with the same guards.
// Exit status: 0 every blocked task came free, 1 some did not, 2 refused or failed.
import * as readline from 'node:readline/promises';
import { escapeText } from '../text/escape.js';
import type { Options } from './options.js';
import type { SnapshotSource } from './source.js';
import { ActionLog } from '../actions/log.js';
import { execute, followUp, planFor, type ActionPlan } from '../actions/remedy.js';
import type { RemedyAction } from '../model.js';

async function confirm(plan: ActionPlan): Promise<boolean> {
  const rl = readline.createInterface({ input: process.stdin, output: process.stderr });
  try {
    const times = plan.confirmTwice ? 2 : 1;
    for (let i = 0; i < times; i++) {
      const q = i === 0 ? 'Run it? [y/N] ' : 'This fails every pending request on that mount. Really? [y/N] ';
      const a = (await rl.question(q)).trim().toLowerCase();
      if (a !== 'y' && a !== 'yes') return false;
    }
    return true;
  } finally {
    rl.close();
  }
}

export async function runFix(o: Options & { fix: string; action?: RemedyAction }, src: SnapshotSource, followMs = 15_000): Promise<number> {
  // Labels, targets and steps carry strings from the box (comm, mount paths): escaped when shown.
  const err = (m: string): void => void process.stderr.write(`wedgetop: ${escapeText(m)}\n`);
  const say = (m: string): void => void process.stderr.write(`${escapeText(m)}\n`);
  try {
    if (!src.live && !o.dryRun) {
      // As in the TUI: a replay's PIDs and mounts describe another moment, so it only shows the plan.
      say('a replayed snapshot describes another moment (maybe another machine): dry run only');
      o = { ...o, dryRun: true };
    }
    // Analysed by the collector child (or in-process for a replay), with --grace in its kill command.
    const a = await src.next();
    const ctx = { selfPid: process.pid, collectorPid: src.client?.pid, readOnly: o.readOnly, live: src.live };
    const plan = planFor(a, o.fix, ctx, o.action);
    if ('refused' in plan) {
      err(plan.refused);
      return 2;
    }
    say(`root cause: ${plan.rootCause.label}`);
    say(`target:     ${plan.target}`);
    say(`command:    ${plan.command}`);
    if (plan.how) say(`where:      ${plan.how}`);
    say(`checked:    ${plan.guard}`);
    say(`risk:       ${plan.remedy.risk}`);
    say(`should free ${plan.blockedKeys.length} blocked task${plan.blockedKeys.length === 1 ? '' : 's'}`);
    if (!o.yes && !o.dryRun) {
      if (!process.stdin.isTTY) {
        err('not a terminal: add --yes to run it without asking');
        return 2;
      }
      if (!(await confirm(plan))) {
        say('not run.');
        return 2;
      }
    }
    const log = new ActionLog();
    if (log.problem) err(log.problem);
    const actedAt = Date.now();
    const res = await execute(plan, { ctx, dryRun: o.dryRun, graceMs: o.graceMs, log, onStep: (m) => say(`  ${m}`), replayOf: src.live ? undefined : o.replay });
    if (o.dryRun) return 0;
    if (!res.ok && !/still D/.test(res.message)) return 2;
    const f = await followUp(plan, () => src.next(), followMs, undefined, actedAt);
    const n = plan.blockedKeys.length;
    const result = f.remaining.length === 0
      ? `${f.freed} of ${n} blocked tasks came free in ${f.ms} ms`
      : `${f.freed} of ${n} blocked tasks came free; still blocked after ${f.ms} ms: ${f.remaining.join(' ')}`;
    log.append({ action: 'follow-up', target: plan.target, command: plan.command, result });
    say(result);
    if (log.file) say(`logged to ${log.file}`);
    return f.remaining.length === 0 ? 0 : 1;
  } finally {
    src.close();
  }
}
