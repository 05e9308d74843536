import { userInfo } from 'node:os';
import { OPERATOR } from '../../auth/roles.ts';
import { ALL } from '../../auth/scope.ts';
import type { Db } from '../../db/store.ts';
import { FilesError } from '../../files/files.errors.ts';
import { RegistryError, RegistryValidationError } from '../../registry/registry.service.ts';
import type { ActingContext } from '../../workflow/unit-of-work.ts';
import { WorkflowError } from '../../workflow/workflow.errors.ts';
import { findRequestByNoOrId } from '../../verification/request.service.ts';
import type { RequestRow } from '../../verification/request.repository.ts';
import type { VerificationCaller } from '../../verification/verification.caller.ts';
import { VerificationError } from '../../verification/verification.errors.ts';
import { CliError } from '../context.ts';

/** What every `verify …` command shares: the operator as the actor, errors as one Chinese line. */

export const OPERATOR_CALLER: VerificationCaller = { scope: ALL, role: OPERATOR, userId: null };

export function cliActor(reason: string): ActingContext {
  return { userId: `cli:${userInfo().username}`, divisionCode: null, reason };
}

export function fail(error: unknown): never {
  if (error instanceof VerificationError) {
    throw new CliError(error.problems.length > 1 ? error.problems.join('；') : error.message);
  }
  if (error instanceof RegistryValidationError) {
    throw new CliError(error.problems.map((p) => p.message).join('；'));
  }
  if (error instanceof RegistryError || error instanceof WorkflowError || error instanceof FilesError) {
    throw new CliError(error.message);
  }
  throw error;
}

/** A request by its id or its number (HD-310110-20261201-XXXXXX). */
export async function requestOf(db: Db, key: string): Promise<RequestRow> {
  const row = await findRequestByNoOrId(db, key.trim());
  if (!row) throw new CliError(`核对委托不存在：${key}`);
  return row;
}
