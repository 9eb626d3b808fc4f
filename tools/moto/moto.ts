import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bootstrapAwsResources, type AwsResourceNames, type AwsResources } from '../aws/bootstrap.js';
import { CallCounter } from '../aws/call-counter.js';
import { createAwsClients, type AwsClientOptions, type AwsClients } from '../../adapters/aws/clients.js';
import { FaultInjector } from '../aws/fault-injector.js';
import { MOTO_REQUIREMENT, motoPython, SETUP_HINT } from '../setup/test-tools.js';

export const MOTO_INSTALL_HINT = `${SETUP_HINT}: it finds ${MOTO_REQUIREMENT} or installs it into .venv/`;

const MOTO_LAUNCHER = fileURLToPath(new URL('./moto_server.py', import.meta.url));

export interface MotoServer {
  readonly endpoint: string;
  readonly port: number;
  /** Forgets every resource (POST /moto-api/reset); `/moto-api/config` is kept. */
  reset(): Promise<void>;
  stop(): Promise<void>;
}

export interface MotoStartOptions {
  /** Extra environment for the server process, e.g. INITIAL_NO_AUTH_ACTION_COUNT to enforce IAM. */
  readonly env?: Readonly<Record<string, string>>;
  readonly startTimeoutMs?: number;
  /** Defaults to a free port; give the port of a stopped server to bring it back at the same endpoint. */
  readonly port?: number;
  /** The Python to run it on; defaults to the one test:setup found or installed moto into (test-tools.ts). */
  readonly python?: string;
}

/** Test credentials for moto: the SDK needs some, moto accepts any unless told to enforce IAM. */
export function useMotoCredentials(): void {
  process.env.AWS_ACCESS_KEY_ID ??= 'testing';
  process.env.AWS_SECRET_ACCESS_KEY ??= 'testing';
  process.env.AWS_REGION ??= 'us-east-1';
}

/** Starts moto's server (tools/moto/moto_server.py) on a free port of 127.0.0.1 and waits until it answers. */
export async function startMotoServer(options: MotoStartOptions = {}): Promise<MotoServer> {
  useMotoCredentials();
  const port = options.port ?? (await freePort());
  const endpoint = `http://127.0.0.1:${port}`;
  // A log file rather than a pipe: moto logs every request, and a pipe would keep this process alive.
  const logPath = join(tmpdir(), `moto-${port}.log`);
  const log = openSync(logPath, 'w');
  // moto's own server, with DynamoDB requests serialised as DynamoDB serialises writes (see moto_server.py).
  const python = options.python ?? motoPython();
  const child = spawn(python, [MOTO_LAUNCHER, '-H', '127.0.0.1', '-p', String(port)], {
    env: { ...process.env, ...options.env },
    stdio: ['ignore', log, log],
  });
  closeSync(log);
  await waitUntilAnswering(child, python, endpoint, options.startTimeoutMs ?? 20_000, logPath);
  child.unref();
  const killOnExit = (): void => {
    child.kill('SIGTERM');
  };
  process.once('exit', killOnExit);
  let stopped: Promise<void> | undefined;
  return {
    endpoint,
    port,
    reset: async () => {
      const response = await fetch(`${endpoint}/moto-api/reset`, { method: 'POST' });
      if (!response.ok) throw new Error(`moto reset failed with HTTP ${response.status}`);
    },
    stop: () => {
      stopped ??= stopProcess(child).finally(() => process.removeListener('exit', killOnExit));
      return stopped;
    },
  };
}

let shared: Promise<MotoServer> | undefined;

/** The one server of this run, started on first use. */
export function sharedMotoServer(): Promise<MotoServer> {
  shared ??= startMotoServer();
  return shared;
}

export interface MotoHandle {
  /** The running server; only valid inside tests and hooks. */
  readonly server: MotoServer;
}

/**
 * Call at the top level of an aws spec file (outside any describe). Its hooks land on mocha's root
 * suite, so the server starts once per run and only when such a spec file is loaded, and is stopped
 * after the last test. Reset it in a `beforeEach` of the suites that need a clean account.
 */
export function useMotoServer(): MotoHandle {
  let server: MotoServer | undefined;
  before(async function () {
    this.timeout(30_000);
    server = await sharedMotoServer();
  });
  after(async () => {
    await (await shared)?.stop();
    shared = undefined;
  });
  return {
    get server(): MotoServer {
      if (server === undefined) throw new Error('moto server is not started: use it inside a test or hook');
      return server;
    },
  };
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => {
        if (address !== null && typeof address === 'object') resolve(address.port);
        else reject(new Error('could not find a free port'));
      });
    });
  });
}

