// Entry of a `natrium fleet` worker thread: registers tsx in this thread (module hooks are per
// thread) so the TypeScript sources run as they are, as bin/natrium.js does for the main thread.
import { register } from 'tsx/esm/api';

register();
await import('./fleet-worker.ts');
