// Kernel naming facts about the threads that do a block device's work, seen on 6.18: a loop
// device's I/O runs in a kworker of the workqueue "loopN", whose comm shows "+loopN" while it
// runs that work ("-loopN" once it is done: only "+" means it is busy with it now); an ext4
// journal is served by the kernel thread "jbd2/<device>-<journal inode>" (jbd2/loop1-8, jbd2/sda1-8).

/** The loop device a kworker is running work for right now ("kworker/u8:1+loop1" -> "loop1"). */
export function loopOfWorker(comm: string): string | undefined {
  return /^kworker\/[^+]*\+(loop\d+)$/.exec(comm)?.[1];
}

/** The device an ext4 journal thread serves ("jbd2/loop1-8" -> "loop1"; "jbd2/dm-0-8" -> "dm-0"). */
export function deviceOfJournalThread(comm: string): string | undefined {
  return /^jbd2\/(.+)-\d+$/.exec(comm)?.[1];
}

/** The journal thread's comm prefix for a device (comm is cut at 15 characters). */
export function journalThreadMatches(comm: string, device: string): boolean {
  const full = `jbd2/${device}-`;
  return comm.startsWith(full) || (comm.length === 15 && full.startsWith(comm));
}

/** Overlayfs superblock options that name the directory written to (mountinfo, after the source). */
export const OVERLAY_UPPER_OPTION = 'upperdir';
