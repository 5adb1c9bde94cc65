import { it } from 'vitest';
import { BullScheduler } from '../src/queue/bull.scheduler.js';
import { redisUrl } from '../test/helpers/services.js';
import { seedWorkspace } from '../test/nudges/fixtures/seed.js';
import { createWorld } from '../test/nudges/fixtures/world.js';

it('x', async () => {
  const w = await createWorld(import.meta.url, { now: new Date('2027-01-18T08:00:00Z'), redisUrl: redisUrl(), timeScale: 1e-9, workers: false });
  const sched = new BullScheduler({ store: w.store, redisUrl: redisUrl(), prefix: w.prefix, clock: w.clock, timeScale: 1e-9, log: { info() {}, warn: (o, m) => console.log('WARN', m, o), error: (o, m) => console.log('ERR', m, o) } });
  const s = await seedWorkspace(w.store, { submission: new Date('2027-02-26T12:00:00Z') });
  const data = w.store.scoped(s.ws);
  for (let i = 1; i <= 5; i++) {
    const ref = await data.nextRef('K');
    await data.tasks.insert({ ref, consortiumRef: s.consortium.ref, title: `Task ${i}`, due: new Date(Date.UTC(2027, 0, 20, 17, i)), owner: { kind: 'org', slug: 'food-bank' }, status: 'open', createdBy: 'amara', version: 1 });
    await sched.taskChanged(s.ws, ref);
    console.log(ref, (await sched.queue.getJobs(['waiting', 'delayed'])).map((j) => j.id));
  }
  await sched.close();
  await w.close();
}, 30_000);
