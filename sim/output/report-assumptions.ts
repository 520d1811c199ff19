import { scopeColumn } from '../metrics/summary.js';
import { formatFigure, formatHeadroom } from './format.js';
import { num, scopeNames, type ResultsFolder } from './report-data.js';

// run.json is read back: its model is untrusted input. Every value is read through these (a
// number or nothing, a string or nothing) and every string is escaped where it is written.
type Json = Record<string, unknown>;
const obj = (v: unknown): Json => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : {});
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const number = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : NaN);
const text = (v: unknown): string => (typeof v === 'string' ? v : '');

/** A limiter in words: "token bucket, capacity 4,000, refill 400/s". */
function limiterText(v: unknown): string {
  const l = obj(v);
  switch (l.kind) {
    case 'token-bucket':
      return `token bucket, capacity ${formatFigure(number(l.capacity))}, refill ${formatFigure(number(l.refillPerSecond))}/s`;
    case 'fixed-window':
      return `fixed window, ${formatFigure(number(l.limit))} per ${formatFigure(number(l.window))} s, phase ${typeof l.phase === 'number' ? `${formatFigure(l.phase)} s` : 'random'}`;
    case 'sliding-window':
      return `sliding window, ${formatFigure(number(l.limit))} per ${formatFigure(number(l.window))} s`;
    default:
      return 'unknown limiter';
  }
}

/** An event's times in words: a rollout's waves each with its start (as run.json records them; a record before them gives the spread). */
function eventText(v: unknown, horizon: number, vaults: unknown, starts: number[] | undefined): string {
  const e = obj(v);
  const at = number(e.at);
  switch (e.kind) {
    case 'rollout': {
      const waves = number(e.waves) || 1;
      const plural = `rollout in ${formatFigure(waves)} wave${waves > 1 ? 's' : ''}`;
      if (starts === undefined) return `${plural} from ${formatFigure(at)} s over ${formatFigure(number(e.over) || 0)} s`;
      return `${plural} starting at ${starts.slice(0, 12).map((t) => `${formatFigure(t)} s`).join(', ')}${starts.length > 12 ? ', ...' : ''}`;
    }
    case 'restart':
      return `controller restart at ${formatFigure(at)} s`;
    case 'outage': {
      const names = list(e.vaults).map((i) => text(obj(list(vaults)[number(i)]).name));
      return `outage of ${names.length > 0 ? names.join(', ') : 'every vault'} from ${formatFigure(at)} s for ${formatFigure(number(e.duration))} s`;
    }
    case 'rotation':
      return `secret rotations from ${formatFigure(at)} s until ${formatFigure(number(e.until) || horizon)} s`;
    default:
      return 'an event';
  }
}

/**
 * What the numbers assume, as a list a reviewer can paste: per vault its limiter (and the
 * other shapes, whose results the verdict gives), the subscription's cap, when the rollout and
 * each wave start, the retry policy, the horizon, trials and seed. From the first point's model;
 * a sweep's values are in each point's name.
 */
export function assumptionsList(f: ResultsFolder, escape: (s: string) => string): string {
  const r = f.record;
  const model = obj(r.scenario.points[0]?.model);
  const horizon = number(model.horizon);
  const items: string[] = [];
  for (const v of list(model.vaults)) {
    const vault = obj(v);
    const background = number(obj(vault.background).ratePerSecond);
    items.push(`vault ${text(vault.name)}: ${limiterText(vault.limiter)}${background > 0 ? `, other applications ${formatFigure(background)} GETs/s` : ''}${vault.rejectedCount === true ? ', rejected GETs count against the limit' : ''}`);
  }
  items.push(`the limiter's shape is not published: the verdict gives each shape at the same limit and window`);
  items.push(model.subscription === null || model.subscription === 'none' || model.subscription === undefined ? 'no subscription cap' : `subscription: ${limiterText(model.subscription)}`);
  items.push(model.start === 'steady' ? 'the fleet starts steady (stationary poll phases)' : 'every SecretSync is edited at 0 s (a rollout at the start)');
  list(model.events).forEach((e, i) => items.push(eventText(e, horizon, model.vaults, r.scenario.points[0]?.waveStarts?.[String(i)])));
  for (const g of list(model.fleet)) {
    const group = obj(g);
    items.push(`group ${text(group.name)}: ${formatFigure(number(group.clusters))} clusters x ${formatFigure(number(group.secretSyncs))} SecretSyncs x ${formatFigure(number(group.objectsPerSync))} objects, poll ${formatFigure(number(group.rotationPollIntervalInSeconds))} s, jitterSeconds ${formatFigure(number(group.jitterSeconds))}`);
  }
  const retry = obj(model.client).retry;
  items.push(`SDK retries: ${typeof retry === 'string' ? retry : `${formatFigure(number(obj(retry).maxRetries))} retries`}`);
  items.push(`horizon ${formatFigure(horizon)} s; ${formatFigure(number(r.trials))} trials per point; seed ${String(r.seed)}`);
  const swept = list(r.scenario.points[0]?.sweep).map((s) => text(obj(s).column)).filter((c) => c !== '');
  if (swept.length > 0) items.push(`swept: ${swept.join(', ')} (each point's name gives its values; the rest is the first point's)`);
  return `<h2>Assumptions</h2><ul class="assumptions">${items.map((i) => `<li>${escape(i)}</li>`).join('')}</ul>`;
}

/** Per point, each vault's and the subscription's GETs, 429s, peaks and headroom (means per trial). */
export function scopesTable(f: ResultsFolder, escape: (s: string) => string, pointName: (point: number) => string): string {
  const { vaults, subscription } = scopeNames(f);
  const scopes: Array<string | null> = [...vaults, ...(subscription ? [null] : [])];
  if (scopes.length === 0) return '';
  const head = ['point', 'vault', 'GETs', '429s', 'peak GETs/s', 'peak GETs in 10 s', 'headroom at the busiest 10 s'].map((h) => `<th>${escape(h)}</th>`).join('');
  const rows = f.summary.flatMap((row) =>
    scopes.map((scope) => {
      const cell = (m: 'requests' | 'throttled' | 'peakRps' | 'peak10s') => `<td>${formatFigure(num(row, `${scopeColumn(scope, m)}_mean`))}</td>`;
      const headroom = num(row, `${scopeColumn(scope, 'headroom')}_mean`);
      return `<tr><th>${escape(pointName(num(row, 'point')))}</th><th>${escape(scope ?? '(subscription)')}</th>${cell('requests')}${cell('throttled')}${cell('peakRps')}${cell('peak10s')}<td>${escape(formatHeadroom(headroom))}</td></tr>`;
    }),
  );
  return `<h2>Per vault and the subscription (means per trial)</h2><div class="wide"><table class="scopes"><thead><tr>${head}</tr></thead><tbody>${rows.join('')}</tbody></table></div>`;
}
