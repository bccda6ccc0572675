// The collector's CPU budget: a share of one core for everything it does (its refreshes, sending
// them, its garbage collection). The rotation, the only part that can be made smaller, gets what
// the rest of the last cycle left of it; the rest is measured, not assumed, because what sending
// a snapshot and collecting its garbage cost depends on the box.
export class CpuBudget {
  /** CPU µs per thread read by the rotation (moving average). */
  private costUs = 5;
  /** CPU µs a refresh cycle costs apart from its rotation (moving average). */
  private fixedUs?: number;
  private cycleStart?: NodeJS.CpuUsage;
  private rotationUs = 0;
  private rotationStart?: NodeJS.CpuUsage;

  /** share: of one core; 0 leaves the rotation its minimum only. */
  constructor(private readonly share: number) {}

  /** At the start of a refresh: what the whole last cycle cost, less its rotation. */
  beginCycle(): void {
    const cpu = process.cpuUsage();
    if (this.cycleStart) {
      const cycle = cpu.user - this.cycleStart.user + (cpu.system - this.cycleStart.system);
      const fixed = Math.max(0, cycle - this.rotationUs);
      this.fixedUs = this.fixedUs === undefined ? fixed : this.fixedUs * 0.7 + fixed * 0.3;
    }
    this.cycleStart = cpu;
    this.rotationUs = 0;
  }

  /** How many threads the rotation may read for dtMs of wall time (0 until a cycle was measured). */
  threadsFor(dtMs: number): number {
    const spareUs = this.share * dtMs * 1000 - (this.fixedUs ?? Infinity);
    return spareUs > 0 ? Math.floor(spareUs / Math.max(0.5, this.costUs)) : 0;
  }

  startRotation(): void {
    this.rotationStart = process.cpuUsage();
  }

  /** The rotation read `threads` threads since startRotation(). */
  endRotation(threads: number): void {
    const c = process.cpuUsage(this.rotationStart);
    this.rotationUs = c.user + c.system;
    // A few reads say little about the cost of one (the timer's resolution, one slow read).
    if (threads > 50) this.costUs = this.costUs * 0.7 + (this.rotationUs / threads) * 0.3;
  }
}
