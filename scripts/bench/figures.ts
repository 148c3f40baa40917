// What each measurement becomes in the table: value, baseline, goal (issue #15) and a note that says
// how it was measured.
import { percentile, type Rate } from './load.ts';
import type { CreateLatency, HeldStreamsMemory, Paired, StreamFigures } from './phases.ts';
import type { Figure } from './report.ts';

const refused = (who: string, r: Rate) =>
  Object.keys(r.refused).length > 0 ? `${who} refused or failed: ${JSON.stringify(r.refused)}` : undefined;
const join = (...parts: Array<string | undefined>) => parts.filter(Boolean).join('; ');

/** A rate against the bare app's rate measured in the slices between its own. */
export function rateFigure(key: string, label: string, p: Paired, minRatio: number): Figure {
  const r = p.sliceRatios;
  return {
    key,
    label,
    value: p.measured.perSecond,
    unit: '/s',
    baseline: { label: 'bare Express', value: p.base.perSecond },
    goal: { on: 'ratio', op: '>=', target: minRatio },
    note: join(
      `${r.length} slices of ${p.measured.seconds.toFixed(1)} s in all, ratio per slice ${Math.min(...r).toFixed(2)}-${Math.max(...r).toFixed(2)}`,
      refused('server', p.measured),
      refused('bare', p.base),
    ),
  };
}

export const idleRssFigure = (bffMb: number, bareMb: number): Figure => ({
  key: 'idle_rss_mb',
  label: 'idle RSS of the server',
  value: bffMb,
  unit: 'MB',
  baseline: { label: 'bare Express', value: bareMb },
  goal: { on: 'value', op: '<=', target: 70 },
});

export const createFigure = (c: CreateLatency): Figure => ({
  key: 'create_added_p50_ms',
  label: 'create payment: p50 added to DOKU',
  value: c.addedP50,
  unit: 'ms',
  baseline: { label: 'simulator p50 ms', value: c.simulatorP50 },
  goal: { on: 'value', op: '<=', target: 2 },
  note: `p50 ${c.bffP50.toFixed(2)} ms through the BFF, ${c.simulatorP50.toFixed(2)} ms straight to the simulator; ${c.samples} sequential pairs after ${c.warm} to warm up`,
});

export function streamFigures(s: StreamFigures, wanted: number, burstConcurrency: number): Figure[] {
  const added = (m: HeldStreamsMemory) => ((m.rssAfterMb - m.rssBeforeMb) * wanted) / m.opened;
  const perStream = (m: HeldStreamsMemory) => (((m.rssAfterMb - m.rssBeforeMb) * 1024) / m.opened).toFixed(1);
  const scaled = s.opened < wanted ? ` (only ${s.opened} held, by the open-files limit: scaled linearly)` : '';
  const b = s.burst;
  return [
    {
      key: 'streams_rss_added_mb',
      label: `RSS added by ${wanted} open streams`,
      value: added(s),
      unit: 'MB',
      baseline: { label: 'bare Node http', value: added(s.bare) },
      goal: { on: 'value', op: '<=', target: 100 },
      note:
        `${s.rssBeforeMb.toFixed(0)} -> ${s.rssAfterMb.toFixed(0)} MB, ${perStream(s)} KB a stream; ${s.opened} opened in ` +
        `${s.openSeconds.toFixed(1)} s${scaled}; bare Node http ${s.bare.rssBeforeMb.toFixed(0)} -> ` +
        `${s.bare.rssAfterMb.toFixed(0)} MB, ${perStream(s.bare)} KB a stream`,
    },
    {
      key: 'burst_event_p99_ms',
      label: `burst of ${b.sendToEvent.length + b.lost}: notification sent -> event, p99`,
      value: percentile(b.sendToEvent, 99),
      unit: 'ms',
      goal: { on: 'value', op: '<=', target: 50 },
      note:
        `p50 ${percentile(b.sendToEvent, 50).toFixed(1)} ms, max ${Math.max(...b.sendToEvent).toFixed(1)} ms; ${burstConcurrency} connections, ${b.seconds.toFixed(2)} s in all; ${b.beforeAck} events came before their 200; lost ${b.lost}; ` +
        `the bench's own collector paused ${b.clientGcMs.length} times, ${b.clientGcMs.reduce((a, x) => a + x, 0).toFixed(0)} ms in all, ` +
        `longest ${Math.max(0, ...b.clientGcMs).toFixed(1)} ms`,
    },
  ];
}

export const skippedFigure = (key: string, label: string, minRatio: number, why: string): Figure => ({
  key,
  label,
  value: null,
  unit: '/s',
  goal: { on: 'ratio', op: '>=', target: minRatio },
  note: `skipped: ${why}`,
});
