// Fleet alerting with Prometheus as the engine: contrib/prometheus/wedgetop.rules.yml must load
// (`promtool check rules`) and fire on the recorded wedges (`promtool test rules`). The input
// series are the REAL `wedgetop --replay FIXTURE --prometheus -` output of each recorded wedge,
// repeated once a minute for as long as the scenario says the box stayed wedged; only the scan
// timestamp follows the simulated clock (a scan writes the time it ran).
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isRoot, wedgetop } from '../support/wedge.js';
import { specDir } from '../support/replay.js';

const RULES = path.resolve('contrib/prometheus/wedgetop.rules.yml');

const which = (cmd: string): string | undefined => {
  const r = spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
};
// A fresh CI machine (root, Debian): install what ships promtool and node_exporter, start no service.
if ((!which('promtool') || !which('prometheus-node-exporter')) && isRoot) {
  spawnSync('sh', ['scripts/ensure-debian-packages.sh', 'prometheus', 'prometheus-node-exporter'], { stdio: 'inherit', timeout: 600_000 });
}
const PROMTOOL = which('promtool');
const NODE_EXPORTER = which('prometheus-node-exporter');
if (!PROMTOOL) process.stderr.write('prometheus-rules: promtool not found and not root to install it (Debian package "prometheus"): skipped\n');

interface Sample {
  name: string;
  /** The label text as printed, without braces ('' for none). */
  labels: string;
  parsed: Record<string, string>;
  value: number;
}

function parseLabels(s: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of s.matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) out[m[1]!] = m[2]!.replace(/\\n/g, '\n').replace(/\\"/g, '"').replace(/\\\\/g, '\\');
  return out;
}

/** What `wedgetop --replay DIR --prometheus -` prints, parsed. */
function scrape(dir: string): Sample[] {
  const r = wedgetop(['--replay', dir, '--prometheus', '-']);
  expect([0, 1]).toContain(r.code);
  const out: Sample[] = [];
  for (const l of r.stdout.split('\n')) {
    const m = /^(\w+)(?:\{(.*)\})? (\S+)$/.exec(l);
    if (m) out.push({ name: m[1]!, labels: m[2] ?? '', parsed: parseLabels(m[2] ?? ''), value: Number(m[3]) });
  }
  expect(out.length).toBeGreaterThan(5);
  return out;
}

const TS = 'wedgetop_scan_timestamp_seconds';

interface Phase {
  samples: Sample[];
  minutes: number;
  /** false: the scans stopped; node_exporter keeps serving the last file. */
  scanning?: boolean;
}

/** input_series for one box (instance) going through the phases, one sample a minute. */
function seriesFor(instance: string, phases: Phase[]): { series: string; values: string }[] {
  const keys = new Map<string, string>();
  for (const ph of phases) for (const s of ph.samples) keys.set(`${s.name}{${s.labels}}`, `${s.name}{${s.labels ? `${s.labels},` : ''}instance="${instance}"}`);
  const values = new Map<string, string[]>([...keys.keys()].map((k) => [k, []]));
  let minute = 0;
  let last: Sample[] = [];
  let lastScan = 0;
  for (const ph of phases) {
    for (let i = 0; i < ph.minutes; i++, minute++) {
      const samples = ph.scanning === false ? last : ph.samples;
      if (ph.scanning !== false) lastScan = minute * 60;
      for (const k of keys.keys()) {
        const s = samples.find((x) => `${x.name}{${x.labels}}` === k);
        values.get(k)!.push(!s ? '_' : s.name === TS ? String(lastScan) : String(s.value));
      }
      if (ph.scanning !== false) last = ph.samples;
    }
  }
  return [...keys].map(([k, series]) => ({ series, values: values.get(k)!.join(' ') }));
}

interface AlertRule {
  severity: string;
  summary: string;
  description: string;
}

/** The alerts of the rules file, with the templates promtool will expand. */
function rulesOf(text: string): Map<string, AlertRule> {
  const out = new Map<string, AlertRule>();
  for (const block of text.split(/\n\s*- alert: /).slice(1)) {
    const name = block.split('\n')[0]!.trim();
    out.set(name, {
      severity: /severity: (\w+)/.exec(block)![1]!,
      summary: /summary: '(.*)'/.exec(block)![1]!,
      description: /description: '(.*)'/.exec(block)![1]!,
    });
  }
  return out;
}
const RULE = rulesOf(fs.readFileSync(RULES, 'utf8'));
const render = (t: string, labels: Record<string, string>): string => t.replace(/\{\{ \$labels\.(\w+) \}\}/g, (_m, k: string) => labels[k] ?? '');

function expected(alert: string, labels: Record<string, string>) {
  const r = RULE.get(alert)!;
  const all = { ...labels, severity: r.severity };
  return { exp_labels: all, exp_annotations: { summary: render(r.summary, all), description: render(r.description, all) } };
}

interface Check {
  at: number;
  alert: string;
  /** Label sets of the alerts expected to fire (none: nothing fires). */
  firing: Record<string, string>[];
}

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

