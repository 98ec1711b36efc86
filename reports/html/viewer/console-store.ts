// Part of the report's viewer, which runs in the browser: this function's source text goes into
// the page (viewer-script.ts), so it may use nothing from outside its own body but browser globals.
// The console lines come packed (console-block.ts: gzip, base64); they are unpacked once, the
// first time someone opens a console, so a page with 200 000 lines opens as fast as one with none.
import type { ViewerDocument } from './dom.js';

declare const document: ViewerDocument;

export interface ConsoleStore {
  /** every console line of the report, in the order ReportTest.consoleFrom counts them */
  lines(): Promise<string[]>;
}

export function consoleStore(blockId: string): ConsoleStore {
  let unpacked: Promise<string[]> | undefined;

  async function unpack(): Promise<string[]> {
    const b64 = (document.getElementById(blockId)?.textContent ?? '').trim();
    if (b64 === '') return [];
    if (typeof DecompressionStream !== 'function') {
      throw new Error('this browser cannot unpack the console lines (it has no DecompressionStream); results.json and console.jsonl hold them');
    }
    const bin = atob(b64);
    const bytes = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    const text = await new Response(new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'))).text();
    return text.split('\n');
  }

  return {
    lines() {
      unpacked ??= unpack();
      return unpacked;
    },
  };
}