async function waitUntilAnswering(
  child: ChildProcess,
  python: string,
  endpoint: string,
  timeoutMs: number,
  logPath: string,
): Promise<void> {
  const failure = new Promise<never>((_, reject) => {
    child.once('error', (error: NodeJS.ErrnoException) => {
      reject(
        error.code === 'ENOENT'
          ? new Error(`${python} cannot be found, and moto's server runs on it. Install Python 3, then ${MOTO_INSTALL_HINT}`)
          : new Error(`moto_server could not start on ${python}: ${error.message}. To reinstall it, ${MOTO_INSTALL_HINT}`),
      );
    });
    child.once('exit', (code) => {
      reject(
        new Error(
          `moto_server (${python}) exited with code ${String(code)} before answering: ${tail(logPath)}\nTo install it, ${MOTO_INSTALL_HINT}`,
        ),
      );
    });
  });
  const deadline = Date.now() + timeoutMs;
  const answering = (async () => {
    while (Date.now() < deadline) {
      try {
        const response = await fetch(`${endpoint}/moto-api/`);
        if (response.ok) return;
      } catch {
        // not listening yet
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    child.kill('SIGTERM');
    throw new Error(`moto_server did not answer on ${endpoint} within ${timeoutMs} ms`);
  })();
  await Promise.race([answering, failure]);
  child.removeAllListeners('exit');
  child.removeAllListeners('error');
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  // The child was unref'd once running: while we wait for its exit it must hold the event loop, or a
  // caller with nothing else pending (chaos's last scenario) ends silently with exit code 0, its result unprinted.
  child.ref();
  await new Promise<void>((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 3_000);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

function tail(path: string): string {
  try {
    return readFileSync(path, 'utf8').slice(-2_000);
  } catch {
    return '(no log)';
  }
}

export const MOTO_RESOURCE_NAMES: AwsResourceNames = Object.freeze({
  orderQueueName: 'orders',
  deadLetterQueueName: 'orders-dlq',
  idempotencyTableName: 'idempotency',
  eventBusName: 'orders-bus',
});

/** Clients on a moto server, with a call counter and a fault injector attached, and the pipeline's resources. */
export interface MotoAccount {
  readonly clients: AwsClients;
  readonly resources: AwsResources;
  /** HTTP requests, SDK retries included: what AWS would bill and throttle. */
  readonly calls: CallCounter;
  /** Calls the code makes (one per `client.send`): what a spec can count without a busy emulator's timeouts and the SDK's retries of them. */
  readonly sends: CallCounter;
  readonly faults: FaultInjector;
}

export interface MotoAccountOptions extends Omit<AwsClientOptions, 'endpoint'> {
  readonly names?: AwsResourceNames;
}

/**
 * The time one HTTP attempt to moto may take before the SDK gives up on it and retries. Generous: on a
 * busy shared machine a 10-entry PutEvents can take moto longer than the production 3 s, and a retry of a
 * request that did land duplicates it, which is what the production timeout accepts but a spec of
 * "exactly once" must not see because the emulator was slow. Specs of timeouts pass their own.
 */
export const MOTO_REQUEST_TIMEOUT_MS = 30_000;

/** The environment a harness on `--backend aws` needs to reach moto, with moto's generous request timeout. */
export function motoHarnessEnv(server: MotoServer): Readonly<Record<string, string>> {
  return {
    AWS_ENDPOINT_URL: server.endpoint,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
    AWS_REQUEST_TIMEOUT_MS: String(MOTO_REQUEST_TIMEOUT_MS),
  };
}

/** Bootstraps the resources (idempotent) and answers fresh clients whose counts start at zero. */
export async function prepareMotoAccount(server: MotoServer, options: MotoAccountOptions = {}): Promise<MotoAccount> {
  const { names = MOTO_RESOURCE_NAMES, ...clientOptions } = options;
  const clients = createAwsClients({ requestTimeoutMs: MOTO_REQUEST_TIMEOUT_MS, ...clientOptions, endpoint: server.endpoint });
  const calls = new CallCounter();
  const sends = new CallCounter('calls');
  const faults = new FaultInjector();
  for (const client of [clients.sqs, clients.dynamodb, clients.eventBridge]) {
    calls.attach(client);
    sends.attach(client);
    faults.attach(client);
  }
  const resources = await bootstrapAwsResources(clients, names);
  calls.reset();
  sends.reset();
  return { clients, resources, calls, sends, faults };
}
