// Entry of a batch-reader worker when the sources run through tsx (tests, development, a CLI whose
// compiled copy is stale): a worker thread does not inherit the main thread's TypeScript loader, so it
// registers its own before loading the worker. The compiled CLI starts dist/cli/jsonl.worker.js instead.
import { register } from 'tsx/esm/api';

register();
await import('./jsonl.worker.ts');
