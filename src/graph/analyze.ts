// Snapshot -> waits-on graph -> root causes with remedies; plan(): what the collector must read
// next. Pure: the same snapshot always gives the same analysis, so a recorded snapshot replays exactly.
import type {
  Analysis, AnalyzedTask, Frame, Mount, NodeId, Remedy, Resource, RootCause, Snapshot, Task, WaitEdge, WaitSite,
} from '../model.js';
import { classifyStack, signatureOf, siteAt } from '../kernel/classify.js';
import { taskKey } from './holders.js';
import { containerOf } from './container.js';
import { resolveHolder, type DataNeeds, type RuleContext } from './rules/index.js';
import { rank } from './rules/context.js';
import { auditBacklogFacts } from './kmsg.js';
import { chainEnds, firstPath, firstRoot, heldBy, holderGroups, holderProcesses, nodeOf, pidOf, reachable, taskNode, WaitGraph } from './walk.js';
import { shellCommand, thawArgv } from '../text/shell.js';

export type { DataNeeds } from './rules/index.js';

export interface AnalyzeOptions {
  /** key -> ms timestamp when wedgetop first saw the task blocked (fallback for blockedFor). */
  firstSeen?: Map<string, number>;
  killGraceMs?: number;
}

export const UNREADABLE_SITE = '(stack unreadable)';

function isWaitingState(state: string): boolean {
  return state === 'D';
}

/** Steps 1-2 of the analysis: each task's wait site, each resource with its holders, and what the
 * snapshot still lacks to name them. The collector asks only this while it decides what to read next. */
interface Resolved {
  needs: DataNeeds;
  byKey: Map<string, Task>;
  threadsOf: Map<number, Task[]>;
  sites: Map<string, WaitSite>;
  waiting: Set<string>;
  resources: Map<string, Resource>;
  waitsOn: Map<string, string>;
  threadKeysOf: (pid: number) => string[];
}

/** What the collector asks of a snapshot while it reads: what it must still read for the holders
 * to be named, and which of its tasks the analysis will show. Pure: it reads nothing. */
export interface CollectionPlan {
  needs: DataNeeds;
  /** Keys of the tasks an analysis of this snapshot shows (waiters, holders, stopped tasks). */
  shown: Set<string>;
}

export function plan(snap: Snapshot): CollectionPlan {
  const r = resolve(snap);
  const isShown = shownTest(r);
  const shown = new Set<string>();
  for (const t of snap.tasks) if (isShown(t).shown) shown.add(taskKey(t));
  return { needs: r.needs, shown };
}

/** Step 5's choice of rows: waiters, holders, and stopped tasks (counted in the header as T, so
 * they must be rows too, even when no chain leads to them). A whole-process holder is shown by
 * its main thread ("pid/pid"). */
function shownTest(r: Resolved): (t: Task) => { shown: boolean; isHolder: boolean } {
  const holderKeys = new Set<string>();
  for (const res of r.resources.values()) for (const h of res.holders) holderKeys.add(h);
  const holderProcs = new Set<number>();
  for (const res of r.resources.values()) for (const pid of holderProcesses(res)) holderProcs.add(pid);
  return (t) => {
    const k = taskKey(t);
    const isHolder = holderKeys.has(k) || (t.tid === t.pid && holderProcs.has(t.pid));
    return { shown: r.waiting.has(k) || isHolder || t.state === 'T' || t.state === 't', isHolder };
  };
}

