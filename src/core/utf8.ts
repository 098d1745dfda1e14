/**
 * Request bodies are UTF-8 (JSON by RFC 8259 §8.1, NDJSON and CSV by this API's contract). A
 * body that is not — a spreadsheet saved as Windows-1252, say — used to be decoded with U+FFFD
 * in place of every accented letter and stored that way; it is refused instead, naming the
 * line, before anything is written. The CLI reads review files with the same check.
 */
import { Unreadable } from './errors.js'

/** A body whose `line` (from 1, also given as the `line` detail) is not UTF-8. */
export const notUtf8 = (line: number) => new Unreadable('utf-8',
  `Line ${line} of the body is not UTF-8 text; nothing was written. Encode it as UTF-8 (a CSV from a spreadsheet: save as "CSV UTF-8")`, { line })

const decoder = new TextDecoder('utf-8', { fatal: true })

/** `bytes` as text (a leading BOM dropped), or `notUtf8` naming the first line that is not UTF-8. */
export function decodeUtf8 (bytes: Uint8Array): string {
  try {
    return decoder.decode(bytes)
  } catch {
    const check = new Utf8Check()
    check.push(bytes)
    check.end()
    /* c8 ignore next */
    throw new Error('unreachable: the decoder refused what the check accepts')
  }
}

/**
 * Checks a body chunk by chunk as it streams past, in constant memory, failing with
 * `notUtf8(line)`. A whole chunk is checked at once; only a failing one is split at its
 * newlines to find the line (a newline byte never occurs inside a UTF-8 character, so the
 * lines after a chunk's first newline can be checked on their own).
 */
export class Utf8Check {
  private readonly decoder = new TextDecoder('utf-8', { fatal: true })
  /** Lines completed so far. */
  private lines = 0

  push (chunk: Uint8Array): void {
    const bytes = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength)
    try {
      this.decoder.decode(bytes, { stream: true })
    } catch {
      throw notUtf8(this.lines + this.badLineIn(bytes))
    }
    for (let at = bytes.indexOf(0x0a); at !== -1; at = bytes.indexOf(0x0a, at + 1)) this.lines++
  }

  /** The body ended: a character cut short at its very end is not UTF-8 either. */
  end (): void {
    try {
      this.decoder.decode()
    } catch {
      throw notUtf8(this.lines + 1)
    }
  }

  /** Which line of a failing chunk (1: the one in progress when it began) holds the bad byte. */
  private badLineIn (bytes: Buffer): number {
    const fresh = new TextDecoder('utf-8', { fatal: true })
    let line = 1
    for (let start = bytes.indexOf(0x0a) + 1; start > 0; line++) {
      const next = bytes.indexOf(0x0a, start)
      try {
        fresh.decode(bytes.subarray(start, next === -1 ? bytes.length : next), { stream: next === -1 })
      } catch {
        return line + 1
      }
      start = next + 1
    }
    return 1
  }
}
