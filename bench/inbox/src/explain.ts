import type { DataSource } from 'typeorm';
import type { Scenario } from './measure';

/**
 * EXPLAIN (ANALYZE, BUFFERS) of every statement one iteration of a scenario runs, exactly as the product
 * sends it: the product's queries are captured by wrapping DataSource.query for the timed call.
 */
export async function explainScenario(dataSource: DataSource, scenario: Scenario, iteration: number): Promise<string> {
  const timed = await scenario.prepare(iteration);
  const captured: { sql: string; args: unknown[] }[] = [];
  const original = dataSource.query.bind(dataSource);
  dataSource.query = (async (sql: string, args?: unknown[]) => {
    captured.push({ sql, args: args ?? [] });
    return original(sql, args);
  }) as DataSource['query'];
  try {
    await timed();
  } finally {
    dataSource.query = original;
  }
  const parts = [`=== ${scenario.group}: ${scenario.name} (${scenario.role}), iteration ${iteration}`];
  for (const { sql, args } of captured) {
    // The product's own EXPLAINs (a word's rarity, decision 0049) cannot be explained again: shown as sent.
    if (/^\s*EXPLAIN\b/i.test(sql)) {
      parts.push(`--- ${sql.replace(/\s+/g, ' ').slice(0, 300)}`, `--- args: ${JSON.stringify(args).slice(0, 300)}`);
      continue;
    }
    const rows = (await original(`EXPLAIN (ANALYZE, BUFFERS) ${sql}`, args)) as { 'QUERY PLAN': string }[];
    parts.push(`--- ${sql.replace(/\s+/g, ' ').slice(0, 300)}`, `--- args: ${JSON.stringify(args).slice(0, 300)}`, ...rows.map((r) => r['QUERY PLAN']));
  }
  return parts.join('\n');
}
