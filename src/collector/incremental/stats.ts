// What one incremental refresh did, for tests and the benchmark.

export interface RefreshStats {
  full: boolean;
  escalated: boolean;
  listed: boolean;
  probes: number;
  hot: number;
  rotated: number;
  statReads: number;
  relisted: number;
  detailHits: number;
  threads: number;
  heldFds: number;
}

export function emptyStats(): RefreshStats {
  return {
    full: false, escalated: false, listed: false, probes: 0, hot: 0, rotated: 0, statReads: 0, relisted: 0,
    detailHits: 0, threads: 0, heldFds: 0,
  };
}
