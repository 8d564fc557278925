/*
 * What deploy/grafana/switchboard.json asks Prometheus for, and what the code registers, so tests can hold
 * the two together (test/ops/grafana-dashboard.spec.ts against the sources, test/e2e/metrics.e2e.spec.ts
 * against a running stack): a renamed metric or label breaks a test instead of a panel, silently.
 *
 *   node -r ./scripts/register.js test/support/dashboard-metrics.ts     lists the dashboard's metrics and labels
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';

const ROOT = join(__dirname, '..', '..');
export const DASHBOARD_FILE = join(ROOT, 'deploy', 'grafana', 'switchboard.json');

export interface DashboardQuery {
  panel: string;
  expr: string;
}

/** Every PromQL expression of the dashboard, with its panel's title (rows nest panels). */
export function dashboardQueries(file = DASHBOARD_FILE): DashboardQuery[] {
  const dashboard = JSON.parse(readFileSync(file, 'utf8')) as { panels?: Panel[] };
  const queries: DashboardQuery[] = [];
  const visit = (panels: Panel[] | undefined): void => {
    for (const panel of panels ?? []) {
      for (const target of panel.targets ?? []) if (target.expr) queries.push({ panel: panel.title ?? '?', expr: target.expr });
      visit(panel.panels);
    }
  };
  visit(dashboard.panels);
  return queries;
}

interface Panel {
  title?: string;
  targets?: { expr?: string }[];
  panels?: Panel[];
}

/** A metric an expression selects, with the label names its matchers use (`name{label="..."}`). */
export interface Selector {
  metric: string;
  labels: string[];
}

/** PromQL words that look like metric names but are not: operators, modifiers, aggregations and functions. */
const KEYWORDS = new Set(['and', 'or', 'unless', 'by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'bool', 'offset', 'inf', 'nan']);

/**
 * The metric selectors of a PromQL expression. A small scanner rather than a full parser: it drops string
 * literals, range and subquery brackets and grouping clauses (`by (...)`, `on (...)`, ...), takes an
 * identifier followed by `(` as a function or aggregation, and anything else as a metric name. Enough for
 * the expressions a dashboard uses; an expression it cannot read yields names that fail the check loudly.
 */
export function selectorsOf(expr: string): Selector[] {
  const selectors: Selector[] = [];
  let rest = expr.replace(/\[[^\]]*\]/g, ' ');
  rest = rest.replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  const token = /([a-zA-Z_:][a-zA-Z0-9_:]*)\s*(\{[^}]*\})?\s*(\()?|"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|\{[^}]*\}|[0-9.]+[a-z]*|./gs;
  for (const match of rest.matchAll(token)) {
    const [, name, matchers, call] = match;
    if (!name || KEYWORDS.has(name.toLowerCase())) continue;
    if (call && !matchers) continue; // sum(, rate(, histogram_quantile(, vector(
    const labels = [...(matchers ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)\s*(?:=~|!~|!=|=)/g)].map((m) => m[1]!);
    selectors.push({ metric: name, labels });
  }
  return selectors;
}

/** Label names an expression groups by (`by (...)`, `without (...)`, `on (...)`, `ignoring (...)`). */
export function groupingLabelsOf(expr: string): string[] {
  return [...expr.matchAll(/\b(?:by|without|on|ignoring)\s*\(([^)]*)\)/g)].flatMap((m) =>
    m[1]!
      .split(',')
      .map((label) => label.trim())
      .filter(Boolean),
  );
}

/** A metric registered in the code: its name, kind and declared label names. */
export interface RegisteredMetric {
  name: string;
  kind: 'counter' | 'gauge' | 'histogram' | 'summary';
  labels: string[];
  file: string;
}

const SOURCE_DIRS = ['services', 'gateway', 'libs'];

function sourceFiles(): string[] {
  const files: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (['node_modules', 'dist', 'test'].includes(entry.name)) continue;
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts')) files.push(path);
    }
  };
  for (const dir of SOURCE_DIRS) walk(join(ROOT, dir));
  return files;
}

