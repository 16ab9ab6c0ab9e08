import assert from 'node:assert/strict';
import type { TestNode } from './harness.ts';

/** One scrape of GET /metrics: each sample's value by its series (`name{label="value",…}` as printed). */
export type Scrape = Map<string, number>;

/** Scrapes a node's GET /metrics (failing the test unless it answers 200 in the Prometheus text format). */
export async function scrapeMetrics(node: TestNode, headers: Record<string, string> = {}): Promise<Scrape> {
  const response = await fetch(`${node.url}/metrics`, { headers });
  const text = await response.text();
  assert.equal(response.status, 200, text);
  assert.match(response.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
  const samples: Scrape = new Map();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    samples.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return samples;
}

/** A sample's value in a scrape (0 when the series is absent). */
export function sampleValue(samples: Scrape, series: string): number {
  return samples.get(series) ?? 0;
}

/** One series' value in a fresh scrape of the node (0 when absent). */
export async function metricValue(node: TestNode, series: string): Promise<number> {
  return sampleValue(await scrapeMetrics(node), series);
}
