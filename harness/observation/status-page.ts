import { readFileSync } from 'node:fs';

let page: string | undefined;

/** The status page (status-page.html, next to this file): static, it fetches /metrics itself and refreshes. */
export function statusPage(): string {
  page ??= readFileSync(new URL('./status-page.html', import.meta.url), 'utf8');
  return page;
}
