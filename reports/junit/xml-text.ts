// Text that a board printed, going into XML. XML 1.0 allows only TAB, LF, CR and the characters
// from U+0020 up (less the surrogates and U+FFFE/U+FFFF): a NUL or an ANSI escape in a console
// line would make the whole junit.xml unreadable to CI. Those characters are written as visible
// `\x1b` text instead, a lone surrogate (a string cut inside a character, or bytes decoded
// byte-for-byte) becomes U+FFFD, and the result is then escaped for element text or attributes.

/** Characters XML 1.0 cannot carry at all (the Char production), each matched alone. */
const NOT_XML_CHAR = /[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

const hex2 = (n: number): string => n.toString(16).padStart(2, '0');

/** `s` with every character XML cannot hold made visible (`\x00`, `\x1b`) or replaced (U+FFFD). */
export function xmlSafe(s: string): string {
  return s.replace(NOT_XML_CHAR, (ch) => {
    const c = ch.charCodeAt(0);
    if (c < 0x20) return `\\x${hex2(c)}`;
    if (c === 0xfffe || c === 0xffff) return `\\u${c.toString(16)}`;
    return '\ufffd';
  });
}

/** Element content: safe characters, `&`, `<`, `>` escaped. */
export function xmlText(s: string): string {
  return xmlSafe(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * An attribute value in double quotes. Line breaks and tabs become character references, which
 * a parser keeps (a literal one it would normalise to a space).
 */
export function xmlAttr(s: string): string {
  return xmlText(s).replace(/"/g, '&quot;').replace(/\n/g, '&#10;').replace(/\r/g, '&#13;').replace(/\t/g, '&#9;');
}

/**
 * An xs:token attribute (JUnit's names): no line breaks, tabs or runs of spaces, not empty. A
 * validator would collapse them anyway; doing it here keeps what CI shows equal to the file.
 */
export function xmlToken(s: string, fallback: string): string {
  const t = xmlSafe(s).replace(/\s+/g, ' ').trim();
  return xmlAttr(t === '' ? fallback : t);
}
