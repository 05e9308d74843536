/** A problem with an imported file as a whole, reported as one error line without a row (in Chinese). */
export class FileProblem extends Error {}
