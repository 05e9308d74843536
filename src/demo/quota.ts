/**
 * A deterministic quota: "rate per unit of base". A candidate is taken whenever the count so far is
 * below rate × base, so the share is met closely for any run size (systematic sampling in stream
 * order; the stream itself is random).
 */
export class Quota {
  assigned = 0;

  constructor(readonly rate: number) {}

  due(base: number, add = 1): boolean {
    return this.assigned + add <= this.rate * base + add / 2;
  }

  take(n = 1): void {
    this.assigned += n;
  }
}
