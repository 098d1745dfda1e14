/** The printed table, the growth and target lines, and the --json file. */
import { writeFileSync } from 'node:fs'
import type { Figures } from './load.js'

export interface Row {
  /** Stable name, the key in --json output. */
  key: string
  label: string
  /** undefined: not measurable in this build (say, `q` not implemented yet). */
  figures?: Figures | undefined
  /** Shown instead of figures, or after the label. */
  note?: string
  /** A section heading printed above this row. */
  section?: string
  /** Write scenarios: bytes written to storage per operation (a review), when counted. */
  writtenPerOp?: number | undefined
}

const fixed = (n: number | undefined, digits: number) => (n === undefined || !Number.isFinite(n) ? 'n/a' : n.toFixed(digits))
const count = (n: number | undefined) => (n === undefined || !Number.isFinite(n) ? 'n/a' : Math.round(n).toLocaleString('en'))

export function ratioToBaseline (row: Row, baseline: Figures | undefined): number | undefined {
  if (row.figures === undefined || baseline === undefined) return undefined
  return row.figures.reqPerSec / baseline.reqPerSec
}

export function printTable (rows: Row[], baseline: Figures | undefined, out: (line: string) => void) {
  const width = Math.max(...rows.map((r) => r.label.length)) + 2
  const header = `${'scenario'.padEnd(width)}${'req/s'.padStart(10)}${'p50 ms'.padStart(10)}${'p99 ms'.padStart(10)}${'× baseline'.padStart(12)}`
  out(header)
  out('-'.repeat(header.length))
  for (const row of rows) {
    if (row.section !== undefined) out(row.section)
    const f = row.figures
    if (f === undefined) {
      out(`${row.label.padEnd(width)}${'n/a'.padStart(10)}${'n/a'.padStart(10)}${'n/a'.padStart(10)}${'n/a'.padStart(12)}  ${row.note ?? ''}`)
      continue
    }
    const failed = f.failed > 0 ? `  (${f.failed} failed)` : ''
    out(`${row.label.padEnd(width)}${count(f.reqPerSec).padStart(10)}${fixed(f.p50Ms, 2).padStart(10)}${fixed(f.p99Ms, 2).padStart(10)}` +
      `${fixed(ratioToBaseline(row, baseline), 2).padStart(12)}${row.note === undefined ? '' : '  ' + row.note}${failed}`)
  }
}

export function writeJson (file: string, rows: Row[], baseline: Figures | undefined) {
  const figures = Object.fromEntries(rows.map((row) => {
    const f = row.figures
    const round = (n: number | undefined, digits: number) => (n === undefined || !Number.isFinite(n) ? null : Number(n.toFixed(digits)))
    return [row.key, {
      reqPerSec: round(f?.reqPerSec, 1),
      p50Ms: round(f?.p50Ms, 3),
      p99Ms: round(f?.p99Ms, 3),
      ratio: round(ratioToBaseline(row, baseline), 3),
      writtenBytesPerOp: round(row.writtenPerOp, 0)
    }]
  }))
  writeFileSync(file, JSON.stringify(figures, null, 2) + '\n')
}

export const megabytes = (bytes: number | undefined) => (bytes === undefined ? 'n/a' : `${(bytes / 1024 / 1024).toFixed(0)} MB`)
export const times = (n: number | undefined) => (n === undefined || !Number.isFinite(n) ? 'n/a' : `${n.toFixed(2)}×`)
