import { describe, expect, it } from 'vitest';
import { CliError, commanderErrorLine, errorText } from './errors.ts';

describe('commanderErrorLine', () => {
  it("turns commander's parse errors into one Chinese line", () => {
    expect(commanderErrorLine("error: unknown option '--nam'\n(Did you mean --name?)\n")).toBe(
      '错误：未知选项 --nam，是否要用 --name？（使用 --help 查看用法）',
    );
    expect(commanderErrorLine("error: option '--limit <n>' argument missing\n")).toBe(
      '错误：选项 --limit <n> 缺少取值（使用 --help 查看用法）',
    );
    expect(commanderErrorLine("error: missing required argument 'householdNo'\n")).toBe(
      '错误：缺少参数 <householdNo>（使用 --help 查看用法）',
    );
    expect(commanderErrorLine("error: unknown command 'frob'\n")).toBe(
      '错误：未知命令 frob（使用 --help 查看用法）',
    );
  });
});

const systemError = (code: string, fields: Record<string, unknown>): Error =>
  Object.assign(new Error(`${code}: something in English`), { code, ...fields });

describe('errorText', () => {
  it('says what the operating system refused, in Chinese, naming the file', () => {
    expect(errorText(systemError('ENOENT', { path: 'x.xlsx.part', syscall: 'open' }))).toBe(
      'x.xlsx.part：文件或目录不存在',
    );
    expect(errorText(systemError('EACCES', { path: '/data' }))).toBe('/data：没有访问权限');
    expect(errorText(systemError('ENOSPC', {}))).toBe('磁盘空间不足');
  });

  it('names the database server that could not be reached', () => {
    expect(errorText(systemError('ECONNREFUSED', { address: '127.0.0.1', port: 5432 }))).toBe(
      '无法连接数据库服务器 127.0.0.1:5432：连接被拒绝',
    );
    const driverError = new Error('Failed query: select 1', {
      cause: systemError('ECONNREFUSED', { address: '127.0.0.1', port: 9 }),
    });
    expect(errorText(driverError)).toBe('无法连接数据库服务器 127.0.0.1:9：连接被拒绝');
    expect(errorText(systemError('ENOTFOUND', { hostname: 'dbhost' }))).toBe(
      '无法连接数据库服务器 dbhost：找不到该主机',
    );
  });

  it('keeps messages written for users; any other error is one line marked internal', () => {
    expect(errorText(new CliError('--limit 应为非负整数：abc'))).toBe('--limit 应为非负整数：abc');
    expect(errorText(new Error('家庭户不存在或不在您的数据范围内'))).toBe('家庭户不存在或不在您的数据范围内');
    expect(
      errorText(new TypeError("Cannot read properties of undefined (reading 'x')\n    at f (a.ts:1)")),
    ).toBe("内部错误：Cannot read properties of undefined (reading 'x')");
    expect(errorText('thrown string')).toBe('内部错误：thrown string');
  });
});
