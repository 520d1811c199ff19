const UNIT_SECONDS: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400 };
/** One part of a duration: a number and its unit. A duration is one part or several ("1h30m"). */
const DURATION_PART = /(\d+(?:\.\d+)?|\.\d+)\s*(ms|s|m|h|d)\s*/y;
/** A duration as the scenario schema's JSON Schema states it (the same language as parseDuration). */
export const DURATION_PATTERN = '^\\s*((\\d+(\\.\\d+)?|\\.\\d+)\\s*(ms|s|m|h|d)\\s*)+$';
const PERCENT = /^\s*(\d+(?:\.\d+)?|\.\d+)\s*%\s*$/;

/**
 * Seconds from a number of seconds or a string with units ("250ms", "90s", "15m", "6h", "1d",
 * or compound as people write them: "1h30m", "2m 30s"); null if neither.
 */
export function parseDuration(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value : null;
  if (typeof value !== 'string') return null;
  const text = value.trim();
  if (text === '') return null;
  DURATION_PART.lastIndex = 0;
  let seconds = 0;
  while (DURATION_PART.lastIndex < text.length) {
    const at = DURATION_PART.lastIndex;
    const m = DURATION_PART.exec(text);
    if (!m || m.index !== at) return null;
    seconds += Number(m[1]) * UNIT_SECONDS[m[2]];
  }
  return seconds;
}

/** A share in [0, 1] from a number or a percentage string ("25%"); null if neither. */
export function parseShare(value: unknown): number | null {
  let share: number | null = null;
  if (typeof value === 'number') share = value;
  else if (typeof value === 'string') {
    const m = PERCENT.exec(value);
    if (m) share = Number(m[1]) / 100;
  }
  return share !== null && Number.isFinite(share) && share >= 0 && share <= 1 ? share : null;
}

const RATE = /^\s*(\d+(?:\.\d+)?|\.\d+)\s*\/\s*(\d+(?:\.\d+)?|\.\d+)?\s*(ms|s|m|h|d)\s*$/;

/** Events per second from a number (per second) or a string "N/unit" ("2/h", "1/30m", "0.5/s"); null if neither. */
export function parseRate(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value : null;
  if (typeof value !== 'string') return null;
  const m = RATE.exec(value);
  if (!m) return null;
  const per = (m[2] === undefined ? 1 : Number(m[2])) * UNIT_SECONDS[m[3]];
  return per > 0 ? Number(m[1]) / per : null;
}
