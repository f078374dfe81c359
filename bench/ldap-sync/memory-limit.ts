/** Running ldap-sync under the memory limit its Kubernetes Deployment gives it. A container's
 *  limit is a memory cgroup, and Node sizes its heap from it (384 MiB → a 259 MB heap), so a
 *  worker measured without one collects garbage far later than it would in production. The
 *  benchmark makes the same kind of cgroup (v2 or v1 memory controller) when it may, and says
 *  so when it may not. */
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** ldap-sync's `resources.limits.memory` in k8s/base/ldap-sync.yaml, in MiB (a deploy test keeps
 *  the two equal). */
export const LDAP_SYNC_MEMORY_LIMIT_MIB = 384;

/** ldap-sync's NODE_OPTIONS in k8s/base/ldap-sync.yaml (kept equal by the same test). Under a
 *  384 MiB limit Node gives V8 a 259 MB heap with 1 MB semi-spaces: a sync's pages then cost a
 *  scavenge every few hundred entries, and a 100,000-user first sync took 5.1 s instead of 3.9 s.
 *  16 MB semi-spaces fix that and keep the peak near 190 MB. */
export const LDAP_SYNC_NODE_OPTIONS = '--max-semi-space-size=16';

export interface MemoryCgroup {
  path: string;
  /** Command and arguments that run `command args…` inside the cgroup (exec keeps the pid). */
  wrap(command: string, args: string[]): { command: string; args: string[] };
  remove(): void;
}

/** Creates a memory cgroup limited to `mib`, or answers why it cannot. */
export function createMemoryCgroup(name: string, mib: number): MemoryCgroup | string {
  const bytes = String(mib * 1024 * 1024);
  const candidates = [
    // cgroup v2: the unified hierarchy, with the memory controller enabled for children.
    { root: '/sys/fs/cgroup', limitFile: 'memory.max', needs: 'cgroup.subtree_control' },
    { root: '/sys/fs/cgroup/memory', limitFile: 'memory.limit_in_bytes', needs: 'tasks' },
  ];
  const reasons: string[] = [];
  for (const candidate of candidates) {
    if (!existsSync(join(candidate.root, candidate.needs))) continue;
    if (
      candidate.limitFile === 'memory.max' &&
      !readFileSync(join(candidate.root, 'cgroup.subtree_control'), 'utf8').includes('memory')
    ) {
      reasons.push('cgroup v2 without the memory controller for children');
      continue;
    }
    const path = join(candidate.root, name);
    try {
      mkdirSync(path);
      writeFileSync(join(path, candidate.limitFile), bytes);
    } catch (error: unknown) {
      reasons.push(`${path}: ${error instanceof Error ? error.message : String(error)}`);
      try {
        rmdirSync(path);
      } catch {
        // not created
      }
      continue;
    }
    return {
      path,
      wrap: (command, args) => ({
        command: '/bin/sh',
        args: ['-c', `echo $$ > '${path}/cgroup.procs' && exec "$0" "$@"`, command, ...args],
      }),
      remove: () => {
        try {
          rmdirSync(path);
        } catch {
          // still has a process (it is being stopped) or already gone
        }
      },
    };
  }
  return reasons.length > 0 ? reasons.join('; ') : 'no memory cgroup hierarchy is mounted';
}