function resolve(snap: Snapshot): Resolved {
  const needs: DataNeeds = { details: new Set(), processes: new Set(), netlink: false, fuse: false, stackScan: false, children: new Set(), blockDevices: false };
  const byKey = new Map<string, Task>();
  for (const t of snap.tasks) byKey.set(taskKey(t), t);
  const threadsOf = new Map<number, Task[]>();
  for (const t of snap.tasks) {
    const l = threadsOf.get(t.pid);
    if (l) l.push(t);
    else threadsOf.set(t.pid, [t]);
  }

  // 1. Wait site of every task we have details for.
  const sites = new Map<string, WaitSite>();
  for (const t of snap.tasks) {
    if (!t.detail) {
      if (isWaitingState(t.state)) needs.details.add(taskKey(t));
      continue;
    }
    const s = classifyStack(t.detail.stack, t.detail.wchan);
    if (s) sites.set(taskKey(t), s);
    // Not root (or the task vanished mid-read): still show it, grouped as unreadable.
    else if (isWaitingState(t.state)) sites.set(taskKey(t), { signature: 'unknown:?', site: UNREADABLE_SITE, func: UNREADABLE_SITE, offset: 0, size: 0, frameIndex: 0, resource: 'unknown' });
  }
  // Waiting: every D task, plus tasks in other states sleeping at a known signature
  // (a FUSE waiter sits in S; the seed-000 holder sleeps in netlink_attachskb in S).
  const waiting = new Set<string>();
  for (const t of snap.tasks) {
    const k = taskKey(t);
    const s = sites.get(k);
    if (isWaitingState(t.state) || (s && !s.signature.startsWith('unknown') && t.state !== 'R' && !signatureOf(s).asHolderOnly)) waiting.add(k);
  }
  const siteFrame = (t: Task): Frame | undefined => {
    const s = sites.get(taskKey(t));
    return s ? t.detail?.stack?.[s.frameIndex] : undefined;
  };
  const isSenderOnly = (pid: number): boolean => {
    const ts = threadsOf.get(pid) ?? [];
    // A process whose every thread waits on audit itself (the mutex, the backlog) is a sender, not the daemon.
    return ts.length > 0 && ts.every((t) => sites.get(taskKey(t))?.signature.startsWith('audit-'));
  };
  const mountsOf = (t: Task): Mount[] => snap.mounts[t.detail?.mntNs ?? ''] ?? snap.mounts[''] ?? Object.values(snap.mounts)[0] ?? [];

  // 2. Resources and their holders, one per resource id, each found by its row's holder rule.
  const resources = new Map<string, Resource>();
  const waitsOn = new Map<string, string>();
  const waitersOf = new Map<string, string[]>();

  // Both indexes are built on first use, once per analysis: `waiting` and the stacks are fixed by now.
  let siteWaiters: Map<string, string[]> | undefined;
  function waitersOfSite(fn: string): string[] {
    if (!siteWaiters) {
      siteWaiters = new Map();
      for (const k of waiting) {
        const f = siteFrame(byKey.get(k)!)?.func;
        if (f === undefined) continue;
        const l = siteWaiters.get(f);
        if (l) l.push(k);
        else siteWaiters.set(f, [k]);
      }
    }
    return siteWaiters.get(fn) ?? [];
  }
  let byFunc: Map<string, Task[]> | undefined;
  function tasksThrough(fn: string): Task[] {
    if (!byFunc) {
      byFunc = new Map();
      for (const t of snap.tasks) {
        for (const f of new Set((t.detail?.stack ?? []).map((x) => x.func))) {
          const l = byFunc.get(f);
          if (l) l.push(t);
          else byFunc.set(f, [t]);
        }
      }
    }
    return byFunc.get(fn) ?? [];
  }

  const ctx: RuleContext = {
    snap, byKey, threadsOf, sites, waiting, needs, mountsOf, siteFrame, isSenderOnly, tasksThrough, waitersOfSite,
    memo: new Map(),
    resource(sig, init, find, fallbackHow) {
      let res = resources.get(init.id);
      if (!res) {
        const f = find();
        res = {
          ...init,
          kind: sig.resource,
          holders: f?.holders ?? [],
          holderScope: f?.scope ?? 'task',
          how: f?.how ?? fallbackHow,
          confidence: f?.confidence ?? 'guess',
          frees: sig.frees,
          remedy: sig.remedy,
          risk: sig.risk,
        };
        resources.set(init.id, res);
      }
      return res;
    },
  };

  for (const k of waiting) {
    const t = byKey.get(k)!;
    const site = sites.get(k);
    if (!site) continue;
    const res = resolveHolder(ctx, t, site, signatureOf(site));
    if (res) {
      waitsOn.set(k, res.id);
      const l = waitersOf.get(res.id);
      if (l) l.push(k);
      else waitersOf.set(res.id, [k]);
    }
  }

  // The task keys of a process, in snapshot order (made on first use: few processes hold anything).
  const threadKeys = new Map<number, string[]>();
  function threadKeysOf(pid: number): string[] {
    let ks = threadKeys.get(pid);
    if (!ks) threadKeys.set(pid, (ks = (threadsOf.get(pid) ?? []).map(taskKey)));
    return ks;
  }

  // A holder parked by its tracer or a frozen cgroup: that is what its waiters wait on.
  for (let pass = 0, more = true; more && pass < 4; pass++) more = parkedHolders(ctx, resources, waitsOn, waitersOf, threadKeysOf);

  // Holders must be read too, whatever their state (seed 000's holder slept in S).
  for (const r of resources.values()) {
    for (const h of r.holders) {
      const ht = byKey.get(h);
      if (!ht || !ht.detail) needs.details.add(h);
    }
    for (const pid of holderProcesses(r)) needs.processes.add(pid);
  }
  return { needs, byKey, threadsOf, sites, waiting, resources, waitsOn, threadKeysOf };
}

