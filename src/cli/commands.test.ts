import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { COMMAND_GROUPS, commandNamed, groupOf } from './commands.ts';

describe('COMMAND_GROUPS', () => {
  it('lists every command its module registers, with the description the module gives it', async () => {
    for (const group of COMMAND_GROUPS) {
      const program = new Command('minzheng');
      (await group.load())(program);
      const registered = Object.fromEntries(program.commands.map((c) => [c.name(), c.description()]));
      // A new command or a changed description goes into COMMAND_GROUPS too: `--help` shows it from there.
      expect(registered, 'COMMAND_GROUPS in src/cli/commands.ts').toEqual(group.commands);
    }
  });

  it('finds the group of the command the arguments name', () => {
    expect(commandNamed(['persons', 'find', '--name', '张'])).toBe('persons');
    expect(commandNamed(['--help'])).toBeUndefined();
    expect(commandNamed(['help', 'calc'])).toBe('calc');
    expect(Object.keys(groupOf('households')?.commands ?? {})).toEqual(['persons', 'households', 'registry']);
    expect(groupOf('frob')).toBeUndefined();
    expect(groupOf('toString')).toBeUndefined();
  });
});
