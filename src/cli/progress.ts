import cliProgress from 'cli-progress';

/** A progress bar on stderr, only when a person is watching it (logs and pipes stay clean). */
export function progressBar(format: string): cliProgress.SingleBar | undefined {
  if (!process.stderr.isTTY) return undefined;
  return new cliProgress.SingleBar(
    { format, stream: process.stderr, hideCursor: true, clearOnComplete: true },
    cliProgress.Presets.shades_classic,
  );
}
