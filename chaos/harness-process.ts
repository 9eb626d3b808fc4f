import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { closeSync, openSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The harness as its own process (`npm start`'s entry point), as a user runs it: the scenarios reach it
 * over HTTP only, and can kill it with SIGKILL and start it again on the same port.
 */
export class HarnessProcess {
  private child: ChildProcess | undefined;
  private starts = 0;

  private constructor(
    readonly url: string,
    private readonly port: number,
    private readonly args: readonly string[],
    private readonly env: Readonly<Record<string, string>>,
    private readonly logDirectory: string,
  ) {}

  static async start(args: readonly string[], env: Readonly<Record<string, string>>, logDirectory: string): Promise<HarnessProcess> {
    const port = await freePort();
    const harness = new HarnessProcess(`http://127.0.0.1:${port}`, port, args, env, logDirectory);
    await harness.launch();
    return harness;
  }

  /** SIGKILL, as a crashed host: nothing is drained or flushed. */
  async kill(): Promise<void> {
    const child = this.child;
    if (child === undefined || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }

  /** Starts it again, same port and settings, as an operator would after a crash. */
  async restart(): Promise<void> {
    await this.kill();
    await this.launch();
  }

  /** SIGINT: the harness drains and stops as on Ctrl-C. */
  async stop(): Promise<void> {
    const child = this.child;
    if (child === undefined || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGINT');
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    await exited;
    clearTimeout(timer);
  }

  private async launch(): Promise<void> {
    this.starts += 1;
    const log = openSync(join(this.logDirectory, `harness-${this.port}-${this.starts}.log`), 'w');
    this.child = spawn(process.execPath, ['--import', 'tsx', 'harness/cli/main.ts', '--port', String(this.port), ...this.args], {
      env: { ...process.env, ...this.env },
      stdio: ['ignore', log, log],
    });
    closeSync(log);
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (this.child.exitCode !== null)
        throw new Error(`the harness exited with ${this.child.exitCode} before answering (log in ${this.logDirectory})`);
      try {
        const response = await fetch(`${this.url}/healthz`);
        if (response.ok) return;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) throw new Error('the harness did not answer /healthz within 60 s');
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
