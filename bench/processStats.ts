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

/**
 * CPU seconds of a process and its children, ended ones included (PostgreSQL: the postmaster and its
 * backends). A backend that exits between two readings leaves the live sum, so its time is read from
 * where the kernel moves it when the parent reaps it: the parent's cutime and cstime. Summing live
 * children alone made a burst with short-lived connections come out negative.
 */
export function processTreeCpuSeconds(rootPid: number): number {
  let cpu = 0;
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const own = Number(fields[11]) + Number(fields[12]);
      if (Number(entry) === rootPid) cpu += (own + Number(fields[13]) + Number(fields[14])) / TICKS_PER_SECOND;
      else if (Number(fields[1]) === rootPid) cpu += own / TICKS_PER_SECOND;
    } catch {
      // Ended while we looked: the parent's cutime holds it from now on.
    }
  }
  return cpu;
}

/** CPU seconds per thread of a process, keyed `tid name` (the main thread's tid is the pid). */
export function threadCpuSeconds(pid: number): Map<string, number> {
  const threads = new Map<string, number>();
  for (const tid of fs.readdirSync(`/proc/${pid}/task`)) {
    try {
      const name = fs.readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim();
      const stat = fs.readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      threads.set(`${tid} ${name}`, (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND);
    } catch {
      // The thread ended.
    }
  }
  return threads;
}

/**
 * A worker's CPU time by kind of thread, between two readings: its main JavaScript thread (activities,
 * the SDK's bridge), the Rust threads of the Temporal core (tokio), V8's helper threads (garbage
 * collection, compiling; node starts four, right after the main thread), and the other node threads
 * (the workflow thread, where workflow code runs, and libuv's pool).
 */
export function threadBreakdown(pid: number, before: Map<string, number>, after: Map<string, number>): Record<string, number> {
  const kinds: Record<string, number> = {};
  const helpers = new Set(
    [...after.keys()]
      .map((key) => key.split(' '))
      .filter(([tid, name]) => Number(tid) !== pid && name === 'node')
      .map(([tid]) => Number(tid))
      .sort((a, b) => a - b)
      .slice(0, 4),
  );
  for (const [key, cpu] of after) {
    const used = cpu - (before.get(key) ?? 0);
    const [tid, name = ''] = key.split(' ');
    const kind =
      Number(tid) === pid ? 'main JS thread' : /^(tokio|temporal|workflow)/.test(name) ? 'Temporal core (Rust)' : helpers.has(Number(tid)) ? 'V8 helper threads (GC)' : 'workflow thread and libuv pool';
    kinds[kind] = (kinds[kind] ?? 0) + used;
  }
  return kinds;
}

/**
 * CPU used per 5 s from now, in cores, by each part `read` names (cumulative CPU seconds each): set
 * beside NetSuite's use by 5 s, it shows which part was busy when NetSuite sat idle.
 */
export function sampleCpuBy5s(read: () => Record<string, number>): { stop(): Record<string, number[]> } {
  const startedAt = Date.now();
  let last = { at: startedAt, cpu: read() };
  const series: Record<string, number[]> = Object.fromEntries(Object.keys(last.cpu).map((part) => [part, []]));
  const sample = () => {
    const now = { at: Date.now(), cpu: read() };
    const seconds = (now.at - last.at) / 1000;
    if (seconds <= 0) return;
    for (const part of Object.keys(series)) series[part]!.push((now.cpu[part]! - last.cpu[part]!) / seconds);
    last = now;
  };
  const timer = setInterval(sample, 5_000);
  return {
    stop() {
      clearInterval(timer);
      // The last, partial 5 s, unless it is too short to say anything.
      if (Date.now() - last.at >= 1_000) sample();
      return series;
    },
  };
}
