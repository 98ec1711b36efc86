// The board's boot banner and firmware version, read from what its console printed, for the
// report's header. Boards say these in their own words, so this looks for the common shapes:
//   *** Booting Zephyr OS build v3.6.0 ***          (Zephyr, nRF Connect SDK, the virtual board)
//   [00:00:00.000,000] <inf> app: firmware 1.4.2    (an application's own version line)
//   I (312) app_init: App version:      v2.1.0      (ESP-IDF)
//   main(): This is RIOT! (Version: 2024.01)        (RIOT)

export interface FirmwareInfo {
  /** the boot banner line, as printed (colour codes removed) */
  banner?: string;
  /** the firmware's version: from a version line, else from the banner */
  version?: string;
}

/** Lines read at most: a banner comes early, and a long log is not worth scanning for one. */
const SCAN_LINES = 2000;

const ANSI = /\x1b\[[0-9;?]*[A-Za-z]/g;
const BANNER = [/^\*{3}\s*\S.*\*{3}$/, /\bBooting\b/i, /\bThis is RIOT\b/, /\bNuttShell\b/];
const VERSION_LINE = /\b(?:firmware|fw|app(?:lication)? version|version)\b[\s:=(]*v?(\d+\.\d+[0-9A-Za-z.+-]*)/i;
const VERSION_IN_BANNER = /\bv?(\d+\.\d+(?:\.\d+)*(?:[-+][0-9A-Za-z.+-]+)?)/;

/** The banner and version found in `lines`, or undefined when there is neither. */
export function findFirmware(lines: readonly string[]): FirmwareInfo | undefined {
  let banner: string | undefined;
  let version: string | undefined;
  const n = Math.min(lines.length, SCAN_LINES);
  for (let i = 0; i < n && (banner === undefined || version === undefined); i++) {
    const line = lines[i]!.replace(ANSI, '').trim();
    if (banner === undefined && BANNER.some((re) => re.test(line))) banner = line;
    if (version === undefined) version = VERSION_LINE.exec(line)?.[1];
  }
  version ??= banner === undefined ? undefined : VERSION_IN_BANNER.exec(banner)?.[1];
  if (banner === undefined && version === undefined) return undefined;
  return { ...(banner !== undefined ? { banner } : {}), ...(version !== undefined ? { version: trimVersion(version) } : {}) };
}

/** '1.2.3.' or '1.2.3-' from the end of a sentence: the punctuation is not the version's. */
function trimVersion(v: string): string {
  return v.replace(/[.+-]+$/, '');
}
