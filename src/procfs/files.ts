// The per-task and per-process files a snapshot reads, each declared once: where it is, how it is
// read, and how long what it said stays true. The live collector reuses a file between refreshes
// only as its declaration here allows (src/collector/incremental/refresh-source.ts); a read by
// plain path is never reused. Whether a file may be reused is a fact about the kernel's file,
// so it is stated here, next to the file, not guessed later from the shape of its path.

/**
 * How long a read stays true.
 *  - 'until-task-runs': only the task itself changes it, by running. Its schedstat (run time and
 *    run count) moves whenever it runs, so an unchanged schedstat proves the file unchanged.
 *  - 'until-process-runs': any thread of the process changes it (they share the fd table, the
 *    fs_struct, the mm): unchanged while no thread of it has run.
 *  - 'once-per-rotation': someone else changes it and nothing here sees that happen: re-read at
 *    least once per rotation (the bound on how long any thread goes unread), like a thread that
 *    did not run.
 *  - 'every-read': anyone may change it at any time; never reused.
 */
export type Reuse = 'until-task-runs' | 'until-process-runs' | 'once-per-rotation' | 'every-read';

type TaskFileKind = 'task-stat' | 'task-stack' | 'task-wchan' | 'task-syscall' | 'task-status' | 'task-sched';
type ProcFileKind = 'proc-cgroup' | 'proc-fds' | 'proc-cwd' | 'proc-mnt-ns' | 'proc-maps' | 'proc-mountinfo';

/** One read of a declared file. */
export type ProcFile =
  | { kind: TaskFileKind; pid: number; tid: number }
  | { kind: 'task-mem-string'; pid: number; tid: number; addr: bigint }
  | { kind: ProcFileKind; pid: number }
  | { kind: 'proc-fd' | 'proc-fdinfo'; pid: number; fd: string }
  | { kind: 'passwd' };

export type FileKind = ProcFile['kind'];
export type FileOf<K extends FileKind> = ProcFile & { kind: K };

/** A directory listing is a list; everything else one text, undefined when it could not be read. */
export type FileValue<F extends ProcFile> = F['kind'] extends 'proc-fds' ? string[] : string | undefined;

/** What a source does with a declared file: read it, read the link, list the directory, or read task memory. */
export type FileOp = 'read' | 'readlink' | 'list' | 'mem';

export interface FileDecl<K extends FileKind> {
  op: FileOp;
  reuse: Reuse;
  path(f: FileOf<K>): string;
}

const task = (name: string) => (f: { pid: number; tid: number }): string => `/proc/${f.pid}/task/${f.tid}/${name}`;
const proc = (name: string) => (f: { pid: number }): string => `/proc/${f.pid}/${name}`;

export const PROC_FILES: { readonly [K in FileKind]: FileDecl<K> } = {
  // A sleeping task's state changes when it is woken, before it has run.
  'task-stat': { op: 'read', reuse: 'every-read', path: task('stat') },
  // The kernel stack, wait channel, syscall registers and sched times of a task that has not run
  // since are the ones it went to sleep with.
  'task-stack': { op: 'read', reuse: 'until-task-runs', path: task('stack') },
  'task-wchan': { op: 'read', reuse: 'until-task-runs', path: task('wchan') },
  'task-syscall': { op: 'read', reuse: 'until-task-runs', path: task('syscall') },
  'task-sched': { op: 'read', reuse: 'until-task-runs', path: task('sched') },
  // TracerPid changes when another task attaches with ptrace, and a task in D is attached
  // without running (the SIGSTOP waits): the task's own schedstat cannot vouch for it.
  'task-status': { op: 'read', reuse: 'once-per-rotation', path: task('status') },
  // The path argument the syscall was entered with: the kernel copied it (getname) before the
  // task slept, so what the copy says cannot change until the task runs, whatever a sibling
  // thread writes into the buffer since.
  'task-mem-string': { op: 'mem', reuse: 'until-task-runs', path: (f) => `/proc/${f.pid}/task/${f.tid}/mem` },
  // The fd table, cwd (fs_struct), namespaces and mm are shared by the threads of a process.
  'proc-fds': { op: 'list', reuse: 'until-process-runs', path: proc('fd') },
  'proc-fd': { op: 'readlink', reuse: 'until-process-runs', path: (f) => `/proc/${f.pid}/fd/${f.fd}` },
  'proc-fdinfo': { op: 'read', reuse: 'until-process-runs', path: (f) => `/proc/${f.pid}/fdinfo/${f.fd}` },
  'proc-cwd': { op: 'readlink', reuse: 'until-process-runs', path: proc('cwd') },
  'proc-mnt-ns': { op: 'readlink', reuse: 'until-process-runs', path: proc('ns/mnt') },
  'proc-maps': { op: 'read', reuse: 'until-process-runs', path: proc('maps') },
  // Anyone with the right can move a process to another cgroup; nothing the process does shows it.
  'proc-cgroup': { op: 'read', reuse: 'once-per-rotation', path: proc('cgroup') },
  // Any task of the namespace can mount or unmount at any time, and a frozen mount is the news.
  'proc-mountinfo': { op: 'read', reuse: 'every-read', path: proc('mountinfo') },
  // Users are added by whoever edits the file.
  passwd: { op: 'read', reuse: 'once-per-rotation', path: () => '/etc/passwd' },
};

export function declOf<F extends ProcFile>(f: F): FileDecl<F['kind']> {
  return PROC_FILES[f.kind] as FileDecl<F['kind']>;
}

export function pathOf(f: ProcFile): string {
  return declOf(f).path(f as never);
}

/** The reads a declared file is served by (what every ProcSource has). */
export interface PathReader {
  read(p: string): string | undefined;
  readlink(p: string): string | undefined;
  list(p: string): string[];
  readMemString(pid: number, tid: number, addr: bigint): string | undefined;
}

/** A source that serves declared files itself (the live collector's, which may reuse them). */
export interface FileReader {
  file<F extends ProcFile>(f: F): FileValue<F>;
}

/** The declared file, read by its path. */
export function readByPath<F extends ProcFile>(src: PathReader, f: F): FileValue<F> {
  const d = declOf(f);
  const p = d.path(f as never);
  switch (d.op) {
    case 'read':
      return src.read(p) as FileValue<F>;
    case 'readlink':
      return src.readlink(p) as FileValue<F>;
    case 'list':
      return src.list(p) as FileValue<F>;
    case 'mem': {
      const m = f as FileOf<'task-mem-string'>;
      return src.readMemString(m.pid, m.tid, m.addr) as FileValue<F>;
    }
  }
}

/** Read a declared file: through the source's own file() when it has one, else by its path. */
export function readFile<F extends ProcFile>(src: PathReader & Partial<FileReader>, f: F): FileValue<F> {
  return src.file ? src.file(f) : readByPath(src, f);
}
