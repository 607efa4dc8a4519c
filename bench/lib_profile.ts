/**
 * Reads a V8 CPU profile (`node --cpu-prof`) and says where the time went: self time per function,
 * attributed to the benchmark stage that was running when each sample was taken.
 */
import * as fs from 'node:fs';
import { Session } from 'node:inspector';
import { findSourceMap } from 'node:module';
import * as path from 'node:path';

/** The parts of the `.cpuprofile` JSON this module reads. */
export interface CpuProfile {
  readonly nodes: readonly {
    readonly id: number;
    readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number; readonly columnNumber?: number };
  }[];
  /** Microseconds on the monotonic clock (the one process.hrtime uses). */
  readonly startTime: number;
  readonly endTime: number;
  readonly samples: readonly number[];
  /** Microseconds since the previous sample (the first: since startTime). */
  readonly timeDeltas: readonly number[];
}

export interface HotFunction {
  /** `name (file:line)`, the file relative to the project when it is inside it. */
  readonly fn: string;
  readonly selfSeconds: number;
  /** Share of the stage's sampled time. */
  readonly share: number;
}

/** Stage name → [start, end) in microseconds on the monotonic clock. */
export type StageBounds = Record<string, readonly [number, number]>;

function label(frame: CpuProfile['nodes'][number]['callFrame'], root: string): string {
  const name = frame.functionName || '(anonymous)';
  if (!frame.url) return name;
  let file = frame.url.startsWith('file://') ? frame.url.slice('file://'.length) : frame.url;
  if (file.startsWith(root)) file = path.relative(root, file);
  return `${name} (${file}:${frame.lineNumber + 1})`;
}

/**
 * Self time per function within each stage's time window (samples outside every window are left out),
 * the top `top` functions of each stage, largest first. O(samples + nodes).
 */
export function hotFunctionsByStage(profile: CpuProfile, bounds: StageBounds, root: string, top = 8): Record<string, HotFunction[]> {
  const byId = new Map(profile.nodes.map((n) => [n.id, n.callFrame]));
  const stages = Object.entries(bounds);
  const perStage = new Map<string, Map<string, number>>(stages.map(([s]) => [s, new Map()]));
  let t = profile.startTime;
  for (let i = 0; i < profile.samples.length; i++) {
    t += profile.timeDeltas[i];
    // Each sample stands for the interval up to the next one.
    const dt = i + 1 < profile.timeDeltas.length ? profile.timeDeltas[i + 1] : 0;
    const stage = stages.find(([, [a, b]]) => t >= a && t < b)?.[0];
    if (!stage) continue;
    const frame = byId.get(profile.samples[i]);
    if (!frame) continue;
    const key = label(frame, root);
    const m = perStage.get(stage) as Map<string, number>;
    m.set(key, (m.get(key) ?? 0) + dt);
  }
  const out: Record<string, HotFunction[]> = {};
  for (const [stage, m] of perStage) {
    const total = [...m.values()].reduce((a, b) => a + b, 0);
    out[stage] = [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([fn, us]) => ({ fn, selfSeconds: us / 1e6, share: total > 0 ? us / total : 0 }));
  }
  return out;
}

/** Loads the newest `.cpuprofile` in `dir`. */
export function loadNewestProfile(dir: string): CpuProfile {
  const files = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.cpuprofile'))
    .map((f) => path.join(dir, f))
    .sort((a, b) => fs.statSync(b).mtimeMs - fs.statSync(a).mtimeMs);
  if (files.length === 0) throw new Error(`no .cpuprofile written in ${dir}`);
  return JSON.parse(fs.readFileSync(files[0], 'utf8')) as CpuProfile;
}

function post<T>(session: Session, method: string, params: object = {}): Promise<T> {
  return new Promise((resolve, reject) =>
    session.post(method, params, (err, result) => (err ? reject(err) : resolve(result as T))),
  );
}

/**
 * Starts V8's sampling profiler in this process (what `node --cpu-prof` does, but in-process, so the positions can
 * be mapped back to the TypeScript sources with the source maps tsx registered). Call `stop` to get the profile.
 */
export async function startProfiler(intervalMicros = 1000): Promise<{ stop(): Promise<CpuProfile> }> {
  const session = new Session();
  session.connect();
  await post(session, 'Profiler.enable');
  await post(session, 'Profiler.setSamplingInterval', { interval: intervalMicros });
  await post(session, 'Profiler.start');
  return {
    async stop() {
      const { profile } = await post<{ profile: CpuProfile }>(session, 'Profiler.stop');
      session.disconnect();
      return profile;
    },
  };
}

/**
 * The profile with every call frame of a source-mapped file (the .ts files tsx compiled) moved to its position in
 * the TypeScript source. Must run in the process that loaded those files. O(nodes).
 */
export function withSourcePositions(profile: CpuProfile): CpuProfile {
  const nodes = profile.nodes.map((node) => {
    const { url, lineNumber, columnNumber } = node.callFrame;
    if (!url.startsWith('file://') || lineNumber < 0) return node;
    const entry = findSourceMap(url)?.findEntry(lineNumber, columnNumber ?? 0) as
      | { originalSource?: string; originalLine?: number; originalColumn?: number }
      | undefined;
    if (!entry || entry.originalLine === undefined) return node;
    return {
      ...node,
      callFrame: { ...node.callFrame, url: entry.originalSource ?? url, lineNumber: entry.originalLine, columnNumber: entry.originalColumn },
    };
  });
  return { ...profile, nodes };
}
