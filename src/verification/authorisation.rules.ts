import type { AuthorisationRow } from './authorisation.repository.ts';

/**
 * Which authorisations hold on a day (pure, so that a request and a re-verification judge alike). An
 * authorisation holds from the day it was signed; a dated one until `valid_until` (exclusive), a standing
 * one (signed at application, for the benefit's re-verifications) until it is ended; an ended one not on
 * or after `ended_on`.
 */
export function holdsOn(
  a: Pick<AuthorisationRow, 'signedOn' | 'validUntil' | 'endedOn'>,
  day: string,
): boolean {
  if (a.signedOn > day) return false;
  if (a.endedOn !== null && a.endedOn <= day) return false;
  return a.validUntil === null || day < a.validUntil;
}

export interface Signer {
  personId: string;
  name: string;
}

export interface Coverage {
  /** The authorisations that cover the adults (each adult by at least one). */
  authorisationIds: string[];
  /** Adults no authorisation of the purpose names at all. */
  unsigned: Signer[];
  /** Adults whose only authorisations of the purpose have expired or ended by the day. */
  expired: Signer[];
}

/** Whether every adult is covered on `day` by an authorisation of `purpose`; what is missing if not. */
export function coverageOf(
  authorisations: readonly Pick<
    AuthorisationRow,
    'id' | 'purpose' | 'personIds' | 'signedOn' | 'validUntil' | 'endedOn'
  >[],
  purpose: string,
  adults: readonly Signer[],
  day: string,
): Coverage {
  const ofPurpose = authorisations.filter((a) => a.purpose === purpose);
  const used = new Set<string>();
  const unsigned: Signer[] = [];
  const expired: Signer[] = [];
  for (const adult of adults) {
    const naming = ofPurpose.filter((a) => a.personIds.includes(adult.personId));
    const holding = naming.find((a) => holdsOn(a, day));
    if (holding) used.add(holding.id);
    else if (naming.length > 0) expired.push(adult);
    else unsigned.push(adult);
  }
  return { authorisationIds: [...used], unsigned, expired };
}