export function analyze(snap: Snapshot, opts: AnalyzeOptions = {}): Analysis {
  const resolved = resolve(snap);
  const { byKey, threadsOf, sites, waiting, resources, waitsOn, threadKeysOf } = resolved;
  const warnings = [...snap.warnings];

  // 3. Follow each waiter to the ends of its chains.
  const graph = new WaitGraph({ waitsOn, resources, threadsOf: threadKeysOf });
  const endsBySignal = (k: string): boolean => {
    const t = byKey.get(k);
    const r = resources.get(waitsOn.get(k) ?? '');
    // Interruptible sleep (S) of a user task: a kernel thread takes no signals.
    return !!t && !t.isKernelThread && t.state === 'S' && !!r?.frees.includes('signal-waiter');
  };
  const starts: NodeId[] = [];
  for (const k of waiting) if (waitsOn.has(k)) starts.push(taskNode(k));
  // A holder whose own wait a signal ends is what frees the waiters behind it: whatever its
  // chain goes on to, signalling it releases what it holds.
  const walked = chainEnds(graph, starts, (n) => {
    const node = nodeOf(n);
    return node.kind === 'task' && endsBySignal(node.key);
  });
  const { cycles, cycleNodes } = walked;
  const rootsOf = new Map<string, Set<NodeId>>();
  for (const k of waiting) if (waitsOn.has(k)) rootsOf.set(k, walked.rootsOf.get(taskNode(k))!);

  // 4. Root causes, ranked by how many tasks they block.
  const now = snap.takenAtMs;
  const rootCauses: RootCause[] = [];
  const rootIds = new Map<NodeId, RootCause>();
  for (const [k, roots] of rootsOf) {
    for (const node of roots) {
      let rc = rootIds.get(node);
      if (!rc) {
        rc = makeRootCause(node, snap, resources, byKey, threadsOf, sites, opts, cycleNodes, endsBySignal);
        const notes = rootNotes(node, resources, byKey, threadsOf, waitsOn, endsBySignal);
        if (notes.length) rc.notes = notes;
        rootIds.set(node, rc);
        rootCauses.push(rc);
      }
      if (`task:${k}` !== node) {
        rc.blocked++;
        rc.blockedTasks.push(k);
      }
    }
  }
  // Root node -> the waiters whose chains end there, in waiter order (one pass, not one per root cause).
  const blockedByRoot = new Map<NodeId, string[]>();
  for (const [k, roots] of rootsOf) {
    for (const node of roots) {
      if (taskNode(k) === node) continue;
      const l = blockedByRoot.get(node);
      if (l) l.push(k);
      else blockedByRoot.set(node, [k]);
    }
  }
  for (const [node, rc] of rootIds) rc.chain = chainText(graph, rc, blockedByRoot.get(node) ?? [], byKey, sites);
  rootCauses.sort((a, b) => b.blocked - a.blocked || a.id.localeCompare(b.id));

  // 4b. Every other holder is a hop an admin may still want to act on (a daemon in the middle
  // of a chain, a stopped task): its remedies, the waiters behind it, and — when the engine ranks
  // something else as what frees them — a note that says so.
  const waitersBehind = new Map<number, Set<string>>();
  for (const [k] of rootsOf) {
    // Each waiter's chains, marking every holder process on them (past the root cause too: a
    // daemon behind an interruptible holder is still what an admin may reach for).
    const marked = new Set<number>();
    for (const n of reachable(graph, taskNode(k))) {
      const r = nodeOf(n).kind === 'res' ? graph.resourceAt(n) : undefined;
      for (const h of r?.holders ?? []) {
        const pid = pidOf(h);
        if (marked.has(pid)) continue;
        marked.add(pid);
        let set = waitersBehind.get(pid);
        if (!set) waitersBehind.set(pid, (set = new Set()));
        if (pidOf(k) !== pid) set.add(k);
      }
    }
  }
  const hops: RootCause[] = [];
  for (const [pid, behind] of waitersBehind) {
    if (rootCauses.some((rc) => rc.id === `task:${pid}`)) continue;
    const key = byKey.has(`${pid}/${pid}`) ? `${pid}/${pid}` : [...(resources.values())].flatMap((r) => r.holders).find((h) => h.startsWith(`${pid}/`));
    if (!key) continue;
    const hop = makeRootCause(`task:${key}`, snap, resources, byKey, threadsOf, sites, opts, cycleNodes, endsBySignal);
    hop.blockedTasks = [...behind];
    hop.blocked = behind.size;
    const ends = new Set<NodeId>();
    for (const w of behind) for (const n of rootsOf.get(w) ?? []) ends.add(n);
    // The root causes these waiters' chains end at, as made for each end node (no id arithmetic).
    const others = rootCauses.filter((rc) => [...ends].some((n) => rootIds.get(n) === rc));
    if (others.length) {
      const o = others[0]!;
      hop.notes = [...(hop.notes ?? []), `the engine ranks ${o.label} (root cause #${rootCauses.indexOf(o) + 1}) as what frees these waiters: acting on this ${pid === o.pid ? 'thread' : 'process'} may not free them`];
    }
    hop.chain = [`holds what ${behind.size} waiting task${behind.size === 1 ? '' : 's'} wait on`];
    hops.push(hop);
  }

  // 4c. Task -> the first root cause on its way (what a remedy key acts on when it is selected):
  // a thread of a root cause's process is that root cause; a resource, the one made for it.
  const rootOfProcess = new Map<number, RootCause>();
  for (const [node, rc] of rootIds) {
    const n = nodeOf(node);
    if (n.kind === 'task' && !rootOfProcess.has(pidOf(n.key))) rootOfProcess.set(pidOf(n.key), rc);
  }
  const rootAt = (node: NodeId): string | undefined => {
    const n = nodeOf(node);
    return (n.kind === 'task' ? rootOfProcess.get(pidOf(n.key)) : rootIds.get(node))?.id;
  };

  // 5. Tasks for the views (shownTest says which).
  const isShown = shownTest(resolved);
  const tasks: AnalyzedTask[] = [];
  for (const t of snap.tasks) {
    const { shown, isHolder } = isShown(t);
    if (!shown) continue;
    const k = taskKey(t);
    const off = t.detail?.offCpuMs;
    const first = opts.firstSeen?.get(k);
    // Field by field, not a spread: one literal, one object shape; at 5,000 shown tasks this
    // loop took half of analyze() as a spread and is now a small part of it (cpu-prof).
    tasks.push({
      pid: t.pid, tid: t.tid, comm: t.comm, state: t.state, ppid: t.ppid, startTicks: t.startTicks, flags: t.flags,
      isKernelThread: t.isKernelThread, detail: t.detail,
      key: k,
      site: sites.get(k),
      waitsOn: waitsOn.get(k),
      blockedForMs: off !== undefined ? off : first !== undefined ? Math.max(0, now - first) : undefined,
      blockedForMin: off === undefined && first !== undefined ? true : undefined,
      container: containerOf(t.detail?.cgroup),
      user: t.detail?.uid !== undefined ? snap.users[String(t.detail.uid)] ?? String(t.detail.uid) : undefined,
      isHolder,
      killable: sites.has(k) ? signatureOf(sites.get(k)!).killable : undefined,
    });
  }

  const rootOf: Record<string, string> = {};
  for (const t of tasks) {
    const id = firstRoot(graph, taskNode(t.key), rootAt);
    if (id !== undefined) rootOf[t.key] = id;
  }

  // 6. The graph as data: every edge with what releases it and how sure the engine is.
  const edges: WaitEdge[] = [];
  for (const [k, rid] of waitsOn) {
    const r = resources.get(rid)!;
    const site = sites.get(k)!;
    // The wait site comes from the task's own kernel stack; without a stack, from wchan alone.
    const fromStack = !!byKey.get(k)?.detail?.stack?.length;
    edges.push({ from: `task:${k}`, to: `res:${rid}`, kind: 'waits-on', frees: r.frees, confidence: fromStack ? 'certain' : 'likely', how: `${fromStack ? 'kernel stack' : 'wchan'}: ${site.site}` });
  }
  for (const r of resources.values()) {
    for (const h of r.holders) edges.push({ from: `res:${r.id}`, to: `task:${h}`, kind: 'held-by', frees: r.frees, confidence: r.confidence, how: r.how });
  }

  if (!snap.stacksReadable) warnings.unshift('kernel stacks need root: showing state and wchan only (run wedgetop as root for wait sites and holders)');
  const auditBacklog = auditBacklogFacts(snap, tasks);
  return {
    ...(auditBacklog ? { auditBacklog } : {}),
    snapshot: snap,
    tasks,
    resources: [...resources.values()],
    rootCauses,
    cycles: cycles.map((c) => c.map((n) => n.replace(/^(task|res):/, ''))),
    hops,
    edges,
    rootOf,
    warnings,
  };
}

