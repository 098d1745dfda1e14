/**
 * Comparison keys behind every "same name", "same source" and "same claim" rule (API.md:
 * Unicode NFC, case-folding, whitespace collapsing). Text itself is stored exactly as given.
 */

/**
 * Full case folding approximated the portable way: upper- then lower-casing maps ß to ss
 * and final ς to σ, which a bare toLowerCase() does not.
 */
export function foldKey (text: string): string {
  return text.normalize('NFC').toUpperCase().toLowerCase().normalize('NFC').replace(/\s+/gu, ' ').trim()
}

/**
 * The same URL however it was typed: scheme and host case, default port and percent-encoding
 * normalised by WHATWG URL parsing; the fragment dropped, since it names a place in the
 * same document.
 */
export function urlKey (url: string): string {
  const parsed = new URL(url)
  parsed.hash = ''
  return parsed.href
}

/**
 * The words of a search as a person typed it: every run of letters or digits, NFC, at most 32.
 * Quotes, `*`, `-`, parentheses and the like are never search syntax, on either engine.
 */
export function searchWords (q: string): string[] {
  return (q.normalize('NFC').match(/[\p{L}\p{N}]+/gu) ?? []).slice(0, 32)
}
