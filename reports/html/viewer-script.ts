// The report's inline script, assembled from the viewer's parts (viewer/*.ts). Each part is a
// function written in TypeScript, so the compiler checks the viewer as it checks the rest, and
// the page holds each function's source text (Function.prototype.toString, the way Playwright's
// page.evaluate ships a function to the browser). A part uses nothing from its module's scope:
// the parts it needs come in as arguments, so no bundler's renaming of module-level names can
// break the page. The Chromium test (test/reports/html-browser.test.ts) runs the result.
import { sequenceChart } from './viewer/chart.js';
import { consoleStore } from './viewer/console-store.js';
import { testDetails } from './viewer/details.js';
import { formats } from './viewer/format.js';
import { renderHeader } from './viewer/header.js';
import { domKit } from './viewer/kit.js';
import { viewerMain } from './viewer/main.js';
import { makePager } from './viewer/pager.js';

const PARTS = { domKit, formats, makePager, sequenceChart, consoleStore, renderHeader, testDetails } as const;

let cached: string | undefined;

/** The script's text (the same for every report, so its CSP hash is too). */
export function viewerScript(): string {
  if (cached === undefined) {
    const parts = Object.entries(PARTS)
      .map(([name, fn]) => `  ${name}: ${fn.toString()},`)
      .join('\n');
    cached = `"use strict";\n(${viewerMain.toString()})({\n${parts}\n});\n`;
    // the text sits in a <script> element: it must not end it early, whatever a part holds
    if (/<\/script|<!--/i.test(cached)) throw new Error('the viewer script holds "</script" or "<!--"; it would break out of its element');
  }
  return cached;
}
