/**
 * What the first SIGINT does while a command that can stop early runs (sim recommend: print its
 * best answer so far). Without one, or at a second SIGINT, the process exits at once (main.ts).
 */
let hook: (() => void) | null = null;

/** Registers the command's early stop; returns its removal. */
export function onFirstInterrupt(stop: () => void): () => void {
  hook = stop;
  return () => {
    if (hook === stop) hook = null;
  };
}

/** Takes the registered early stop, if any (it runs once). */
export function takeInterruptHook(): (() => void) | null {
  const h = hook;
  hook = null;
  return h;
}