function promtoolTest(name: string, input: { series: string; values: string }[], checks: Check[]): void {
  const test = {
    rule_files: [RULES],
    evaluation_interval: '1m',
    tests: [{
      name,
      interval: '1m',
      input_series: input,
      alert_rule_test: checks.map((c) => ({ eval_time: `${c.at}m`, alertname: c.alert, exp_alerts: c.firing.map((l) => expected(c.alert, l)) })),
    }],
  };
  const dir = fs.mkdtempSync(path.join('/dev/shm', `wedgetop-k-promtool-${process.pid}-`));
  dirs.push(dir);
  // JSON is YAML: promtool reads it as is.
  const file = path.join(dir, `${name.replace(/\W+/g, '-')}.test.yml`);
  fs.writeFileSync(file, JSON.stringify(test, null, 1));
  const r = spawnSync(PROMTOOL!, ['test', 'rules', file], { encoding: 'utf8', timeout: 60_000 });
  expect(r.stdout + r.stderr, name).toMatch(/SUCCESS/);
  expect(r.status, r.stdout + r.stderr).toBe(0);
}

const FIX = (f: string): string => path.resolve('test/fixtures', f);

/** A box where nothing is blocked: one daemon asleep in S, as a real scan of it prints. */
function healthyDir(): string {
  const d = specDir({
    hostname: 'calm', kernel: '6.18.44', uptimeSec: 4000, time: '2026-12-01T09:00:00.000Z',
    processes: [{ pid: 300, cwd: '/', mountinfo: '22 1 253:0 / / rw - ext4 /dev/vda rw\n', fds: [], threads: [{ tid: 300, comm: 'sshd', state: 'S', stack: '[<0>] do_select+0x6a4/0x830\n[<0>] core_sys_select+0x1d1/0x340' }] }],
  });
  dirs.push(d);
  return d;
}

/** The same recorded box one scan earlier, before the kernel's last hung-task report. */
function beforeLastReport(fixture: string): string {
  const d = fs.mkdtempSync(path.join('/dev/shm', `wedgetop-k-before-${process.pid}-`));
  dirs.push(d);
  fs.cpSync(FIX(fixture), d, { recursive: true, verbatimSymlinks: true });
  const f = path.join(d, 'proc/sys/kernel/hung_task_detect_count');
  fs.writeFileSync(f, `${Number(fs.readFileSync(f, 'utf8').trim()) - 1}\n`);
  return d;
}

