import type { SendLog } from '../metrics/send-log.js';
import type { BackgroundLoad } from './background-load.js';
import type { VaultGateway } from './vault-gateway.js';

/**
 * A trial's sends (the log sorted by time) and its vaults' background load, in time order,
 * through a vault side: the replay of the optimistic check, of the limiter shapes' check and of
 * importance sampling's rollouts (`load` null: no other load).
 * `background` answers each background request at its time (false ends the replay, failed);
 * the fleet's n GETs at one instant pass when the side accepts all of them (whether all of them
 * are accepted does not depend on their order). True when every GET of the fleet passed.
 */
export function replaySends(side: VaultGateway, load: BackgroundLoad | null, sends: SendLog, background: (v: number, t: number) => boolean): boolean {
  const { times, vaults, counts } = sends;
  let i = 0;
  for (;;) {
    const t = i < sends.length ? times[i] : Infinity;
    const v = load === null ? -1 : load.firstBefore(t);
    if (v >= 0 && load !== null) {
      if (!background(v, load.next[v])) return false;
      load.advance(v);
      continue;
    }
    if (t === Infinity) return true;
    const to = vaults[i];
    const n = counts[i++];
    if (to < 0) continue;
    if (side.acceptable(to, t, n) < n) return false;
    side.take(to, t, n);
  }
}
