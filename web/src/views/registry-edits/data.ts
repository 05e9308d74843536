import { editsApi, type NewPersonBody, type Written } from '../../api/registry-edits.ts';
import type { HouseholdDetail, HouseholdMember, PersonDetailResponse } from '../../api/types.ts';
import { HEAD_RELATION, RELATION_CODES, SEX_CODES } from '../../../../src/registry/codes.ts';
import { shanghaiToday } from '../../utils/clock.ts';

/** GB/T 4761's 01 本人: the reference person themself, which the registry records as 02 户主. */
const SELF_RELATION = '01';

/**
 * 登记变更 forms as data: each edit is a title, its fields and the call it makes. EditDialog.vue renders
 * any of them (with the required reason) and sends the version the page read, so an edit made on a stale
 * page is refused by the server (409) instead of overwriting someone else's.
 */

export interface Option {
  value: string;
  label: string;
}

/**
 * The relation pickers: the server's GB/T 4761-2008 table (src/registry/codes.ts, bundled into the
 * console, not copied), relations to the 户主 — so not 01 本人 — and 02 户主 itself only when asked.
 */
export function relationOptions(withHead = false): Option[] {
  // Codes like '10' are integer-like keys, which objects list before '02': sort by code.
  return Object.entries(RELATION_CODES)
    .filter(([code]) => code !== SELF_RELATION && (withHead || code !== HEAD_RELATION))
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([value, name]) => ({ value, label: `${value} ${name}` }));
}

/** GB/T 2261.1 男性 and 女性 (the codes a person is registered with), from the server's table. */
export const SEX_OPTIONS: Option[] = ([1, 2] as const).map((code) => ({
  value: String(code),
  label: SEX_CODES[code],
}));

/** The version a record was read with (the API sends it on every person and household it shows). */
export function versionOf(record: object): number {
  const value = (record as { version?: unknown; personVersion?: unknown }).version;
  return typeof value === 'number' ? value : 1;
}

export function memberVersion(member: HouseholdMember): number {
  return typeof member.personVersion === 'number' ? member.personVersion : 1;
}

export type FieldKind = 'text' | 'date' | 'relation' | 'select' | 'member' | 'household' | 'district';

export interface FieldSpec {
  key: string;
  label: string;
  kind: FieldKind;
  required?: boolean;
  options?: Option[];
  placeholder?: string;
  /** Value the field starts with. */
  initial?: string;
}

/** What a form may act on: the page's household (with its members) or person. */
export interface EditContext {
  household?: HouseholdDetail;
  /** The household's id (the detail's household record carries it). */
  householdId?: string;
  person?: PersonDetailResponse;
  personId?: string;
}

export interface EditSpec {
  id: string;
  /** The dialog's title and the menu item. */
  title: string;
  /** Shown above the form (what the edit does). */
  hint: string;
  fields: (context: EditContext) => FieldSpec[];
  submit: (values: Record<string, string>, reason: string, context: EditContext) => Promise<Written>;
  /** Only when the server would allow it (e.g. a death only for the living). */
  available?: (context: EditContext) => boolean;
}

function memberOptions(context: EditContext, filter: (m: HouseholdMember) => boolean = () => true): Option[] {
  return (context.household?.members ?? [])
    .filter(filter)
    .map((m) => ({ value: m.personId, label: `${m.name}（${m.relationName}）` }));
}

function householdVersion(context: EditContext): number {
  return context.household ? versionOf(context.household.household) : 1;
}

function householdIdOf(context: EditContext): string {
  const id = context.householdId ?? context.household?.household.id;
  if (!id) throw new Error('no household in context');
  return id;
}

function personVersion(context: EditContext, personId: string): number {
  const member = context.household?.members.find((m) => m.personId === personId);
  if (member) return memberVersion(member);
  return context.person ? versionOf(context.person.person) : 1;
}

const today = () => shanghaiToday();

