import type { ProjectionRuntime } from './runtime';

// Every runtime started in this process, so one admin API and one /metrics serve them all
// (embedded mode runs several services' projections side by side).
const runtimes = new Set<ProjectionRuntime>();

export function registerRuntime(runtime: ProjectionRuntime): void {
  runtimes.add(runtime);
}

export function unregisterRuntime(runtime: ProjectionRuntime): void {
  runtimes.delete(runtime);
}

export function allRuntimes(): ProjectionRuntime[] {
  return [...runtimes];
}
