import { join } from 'node:path';
import { type Page } from 'playwright-core';
import type { MetricsSnapshot } from '../../harness/observation/metrics-snapshot.js';

export const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
export const SCREENSHOT = join('test-artifacts', 'status-page.png');

/** The page's own formatting rules, restated: a shown figure must be the /metrics value, formatted. */
export function formatted(value: unknown, format: string | undefined): string {
  if (value === null || value === undefined) return '–';
  if (format === 'percent') return `${((value as number) * 100).toFixed(1)}%`;
  if (format === 'int') return String(Math.round(value as number));
  return `${value as string | number | boolean}`; // /metrics figures are scalars
}

export interface DrawnSeries {
  readonly chart: string;
  readonly series: string;
  readonly points: number;
  readonly latest: string;
  /** The path's y coordinates, top 0, bottom 90. */
  readonly ys: number[];
  /** The legend's figure for the series. */
  readonly legend: string;
  /** The time of the last sample the chart drew. */
  readonly latestAt: string;
}

/** The y of a value of 0 in the page's charts (90 high, 2 of margin). */
export const BASELINE = 88;

/** Every chart's lines in one read, so that no refresh falls between two of them. */
export async function drawnSeries(page: Page): Promise<DrawnSeries[]> {
  return page.$$eval('[data-chart] path', (paths) =>
    paths.map((path) => {
      const figure = path.closest('[data-chart]') as HTMLElement;
      const series = (path as SVGPathElement).dataset.series ?? '';
      const coordinates = (path.getAttribute('d') ?? '').match(/-?\d+(\.\d+)?/g) ?? [];
      return {
        chart: figure.dataset.chart ?? '',
        series,
        points: Number((path as SVGPathElement).dataset.points),
        latest: (path as SVGPathElement).dataset.latest ?? '',
        ys: coordinates.filter((_, index) => index % 2 === 1).map(Number),
        legend: figure.querySelector(`[data-series-latest="${series}"] b`)?.textContent ?? '',
        latestAt: figure.dataset.latestAt ?? '',
      };
    }),
  );
}

/** Elements that reach outside the section (panel) they are in, or a page wider than the window: none should. */
export async function overflowing(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const problems: string[] = [];
    // No named helper in here: tsx's keepNames would wrap it in a __name the page does not have.
    if (document.documentElement.scrollWidth > document.documentElement.clientWidth)
      problems.push(`the page scrolls sideways: ${document.documentElement.scrollWidth} > ${document.documentElement.clientWidth}`);
    for (const section of document.querySelectorAll('main > section')) {
      const panel = section.getBoundingClientRect();
      if (panel.width === 0) continue;
      for (const element of section.querySelectorAll('*')) {
        const box = element.getBoundingClientRect();
        if (box.width === 0 && box.height === 0) continue;
        if (box.left < panel.left - 0.5 || box.right > panel.right + 0.5 || box.top < panel.top - 0.5 || box.bottom > panel.bottom + 0.5) {
          const [inner, outer] = [element, section].map(
            (each) =>
              `${each.tagName.toLowerCase()}${each.id === '' ? '' : `#${each.id}`}${typeof each.className === 'string' && each.className !== '' ? `.${each.className.split(' ').join('.')}` : ''}`,
          );
          problems.push(
            `${inner} in ${outer} (${section.querySelector('h2')?.textContent ?? ''}): [${Math.round(box.left)}, ${Math.round(box.right)}] × [${Math.round(box.top)}, ${Math.round(box.bottom)}] outside [${Math.round(panel.left)}, ${Math.round(panel.right)}] × [${Math.round(panel.top)}, ${Math.round(panel.bottom)}]`,
          );
        }
      }
    }
    return problems;
  });
}

export function at(snapshot: MetricsSnapshot, path: string): unknown {
  return path
    .split('.')
    .reduce<unknown>(
      (value, key) => (value === null || value === undefined ? undefined : (value as Record<string, unknown>)[key]),
      snapshot,
    );
}