function newPersonFields(prefix: string): FieldSpec[] {
  return [
    { key: `${prefix}name`, label: '姓名', kind: 'text', required: true },
    { key: `${prefix}sex`, label: '性别', kind: 'select', required: true, options: SEX_OPTIONS },
    { key: `${prefix}birthDate`, label: '出生日期', kind: 'date', required: true },
    { key: `${prefix}idNumber`, label: '身份证号', kind: 'text', required: true, placeholder: '18 位' },
    {
      key: `${prefix}hukouDivisionCode`,
      label: '户籍地区划代码',
      kind: 'text',
      required: true,
      placeholder: '本市街道/居委会代码，或外省市 6 位代码',
    },
  ];
}

function newPerson(values: Record<string, string>, prefix = ''): NewPersonBody {
  return {
    name: values[`${prefix}name`] ?? '',
    sex: Number(values[`${prefix}sex`]),
    birthDate: values[`${prefix}birthDate`] ?? '',
    idNumber: (values[`${prefix}idNumber`] ?? '').trim().toUpperCase(),
    hukouDivisionCode: (values[`${prefix}hukouDivisionCode`] ?? '').trim(),
  };
}

const v = (values: Record<string, string>, key: string) => values[key] ?? '';

/** Edits on a household page. */
export const HOUSEHOLD_EDITS: readonly EditSpec[] = [
  {
    id: 'birth',
    title: '出生登记',
    hint: '新生儿登记为本户成员，自出生之日起计入本户。',
    fields: () => [
      ...newPersonFields(''),
      { key: 'relationCode', label: '与户主关系', kind: 'relation', required: true, initial: '20' },
    ],
    submit: (values, reason, context) =>
      editsApi.birth(householdIdOf(context), {
        version: householdVersion(context),
        person: newPerson(values),
        relationCode: v(values, 'relationCode'),
        reason,
      }),
  },
  {
    id: 'move-in',
    title: '成员迁入',
    hint: '本区已登记的人员填写人员ID；未登记的人员填写其身份信息。外区人员须由原区发起跨区迁移。',
    fields: () => [
      {
        key: 'personId',
        label: '人员ID（本区已登记人员）',
        kind: 'text',
        placeholder: '留空则按下列信息新登记',
      },
      ...newPersonFields('new.').map((f) => ({ ...f, required: false })),
      { key: 'relationCode', label: '与户主关系', kind: 'relation', required: true },
      { key: 'validFrom', label: '迁入日期', kind: 'date', required: true, initial: today() },
    ],
    submit: (values, reason, context) =>
      editsApi.moveIn(householdIdOf(context), {
        version: householdVersion(context),
        member: v(values, 'personId').trim()
          ? { personId: v(values, 'personId').trim(), relationCode: v(values, 'relationCode') }
          : { person: newPerson(values, 'new.'), relationCode: v(values, 'relationCode') },
        validFrom: v(values, 'validFrom'),
        reason,
      }),
  },
  {
    id: 'move-out',
    title: '成员迁出',
    hint: '成员自迁出日期起不再属于本户（户主须最后迁出，或先变更户主）。死亡请用死亡登记。',
    fields: (context) => [
      { key: 'personId', label: '迁出成员', kind: 'member', required: true, options: memberOptions(context) },
      { key: 'validTo', label: '迁出日期', kind: 'date', required: true, initial: today() },
      {
        key: 'endReason',
        label: '迁出原因',
        kind: 'select',
        required: true,
        initial: 'moved_out',
        options: [
          { value: 'moved_out', label: '迁出' },
          { value: 'correction', label: '更正（登记有误）' },
          { value: 'other', label: '其他' },
        ],
      },
    ],
    submit: (values, reason, context) =>
      editsApi.moveOut(householdIdOf(context), v(values, 'personId'), {
        version: householdVersion(context),
        validTo: v(values, 'validTo'),
        endReason: v(values, 'endReason') as 'moved_out' | 'correction' | 'other',
        reason,
      }),
  },
  {
    id: 'head',
    title: '变更户主',
    hint: '新户主自变更日期起为户主；原户主改为与新户主的关系。',
    fields: (context) => [
      {
        key: 'newHeadPersonId',
        label: '新户主',
        kind: 'member',
        required: true,
        options: memberOptions(context, (m) => m.relationCode !== '02'),
      },
      { key: 'formerHeadRelationCode', label: '原户主与新户主的关系', kind: 'relation', required: true },
      { key: 'date', label: '变更日期', kind: 'date', required: true, initial: today() },
    ],
    submit: (values, reason, context) =>
      editsApi.changeHead(householdIdOf(context), {
        version: householdVersion(context),
        newHeadPersonId: v(values, 'newHeadPersonId'),
        formerHeadRelationCode: v(values, 'formerHeadRelationCode'),
        date: v(values, 'date'),
        reason,
      }),
  },
  {
    id: 'relation',
    title: '变更成员关系',
    hint: '成员与户主的关系自变更日期起改变，此前的关系保留在变动记录中。',
    fields: (context) => [
      {
        key: 'personId',
        label: '成员',
        kind: 'member',
        required: true,
        options: memberOptions(context, (m) => m.relationCode !== '02'),
      },
      { key: 'relationCode', label: '新的与户主关系', kind: 'relation', required: true },
      { key: 'date', label: '变更日期', kind: 'date', required: true, initial: today() },
    ],
    submit: (values, reason, context) =>
      editsApi.changeRelation(householdIdOf(context), {
        version: householdVersion(context),
        personId: v(values, 'personId'),
        relationCode: v(values, 'relationCode'),
        date: v(values, 'date'),
        reason,
      }),
  },
  {
    id: 'death-member',
    title: '死亡登记',
    hint: '登记死亡日期；其成员关系自死亡次日起终止。户主死亡后请办理变更户主。',
    fields: (context) => [
      { key: 'personId', label: '成员', kind: 'member', required: true, options: memberOptions(context) },
      { key: 'deathDate', label: '死亡日期', kind: 'date', required: true },
    ],
    submit: (values, reason, context) =>
      editsApi.death(v(values, 'personId'), {
        version: personVersion(context, v(values, 'personId')),
        deathDate: v(values, 'deathDate'),
        reason,
      }),
  },
  {
    id: 'address',
    title: '更正地址',
    hint: '更正本户登记的地址。',
    fields: (context) => [
      {
        key: 'address',
        label: '地址',
        kind: 'text',
        required: true,
        initial: context.household?.household.address ?? '',
      },
    ],
    submit: (values, reason, context) =>
      editsApi.correctHousehold(householdIdOf(context), {
        version: householdVersion(context),
        address: v(values, 'address'),
        reason,
      }),
  },
];

