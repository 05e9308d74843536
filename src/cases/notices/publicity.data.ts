import { mayAct } from '../../auth/roles.ts';
import type { DataScope } from '../../auth/scope.ts';
import type { Db } from '../../db/store.ts';
import { decisionOf } from '../../entitlements/decision.service.ts';
import { divisionIndex } from '../../registry/divisions.ts';
import { findHousehold, householdMemberRows } from '../../registry/household.repository.ts';
import { findPerson } from '../../registry/person.repository.ts';
import type { CaseCaller } from '../case.deps.ts';
import { listCaseRows, stepRecords, type CaseRow } from '../case.repository.ts';
import { programLabel } from './notice.data.ts';
import { streetName } from './notice.format.ts';
import { NoticeError } from './notices.errors.ts';
import type { PublicityListData, PublicityRow } from './notice.types.ts';

/**
 * The 公示名单 of a street (or a district): every case of it in publicity whose period includes today, with
 * the applicant's full name (the document masks it), the household's size now, the programs applied for and
 * the monthly amount of the decision lines prepared (none yet: no amount). Only a caller whose scope covers
 * the whole street may print it (a committee's user would otherwise print part of a street under its name).
 */

const PAGE = 500;

/** The street or district asked, or the caller's own when it is one; refused outside the scope. */
export function publicityDivision(scope: DataScope, requested: string | undefined): string {
  const code = requested ?? (scope.kind === 'division' ? scope.code : undefined);
  if (!code) throw new NoticeError('invalid', '请指定街道（镇）代码');
  const division = divisionIndex().get(code);
  if (!division || (division.level !== 'street' && division.level !== 'district')) {
    throw new NoticeError('invalid', `${code} 不是本市的区或街道（镇）代码`);
  }
  if (scope.kind === 'division' && !code.startsWith(scope.code)) {
    throw new NoticeError('not_found', `${division.name}不在您的数据范围内，或您只能查看其中一部分`);
  }
  return code;
}

async function rowsInPublicity(db: Db, scope: DataScope, division: string): Promise<CaseRow[]> {
  const all: CaseRow[] = [];
  for (let offset = 0; ; offset += PAGE) {
    const { rows } = await listCaseRows(db, scope, { state: 'publicity', division, limit: PAGE, offset });
    all.push(...rows);
    if (rows.length < PAGE) return all;
  }
}

async function monthlyProposedFen(db: Db, scope: DataScope, row: CaseRow): Promise<number | null> {
  const decision = await decisionOf(db, scope, { districtCode: row.districtCode, caseId: row.id });
  const monthly = decision.lines.filter((l) => l.outcome === 'granted' && l.schedule === 'monthly');
  return monthly.length === 0 ? null : monthly.reduce((sum, l) => sum + l.amountFen, 0);
}

export async function publicityListData(
  db: Db,
  caller: CaseCaller,
  request: {
    division?: string | undefined;
    objectionPlace?: string | undefined;
    contact?: string | undefined;
  },
  today: string,
): Promise<PublicityListData> {
  if (!mayAct(caller.role, 'cases.view')) throw new NoticeError('forbidden', '您没有权限查看救助申请');
  const division = publicityDivision(caller.scope, request.division);
  const listed: (PublicityRow & { from: string; to: string })[] = [];
  for (const row of await rowsInPublicity(db, caller.scope, division)) {
    const { publicity } = await stepRecords(db, row);
    if (!publicity || publicity.startsOn > today || publicity.endsOn < today) continue;
    const [applicant, household, members, amountFen] = await Promise.all([
      findPerson(db, caller.scope, row.districtCode, row.applicantPersonId),
      findHousehold(db, caller.scope, { districtCode: row.districtCode, id: row.householdId }),
      householdMemberRows(db, row.districtCode, row.householdId, true),
      monthlyProposedFen(db, caller.scope, row),
    ]);
    if (!applicant || !household) continue;
    listed.push({
      name: applicant.name,
      committeeCode: row.committeeCode,
      householdSize: members.length,
      programs: row.programs.map(programLabel),
      amountFen,
      from: publicity.startsOn,
      to: publicity.endsOn,
    });
  }
  listed.sort((a, b) => a.committeeCode.localeCompare(b.committeeCode) || a.from.localeCompare(b.from));
  const from = listed.reduce((min, r) => (r.from < min ? r.from : min), listed[0]?.from ?? today);
  const to = listed.reduce((max, r) => (r.to > max ? r.to : max), listed[0]?.to ?? today);
  const place =
    division.length === 9
      ? `${streetName(division)}社区事务受理服务中心`
      : '各街道（镇）社区事务受理服务中心';
  return {
    divisionCode: division,
    from,
    to,
    rows: listed,
    objectionPlace: request.objectionPlace ?? place,
    ...(request.contact ? { contact: request.contact } : {}),
    printedOn: today,
  };
}
