import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * The signed 核对授权书 of the demo's 低保 households: one sample PDF (the printed form with 演示样本 across
 * it, rendered by src/verification/authorisation-form.document.ts), stored once in the database and
 * attached to every such household, so that their standing authorisations have a paper on file and a
 * periodic re-verification may query them (issue: "the demo population's current recipients have
 * authorisations on file").
 */
const PATH = fileURLToPath(new URL('./assets/demo-authorisation.pdf', import.meta.url));

let loaded: { content: Buffer; sha256: string } | undefined;

export function demoAuthorisationFile(): { content: Buffer; sha256: string; name: string } {
  loaded ??= (() => {
    const content = readFileSync(PATH);
    return { content, sha256: createHash('sha256').update(content).digest('hex') };
  })();
  return { ...loaded, name: '核对授权书（演示样本）.pdf' };
}
