import { randomUUID } from 'node:crypto';
import { WorkflowIdConflictPolicy } from '@temporalio/client';
import type { Request } from 'express';
import { z } from 'zod';
import { projectKey } from '../../activities/payouts/refs';
import { workflowIds } from '../../common/workflow-ids';
import type { TreasuryOperationKind } from '../../prisma/generated/enums';
import type { treasuryOperationWorkflow } from '../../workflows/treasury-operation';
import type { Actor } from '../auth/actor';
import { mayAccessProject } from '../auth/actor';
import { Permission } from '../auth/permissions';
import { isUniqueViolation } from '../db-errors';
import type { ApiDeps } from '../deps';
import { keyReused } from '../idempotency';
import { HttpProblem, notFound } from '../problem';
import { route, type RouteSpec, type StartRequest } from '../route-spec';
import { amount, exactlyOneOf } from '../schemas';
import { projectId } from './projects';

const budgetChange = exactlyOneOf(
  z.strictObject({ increase: amount.optional(), decrease: amount.optional() }),
  [['increase'], ['decrease']],
  'give exactly one of increase, decrease',
);
const projectParams = z.strictObject({ id: projectId });
const opParams = z.strictObject({ id: z.uuid() });

/**
 * The treasury as an admin sees it: a project's budget (the hot key's on-chain allowance for
 * it) and the pause switch that stops the hot key on chain. Every change is signed by the admin
 * key in the admin worker (docs/keys.md); the API only asks. Minting is not an API operation:
 * an operator runs `npm run treasury:mint` (scripts/treasury-mint.ts).
 */
