import { expect } from 'chai';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import type { MetricsSnapshot } from '../../harness/metrics-snapshot.js';
import { OrderMother } from '../domain/order-mother.js';
import { dumpLogsOnFailure, startTestHarness, type RunningHarness } from './support/harness-fixture.js';
import { waitFor } from './support/wait-for.js';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const SCREENSHOT = join('test-artifacts', 'status-page.png');

/** The page's own formatting rules, restated: a shown figure must be the /metrics value, formatted. */
function formatted(value: unknown, format: string | undefined): string {
  if (value === null || value === undefined) return '–';
  if (format === 'percent') return `${((value as number) * 100).toFixed(1)}%`;
  if (format === 'int') return String(Math.round(value as number));
  return String(value);
}

function at(snapshot: MetricsSnapshot, path: string): unknown {
  return path.split('.').reduce<unknown>((value, key) => (value === null || value === undefined ? undefined : (value as Record<string, unknown>)[key]), snapshot);
}

describe('Status page in headless Chromium', function () {
  this.timeout(60_000);
  let running: RunningHarness | undefined;
  let context: BrowserContext | undefined;
  let profile: string | undefined;

  afterEach(async function () {
    dumpLogsOnFailure(this.currentTest?.state, running);
    await context?.close();
    if (profile !== undefined) rmSync(profile, { recursive: true, force: true });
    await running?.harness.stop();
    running = undefined;
    context = undefined;
  });

  it('shows the same figures as GET /metrics after a scripted run', async () => {
    // Prepare: a scripted run to rest, the redrive run by hand so no figure moves while the page is read.
    running = await startTestHarness({ redriveEveryMs: 0 });
    const { client, harness } = running;
    const keys: string[] = [];
    for (const index of [1, 2, 3]) keys.push(String((await client.postOrder(OrderMother.valid({ orderId: `page-${index}` }))).body.idempotencyKey));
    await client.postOrder(OrderMother.valid({ orderId: 'page-1' }));
    await client.postOrder(OrderMother.valid({ orderId: 'page-parked' }), { 'x-simulate-failure': 'permanent' });
    await client.postOrder(OrderMother.valid({ lines: [] }));
    for (const key of keys) await client.waitForStatus(key, ['SUCCEEDED']);
    await waitFor('the parked message in the DLQ', async () => ((await client.metrics()).deadLetterQueue.depth === 1 ? true : undefined));
    await client.redrive();
    await waitFor('the pipeline to come to rest', async () => ((await harness.quiet()) ? true : undefined));
    await waitFor('the outbox to be delivered', async () => ((await client.metrics()).outbox.pendingEvents === 0 ? true : undefined));
    const expected = await client.metrics();

    // Act
    profile = mkdtempSync(join(tmpdir(), 'status-page-'));
    context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: CHROMIUM_FLAGS });
    const page: Page = context.pages()[0] ?? (await context.newPage());
    await page.goto(`${harness.url}/`);
    await page.waitForFunction((after) => (document.body.dataset.generatedAt ?? '') > after, expected.generatedAt, { timeout: 10_000 });
    mkdirSync('test-artifacts', { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });

    // Assess
    const shown = await page.$$eval('[data-metric]', (elements) => elements.map((element) => ({
      path: (element as HTMLElement).dataset.metric ?? '',
      format: (element as HTMLElement).dataset.format,
      text: element.textContent ?? '',
    })));
    expect(shown.length).to.be.greaterThan(20);
    for (const { path, format, text } of shown) expect(text, path).to.equal(formatted(at(expected, path), format));
    expect(expected.parked).to.equal(1);
    // The duplicate of page-1 finds its key reserved (409 or 200): never accepted twice.
    expect(expected.counters.ordersAccepted).to.equal(4);
    for (const service of ['dynamodb', 'sqs', 'eventbridge'] as const) {
      expect(await page.getAttribute(`[data-breaker="${service}"]`, 'data-status'), service).to.equal(expected.breakers[service].status);
    }
    const categories = await page.$$eval('#categories tr', (rows) => rows.map((row) => [...row.querySelectorAll('td')].map((cell) => cell.textContent)));
    expect(categories).to.deep.equal(Object.entries(expected.failuresByCategory).map(([category, count]) => [category, String(count), String(expected.parkedByCategory[category as keyof typeof expected.parkedByCategory])]));
    const eventIds = await page.$$eval('#events tr', (rows) => rows.map((row) => (row as HTMLElement).dataset.eventId));
    expect(eventIds).to.deep.equal(expected.events.recent.map((event) => event.eventId));

    // The lookup box answers "where is order X, and why" from GET /orders/{key}.
    await page.fill('#lookup-key', keys[0] ?? '');
    await page.click('#lookup-form button');
    await page.waitForFunction(() => (document.getElementById('lookup-result')?.dataset.lookupStatus ?? '') !== '', undefined, { timeout: 5_000 });
    const lookedUp = await page.textContent('#lookup-result');
    expect(lookedUp).to.include('page-1').and.to.include('SUCCEEDED').and.to.include('OrderProcessed ✓').and.to.include('worker ×1');
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
  });
});
