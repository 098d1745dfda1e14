import { accessSync, constants, statSync } from 'node:fs'
import { Fatal } from './fatal.js'

/** One line for a file the user named that cannot be read, before anything else happens. */
export function assertReadable (path: string): void {
  try {
    if (statSync(path).isDirectory()) throw new Fatal(`cannot read ${path}: it is a directory`)
    accessSync(path, constants.R_OK)
  } catch (error) {
    if (error instanceof Fatal) throw error
    const { code } = error as NodeJS.ErrnoException
    throw new Fatal(`cannot read ${path}: ${code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : (error as Error).message}`)
  }
}
