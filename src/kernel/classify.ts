// Match a task's kernel stack against the signature table. Pure: the table is the knowledge.
import type { Frame, WaitSite } from '../model.js';
import { formatFrame, matchesFrame } from './frame.js';
import { SIGNATURES, UNKNOWN_SIGNATURE, WAIT_PRIMITIVES, type FramePattern, type Signature } from './signatures.js';

/** How far below the site the path-in checks (callers / notCallers) look. */
const CALLER_DEPTH = 4;

export function matches(func: string, pats: FramePattern[]): boolean {
  return matchesFrame(func, pats);
}

/** Index of the first frame that is not a generic sleep/lock primitive. */
export function siteIndex(stack: Frame[]): number {
  let i = 0;
  while (i < stack.length - 1 && matches(stack[i]!.func, WAIT_PRIMITIVES)) i++;
  return i;
}

function rowMatches(sig: Signature, stack: Frame[], i: number): boolean {
  const f = stack[i]!;
  if (!matches(f.func, sig.at)) return false;
  if (sig.offsetFraction && f.size > 0) {
    const frac = f.offset / f.size;
    if (frac < sig.offsetFraction[0] || frac >= sig.offsetFraction[1]) return false;
  }
  const below = stack.slice(i + 1, i + 1 + CALLER_DEPTH).map((x) => x.func);
  if (sig.callers && !below.some((fn) => matches(fn, sig.callers!))) return false;
  if (sig.notCallers && below.some((fn) => matches(fn, sig.notCallers!))) return false;
  if (sig.via && !stack.slice(i + 1).some((x) => matches(x.func, sig.via!))) return false;
  return true;
}

/**
 * Classify one stack. Returns undefined for an empty stack (unreadable or a running task).
 * The site frame is the first non-primitive frame; a signature may also match one frame lower
 * when the top frame is a helper the table does not name (e.g. percpu_rwsem_wait under a
 * visible __percpu_down_read).
 */
export function classifyStack(stack: Frame[] | undefined, wchan?: string): WaitSite | undefined {
  if (!stack || stack.length === 0) {
    if (!wchan || wchan === '0') return undefined;
    // Without a stack (not root) wchan is the best we have: match on the function alone.
    const fake: Frame[] = [{ func: wchan, offset: 0, size: 0 }];
    const sig = SIGNATURES.find((s) => !s.callers && !s.via && rowMatches({ ...s, offsetFraction: undefined }, fake, 0));
    return {
      signature: sig?.id ?? `unknown:${wchan}`,
      site: wchan,
      func: wchan,
      offset: 0,
      size: 0,
      frameIndex: 0,
      resource: sig?.resource ?? 'unknown',
    };
  }
  const start = siteIndex(stack);
  for (let i = start; i < Math.min(stack.length, start + 2); i++) {
    for (const sig of SIGNATURES) {
      if (rowMatches(sig, stack, i)) {
        return { signature: sig.id, ...siteFrame(stack[i]!), frameIndex: i, resource: sig.resource };
      }
    }
  }
  const f = stack[start]!;
  return {
    signature: `${UNKNOWN_SIGNATURE.id}:${f.func}`,
    ...siteFrame(f),
    frameIndex: start,
    resource: UNKNOWN_SIGNATURE.resource,
  };
}

function siteFrame(f: Frame): Pick<WaitSite, 'site' | 'func' | 'offset' | 'size' | 'module'> {
  const s: Pick<WaitSite, 'site' | 'func' | 'offset' | 'size' | 'module'> = { site: formatFrame(f), func: f.func, offset: f.offset, size: f.size };
  if (f.module) s.module = f.module;
  return s;
}

/** "func+0xOFF" (no size): where in the function a task sleeps, short enough for a chain line. */
export function siteAt(s: Pick<WaitSite, 'func' | 'offset' | 'size'>): string {
  return s.size ? `${s.func}+0x${s.offset.toString(16)}` : s.func;
}

export function signatureOf(site: WaitSite): Signature {
  return SIGNATURES.find((s) => s.id === site.signature) ?? UNKNOWN_SIGNATURE;
}

/** Does the stack pass through any of these functions (below the top frame)? */
export function stackPassesThrough(stack: Frame[] | undefined, funcs: string[]): Frame | undefined {
  return stack?.slice(1).find((f) => funcs.includes(f.func));
}
