import type { ReadinessCheck } from '../health/readiness-check';

/** A peer app is ready when it answers its ping pattern within the readiness timeout. */
export function peerReadiness(name: string, ping: () => Promise<unknown>): ReadinessCheck {
  return {
    name,
    check: async () => {
      await ping();
    },
  };
}
