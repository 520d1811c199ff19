/** The model's event kinds, in the low 3 bits of an event's first word: (id << 3) | kind. */
export const enum EventKind {
  /** A SecretSync's consideration (and its jitter) is over: enqueue it. */
  Wake = 0,
  /** The vault's answer to the SecretSync's current GET arrives. */
  Response = 1,
  /** An SDK retry of the SecretSync's current GET goes out. */
  Send = 2,
  /** A request of some other application to a vault (coupled driver only). */
  Background = 3,
  /** A fleet action (rollout wave, restart, outage start or end). */
  Action = 4,
  /** A cluster's ticker (scheduling: cluster-ticker) considers all its SecretSyncs. */
  Tick = 5,
}
