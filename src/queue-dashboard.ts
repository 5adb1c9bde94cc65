/**
 * The BullMQ dashboard (bull-board) as an Express router. The web server mounts it at
 * `/admin/queues` behind the admin password; with no password it is not mounted at all.
 */
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import type { IServerAdapter } from '@bull-board/api/typings/app';
import type { Queue } from 'bullmq';
import type { Router } from 'express';

export interface QueueDashboard {
  router: Router;
}

/**
 * Builds the dashboard for `queues`. `basePath` must be where the router is mounted: the
 * page's links and API calls are absolute.
 */
export function createQueueDashboard(queues: Queue[], basePath = '/admin/queues'): QueueDashboard {
  const serverAdapter = new ExpressAdapter();
  serverAdapter.setBasePath(basePath);
  createBullBoard({
    queues: queues.map((q) => new BullMQAdapter(q)),
    // @bull-board/express 9.10.1 carries its own copy of @bull-board/api, whose private
    // fields make its adapter type differ from 9.10.2's; the runtime interface is the same.
    serverAdapter: serverAdapter as unknown as IServerAdapter,
    options: { uiConfig: { boardTitle: 'Consortia queues' } },
  });
  return { router: serverAdapter.getRouter() as Router }; // getRouter() is typed `any` by bull-board
}