/** The text of a call's argument list starting at `open` (the index of its `(`), braces and strings balanced. */
function argumentsAt(text: string, open: number): string {
  let depth = 0;
  let quote: string | undefined;
  for (let i = open; i < text.length; i++) {
    const c = text[i]!;
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = undefined;
      continue;
    }
    if (c === "'" || c === '"' || c === '`') quote = c;
    else if (c === '(' || c === '{' || c === '[') depth++;
    else if (c === ')' || c === '}' || c === ']') {
      depth--;
      if (depth === 0) return text.slice(open + 1, i);
    }
  }
  return text.slice(open + 1);
}

/**
 * Every prom-client metric the sources register: `new Counter|Gauge|Histogram|Summary({ name: '...' })`
 * with its `labelNames`, and the `<prefix>_outbox_backlog` gauges of `registerOutboxBacklogGauge` (the
 * prefix a literal, or a string constant of the same package).
 */
export function registeredMetrics(): RegisteredMetric[] {
  const metrics: RegisteredMetric[] = [];
  const files = sourceFiles();
  const texts = new Map(files.map((f) => [f, readFileSync(f, 'utf8')]));
  for (const [file, text] of texts) {
    const where = relative(ROOT, file);
    for (const match of text.matchAll(/new (Counter|Gauge|Histogram|Summary)\s*(?:<[^>]*>)?\s*\(/g)) {
      const args = argumentsAt(text, match.index + match[0].length - 1);
      const name = /\bname:\s*'([a-zA-Z_:][a-zA-Z0-9_:]*)'/.exec(args)?.[1];
      if (!name) continue; // a computed name (registerOutboxBacklogGauge's own) is handled below
      const labels = [.../\blabelNames:\s*\[([^\]]*)\]/.exec(args)?.[1]?.matchAll(/'([^']+)'/g) ?? []].map((m) => m[1]!);
      metrics.push({ name, kind: match[1]!.toLowerCase() as RegisteredMetric['kind'], labels, file: where });
    }
    for (const match of text.matchAll(/registerOutboxBacklogGauge\s*\(/g)) {
      const args = argumentsAt(text, match.index + match[0].length - 1);
      const literal = /\bprefix:\s*'([a-z_][a-z0-9_]*)'/.exec(args)?.[1];
      const constant = /\bprefix:\s*([A-Z_][A-Z0-9_]*)\b/.exec(args)?.[1];
      let prefix = literal;
      if (!prefix && constant) {
        const packageDir = where.split('/').slice(0, 2).join('/');
        for (const [other, otherText] of texts) {
          if (!relative(ROOT, other).startsWith(`${packageDir}/`)) continue;
          prefix ??= new RegExp(`const ${constant}\\s*(?::[^=]+)?=\\s*'([a-z_][a-z0-9_]*)'`).exec(otherText)?.[1];
        }
      }
      if (prefix) metrics.push({ name: `${prefix}_outbox_backlog`, kind: 'gauge', labels: [], file: where });
    }
  }
  return metrics;
}

/** The series names a registered metric exposes (a histogram's _bucket, _sum and _count). */
export function seriesNames(metric: RegisteredMetric): string[] {
  if (metric.kind === 'histogram') return [metric.name, `${metric.name}_bucket`, `${metric.name}_sum`, `${metric.name}_count`];
  if (metric.kind === 'summary') return [metric.name, `${metric.name}_sum`, `${metric.name}_count`];
  return [metric.name];
}

/** The metric a series belongs to: `x_bucket`, `x_sum`, `x_count` of a histogram or summary are `x`. */
export function baseMetricOf(series: string, known: ReadonlySet<string>): string {
  if (known.has(series)) return series;
  const base = series.replace(/_(bucket|sum|count)$/, '');
  return known.has(base) ? base : series;
}

if (require.main === module) {
  for (const { panel, expr } of dashboardQueries()) {
    process.stdout.write(`${panel}: ${selectorsOf(expr).map((s) => `${s.metric}${s.labels.length ? `{${s.labels.join(',')}}` : ''}`).join(' ')}\n`);
  }
}
