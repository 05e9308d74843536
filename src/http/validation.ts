import type { FastifySchemaCompiler } from 'fastify';
import { validatorCompiler as zodValidatorCompiler } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { checkTextDeep, TEXT_PROBLEM_MESSAGES } from '../core/text.ts';

/**
 * Every request part a route validates (body, query string, path parameters, headers) passes the text
 * check before its own schema: a string holding NUL, a lone surrogate or a control character is refused
 * with 400 VALIDATION naming the field, and every other string reaches the handler in NFC. One place, so
 * no route can forget it; a route that must act on refused input (login audits the attempt) sets
 * `attachValidation` and sees the error on `request.validationError`.
 */
export const validatorCompiler: FastifySchemaCompiler<z.ZodType> = (route) => {
  const checked = z.preprocess((data, ctx) => {
    const { value, issues } = checkTextDeep(data);
    for (const issue of issues) {
      ctx.addIssue({
        code: 'custom',
        message: TEXT_PROBLEM_MESSAGES[issue.problem],
        path: issue.path,
        input: data,
      });
    }
    return value;
  }, route.schema);
  return zodValidatorCompiler({ ...route, schema: checked });
};
