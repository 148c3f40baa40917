// The bench's output: one table on stdout, and the same figures in bench-results.json with what is
// needed to compare two runs (machine, Node, commit, which server entry).
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { cpus, release, totalmem } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './processes.ts';

export interface Goal {
  /** What the goal is about: the ratio to the baseline, or the value itself. */
  on: 'ratio' | 'value';
  op: '>=' | '<=';
  target: number;
}

export interface Figure {
  key: string;
  label: string;
  /** null: not measured in this run (see note). */
  value: number | null;
  unit: string;
  baseline?: { label: string; value: number };
  goal?: Goal;
  note?: string;
}

const ratioOf = (f: Figure) => (f.baseline && f.value !== null ? f.value / f.baseline.value : undefined);

function met(f: Figure): boolean | undefined {
  if (!f.goal || f.value === null) return undefined;
  const x = f.goal.on === 'ratio' ? ratioOf(f) : f.value;
  if (x === undefined) return undefined;
  return f.goal.op === '>=' ? x >= f.goal.target : x <= f.goal.target;
}

const num = (x: number) => (Math.abs(x) >= 100 ? x.toFixed(0) : Math.abs(x) >= 10 ? x.toFixed(1) : x.toFixed(2));
const goalText = (g: Goal) => `${g.on === 'ratio' ? 'ratio' : 'value'} ${g.op === '>=' ? '≥' : '≤'} ${g.target}`;

export function printTable(figures: Figure[]): void {
  const rows = figures.map((f) => {
    const r = ratioOf(f);
    const m = met(f);
    return [
      f.label,
      f.value === null ? 'n/a' : `${num(f.value)} ${f.unit}`,
      f.baseline ? `${num(f.baseline.value)} (${f.baseline.label})` : '',
      r === undefined ? '' : r.toFixed(2),
      f.goal ? goalText(f.goal) : '',
      m === undefined ? '' : m ? 'yes' : 'NO',
    ];
  });
  const head = ['figure', 'value', 'baseline', 'ratio', 'goal', 'met?'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join(' | ');
  console.log(line(head));
  console.log(widths.map((w) => '-'.repeat(w)).join('-|-'));
  for (const r of rows) console.log(line(r));
  for (const f of figures.filter((x) => x.note)) console.log(`  ${f.key}: ${f.note}`);
}

function gitCommit(): string {
  try {
    const head = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain'], { cwd: ROOT, encoding: 'utf8' }).trim() !== '';
    return dirty ? `${head} (with uncommitted changes)` : head;
  } catch {
    return 'unknown';
  }
}

export function writeResults(figures: Figure[], run: Record<string, unknown>): string {
  const file = join(ROOT, 'bench-results.json');
  const machine = {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model,
    memoryGb: Math.round(totalmem() / 2 ** 30),
    kernel: release(),
  };
  const results = {
    date: new Date().toISOString(),
    node: process.version,
    commit: gitCommit(),
    machine,
    ...run,
    figures: figures.map((f) => ({ ...f, ratio: ratioOf(f) ?? null, met: met(f) ?? null })),
  };
  writeFileSync(file, JSON.stringify(results, null, 2) + '\n');
  return file;
}
