// What every mode is given: the parsed command line (parsed by src/cli.ts, which owns the flags
// table). A module of its own so that the modes (src/app/fix.ts, src/ui/run.tsx) need not import
// the entry file that imports them.
import type { RemedyAction } from '../model.js';

export interface Options {
  once: boolean;
  json: boolean;
  record?: string;
  replay?: string;
  intervalMs: number;
  timeoutMs: number;
  readOnly: boolean;
  dryRun: boolean;
  fix?: string;
  action?: RemedyAction;
  yes: boolean;
  graceMs: number;
  log?: string;
  noColor: boolean;
  prometheus?: string;
  /** --bundle: '' for the default name on a tmpfs. */
  bundle?: string;
  redact?: boolean;
}

/** A command line that cannot be obeyed: printed as "wedgetop: ..." with exit status 2. */
export class UsageError extends Error {}