function describeTask(t: Task | undefined, key: string, sites: Map<string, WaitSite>): string {
  if (!t) return `task ${key}`;
  const s = sites.get(key);
  const id = t.pid === t.tid ? `${t.pid}` : `${t.pid}/${t.tid}`;
  return `${t.comm}:${id} (${t.state}${s ? `, ${siteAt(s)}` : ''})`;
}

function makeRootCause(
  node: NodeId, snap: Snapshot, resources: Map<string, Resource>, byKey: Map<string, Task>,
  threadsOf: Map<number, Task[]>, sites: Map<string, WaitSite>, opts: AnalyzeOptions, cycleNodes: Set<string>,
  endsBySignal: (k: string) => boolean,
): RootCause {
  const base = { blocked: 0, blockedTasks: [] as string[], chain: [] as string[], inCycle: cycleNodes.has(node) };
  const n = nodeOf(node);
  if (n.kind === 'res') {
    const r = resources.get(n.id)!;
    const sure = { confidence: r.confidence, how: r.how, ...(r.advice !== undefined ? { advice: r.advice } : {}) };
    if (r.remedy === 'thaw-mount') {
      const remedies: Remedy[] = r.mount ? [{ action: 'thaw', mount: r.mount, argv: thawArgv(r.mount), command: shellCommand(thawArgv(r.mount)), risk: r.risk ?? '' }] : [];
      return { ...base, ...sure, id: `frozen-fs:${r.mount ?? '?'}`, kind: 'frozen-fs', label: r.label, mount: r.mount, remedies };
    }
    if (r.remedy === 'fuse-abort' && r.connection !== undefined) {
      return {
        ...base, ...sure, id: `fuse:${r.connection}`, kind: 'fuse', label: `${r.label}: no daemon answers`, mount: r.mount,
        remedies: [fuseAbort(r.connection, r.risk)],
      };
    }
    if (r.remedy === 'cgroup-thaw') {
      const remedies: Remedy[] = r.cgroup ? [{
        action: 'cgroup-thaw', cgroup: r.cgroup, command: `echo 0 > ${r.cgroup}/cgroup.freeze`,
        risk: `resumes every task in the cgroup (${/\(([^)]*)\)$/.exec(r.label)?.[1] ?? 'all of them'}), not only the holder; whoever froze it (a container manager, a checkpoint) loses its pause`,
      }] : [];
      return { ...base, ...sure, id: r.id, kind: 'cgroup', label: r.label, remedies };
    }
    if (r.id.startsWith('external:')) return { ...base, ...sure, id: r.id, kind: 'external', label: r.label, remedies: [] };
    return { ...base, ...sure, id: `unknown:${r.id}`, kind: 'unknown', label: `${r.label}: holder unknown`, remedies: [] };
  }
  const key = n.key;
  const t = byKey.get(key);
  const pid = Number(key.split('/')[0]);
  const tid = Number(key.split('/')[1]);
  const remedies: Remedy[] = [];
  const proc = byKey.get(`${pid}/${pid}`) ?? t;
  // What this task holds decides what may be offered: a row whose remedy is 'none' (a journal
  // commit, block I/O) is not ended by killing whoever the engine guessed holds it.
  const held = heldBy(resources.values(), key);
  const best = held.reduce<Resource | undefined>((b, r) => (!b || rank(r.confidence) > rank(b.confidence) ? r : b), undefined);
  const bySignal = endsBySignal(key);
  // Its death releases what it holds when the edge is freed by the holder leaving or the owner
  // going away (a FUSE daemon's death fails its requests too); not when only I/O or a thaw frees it.
  const freedByDeath = (r: Resource): boolean => r.remedy === 'kill-holder' || r.frees.some((f) => f === 'holder-leaves' || f === 'owner-drains' || f === 'daemon-answers');
  const killable = bySignal || held.length === 0 || held.some(freedByDeath);
  // SIGCONT resumes a job-control stop (T), not a ptrace-stop (t): measured on 6.18.
  const stopped = (threadsOf.get(pid) ?? []).some((x) => x.state === 'T');
  const refusal = killRefusal(pid, proc, snap.selfPid);
  const guess = best?.confidence === 'guess' ? `; that it holds what the others wait on is a guess (${best.how})` : '';
  if (!refusal) {
    if (stopped) remedies.push({ action: 'cont', pid, startTicks: proc?.startTicks, ...guardOf(proc, pid), signal: 'SIGCONT', command: `kill -CONT ${pid}`, risk: `resumes a stopped process; it may have been stopped on purpose (a debugger, job control)${guess}` });
    if (killable) {
      remedies.push({
        action: 'kill', pid, startTicks: proc?.startTicks, ...guardOf(proc, pid), signal: 'SIGTERM',
        command: `kill -TERM ${pid}; sleep ${((opts.killGraceMs ?? 3000) / 1000).toString()}; kill -KILL ${pid}`,
        risk: `ends ${proc?.comm ?? 'the process'} (${pid}) and all its threads; a daemon may need restarting${guess}`,
      });
    }
  }
  // A daemon that holds a FUSE connection: aborting the connection is the other way out.
  for (const r of held) if (r.remedy === 'fuse-abort' && r.connection !== undefined) remedies.push(fuseAbort(r.connection, r.risk));
  const viaFuse = held.some((r) => r.remedy === 'fuse-abort');
  // The advice of what it holds (an rtnl holder: what to do when SIGKILL only queues).
  const advice = best?.advice ?? held.find((r) => r.advice !== undefined)?.advice;
  return {
    ...base,
    id: `task:${pid}`,
    kind: viaFuse ? 'fuse' : 'task',
    label: `${describeTask(t ?? proc, key, sites)}${refusal ? ` — ${refusal}` : ''}`,
    pid,
    tid,
    remedies,
    confidence: best?.confidence ?? 'guess',
    how: bySignal
      ? `${best?.how ?? 'holds what the others wait on'}; its own wait is interruptible, so a signal to it frees them`
      : best?.how ?? 'the end of the chain',
    ...(advice !== undefined ? { advice } : {}),
  };
}

