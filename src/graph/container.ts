// Which container a task runs in, from /proc/PID/cgroup. Only names are parsed; no runtime is asked.

const PATTERNS: [RegExp, (m: RegExpExecArray) => string][] = [
  [/docker-([0-9a-f]{12})[0-9a-f]*\.scope/, (m) => `docker:${m[1]}`],
  [/\/docker\/([0-9a-f]{12})[0-9a-f]*/, (m) => `docker:${m[1]}`],
  [/(?:cri-containerd|crio|containerd)-([0-9a-f]{12})[0-9a-f]*\.scope/, (m) => `cri:${m[1]}`],
  [/kubepods[^\n]*?pod([0-9a-f_-]{8})[0-9a-f_-]*[./]/, (m) => `k8s-pod:${m[1]}`],
  [/libpod-([0-9a-f]{12})[0-9a-f]*\.scope/, (m) => `podman:${m[1]}`],
  [/\/lxc(?:\.payload)?[./]([^/\n]+)/, (m) => `lxc:${m[1]}`],
  [/machine-([^/\n]+)\.scope/, (m) => `machine:${m[1]!.replace(/\\x2d/g, '-')}`],
];

export function containerOf(cgroup: string | undefined): string | undefined {
  if (!cgroup) return undefined;
  for (const [re, f] of PATTERNS) {
    const m = re.exec(cgroup);
    if (m) return f(m);
  }
  return undefined;
}
