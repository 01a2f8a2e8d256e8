/**
 * Just enough of the Prometheus text format to read the Temporal SDK's and server's own metrics:
 * samples with labels, and histograms summarised as a mean and an estimated percentile.
 */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export async function scrape(url: string): Promise<Sample[]> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`GET ${url} answered ${response.status}`);
  return parsePrometheus(await response.text());
}

export function parsePrometheus(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][\w:]*)(\{(.*)\})?\s+(\S+)/.exec(line);
    if (!match) continue;
    const labels: Record<string, string> = {};
    for (const pair of (match[3] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[pair[1]!] = pair[2]!;
    samples.push({ name: match[1]!, labels, value: Number(match[4]) });
  }
  return samples;
}

type LabelFilter = Record<string, string>;

/** The server's persistence calls between two scrapes of its metrics; undefined without them (a server this bench did not start). */
export function persistenceCallsBetween(before: Sample[] | undefined, after: Sample[] | undefined): number | undefined {
  return before && after ? total(after, 'persistence_requests') - total(before, 'persistence_requests') : undefined;
}

function matches(sample: Sample, name: string, filter: LabelFilter): boolean {
  return sample.name === name && Object.entries(filter).every(([k, v]) => sample.labels[k] === v);
}

export function total(samples: Sample[], name: string, filter: LabelFilter = {}): number {
  return samples.filter((s) => matches(s, name, filter)).reduce((sum, s) => sum + s.value, 0);
}

/** Values of one label present on a metric, e.g. every activity_type seen. */
export function labelValues(samples: Sample[], name: string, label: string): string[] {
  return [...new Set(samples.filter((s) => s.name === name && s.labels[label] !== undefined).map((s) => s.labels[label]!))].sort();
}

export interface HistogramSummary {
  count: number;
  mean: number;
  /** Upper bound of the bucket holding the 95th percentile. */
  p95: number;
}

/**
 * A histogram's count, mean and 95th percentile, optionally as the difference between two scrapes
 * (`before`), so a long-running server's earlier traffic does not blur one burst's figures.
 */
export function histogram(after: Sample[], name: string, filter: LabelFilter = {}, before: Sample[] = []): HistogramSummary {
  const diff = (suffix: string, extra: LabelFilter = {}) => total(after, `${name}${suffix}`, { ...filter, ...extra }) - total(before, `${name}${suffix}`, { ...filter, ...extra });
  const count = diff('_count');
  const sum = diff('_sum');
  const bounds = [...new Set(after.filter((s) => matches(s, `${name}_bucket`, filter)).map((s) => s.labels.le!))]
    .map((le) => ({ le, bound: le === '+Inf' ? Infinity : Number(le) }))
    .sort((a, b) => a.bound - b.bound);
  let p95 = NaN;
  for (const { le, bound } of bounds) {
    if (diff('_bucket', { le }) >= 0.95 * count) {
      p95 = bound;
      break;
    }
  }
  return { count, mean: count > 0 ? sum / count : NaN, p95 };
}