/** A task holding what the others wait on, parked (ptrace-stopped, frozen cgroup): wait on the parking. */
function parkedHolders(
  ctx: RuleContext, resources: Map<string, Resource>, waitsOn: Map<string, string>, waitersOf: Map<string, string[]>,
  threadKeysOf: (pid: number) => readonly string[],
): boolean {
  let more = false;
  for (const r of [...resources.values()]) {
    for (const [, keys] of holderGroups(r, threadKeysOf)) {
      for (const k of keys) {
        if (waitsOn.has(k) || ctx.waiting.has(k)) continue;
        const t = ctx.byKey.get(k);
        const s = ctx.sites.get(k);
        if (!t || !s || !signatureOf(s).asHolderOnly) continue;
        const res = resolveHolder(ctx, t, s, signatureOf(s));
        if (!res) continue;
        ctx.waiting.add(k);
        waitsOn.set(k, res.id);
        const l = waitersOf.get(res.id);
        if (l) l.push(k);
        else waitersOf.set(res.id, [k]);
        more = true;
      }
    }
  }
  return more;
}

/**
 * What the admin must know before acting on a root cause: the obvious action that frees nothing.
 * Measured on 6.18 (test/wedges/README.md §4, §5): killing the socket owner at the end of an
 * interruptible holder's chain does not free its waiters; SIGCONT does not resume a ptrace-stop
 * or a task in a frozen cgroup.
 */