function personIdOf(context: EditContext): string {
  const id = context.personId ?? context.person?.person.id;
  if (!id) throw new Error('no person in context');
  return id;
}

/** The corrected fields a form filled in (blank = unchanged). */
function corrections(values: Record<string, string>): Partial<NewPersonBody> {
  const out: Partial<NewPersonBody> = {};
  if (v(values, 'name').trim()) out.name = v(values, 'name').trim();
  if (v(values, 'sex')) out.sex = Number(v(values, 'sex'));
  if (v(values, 'birthDate')) out.birthDate = v(values, 'birthDate');
  if (v(values, 'idNumber').trim()) out.idNumber = v(values, 'idNumber').trim().toUpperCase();
  if (v(values, 'phone').trim()) out.phone = v(values, 'phone').trim();
  if (v(values, 'hukouDivisionCode').trim()) out.hukouDivisionCode = v(values, 'hukouDivisionCode').trim();
  return out;
}

const living = (context: EditContext) => !context.person?.person.deathDate;

/** Edits on a person page. */
export const PERSON_EDITS: readonly EditSpec[] = [
  {
    id: 'correct',
    title: '更正信息',
    hint: '只填写需要更正的项目；身份证号须与出生日期、性别一致。收入、残疾等经济状况请在经济状况中登记。',
    fields: (context) => [
      { key: 'name', label: '姓名', kind: 'text', initial: context.person?.person.name ?? '' },
      { key: 'sex', label: '性别', kind: 'select', options: SEX_OPTIONS },
      { key: 'birthDate', label: '出生日期', kind: 'date' },
      { key: 'idNumber', label: '身份证号', kind: 'text', placeholder: '不更正则留空' },
      { key: 'phone', label: '联系电话', kind: 'text', placeholder: '不更正则留空' },
      { key: 'hukouDivisionCode', label: '户籍地区划代码', kind: 'text', placeholder: '不更正则留空' },
    ],
    submit: (values, reason, context) =>
      editsApi.correctPerson(personIdOf(context), {
        version: context.person ? versionOf(context.person.person) : 1,
        changes: corrections(values),
        reason,
      }),
  },
  {
    id: 'death',
    title: '死亡登记',
    hint: '登记死亡日期；其成员关系自死亡次日起终止。',
    available: living,
    fields: () => [{ key: 'deathDate', label: '死亡日期', kind: 'date', required: true }],
    submit: (values, reason, context) =>
      editsApi.death(personIdOf(context), {
        version: context.person ? versionOf(context.person.person) : 1,
        deathDate: v(values, 'deathDate'),
        reason,
      }),
  },
  {
    id: 'correct-death',
    title: '更正死亡日期',
    hint: '死亡日期登记有误时更正；因死亡终止的成员关系和经济状况信息随之改到新日期的次日。',
    available: (context) => !living(context),
    fields: (context) => [
      {
        key: 'deathDate',
        label: '正确的死亡日期',
        kind: 'date',
        required: true,
        initial: context.person?.person.deathDate ?? '',
      },
    ],
    submit: (values, reason, context) =>
      editsApi.correctDeath(personIdOf(context), {
        version: context.person ? versionOf(context.person.person) : 1,
        deathDate: v(values, 'deathDate'),
        reason,
      }),
  },
  {
    id: 'move',
    title: '转户（区内）',
    hint: '迁入本区另一家庭户：原户成员关系于转户日期终止，新户自该日起。迁往他区请用“跨区迁移”。',
    available: (context) => living(context) && context.person?.household !== null,
    fields: () => [
      { key: 'toHouseholdId', label: '迁入的家庭户', kind: 'household', required: true },
      { key: 'relationCode', label: '与新户户主关系', kind: 'relation', required: true },
      { key: 'date', label: '转户日期', kind: 'date', required: true, initial: today() },
    ],
    submit: (values, reason, context) =>
      editsApi.move(personIdOf(context), {
        version: context.person ? versionOf(context.person.person) : 1,
        toHouseholdId: v(values, 'toHouseholdId'),
        relationCode: v(values, 'relationCode'),
        date: v(values, 'date'),
        reason,
      }),
  },
  {
    id: 'transfer',
    title: '跨区迁移',
    hint: '迁往本市其他区：由迁入区接收（选择家庭户）后生效，接收前人员不变动，可撤回。',
    available: living,
    fields: () => [
      { key: 'toDistrictCode', label: '迁入区', kind: 'district', required: true },
      {
        key: 'toCommitteeCode',
        label: '迁入居委会代码（知道时填写）',
        kind: 'text',
        placeholder: '12 位，可留空',
      },
      { key: 'moveDate', label: '迁移日期', kind: 'date', required: true, initial: today() },
    ],
    submit: async (values, reason, context) => {
      const transfer = await editsApi.startTransfer({
        personId: personIdOf(context),
        personVersion: context.person ? versionOf(context.person.person) : 1,
        toDistrictCode: v(values, 'toDistrictCode'),
        toCommitteeCode: v(values, 'toCommitteeCode').trim() || null,
        moveDate: v(values, 'moveDate'),
        reason,
      });
      return { notice: `已发起跨区迁移，待${transfer.toDistrictName ?? transfer.toDistrictCode}接收` };
    },
  },
];

/** Missing required fields, by label (checked before sending; the server checks everything again). */
export function missingFields(fields: readonly FieldSpec[], values: Record<string, string>): string[] {
  return fields.filter((f) => f.required && !(values[f.key] ?? '').trim()).map((f) => f.label);
}

/** A reason the server accepts: at least two visible characters. */
export function reasonProblem(reason: string): string | null {
  return reason.replace(/\s/g, '').length >= 2 ? null : '请填写变更原因（至少 2 个字）';
}
