import { divisionIndex } from '../registry/divisions.ts';

/**
 * The issuing body a document names in its header: the district's civil-affairs bureau for a record or a
 * user of a district (上海市杨浦区民政局), the city's bureau otherwise (上海市民政局).
 */
export function issuerFor(divisionCode: string | null | undefined): string {
  const district = divisionCode ? divisionIndex().path(divisionCode)?.district?.name : undefined;
  return `上海市${district ?? ''}民政局`;
}
