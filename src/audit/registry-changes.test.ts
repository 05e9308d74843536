import { expect, it } from 'vitest';
import { describeStores } from '../../test/support/stores.ts';
import { ALL } from '../auth/scope.ts';
import { divisionIndex } from '../registry/divisions.ts';
import { makeIdNumber } from '../registry/id-number.ts';
import { createHousehold } from '../registry/registry.service.ts';
import { listAudit } from './audit.service.ts';
import { verifyAuditChain } from './verify.service.ts';
import { redactSnapshot } from './redact.ts';
import { auditRegistryChanges } from './registry-changes.ts';

describeStores('registry writes audited through onChanges', (ctx) => {
  it("records every changed row in the write's transaction, and redacts for reading", async () => {
    const committeeCode = divisionIndex().children('310110012')[0]?.code ?? '';
    const idNumber = makeIdNumber('310110', '1970-01-02', 33);
    await createHousehold(
      ctx.store,
      ALL,
      { userId: 'u-1', divisionCode: '310000', reason: '新建户', requestId: 'r-1' },
      {
        householdNo: 'AUD-1',
        committeeCode,
        validFrom: '2021-01-01',
        members: [
          {
            relationCode: '02',
            person: {
              idNumber,
              name: '审计甲',
              sex: 1,
              birthDate: '1970-01-02',
              phone: '13900001111',
              hukouDivisionCode: committeeCode,
            },
          },
        ],
      },
      { onChanges: auditRegistryChanges },
    );
    const rows = await listAudit(ctx.store, {
      scope: ALL,
      action: 'household.created',
      limit: 10,
      offset: 0,
    });
    expect(rows.items.map((r) => r.entityType).sort()).toEqual(['household', 'household_member', 'person']);
    expect(rows.items.every((r) => r.reason === '新建户' && r.requestId === 'r-1')).toBe(true);
    // A city-level actor's registry writes are filed under the household's district.
    expect(rows.items.map((r) => r.district)).toEqual(['310110', '310110', '310110']);
    const person = rows.items.find((r) => r.entityType === 'person');
    expect(JSON.stringify(person?.after)).toContain(idNumber);
    const shown = JSON.stringify(redactSnapshot(person?.after));
    expect(shown).not.toContain(idNumber);
    expect(shown).not.toContain('13900001111');
    expect(shown).toContain('139****1111');
    expect((await verifyAuditChain(ctx.store)).ok).toBe(true);
  });
});
