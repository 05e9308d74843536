/**
 * The household shapes of the synthetic population. Each type lists its generations (oldest first,
 * with the age class every member of that generation falls in) and its members, head first. The
 * relative weights of the types are calibration data (calibration.yaml), not code.
 */
export type AgeClass = 'elder' | 'adult' | 'child';
export type Role = 'head' | 'spouse' | 'child' | 'childInLaw' | 'grandchild' | 'parent';

export interface MemberSlot {
  readonly role: Role;
  /** Index into `levels`: 0 = the oldest generation. */
  readonly level: number;
}

export interface HouseholdType {
  readonly levels: readonly AgeClass[];
  readonly slots: readonly MemberSlot[];
  /** Only made on demand by a quota (三胞胎), never drawn by weight. */
  readonly quotaOnly?: boolean;
}

const head0 = { role: 'head', level: 0 } as const;
const spouse0 = { role: 'spouse', level: 0 } as const;
const child1 = { role: 'child', level: 1 } as const;

export const HOUSEHOLD_TYPES = {
  elder_single: { levels: ['elder'], slots: [head0] },
  elder_couple: { levels: ['elder'], slots: [head0, spouse0] },
  elder_with_child: { levels: ['elder', 'adult'], slots: [head0, child1] },
  three_gen_5: {
    levels: ['elder', 'adult', 'child'],
    slots: [head0, spouse0, child1, { role: 'childInLaw', level: 1 }, { role: 'grandchild', level: 2 }],
  },
  three_gen_6: {
    levels: ['elder', 'adult', 'child'],
    slots: [
      head0,
      spouse0,
      child1,
      { role: 'childInLaw', level: 1 },
      { role: 'grandchild', level: 2 },
      { role: 'grandchild', level: 2 },
    ],
  },
  // 隔代家庭: a grandparent raising a grandchild; the middle generation is absent.
  skip_gen: { levels: ['elder', 'adult', 'child'], slots: [head0, { role: 'grandchild', level: 2 }] },
  nuclear_with_parent: {
    levels: ['elder', 'adult', 'child'],
    slots: [
      { role: 'head', level: 1 },
      { role: 'spouse', level: 1 },
      { role: 'child', level: 2 },
      { role: 'parent', level: 0 },
    ],
  },
  adult_single: { levels: ['adult'], slots: [head0] },
  couple: { levels: ['adult'], slots: [head0, spouse0] },
  single_parent: { levels: ['adult', 'child'], slots: [head0, child1] },
  nuclear_3: { levels: ['adult', 'child'], slots: [head0, spouse0, child1] },
  nuclear_4: { levels: ['adult', 'child'], slots: [head0, spouse0, child1, child1] },
  triplets: { levels: ['adult', 'child'], slots: [head0, spouse0, child1, child1, child1], quotaOnly: true },
} as const satisfies Record<string, HouseholdType>;

export type HouseholdTypeCode = keyof typeof HOUSEHOLD_TYPES;

export const HOUSEHOLD_TYPE_CODES = Object.keys(HOUSEHOLD_TYPES) as HouseholdTypeCode[];

export function householdType(code: HouseholdTypeCode): HouseholdType {
  return HOUSEHOLD_TYPES[code];
}

/** Number of members of the type whose generation is elderly. */
export function elderSlots(code: HouseholdTypeCode): number {
  const type = householdType(code);
  return type.slots.filter((slot) => type.levels[slot.level] === 'elder').length;
}