function rootNotes(
  node: NodeId, resources: Map<string, Resource>, byKey: Map<string, Task>, threadsOf: Map<number, Task[]>,
  waitsOn: Map<string, string>, endsBySignal: (k: string) => boolean,
): string[] {
  const notes: string[] = [];
  const n = nodeOf(node);
  if (n.kind === 'res') {
    const r = resources.get(n.id);
    if (r?.remedy === 'cgroup-thaw') notes.push('SIGCONT does not wake a task in a frozen cgroup (it sleeps in S, not T): the cgroup must be thawed');
    return notes;
  }
  const key = n.key;
  const pid = Number(key.split('/')[0]);
  const t = byKey.get(key);
  if (endsBySignal(key)) {
    const own = resources.get(waitsOn.get(key) ?? '');
    const others = [...new Set((own?.holders ?? []).map((h) => Number(h.split('/')[0])).filter((p) => p !== pid))];
    for (const o of others) {
      const ot = byKey.get(`${o}/${o}`);
      const audit = own?.kind === 'netlink-socket' && /audit/.test(own.label);
      notes.push(`killing ${ot ? `${ot.comm}:${o}` : `pid ${o}`} (${own!.label}) will not free these waiters: the holder is PID ${pid}` +
        (t ? ` (${t.comm})` : '') + ', asleep in an interruptible wait that any signal it does not ignore ends' +
        (audit ? '; measured: with the daemon killed, the holder registers itself as the audit daemon and goes on holding the mutex' : ''));
    }
  }
  const tracees = [...resources.values()].filter((r) => r.kind === 'ptrace' && r.holders.includes(`${pid}/${pid}`));
  for (const r of tracees) {
    for (const [k, rid] of waitsOn) {
      if (rid !== r.id) continue;
      const tt = byKey.get(k);
      notes.push(`${tt ? `${tt.comm}:${tt.pid}` : k} is ptrace-stopped by this tracer: SIGCONT does not resume it; the tracer must detach, or die (its death detaches every tracee, which resumes)`);
    }
  }
  if ((threadsOf.get(pid) ?? []).some((x) => x.state === 't') && !tracees.length) notes.push('ptrace-stopped: SIGCONT does not resume it, its tracer must let it go');
  return notes;
}

