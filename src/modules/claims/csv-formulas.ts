/**
 * CSV formula injection (OWASP): a spreadsheet runs a cell that starts with `=`, `+`, `-`,
 * `@`, tab or CR as a formula, so a claim's text could run code on a desk's machine. Export
 * prefixes such a cell with `'`, which spreadsheets show as plain text; import removes one
 * such `'`. A cell that already starts with `'`s before one of those characters gets one
 * more on export, so that every value (`=x`, `'=x`, `'hello`) round-trips exactly.
 */
const FORMULA_MAYBE_ESCAPED = /^'*[=+\-@\t\r]/
const ESCAPED_FORMULA = /^'+[=+\-@\t\r]/

export const neutraliseFormula = (cell: string) => (FORMULA_MAYBE_ESCAPED.test(cell) ? `'${cell}` : cell)

export const restoreFormula = (cell: string) => (ESCAPED_FORMULA.test(cell) ? cell.slice(1) : cell)
