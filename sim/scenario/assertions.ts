import { UserError } from './errors.js';

const OPS = ['<=', '>=', '==', '!=', '<', '>'] as const;
type Op = (typeof OPS)[number];

/** `throttledTrial_hi < 0.001`: checked on every point's summary row; a failure exits with code 1. */
export interface Assertion {
  text: string;
  column: string;
  op: Op;
  value: number;
}

const FORM = /^\s*([A-Za-z_][\w.-]*?)\s*(<=|>=|==|!=|<|>)\s*(-?(?:\d+(?:\.\d*)?|\.\d+)(?:e[-+]?\d+)?)\s*$/i;

export function parseAssertion(text: string, index: number): Assertion {
  const m = FORM.exec(text);
  if (!m) throw new UserError(`assert.${index}: expected "<column> <op> <number>" such as "throttledTrial_hi < 0.001", got ${JSON.stringify(text)}`);
  return { text, column: m[1], op: m[2] as Op, value: Number(m[3]) };
}

export function checkAssertionColumns(assertions: Assertion[], columns: string[]): void {
  assertions.forEach((a, i) => {
    if (!columns.includes(a.column)) {
      throw new UserError(`assert.${i}: "${a.column}" is not a summary.csv column (e.g. throttledTrial_hi, peakRps_mean)`);
    }
  });
}

/** Whether the assertion holds for a value; an empty value (no data) fails it. */
export function holds(a: Assertion, v: number | undefined): boolean {
  if (v === undefined || Number.isNaN(v)) return false;
  switch (a.op) {
    case '<': return v < a.value;
    case '<=': return v <= a.value;
    case '>': return v > a.value;
    case '>=': return v >= a.value;
    case '==': return v === a.value;
    case '!=': return v !== a.value;
  }
}
