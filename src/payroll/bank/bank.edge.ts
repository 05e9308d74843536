import type { Store } from '../../db/store.ts';
import { inUnitOfWork, type ActingContext } from '../../workflow/unit-of-work.ts';
import { BankError } from './bank.errors.ts';
import {
  importBankReturn,
  recordRefusedReturn,
  type BankCaller,
  type ReturnImportInput,
  type ReturnImportResult,
} from './bank.service.ts';

/**
 * The edges' way to import a return file (the route and `payroll reconcile`): the import in one unit of
 * work; when it is refused, that unit is rolled back (nothing changed) and a second unit records the
 * refusal, then the refusal is thrown on.
 */
export async function importReturnFile(
  store: Store,
  actor: ActingContext,
  caller: BankCaller,
  input: ReturnImportInput,
): Promise<ReturnImportResult> {
  try {
    return await inUnitOfWork(store, actor, (tx) => importBankReturn(tx, caller, input));
  } catch (error) {
    if (error instanceof BankError && error.code === 'return_refused') {
      await inUnitOfWork(store, { ...actor, reason: `回盘文件被拒绝：${input.fileName}` }, (tx) => {
        recordRefusedReturn(tx, input, error);
        return Promise.resolve();
      });
    }
    throw error;
  }
}
