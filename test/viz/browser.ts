// Test harness for the visualiser: builds viz/ into a temporary directory,
// serves it with `vite preview` on a free port, and drives Debian's Chromium
// through playwright-core. Collects console errors and failed requests so
// every test can assert the page stayed clean.

import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, preview, type PreviewServer } from 'vite';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
export const hasChromium = existsSync(CHROMIUM);

const repo = fileURLToPath(new URL('../..', import.meta.url));
const configFile = join(repo, 'viz', 'vite.config.ts');

export interface VizHarness {
  url: string;
  context: BrowserContext;
  /** Console errors and failed requests seen on any page so far. */
  problems: string[];
  newPage(): Promise<Page>;
  close(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      s.close(() => resolve(port));
    });
  });
}

export async function startViz(): Promise<VizHarness> {
  const outDir = mkdtempSync(join(tmpdir(), 'pktpath-viz-build-'));
  const profile = mkdtempSync(join(tmpdir(), 'pktpath-viz-chromium-'));
  await build({ configFile, logLevel: 'error', build: { outDir, emptyOutDir: true } });
  const port = await freePort();
  const server: PreviewServer = await preview({
    configFile,
    logLevel: 'error',
    build: { outDir },
    preview: { port, strictPort: true, host: '127.0.0.1', open: false },
  });
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1500, height: 1100 },
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
    ],
  });
  const problems: string[] = [];
  const url = `http://127.0.0.1:${port}/`;
  return {
    url,
    context,
    problems,
    async newPage() {
      const page = await context.newPage();
      page.setDefaultTimeout(8_000);
      page.on('console', (m) => {
        if (m.type() === 'error') problems.push(`console: ${m.text()}`);
      });
      page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
      page.on('requestfailed', (r) => {
        // Links to elixir are never followed by the tests; anything else failing is a bug.
        problems.push(`requestfailed: ${r.url()} ${r.failure()?.errorText ?? ''}`);
      });
      page.on('response', (r) => {
        if (r.status() >= 400) problems.push(`http ${r.status()}: ${r.url()}`);
      });
      return page;
    },
    async close() {
      await context.close();
      await new Promise<void>((resolve) => server.httpServer.close(() => resolve()));
      rmSync(outDir, { recursive: true, force: true });
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Opens the app and waits until it finished starting (model probed, scenario picked). */
export async function openApp(h: VizHarness, hash = ''): Promise<Page> {
  const page = await h.newPage();
  await page.goto(h.url + hash);
  await page.waitForSelector('body[data-ready="true"]');
  return page;
}

export const fixture = (name: string): string => join(repo, 'test', 'viz', 'fixtures', name);
