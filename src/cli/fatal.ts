/** A failure the CLI reports in one line (exit 2), as opposed to a bug, which keeps its stack. */
export class Fatal extends Error {}
