// Build a snapshot directory (the --record layout) from a compact description, so an incident
// known only from a write-up (the seeds) replays through exactly the code path of the live tool.
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface ThreadSpec {
  tid: number;
  comm: string;
  state: string;
  /** Verbatim stat line (seed material); otherwise one is synthesized. */
  statLine?: string;
  stack?: string;
  wchan?: string;
  syscall?: string;
  /** Milliseconds off-CPU at snapshot time (becomes se.exec_start). */
  offCpuMs?: number;
  /** Path argument of the syscall, as read from /proc/PID/mem at the given address. */
  mem?: { addr: string; text: string };
}

export interface ProcessSpec {
  pid: number;
  ppid?: number;
  uid?: number;
  cgroup?: string;
  kernelThread?: boolean;
  cwd?: string;
  mntNs?: string;
  mountinfo?: string;
  fds?: { fd: number; target: string; mntId?: number; flags?: string }[];
  maps?: string;
  threads: ThreadSpec[];
}

export interface SnapshotSpec {
  hostname: string;
  kernel: string;
  uptimeSec: number;
  time: string;
  loadavg?: string;
  processes: ProcessSpec[];
  netlink?: string;
  ss?: string;
  kmsg?: string[];
  passwd?: string;
  hungTask?: { timeoutSecs: number; detectCount: number; warnings: number };
}

/** Clock the synthetic sched files run on: "now" is the collector's own exec_start. */
const SCHED_NOW_MS = 100_000_000_000;

function statLine(p: ProcessSpec, t: ThreadSpec): string {
  const flags = p.kernelThread ? 0x00208040 : 0x00400040;
  // Fields 3..52 of /proc/PID/stat; only the ones wedgetop reads carry meaning here.
  const f: (string | number)[] = [t.state, p.ppid ?? 1, p.pid, p.pid, 0, -1, flags, 100, 0, 0, 0, 10, 5, 0, 0, 20, 0, 1, 0, 4_800_000, 10_000_000, 500];
  while (f.length < 50) f.push(0);
  return `${t.tid} (${t.comm}) ${f.join(' ')}\n`;
}

function write(file: string, text: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
}

export function writeSnapshotDir(dir: string, spec: SnapshotSpec): void {
  const P = (p: string): string => path.join(dir, p);
  write(P('meta.json'), JSON.stringify({ time: spec.time, hostname: spec.hostname, kernel: spec.kernel, uptimeSec: spec.uptimeSec, wedgetop: 'fixture' }, null, 2) + '\n');
  write(P('proc/uptime'), `${spec.uptimeSec.toFixed(2)} 100.00\n`);
  write(P('proc/loadavg'), `${spec.loadavg ?? '1.00 1.00 1.00 1/100 1000'}\n`);
  write(P('proc/sys/kernel/hostname'), spec.hostname + '\n');
  write(P('proc/sys/kernel/osrelease'), spec.kernel + '\n');
  const ht = spec.hungTask ?? { timeoutSecs: 120, detectCount: 0, warnings: 10 };
  write(P('proc/sys/kernel/hung_task_timeout_secs'), `${ht.timeoutSecs}\n`);
  write(P('proc/sys/kernel/hung_task_detect_count'), `${ht.detectCount}\n`);
  write(P('proc/sys/kernel/hung_task_warnings'), `${ht.warnings}\n`);
  write(P('proc/thread-self/sched'), `wedgetop (1, #threads: 1)\n---\nse.exec_start : ${SCHED_NOW_MS.toFixed(6)}\n`);
  if (spec.netlink !== undefined) write(P('proc/1/net/netlink'), spec.netlink);
  if (spec.ss !== undefined) write(P('ss-netlink.txt'), spec.ss);
  if (spec.kmsg) write(P('kmsg'), spec.kmsg.map((t, i) => `6,${1000 + i},${(spec.uptimeSec - 60 + i) * 1_000_000},-;${t}`).join('\n') + '\n');
  write(P('etc/passwd'), spec.passwd ?? 'root:x:0:0:root:/root:/bin/bash\n');
  for (const p of spec.processes) {
    const base = `proc/${p.pid}`;
    fs.mkdirSync(P(`${base}/task`), { recursive: true });
    if (p.cgroup !== undefined) write(P(`${base}/cgroup`), p.cgroup + '\n');
    if (!p.kernelThread) {
      if (p.mountinfo !== undefined) write(P(`${base}/mountinfo`), p.mountinfo);
      fs.mkdirSync(P(`${base}/ns`), { recursive: true });
      fs.symlinkSync(p.mntNs ?? 'mnt:[4026531841]', P(`${base}/ns/mnt`));
      if (p.cwd) fs.symlinkSync(p.cwd, P(`${base}/cwd`));
      fs.mkdirSync(P(`${base}/fd`), { recursive: true });
      for (const fd of p.fds ?? []) {
        fs.symlinkSync(fd.target, P(`${base}/fd/${fd.fd}`));
        write(P(`${base}/fdinfo/${fd.fd}`), `pos:\t0\nflags:\t${fd.flags ?? '0100001'}\nmnt_id:\t${fd.mntId ?? 1}\nino:\t12\n`);
      }
      if (p.maps) write(P(`${base}/maps`), p.maps);
    }
    for (const t of p.threads) {
      const tb = `${base}/task/${t.tid}`;
      write(P(`${tb}/stat`), t.statLine ? t.statLine.trim() + '\n' : statLine(p, t));
      write(P(`${tb}/status`), `Name:\t${t.comm}\nState:\t${t.state}\nTgid:\t${p.pid}\nPid:\t${t.tid}\nPPid:\t${p.ppid ?? 1}\nUid:\t${p.uid ?? 0}\t${p.uid ?? 0}\t${p.uid ?? 0}\t${p.uid ?? 0}\nNSpid:\t${t.tid}\n`);
      if (t.stack !== undefined) write(P(`${tb}/stack`), t.stack.trim().split('\n').map((l) => l.trim()).join('\n') + '\n');
      write(P(`${tb}/wchan`), t.wchan ?? (t.stack ? /\]\s*([\w.]+)\+/.exec(t.stack)?.[1] ?? '0' : '0'));
      write(P(`${tb}/syscall`), (t.syscall ?? '-1 0x7ffd00000000 0x7f0000000000') + '\n');
      const execStart = SCHED_NOW_MS - (t.offCpuMs ?? 0);
      write(P(`${tb}/sched`), `${t.comm} (${t.tid}, #threads: ${p.threads.length})\n---\nse.exec_start : ${execStart.toFixed(6)}\n`);
      if (t.mem) write(P(`mem/${t.tid}-${t.mem.addr}`), t.mem.text);
    }
  }
}
