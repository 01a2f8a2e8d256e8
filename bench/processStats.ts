import fs from 'node:fs';

/** CPU time and memory of another process, read from /proc (Linux), so a figure is that process's alone. */
export interface ProcessSample {
  cpuSeconds: number;
  rssMb: number;
  /** The kernel's high-water mark of resident memory since the process started (VmHWM). */
  peakRssMb: number;
}

// USER_HZ: the unit of utime/stime in /proc/<pid>/stat; 100 on every mainstream Linux build.
const TICKS_PER_SECOND = 100;

export function sampleProcess(pid: number): ProcessSample {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may contain spaces; the fields after its closing parenthesis are fixed.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0);
  return { cpuSeconds: (utime + stime) / TICKS_PER_SECOND, rssMb: kb('VmRSS') / 1024, peakRssMb: kb('VmHWM') / 1024 };
}

/**
 * Follows a process through a measured window: CPU seconds used inside it, and the largest resident
 * size seen in it (sampled every 100 ms) next to the lifetime peak, which includes start-up.
 */
export function watchProcess(pid: number): { stop(): { cpuSeconds: number; peakRssMb: number; lifetimePeakRssMb: number } } {
  const first = sampleProcess(pid);
  let peakRssMb = first.rssMb;
  let last = first;
  const timer = setInterval(() => {
    try {
      last = sampleProcess(pid);
      peakRssMb = Math.max(peakRssMb, last.rssMb);
    } catch {
      // The process ended; keep the last sample.
    }
  }, 100);
  return {
    stop() {
      clearInterval(timer);
      try {
        last = sampleProcess(pid);
        peakRssMb = Math.max(peakRssMb, last.rssMb);
      } catch {
        // Gone already.
      }
      return { cpuSeconds: last.cpuSeconds - first.cpuSeconds, peakRssMb, lifetimePeakRssMb: last.peakRssMb };
    },
  };
}

/** CPU seconds of a process and its children (PostgreSQL: the postmaster and its backends). */
export function processTreeCpuSeconds(rootPid: number): number {
  let cpu = 0;
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(entry) === rootPid || Number(fields[1]) === rootPid) cpu += (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
    } catch {
      // Ended while we looked.
    }
  }
  return cpu;
}
