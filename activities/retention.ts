import type { Logger } from 'pino';
import type { PrismaClient } from '../common/db';
import type { RetentionKind, RetentionSettings } from '../common/retention';
import type { Chain } from './chain/client';
import { REORG_HORIZON_BLOCKS } from './chain/chain-watch';
import { heartbeat } from './chain/heartbeat';
import { RETENTION_STATEMENTS } from './retention-sql';

/** Statements per activity call: a call ends within seconds and a retry repeats at most one. */
const STATEMENTS_PER_CALL = 10;
const DAY_MS = 86_400_000;

const daysOf = (s: RetentionSettings, kind: RetentionKind): number | null =>
  ({
    webhookDeliveries: s.webhookDeliveryDays,
    outboxEvents: s.outboxDays,
    chainTransactions: s.chainTxDays,
    idempotencyRecords: s.idempotencyDays,
    refreshTokens: s.refreshTokenDays,
    auditLogs: s.auditDays,
  })[kind];

/**
 * Deletes what the retention settings no longer keep, one kind at a time, in bounded
 * statements (activities/retention-sql.ts). Idempotent: a retry deletes what is still there.
 */
export function retentionActivities(deps: {
  prisma: PrismaClient;
  chain: Chain;
  logger: Logger;
  config: { retention: RetentionSettings; confirmations: number };
}) {
  const { prisma, chain, logger } = deps;
  return {
    async purgeRetained({ kind, batchSize }: { kind: RetentionKind; batchSize: number }): Promise<{ deleted: number; more: boolean }> {
      const days = daysOf(deps.config.retention, kind);
      if (days === null) return { deleted: 0, more: false };
      const now = new Date();
      const head = kind === 'chainTransactions' ? await chain.provider.getBlockNumber() : 0;
      const params = {
        now,
        cutoff: new Date(now.getTime() - days * DAY_MS),
        limit: batchSize,
        chainId: chain.chainId,
        // Beyond the depth the chain watch heals reorgs at: what is mined there stays mined.
        safeBlock: BigInt(head - Math.max(REORG_HORIZON_BLOCKS, deps.config.confirmations)),
      };
      let deleted = 0;
      for (let i = 0; i < STATEMENTS_PER_CALL; i++) {
        const n = await prisma.$executeRaw(RETENTION_STATEMENTS[kind](params));
        deleted += n;
        heartbeat({ kind, deleted });
        if (n < batchSize) {
          if (deleted) logger.info({ kind, deleted, days }, 'retention: deleted what is no longer kept');
          return { deleted, more: false };
        }
      }
      logger.info({ kind, deleted, days }, 'retention: deleted a part, more to come');
      return { deleted, more: true };
    },
  };
}
