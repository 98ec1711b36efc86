// The page's Content-Security-Policy. The report shows what a board printed, and a board (or the
// firmware bug under test) may print markup. The viewer never turns that text into markup, and
// the policy is the second wall: only the one inline style and the one inline script whose
// SHA-256 the policy names may run, nothing may be fetched, and images only from data: URLs (the
// favicon). A `<script>` smuggled into the page, an `onerror=` attribute, a `javascript:` link
// or a `<link rel=stylesheet>` has no hash in the list, so the browser refuses it.
import { createHash } from 'node:crypto';

/** The CSP source for an inline block: 'sha256-<base64 of the SHA-256 of its exact text>'. */
export function cspHash(text: string): string {
  return `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
}

export function contentSecurityPolicy(style: string, script: string): string {
  return [
    "default-src 'none'",
    `style-src ${cspHash(style)}`,
    `script-src ${cspHash(script)}`,
    'img-src data:',
    // these two do not fall back to default-src: no <base> to redirect the links, no form posts
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
}
