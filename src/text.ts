/**
 * The comparison key behind every "same name" and "same claim" rule (API.md: Unicode NFC,
 * case-folding, whitespace collapsing). Text itself is always stored exactly as given.
 */
export function foldKey (text: string): string {
  return text.normalize('NFC').toLowerCase().replace(/\s+/gu, ' ').trim()
}