export function treasuryRoutes(deps: ApiDeps): RouteSpec[] {
  const { prisma, temporal, taskQueue, chain, projects } = deps;

  /**
   * Records the operation and starts its workflow. With an Idempotency-Key the operation's id
   * comes from the key, so a retry whose idempotency record is gone still names the same
   * operation and cannot apply a second one.
   */
  async function start(
    req: Request,
    actor: Actor | undefined,
    request: StartRequest | undefined,
    op: { kind: TreasuryOperationKind; projectId?: string; amount?: string },
  ) {
    const id = request?.keyedId ?? randomUUID();
    try {
      await prisma.treasuryOperation.create({
        data: {
          id,
          kind: op.kind,
          projectId: op.projectId,
          amount: op.amount,
          requestedBy: actor ? `${actor.kind}:${actor.id}` : 'anonymous',
          requestFingerprint: request?.fingerprint,
        },
      });
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
      const found = await prisma.treasuryOperation.findUniqueOrThrow({ where: { id } });
      if (found.requestFingerprint !== request?.fingerprint) throw keyReused();
    }
    const workflowId = workflowIds.treasuryOperation(id);
    await temporal.client.workflow.start<typeof treasuryOperationWorkflow>('treasuryOperationWorkflow', {
      taskQueue,
      workflowId,
      args: [{ operationId: id }],
      workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
      memo: { requestId: req.id },
    });
    const self = `/v1/treasury/operations/${id}`;
    return { self, body: { id, kind: op.kind, status: 'PENDING', workflowId, links: { self } } };
  }

  const view = (o: Awaited<ReturnType<typeof prisma.treasuryOperation.findUniqueOrThrow>>) => ({
    id: o.id,
    kind: o.kind,
    projectId: o.projectId ?? undefined,
    amount: o.amount?.toFixed(),
    status: o.status,
    txHash: o.txHash ?? undefined,
    blockNumber: o.blockNumber === null ? undefined : Number(o.blockNumber),
    failureReason: o.failureReason ?? undefined,
    requestedBy: o.requestedBy,
    createdAt: o.createdAt,
    updatedAt: o.updatedAt,
  });

  const switchRoute = (name: 'pause' | 'unpause') =>
    route({
      method: 'post',
      path: `/v1/treasury/${name}`,
      summary:
        name === 'pause'
          ? 'Pause the treasury on chain: the hot key can release nothing and no disbursement contract pays until unpaused'
          : 'Resume the treasury on chain',
      tags: ['treasury'],
      permission: Permission.TreasuryManage,
      startsWork: true,
      responses: {
        202: { description: 'Requested; poll links.self' },
        409: { description: name === 'pause' ? 'Already paused' : 'Not paused' },
      },
      async handler({ req, res, actor, request }) {
        const paused = Boolean(await (await chain.connect()).treasury.getFunction('paused')());
        if (paused === (name === 'pause'))
          throw new HttpProblem(409, 'Conflict', `the treasury is ${paused ? 'already paused' : 'not paused'}`);
        const started = await start(req, actor, request, { kind: name === 'pause' ? 'PAUSE' : 'UNPAUSE' });
        res.status(202).location(started.self).json(started.body);
      },
    });

  return [
    route({
      method: 'post',
      path: '/v1/projects/:id/budget',
      summary: "Raise or lower a project's budget: what the hot key may still take from the treasury for it",
      tags: ['treasury'],
      permission: Permission.TreasuryManage,
      startsWork: true,
      params: projectParams,
      body: budgetChange,
      project: ({ params }) => params.id,
      responses: { 202: { description: 'Requested; poll links.self' }, 404: { description: 'No such project' } },
      async handler({ req, res, params, body, actor, request }) {
        if (!(await projects.find(params.id))) throw notFound(`project ${params.id}`);
        const started = await start(req, actor, request, {
          kind: body.increase ? 'INCREASE_ALLOWANCE' : 'DECREASE_ALLOWANCE',
          projectId: params.id,
          amount: body.increase ?? body.decrease,
        });
        res.status(202).location(started.self).json(started.body);
      },
    }),
    route({
      method: 'get',
      path: '/v1/projects/:id/budget',
      summary: "A project's budget as the treasury holds it on chain, and its recent changes",
      tags: ['treasury'],
      permission: Permission.DistributionsRead,
      params: projectParams,
      project: ({ params }) => params.id,
      responses: { 200: { description: 'The budget' }, 404: { description: 'No such project' } },
      async handler({ res, params }) {
        if (!(await projects.find(params.id))) throw notFound(`project ${params.id}`);
        const c = await chain.connect();
        const allowance = BigInt(await c.treasury.getFunction('allowance')(projectKey(params.id)));
        const operations = await prisma.treasuryOperation.findMany({
          where: { projectId: params.id },
          orderBy: { createdAt: 'desc' },
          take: 20,
        });
        res.json({ projectId: params.id, allowance: allowance.toString(), operations: operations.map(view) });
      },
    }),
    switchRoute('pause'),
    switchRoute('unpause'),
    route({
      method: 'get',
      path: '/v1/treasury',
      summary: 'The treasury on chain: its address, token balance and whether it is paused',
      tags: ['treasury'],
      permission: Permission.OperationsRead,
      responses: { 200: { description: 'The treasury' } },
      async handler({ res }) {
        const c = await chain.connect();
        res.json({
          address: c.addresses.treasury,
          token: c.addresses.token,
          balance: BigInt(await c.token.getFunction('balanceOf')(c.addresses.treasury)).toString(),
          paused: Boolean(await c.treasury.getFunction('paused')()),
        });
      },
    }),
    route({
      method: 'get',
      path: '/v1/treasury/operations/:id',
      summary: 'A treasury operation: status, transaction, reason of a failure',
      tags: ['treasury'],
      permission: Permission.OperationsRead,
      params: opParams,
      responses: { 200: { description: 'The operation' }, 404: { description: 'No such operation' } },
      async handler({ res, params, actor }) {
        const o = await prisma.treasuryOperation.findUnique({ where: { id: params.id } });
        if (!o || (actor && o.projectId && !mayAccessProject(actor, o.projectId))) throw notFound(`treasury operation ${params.id}`);
        res.json(view(o));
      },
    }),
  ];
}
