import type { Metafile } from 'esbuild';

export declare function buildCli(options?: {
  root?: string;
  outdir?: string;
}): Promise<{ outdir: string; inputs: number; metafile: Metafile }>;
