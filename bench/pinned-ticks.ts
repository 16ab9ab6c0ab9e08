// Imported first by every bench server process, before anything else loads: each server, Keygate or
// peer, then runs with Node's nextTick on V8's fast path, so a comparison never hinges on which
// process happened to lose the tick object's hidden class during its start-up (see
// src/runtime/tick-object-map.ts). It can only make the peers faster, never Keygate's ratio better.
import { compiled } from './compiled-build.ts';

const { pinTickObjectMap } = await compiled<typeof import('../src/runtime/tick-object-map.ts')>('runtime/tick-object-map');
pinTickObjectMap();
