import type { Command } from 'commander';
import { isRole, roleList, ROLES } from '../auth/roles.ts';
import { divisionName } from '../auth/user-division.ts';
import { createUser } from '../auth/user.service.ts';
import { normaliseText, textProblem, TEXT_PROBLEM_MESSAGES } from '../core/text.ts';
import { CliError, withStore } from './context.ts';

export function registerUsersCommands(program: Command): void {
  const users = program.command('users').description('用户管理 (users)');
  users
    .command('create')
    .description('新建用户并打印一次性密码（首次登录须修改）(create a user)')
    .requiredOption('--username <name>', '用户名 (login name)')
    .requiredOption('--role <role>', `角色 (role)：${roleList.map((r) => `${r} ${ROLES[r]}`).join('，')}`)
    .requiredOption(
      '--division <code>',
      '所属区划代码：居委会助理员 12 位居委会，街道经办人 9 位街道，区审批人、核对员、财务人员 6 位区，审计员、系统管理员 6 位区或全市 310000 (division code)',
    )
    .option('--name <displayName>', '姓名 (display name)')
    .action(async (options: { username: string; role: string; division: string; name?: string }) => {
      const role = options.role;
      if (!isRole(role)) throw new CliError(`未知角色 ${role}，可选：${roleList.join('、')}`);
      if (!/^[a-z][a-z0-9_.-]{2,31}$/.test(options.username)) {
        throw new CliError('用户名须为 3–32 位小写字母、数字、._-，以字母开头');
      }
      const problem = options.name === undefined ? undefined : textProblem(options.name);
      if (problem) throw new CliError(`姓名${TEXT_PROBLEM_MESSAGES[problem]}`);
      const { password } = await withStore((store) =>
        createUser(
          store,
          { userId: null, divisionCode: null, requestId: 'cli' },
          {
            username: options.username,
            displayName: normaliseText(options.name?.trim() || options.username),
            role,
            divisionCode: options.division,
          },
          '命令行创建用户',
        ),
      ).catch((error: unknown) => {
        throw new CliError(error instanceof Error ? error.message : String(error));
      });
      const where = divisionName(options.division);
      process.stdout.write(
        `已创建用户 ${options.username}（${ROLES[role]}，${where}），一次性密码：${password}\n`,
      );
    });
}
