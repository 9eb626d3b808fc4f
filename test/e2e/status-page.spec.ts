import { expect } from 'chai';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { OrderMother } from '../domain/order-mother.js';
import { CHROMIUM_PACKAGE, chromiumExecutable, SETUP_HINT } from '../../tools/setup/test-tools.js';
import { dumpLogsOnFailure, startTestHarness, type RunningHarness } from './support/harness-fixture.js';
import { waitFor } from './support/wait-for.js';
import { CHROMIUM_FLAGS, SCREENSHOT, formatted, BASELINE, drawnSeries, overflowing, at } from './status-page.fixtures.js';

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

  async function openPage(url: string, after: string): Promise<Page> {
    // No browser is a failure that says how to get one, never a skipped spec.
    const executablePath = chromiumExecutable();
    if (executablePath === undefined)
      throw new Error(
        `no headless Chromium on this machine: ${SETUP_HINT}, which unpacks the one ${CHROMIUM_PACKAGE} ships; or set CHROMIUM_PATH`,
      );
    profile = mkdtempSync(join(tmpdir(), 'status-page-'));
    context = await chromium.launchPersistentContext(profile, { executablePath, headless: true, args: CHROMIUM_FLAGS });
    const page: Page = context.pages()[0] ?? (await context.newPage());
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.goto(`${url}/`);
    await page.waitForFunction((generated) => (document.body.dataset.generatedAt ?? '') > generated, after, { timeout: 10_000 });
    return page;
  }

  it('shows the same figures as GET /metrics after a scripted run', async () => {
    // Prepare: a scripted run to rest, the redrive run by hand so no figure moves while the page is read.
    running = await startTestHarness({ redriveEveryMs: 0 });
    const { client, harness } = running;
    const keys: string[] = [];
    for (const index of [1, 2, 3])
      keys.push(String((await client.postOrder(OrderMother.valid({ orderId: `page-${index}` }))).body.idempotencyKey));
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
    const page = await openPage(harness.url, expected.generatedAt);
    mkdirSync('test-artifacts', { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });

    // Assess
    const shown = await page.$$eval('[data-metric]', (elements) =>
      elements.map((element) => ({
        path: (element as HTMLElement).dataset.metric ?? '',
        format: (element as HTMLElement).dataset.format,
        text: element.textContent ?? '',
      })),
    );
    expect(shown.length).to.be.greaterThan(20);
    for (const { path, format, text } of shown) expect(text, path).to.equal(formatted(at(expected, path), format));
    expect(expected.parked).to.equal(1);
    // The duplicate of page-1 finds its key reserved (409 or 200): never accepted twice.
    expect(expected.counters.ordersAccepted).to.equal(4);
    for (const service of ['dynamodb', 'sqs', 'eventbridge'] as const) {
      expect(await page.getAttribute(`[data-breaker="${service}"]`, 'data-status'), service).to.equal(expected.breakers[service].status);
    }
    // Every function's environments, each with its own breakers: as many rows, with the same states.
    const environments = await page.$$eval('#environments tr', (rows) =>
      rows.map((row) => [
        (row as HTMLElement).dataset.environment,
        ...[...row.querySelectorAll('td')].slice(1, 4).map((cell) => cell.textContent),
      ]),
    );
    const expectedEnvironments = Object.values(expected.breakersByFunction).flatMap((fleet) =>
      fleet.environments.map((environment) => [
        environment.environment,
        ...(['dynamodb', 'sqs', 'eventbridge'] as const).map((service) => environment.breakers[service]?.status ?? '–'),
      ]),
    );
    expect(
      expectedEnvironments.map(([id]) => id),
      'the ingest and the worker ran',
    ).to.include.members(['ingest#1', 'worker#1']);
    expect(environments).to.deep.equal(expectedEnvironments);
    const categories = await page.$$eval('#categories tr', (rows) =>
      rows.map((row) => [...row.querySelectorAll('td')].map((cell) => cell.textContent)),
    );
    expect(categories).to.deep.equal(
      Object.entries(expected.failuresByCategory).map(([category, count]) => [
        category,
        String(count),
        String(expected.parkedByCategory[category as keyof typeof expected.parkedByCategory]),
      ]),
    );
    const eventIds = await page.$$eval('#events tr', (rows) => rows.map((row) => (row as HTMLElement).dataset.eventId));
    expect(eventIds).to.deep.equal(expected.events.recent.map((event) => event.eventId));

    // The lookup box answers "where is order X, and why" from GET /orders/{key}.
    await page.fill('#lookup-key', keys[0] ?? '');
    await page.click('#lookup-form button');
    await page.waitForFunction(() => (document.getElementById('lookup-result')?.dataset.lookupStatus ?? '') !== '', undefined, {
      timeout: 5_000,
    });
    const lookedUp = await page.textContent('#lookup-result');
    expect(lookedUp).to.include('page-1').and.to.include('SUCCEEDED').and.to.include('OrderProcessed ✓').and.to.include('worker ×1');
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
  });

  it("charts the last minutes from GET /metrics' history, orders and failures included, with nothing overflowing its panel", async () => {
    // Prepare: samples every 400 ms (150 of them: a minute, longer than the run even on a busy machine); orders accepted and worked, one parked (PERMANENT), one retried (TRANSIENT).
    running = await startTestHarness({ redriveEveryMs: 0, historyEveryMs: 400 });
    const { client, harness } = running;
    const keys: string[] = [];
    for (const index of [1, 2, 3, 4, 5, 6])
      keys.push(String((await client.postOrder(OrderMother.valid({ orderId: `chart-${index}` }))).body.idempotencyKey));
    keys.push(
      String(
        (await client.postOrder(OrderMother.valid({ orderId: 'chart-retried' }), { 'x-simulate-failure': 'transient' })).body
          .idempotencyKey,
      ),
    );
    await client.postOrder(OrderMother.valid({ orderId: 'chart-parked' }), { 'x-simulate-failure': 'permanent' });
    for (const key of keys) await client.waitForStatus(key, ['SUCCEEDED'], 20_000);
    // A sample while the parked message sits in the DLQ, then the redrive parks it for good.
    await waitFor('a sample with the message in the DLQ', async () =>
      (await client.metrics()).history.some((sample) => sample.deadLetterDepth === 1) ? true : undefined,
    );
    await client.redrive();
    await waitFor('the pipeline to come to rest', async () => ((await harness.quiet()) ? true : undefined));
    const before = await client.metrics();

    // Act
    const page = await openPage(harness.url, before.generatedAt);
    const drawn = await drawnSeries(page);
    const latestAt = drawn[0]?.latestAt;
    const after = await client.metrics();
    mkdirSync('test-artifacts', { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });

    // Assess: the series the page drew end at a sample /metrics still holds, with its values.
    expect(drawn.map(({ chart, series }) => `${chart}/${series}`)).to.deep.equal([
      'orders/accepted',
      'orders/succeeded',
      'depths/queue',
      'depths/DLQ',
      ...['VALIDATION', 'TRANSIENT', 'PERMANENT', 'TIMEOUT', 'PROCESSING', 'UNKNOWN'].map((category) => `failures/${category}`),
    ]);
    expect(new Set(drawn.map((line) => line.latestAt)).size, 'the charts were drawn from one snapshot').to.equal(1);
    const shownUpTo = after.history.findIndex((sample) => sample.at === latestAt);
    expect(shownUpTo, `the page's latest sample (${String(latestAt)}) is in /metrics' history`).to.be.at.least(0);
    const latest = after.history[shownUpTo];
    if (latest === undefined) throw new Error('unreachable');
    const expectedLatest: Record<string, number> = {
      'orders/accepted': latest.acceptedPerSecond,
      'orders/succeeded': latest.succeededPerSecond,
      'depths/queue': latest.queueDepth,
      'depths/DLQ': latest.deadLetterDepth,
      ...Object.fromEntries(Object.entries(latest.failuresPerSecond).map(([category, rate]) => [`failures/${category}`, rate])),
    };
    for (const line of drawn) {
      const name = `${line.chart}/${line.series}`;
      expect(Number(line.latest), name).to.equal(expectedLatest[name]);
      expect(line.points, `${name}: one point per sample`).to.be.at.least(3).and.to.equal(line.ys.length);
      expect(line.legend, `${name}: the legend shows the latest value`).to.equal(
        Number.isInteger(expectedLatest[name]) ? String(expectedLatest[name]) : expectedLatest[name]?.toFixed(2),
      );
    }
    // The run shows in the lines: orders accepted and committed, the DLQ's message, the categories that failed, and only those.
    const rose = (name: string): boolean =>
      (drawn.find((line) => `${line.chart}/${line.series}` === name)?.ys ?? []).some((y) => y < BASELINE);
    const failed = new Set(
      after.history.flatMap((sample) =>
        Object.entries(sample.failuresPerSecond)
          .filter(([, rate]) => rate > 0)
          .map(([category]) => `failures/${category}`),
      ),
    );
    expect(failed, 'the retried and the parked order failed').to.include('failures/TRANSIENT').and.to.include('failures/PERMANENT');
    for (const name of ['orders/accepted', 'orders/succeeded', 'depths/DLQ', 'failures/TRANSIENT', 'failures/PERMANENT'])
      expect(rose(name), `${name} rises above 0`).to.equal(true);
    for (const line of drawn.filter((each) => each.chart === 'failures' && !failed.has(`failures/${each.series}`)))
      expect(rose(`failures/${line.series}`), `${line.series} stays at 0`).to.equal(false);
    // From the baseline at start, each rate times its interval adds up to the counter.
    expect(after.history.length, 'the run fits in the history, baseline included').to.be.below(150);
    const acceptedInSamples = after.history.reduce(
      (sum, sample, index) =>
        sum +
        (index === 0
          ? 0
          : (sample.acceptedPerSecond * (Date.parse(sample.at) - Date.parse(after.history[index - 1]?.at ?? sample.at))) / 1_000),
      0,
    );
    expect(acceptedInSamples, 'the accepted rates add up to the orders accepted').to.be.closeTo(after.counters.ordersAccepted, 0.1);

    // Nothing overflows its panel, on a wide window and on a narrow one.
    expect(await overflowing(page), '1280 px wide').to.deep.equal([]);
    await page.setViewportSize({ width: 640, height: 900 });
    expect(await overflowing(page), '640 px wide').to.deep.equal([]);
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
  });
});
