import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRapport, type Rapport } from '@rapport/core';
import { sqliteStorage } from '@rapport/storage-sqlite';
import { startTestMailServer, type TestMailServer } from '@rapport/testkit/mail-server';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { emailChannel, emailMessageId } from '../src/index.js';
import { supportOptions } from './support.js';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, '../../..');

let server: TestMailServer;
let dir: string;
const running: Rapport[] = [];

beforeAll(async () => {
  server = await startTestMailServer();
  dir = mkdtempSync(join(tmpdir(), 'rapport-outbox-crash-'));
});
afterAll(async () => {
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});
afterEach(async () => {
  for (const r of running.splice(0)) await r.stop();
});

function desk(filename: string): Rapport {
  const rapport = createRapport({
    storage: sqliteStorage({ filename }),
    channels: [emailChannel(supportOptions(server))],
    cases: {},
    channelHost: { pollMs: 0 },
    outbox: { pollMs: 0 },
  });
  running.push(rapport);
  return rapport;
}

/** A customer email read into a fresh desk, a case opened, a reply queued (not sent). */
async function queuedReply(filename: string, key: string): Promise<string> {
  const rapport = desk(filename);
  await rapport.start();
  const { messageId } = await server.send({ subject: `Help ${key}`, text: 'My parcel is lost.' });
  let caseId: string | undefined;
  for (let i = 0; i < 50 && !caseId; i++) {
    await rapport.channels.sync('email');
    await rapport.settle();
    caseId = (await rapport.cases.list()).items.find((c) => c.externalId === messageId)?.id;
  }
  expect(caseId).toBeDefined();
  await rapport.cases.reply(caseId!, { text: 'We found it; it arrives tomorrow.' }, { idempotencyKey: key });
  await rapport.stop();
  running.splice(running.indexOf(rapport), 1);
  return caseId!;
}

/** Runs the sender in a child process and SIGKILLs it at the stop point. */
async function killedAt(filename: string, stopAt: 'before-send' | 'after-send'): Promise<void> {
  const child: ChildProcess = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      '--conditions=@rapport/source',
      join(here, 'outbox-child.ts'),
      filename,
      stopAt,
      JSON.stringify(supportOptions(server)),
    ],
    { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (c) => {
    stderr += String(c);
  });
  await new Promise<void>((resolvePromise, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      if (String(chunk).includes(`stopped ${stopAt}`)) {
        child.kill('SIGKILL');
        resolvePromise();
      }
    });
    child.on('exit', (code, signal) => {
      if (signal !== 'SIGKILL')
        reject(new Error(`the sender exited (${code}) before its stop point:\n${stderr}`));
    });
  });
  await new Promise((r) => child.once('exit', r));
}

const deliveriesOf = (key: string) =>
  server.deliveries.filter((d) => d.messageId === emailMessageId(key, server.domain)).length;

describe('a sender killed mid-reply', () => {
  it.each(['before-send', 'after-send'] as const)(
    'killed %s: after a restart the reply is sent exactly once and recorded on the case',
    async (stopAt) => {
      const filename = join(dir, `${stopAt}.db`);
      const key = `crash-${stopAt}`;
      const caseId = await queuedReply(filename, key);
      await killedAt(filename, stopAt);
      expect(deliveriesOf(key)).toBe(stopAt === 'after-send' ? 1 : 0);

      const restarted = desk(filename);
      await restarted.start();
      const [claimed] = (await restarted.cases.replies(caseId)).items;
      expect(claimed).toMatchObject({ state: 'sending', attempts: 1 });
      // The dead sender's lease (1.5 s) must pass before another takes the message over.
      await new Promise((r) =>
        setTimeout(r, Math.max(0, claimed!.nextAttemptAt.getTime() - Date.now()) + 50),
      );
      await restarted.outbox.run();
      const [message] = (await restarted.cases.replies(caseId)).items;
      expect(message).toMatchObject({
        state: 'sent',
        attempts: 2,
        externalId: emailMessageId(key, server.domain),
      });
      expect(deliveriesOf(key)).toBe(1);
      await restarted.settle();
      const thread = (await restarted.conversations.interactions(caseId)).items;
      expect(thread.filter((i) => i.direction === 'outbound')).toHaveLength(1);
      expect((await restarted.cases.get(caseId))?.case?.agentReplies).toBe(1);
    },
  );
});
