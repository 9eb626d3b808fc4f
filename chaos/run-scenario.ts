import { loadavg } from 'node:os';
import { startMotoServer, motoHarnessEnv, type MotoServer } from '../tools/moto/moto.js';
import { KeyClient, seededRandom, SIMPLE_CLIENT } from './clients.js';
import { HarnessProcess } from './harness-process.js';
import type { Scenario } from './scenario.js';
import { judge, type ObservedOrder, type Verdict } from './verdict.js';

export interface ScenarioRun {
  readonly scenario: string;
  readonly backend: Scenario['backend'];
  readonly startedAt: string;
  readonly durationMs: number;
  readonly loadAverage: { readonly before: readonly number[]; readonly after: readonly number[] };
  readonly orders: number;
  /** Keys whose first POST got its decisive answer (or its client gave up), per second from the first POST to the last of those. */
  readonly postingRatePerSecond: number;
  /** Accepted orders settled before the last first POST was decided, per second of that window. */
  readonly settledWhilePostingPerSecond: number;
  /** From the last fault cleared to the first look that found nothing owing events and nothing unsettled; undefined when it never did, or nothing changed. */
  readonly owingClearedAfterRecoveryMs?: number;
  readonly settledInTime: boolean;
  /** Sends that failed and whose reservation could not be released either: the only cause of a 409 after a 503. */
  readonly reservationReleasesFailed: number | null;
  readonly verdict: Verdict;
}

interface Metrics {
  readonly counters?: { readonly reservationReleasesFailed?: number };
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function getJson<T>(url: string): Promise<T | undefined> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(30_000) });
    return response.ok ? ((await response.json()) as T) : undefined;
  } catch {
    return undefined;
  }
}

/** PUT /admin/faults, retried while the harness does not answer (it may be starting again). */
async function putFaults(url: string, body: unknown): Promise<void> {
  const giveUpAt = Date.now() + 60_000;
  for (;;) {
    let response: Response;
    try {
      response = await fetch(`${url}/admin/faults`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(30_000),
      });
    } catch (error) {
      if (Date.now() > giveUpAt) throw error;
      await sleep(500);
      continue;
    }
    if (!response.ok) throw new Error(`PUT /admin/faults answered ${response.status}: ${await response.text()}`);
    return;
  }
}

interface QueueDepth {
  readonly visible: number;
  readonly inFlight: number;
  readonly delayed: number;
}

/** GET /admin/progress. */
interface Progress {
  readonly orders: QueueDepth;
  readonly orchestrated?: QueueDepth;
  readonly records: { readonly unsettled: number; readonly owingEvents: number };
}

function settled(progress: Progress): boolean {
  const empty = (depth: QueueDepth | undefined): boolean => depth === undefined || depth.visible + depth.inFlight + depth.delayed === 0;
  return empty(progress.orders) && empty(progress.orchestrated) && progress.records.unsettled === 0 && progress.records.owingEvents === 0;
}

