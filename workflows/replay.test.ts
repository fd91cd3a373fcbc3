import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { bundleWorkflowCode, DefaultLogger, Runtime, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { loadConfig } from '../common/config';
import { createDataConverter } from '../common/data-converter';
import { WORKFLOW_INTERCEPTOR_MODULES } from '../workers/worker';
import { HISTORIES_DIR, historyFromObject } from '../tests/support/histories';

/*
 * Recorded histories (tests/fixtures/histories, written by `npm run histories:record`) of the
 * workflows that run for hours or weeks, replayed against today's workflow code: a change that
 * would break a workflow in flight fails here, and must go through patched() instead.
 */
const fixtures = (existsSync(HISTORIES_DIR) ? readdirSync(HISTORIES_DIR) : []).filter((f) => f.endsWith('.json'));
let bundle: WorkflowBundleWithSourceMap;

beforeAll(async () => {
  try {
    Runtime.install({ logger: new DefaultLogger('ERROR') });
  } catch {
    // Installed by another suite of this module registry.
  }
  bundle = await bundleWorkflowCode({
    workflowsPath: require.resolve('./index'),
    workflowInterceptorModules: WORKFLOW_INTERCEPTOR_MODULES,
    logger: new DefaultLogger('ERROR'),
  });
}, 60_000);

describe('workflow replay', () => {
  it('When the histories are listed, Then every long-running workflow type has one', () => {
    const types = fixtures.map(
      (f) =>
        JSON.parse(readFileSync(path.join(HISTORIES_DIR, f), 'utf8')).history.events[0].workflowExecutionStartedEventAttributes.workflowType
          .name,
    );
    expect(new Set(types)).toEqual(
      new Set([
        'batchDistributionWorkflow',
        'payoutChunkWorkflow',
        'distributeTokensWorkflow',
        'treasuryOperationWorkflow',
        'chainWatchWorkflow',
      ]),
    );
  });

  it.each(fixtures)(
    'When %s is replayed on the current code, Then it is deterministic',
    async (file) => {
      const { workflowId, history } = JSON.parse(readFileSync(path.join(HISTORIES_DIR, file), 'utf8'));
      await Worker.runReplayHistory(
        { workflowBundle: bundle, dataConverter: createDataConverter(loadConfig({ DATABASE_URL: 'postgresql://unused/x' }).pii) },
        historyFromObject(history),
        workflowId,
      );
    },
    30_000,
  );

  it('When a history is replayed on code that would act differently, Then the replay fails', async () => {
    // The chunk's history, claimed by the chain watch: its first command differs from what was recorded.
    const { workflowId, history } = JSON.parse(readFileSync(path.join(HISTORIES_DIR, 'chunk-paid.json'), 'utf8'));
    history.events[0].workflowExecutionStartedEventAttributes.workflowType.name = 'chainWatchWorkflow';
    await expect(
      Worker.runReplayHistory(
        { workflowBundle: bundle, dataConverter: createDataConverter(loadConfig({ DATABASE_URL: 'postgresql://unused/x' }).pii) },
        historyFromObject(history),
        workflowId,
      ),
    ).rejects.toThrow(/[Nn]ondetermin/);
  }, 30_000);
});