/** A thread's start time is not its process's: name the thread the guard must check. */
function guardOf(proc: Task | undefined, pid: number): { guardTid?: number } {
  return proc && proc.tid !== pid ? { guardTid: proc.tid } : {};
}

export function killRefusal(pid: number, t: Task | undefined, selfPid?: number): string | undefined {
  if (pid === 1) return 'PID 1: not killable from here';
  if (t?.isKernelThread) return 'kernel thread: cannot be killed';
  if (selfPid !== undefined && pid === selfPid) return 'wedgetop itself';
  return undefined;
}

function fuseAbort(conn: number, risk = ''): Remedy {
  return { action: 'fuse-abort', connection: conn, command: `echo 1 > /sys/fs/fuse/connections/${conn}/abort`, risk };
}

/**
 * The chain text of a root cause: one representative waiter's path to it, hop by hop. The
 * representative is the waiter farthest from the root (the whole chain shows), then the one
 * whose wait is shared by most of the root's waiters.
 */
function chainText(g: WaitGraph, rc: RootCause, blocked: readonly string[], byKey: Map<string, Task>, sites: Map<string, WaitSite>): string[] {
  // Both sort keys computed once per waiter, not once per comparison.
  const sameWait = new Map<string | undefined, number>();
  for (const o of blocked) sameWait.set(g.waitsOn.get(o), (sameWait.get(g.waitsOn.get(o)) ?? 0) + 1);
  const count = (k: string): number => sameWait.get(g.waitsOn.get(k)) ?? 0;
  const paths = new Map(blocked.map((k) => [k, firstPath(g, taskNode(k))]));
  // A path runs task, resource, task, ...: its tasks are every other node from the first.
  const depth = new Map(blocked.map((k) => [k, Math.ceil(paths.get(k)!.nodes.length / 2)]));
  const first = [...blocked].sort((a, b) => depth.get(b)! - depth.get(a)! || count(b) - count(a) || a.localeCompare(b))[0];
  if (!first) return [rc.label];
  const site = sites.get(first);
  const n = count(first);
  const chain = [`${n} task${n === 1 ? '' : 's'} in ${site?.func ?? '?'}`];
  const { nodes, loopsTo } = paths.get(first)!;
  for (let i = 0; i < nodes.length; i++) {
    if (!nodes[i]!.startsWith('res:')) continue;
    const r = g.resourceAt(nodes[i]!);
    if (!r) break;
    chain.push(r.label);
    // The path stops at the task that would repeat: the last resource's holder closes a cycle.
    const last = i === nodes.length - 1;
    const next = last ? loopsTo : nodes[i + 1];
    if (!next) break;
    const key = next.slice('task:'.length);
    const t = byKey.get(key) ?? byKey.get(r.holders[0]!);
    const verb = r.holderScope === 'process' ? 'owned by process' : 'held by';
    if (last) {
      chain.push(`${verb} ${describeTask(t, key, sites)}: the holder itself — deadlock cycle`);
      break;
    }
    chain.push(`${verb} ${describeTask(t, key, sites)}`);
  }
  return chain;
}
