/** A real dependency the app cannot serve without. `check` resolves when it answers, and rejects
 *  (or is timed out by the readiness service) when it does not. */
export interface ReadinessCheck {
  name: string;
  check(): Promise<void>;
}

export type DependencyState = 'up' | 'down';

export interface ReadinessReport {
  status: DependencyState;
  checks: Record<string, DependencyState>;
  down: string[];
  /** Why each down dependency is down, one short line each. */
  reasons: Record<string, string>;
}
