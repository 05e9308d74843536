export declare const projectRoot: string;
export declare const MANIFEST: string;
export declare function compiledCli(outdir?: string, root?: string): string | undefined;
