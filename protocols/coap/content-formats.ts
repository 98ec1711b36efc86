// CoAP Content-Formats (RFC 7252 §12.3 registry): the number a Content-Format or Accept option
// carries, and the media type it stands for. The common registrations; an unlisted number is
// still a legal value on the wire, and contentFormatName says so rather than failing.

export const ContentFormat = {
  TEXT_PLAIN: 0,
  LINK_FORMAT: 40,
  XML: 41,
  OCTET_STREAM: 42,
  EXI: 47,
  JSON: 50,
  JSON_PATCH: 51,
  MERGE_PATCH: 52,
  CBOR: 60,
  CWT: 61,
  MULTIPART_CORE: 62,
  CBOR_SEQ: 63,
  SENML_JSON: 110,
  SENSML_JSON: 111,
  SENML_CBOR: 112,
  SENSML_CBOR: 113,
  SENML_EXI: 114,
  SENSML_EXI: 115,
  SENML_XML: 310,
  SENSML_XML: 311,
  SENML_ETCH_JSON: 320,
  SENML_ETCH_CBOR: 322,
  OSCORE: 10001,
  LWM2M_TLV: 11542,
  LWM2M_JSON: 11543,
  LWM2M_CBOR: 11544,
} as const;

/** Media type (with parameters) by Content-Format number. */
export const CONTENT_FORMATS: ReadonlyMap<number, string> = new Map([
  [0, 'text/plain;charset=utf-8'], // RFC 7252
  [40, 'application/link-format'], // RFC 6690
  [41, 'application/xml'],
  [42, 'application/octet-stream'],
  [47, 'application/exi'],
  [50, 'application/json'],
  [51, 'application/json-patch+json'], // RFC 8132
  [52, 'application/merge-patch+json'], // RFC 8132
  [60, 'application/cbor'],
  [61, 'application/cwt'], // RFC 8392
  [62, 'application/multipart-core'], // RFC 8710
  [63, 'application/cbor-seq'], // RFC 8742
  [110, 'application/senml+json'], // RFC 8428
  [111, 'application/sensml+json'],
  [112, 'application/senml+cbor'],
  [113, 'application/sensml+cbor'],
  [114, 'application/senml-exi'],
  [115, 'application/sensml-exi'],
  [310, 'application/senml+xml'],
  [311, 'application/sensml+xml'],
  [320, 'application/senml-etch+json'], // RFC 8790
  [322, 'application/senml-etch+cbor'],
  [10001, 'application/oscore'], // RFC 8613
  [11542, 'application/vnd.oma.lwm2m+tlv'], // OMA LwM2M 1.0
  [11543, 'application/vnd.oma.lwm2m+json'],
  [11544, 'application/vnd.oma.lwm2m+cbor'], // OMA LwM2M 1.2
]);

const BY_TYPE = new Map([...CONTENT_FORMATS].map(([n, t]) => [normalize(t), n]));

function normalize(mediaType: string): string {
  return mediaType.toLowerCase().replace(/\s*;\s*/g, ';');
}

/** 'application/json' for 50; undefined for an unlisted number. */
export const contentFormatName = (n: number): string | undefined => CONTENT_FORMATS.get(n);

/** For reports: 'application/json (50)' or 'unregistered (12345)'. */
export const describeContentFormat = (n: number): string => `${CONTENT_FORMATS.get(n) ?? (n >= 65000 && n <= 65535 ? 'experimental' : 'unregistered')} (${n})`;

/** The number for a media type; 'text/plain; charset=utf-8' and 'text/plain;charset=utf-8' both give 0. */
export const contentFormatFor = (mediaType: string): number | undefined => BY_TYPE.get(normalize(mediaType));
