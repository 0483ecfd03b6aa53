/**
 * The memory limit of a run: the grader samples the resident memory of all its processes
 * and kills the run when it goes over, so that the verdict can name the limit. Hand-written
 * because the kernel's own means do not fit: RLIMIT_AS breaks Node (it reserves far more
 * address space than it uses; see limits.ts), and cgroups need a delegated hierarchy that
 * laptops and CI containers often lack.
 */
import { isProcNetAvailable, residentBytesOfGroup } from './proc-net.ts';
import type { SandboxProcess } from './process.ts';

/** How often the memory of a run is sampled. A fast allocator can overshoot by what it allocates in this time. */
export const MEMORY_SAMPLE_MS = 100;

/** Watches `proc` until it exits; returns a function that stops watching. */
export function watchMemory(proc: SandboxProcess, limitBytes: number): () => void {
  if (!isProcNetAvailable() || !Number.isFinite(limitBytes)) return () => {};
  const timer = setInterval(() => {
    if (proc.hasExited) {
      clearInterval(timer);
      return;
    }
    if (residentBytesOfGroup(proc.pid) > limitBytes) {
      clearInterval(timer);
      void proc.killForLimit('memory');
    }
  }, MEMORY_SAMPLE_MS);
  timer.unref();
  void proc.exited.then(() => clearInterval(timer));
  return () => clearInterval(timer);
}