describe.skipIf(!PROMTOOL)('Prometheus alerting rules (contrib/prometheus/wedgetop.rules.yml)', () => {
  it('promtool check rules accepts the file', () => {
    const out = execFileSync(PROMTOOL!, ['check', 'rules', RULES], { encoding: 'utf8' });
    expect(out).toMatch(/SUCCESS: 5 rules found/);
  });

  it('seed 000 (auditbeat deadlock): the cycle pages after two scans; 5 blocked tasks warn after 5 minutes', () => {
    const seed = scrape(FIX('seed-000'));
    expect(seed.find((s) => s.name === 'wedgetop_deadlock_cycles')!.value).toBe(1);
    const inst = { instance: 'k8s-node-17' };
    promtoolTest('seed-000', seriesFor('k8s-node-17', [{ samples: seed, minutes: 12 }]), [
      { at: 0, alert: 'WedgetopDeadlockCycle', firing: [] },
      { at: 2, alert: 'WedgetopDeadlockCycle', firing: [inst] },
      { at: 3, alert: 'WedgetopBlockedTasks', firing: [] },
      { at: 10, alert: 'WedgetopBlockedTasks', firing: [inst] },
      { at: 10, alert: 'WedgetopFrozenFilesystem', firing: [] },
      { at: 10, alert: 'WedgetopTextfileStale', firing: [] },
    ]);
  });

  it('seed 004 (auditd on a frozen /var): the frozen filesystem alert names the mount', () => {
    const seed = scrape(FIX('seed-004'));
    const rc = seed.find((s) => s.name === 'wedgetop_root_cause_blocked_tasks')!;
    expect(rc.parsed.kind).toBe('frozen-fs');
    promtoolTest('seed-004', seriesFor('rhel-db-02', [{ samples: seed, minutes: 12 }]), [
      { at: 1, alert: 'WedgetopFrozenFilesystem', firing: [] },
      { at: 3, alert: 'WedgetopFrozenFilesystem', firing: [{ ...rc.parsed, instance: 'rhel-db-02' }] },
      { at: 10, alert: 'WedgetopDeadlockCycle', firing: [] },
      { at: 10, alert: 'WedgetopBlockedTasks', firing: [{ instance: 'rhel-db-02' }] },
    ]);
  });

  it('frozen ext4 (real wedge on this kernel): frozen filesystem alert for /tmp/mnt1', () => {
    const rec = scrape(FIX('frozen-ext4'));
    const rc = rec.find((s) => s.name === 'wedgetop_root_cause_blocked_tasks')!;
    expect(rc.parsed.id).toBe('frozen-fs:/tmp/mnt1');
    promtoolTest('frozen-ext4', seriesFor('vm', [{ samples: rec, minutes: 6 }]), [
      { at: 5, alert: 'WedgetopFrozenFilesystem', firing: [{ ...rc.parsed, instance: 'vm' }] },
    ]);
  });

  it('a wedge that clears within M minutes does not warn, and a healthy box raises nothing', () => {
    const seed = scrape(FIX('seed-000'));
    const calm = scrape(healthyDir());
    expect(calm.find((s) => s.name === 'wedgetop_blocked_tasks')!.value).toBe(0);
    promtoolTest('short-wedge', seriesFor('k8s-node-17', [{ samples: seed, minutes: 3 }, { samples: calm, minutes: 10 }]), [
      { at: 8, alert: 'WedgetopBlockedTasks', firing: [] },
      { at: 8, alert: 'WedgetopDeadlockCycle', firing: [] },
    ]);
    promtoolTest('healthy', seriesFor('calm', [{ samples: calm, minutes: 20 }]),
      [...RULE.keys()].map((alert) => ({ at: 19, alert, firing: [] })));
  });

  it("the kernel's hung-task count rising warns; a count that stays put does not", () => {
    const before = scrape(beforeLastReport('seed-004'));
    const after = scrape(FIX('seed-004'));
    const count = (s: Sample[]): number => s.find((x) => x.name === 'wedgetop_hung_task_detect_count')!.value;
    expect(count(after)).toBe(count(before) + 1);
    promtoolTest('hung-task-rising', seriesFor('rhel-db-02', [{ samples: before, minutes: 5 }, { samples: after, minutes: 5 }]), [
      { at: 4, alert: 'WedgetopHungTaskReports', firing: [] },
      { at: 6, alert: 'WedgetopHungTaskReports', firing: [{ instance: 'rhel-db-02' }] },
    ]);
    const steady = scrape(FIX('frozen-ext4'));
    expect(count(steady)).toBeGreaterThan(0);
    promtoolTest('hung-task-steady', seriesFor('vm', [{ samples: steady, minutes: 20 }]), [
      { at: 19, alert: 'WedgetopHungTaskReports', firing: [] },
    ]);
  });

  it('the textfile going stale (scans stopped, node_exporter serves the old file) warns', () => {
    const calm = scrape(healthyDir());
    promtoolTest('stale', seriesFor('calm', [{ samples: calm, minutes: 10 }, { samples: calm, minutes: 30, scanning: false }]), [
      { at: 9, alert: 'WedgetopTextfileStale', firing: [] },
      { at: 14, alert: 'WedgetopTextfileStale', firing: [] },
      { at: 25, alert: 'WedgetopTextfileStale', firing: [{ instance: 'calm' }] },
    ]);
  });
});

describe.skipIf(!NODE_EXPORTER)('node_exporter reads the textfile wedgetop writes', () => {
  it('seed 004 as a textfile: every wedgetop metric exported, no scrape error', async () => {
    const dir = fs.mkdtempSync(path.join('/dev/shm', `wedgetop-k-textfile-${process.pid}-`));
    dirs.push(dir);
    expect(wedgetop(['--replay', FIX('seed-004'), '--prometheus', path.join(dir, 'wedgetop.prom')]).code).toBe(1);
    const port = 20000 + (process.pid % 20000);
    const child = spawn(NODE_EXPORTER!, ['--collector.disable-defaults', '--collector.textfile', `--collector.textfile.directory=${dir}`, `--web.listen-address=127.0.0.1:${port}`], { stdio: 'ignore' });
    try {
      let body = '';
      for (let i = 0; i < 100 && !body; i++) {
        try {
          body = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
        } catch {
          await new Promise((r) => setTimeout(r, 100));
        }
      }
      expect(body).toMatch(/^node_textfile_scrape_error 0$/m);
      for (const s of scrape(FIX('seed-004'))) expect(body, s.name).toContain(`${s.name}${s.labels ? `{${s.labels}}` : ''} `);
    } finally {
      child.kill('SIGKILL');
    }
  });
});

describe.skipIf(!which('dpkg-query'))('scripts/ensure-debian-packages.sh', () => {
  const run = (args: string[], asNobody = false) =>
    spawnSync(asNobody ? 'setpriv' : 'sh', [...(asNobody ? ['--reuid=65534', '--regid=65534', '--clear-groups', 'sh'] : []), 'scripts/ensure-debian-packages.sh', ...args], { encoding: 'utf8', timeout: 60_000 });

  it('does nothing when every package is installed, and needs at least one name', () => {
    expect(run(['coreutils'])).toMatchObject({ status: 0, stdout: '', stderr: '' });
    expect(run([]).status).toBe(2);
  });

  it.skipIf(!isRoot || !which('setpriv'))('without root it names what is missing and installs nothing', () => {
    const r = run(['coreutils', 'wedgetop-no-such-package'], true);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/missing Debian packages: wedgetop-no-such-package \(run as root/);
    expect(r.stderr).not.toMatch(/coreutils/);
  });
});