/** Runs one scenario against a harness process of its own and judges it. */
export async function runScenario(scenario: Scenario, logDirectory: string, progress: (line: string) => void): Promise<ScenarioRun> {
  const startedAt = Date.now();
  const before = loadavg();
  let moto: MotoServer | undefined;
  let env: Record<string, string> = { ...scenario.env };
  const args = [...scenario.args, '--log-level', 'WARN'];
  if (scenario.backend === 'aws') {
    moto = await startMotoServer();
    env = { ...env, ...motoHarnessEnv(moto), HARNESS_JOURNAL_FILE: `${logDirectory}/journal-${scenario.name}-${startedAt}.jsonl` };
    args.push('--backend', 'aws', '--bootstrap');
  }
  const harness = await HarnessProcess.start(args, env, logDirectory);
  try {
    const t0 = Date.now();
    // One step after the other: a change due while the harness restarts waits until it answers again.
    const timeline = (async () => {
      for (const step of [...scenario.timeline].sort((a, b) => a.atMs - b.atMs)) {
        await sleep(Math.max(0, t0 + step.atMs - Date.now()));
        if ('kill' in step) {
          progress(`${scenario.name}: SIGKILL at ${Math.round((Date.now() - t0) / 1000)} s`);
          await harness.restart();
          progress(`${scenario.name}: restarted, answering again at ${Math.round((Date.now() - t0) / 1000)} s`);
        } else {
          progress(`${scenario.name}: faults ${JSON.stringify(step.faults)} at ${Math.round((Date.now() - t0) / 1000)} s`);
          await putFaults(harness.url, step.faults);
        }
      }
    })();
    // Seen at once if it fails, not only once the load is over.
    timeline.catch(() => undefined);
    const random = seededRandom(scenario.name.length * 7919 + scenario.load.orders);
    const behaviour = { ...SIMPLE_CLIENT, ...scenario.client };
    const run = `${scenario.name}-${t0.toString(36)}`;
    const clients = Array.from(
      { length: scenario.load.orders },
      (_, index) => new KeyClient(() => harness.url, `${run}-${index}`, `o-${run}-${index}`, behaviour, random),
    );
    const runs: Promise<void>[] = [];
    const followUps: Promise<void>[] = [];
    const start = async (client: KeyClient): Promise<void> => {
      followUps.push((await client.run()).followUps);
    };
    if (scenario.load.perSecond !== undefined) {
      for (const [index, client] of clients.entries()) {
        await sleep(Math.max(0, t0 + (index * 1_000) / scenario.load.perSecond - Date.now()));
        runs.push(start(client));
      }
    } else {
      let next = 0;
      const worker = async (): Promise<void> => {
        for (let client = clients[next++]; client !== undefined; client = clients[next++]) await start(client);
      };
      runs.push(...Array.from({ length: scenario.load.clients ?? 1 }, worker));
    }
    await Promise.all(runs);
    await Promise.all(followUps);
    const postingEnd = Math.max(...clients.map((client) => client.decidedAt));
    progress(`${scenario.name}: ${clients.length} orders posted in ${Math.round((postingEnd - t0) / 1000)} s`);
    await timeline;
    let lastChange = scenario.timeline.length === 0 ? undefined : t0 + Math.max(...scenario.timeline.map((step) => step.atMs));
    if (scenario.clearAfterLoad === true) {
      await putFaults(harness.url, {});
      lastChange = Date.now();
    }
    const deadline = Date.now() + scenario.settleMs;
    let clearedAt: number | undefined;
    while (Date.now() < deadline) {
      const progress = await getJson<Progress>(`${harness.url}/admin/progress`);
      if (progress !== undefined && settled(progress)) {
        clearedAt = Date.now();
        break;
      }
      // On moto a look scans the table (three attributes): every 5 s there, not to slow what it waits for.
      await sleep(scenario.backend === 'aws' ? 5_000 : 1_000);
    }
    const observed = (await getJson<{ orders: ObservedOrder[] }>(`${harness.url}/admin/orders`))?.orders ?? [];
    const final = await getJson<Metrics>(`${harness.url}/metrics`);
    const keys = clients.map((client) => client.result());
    const verdict = judge(keys, observed);
    const byKey = new Map(observed.map((order) => [order.key, order]));
    const settledWhilePosting = keys.filter((key) => {
      const order = byKey.get(key.key);
      const at = order?.settledAt ?? (order?.status === 'SUCCEEDED' ? order.updatedAt : undefined);
      return at !== undefined && at <= postingEnd;
    }).length;
    const postingSeconds = Math.max(0.001, (postingEnd - t0) / 1_000);
    return {
      scenario: scenario.name,
      backend: scenario.backend,
      startedAt: new Date(startedAt).toISOString(),
      durationMs: Date.now() - startedAt,
      loadAverage: { before: before.map(round2), after: loadavg().map(round2) },
      orders: clients.length,
      postingRatePerSecond: round2(clients.length / postingSeconds),
      settledWhilePostingPerSecond: round2(settledWhilePosting / postingSeconds),
      ...(clearedAt === undefined || lastChange === undefined ? {} : { owingClearedAfterRecoveryMs: Math.max(0, clearedAt - lastChange) }),
      settledInTime: clearedAt !== undefined,
      reservationReleasesFailed: final?.counters?.reservationReleasesFailed ?? null,
      verdict,
    };
  } finally {
    await harness.stop();
    await moto?.stop();
  }
}

const round2 = (value: number): number => Math.round(value * 100) / 100;
