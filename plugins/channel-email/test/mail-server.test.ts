import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { startTestMailServer } from '@rapport/testkit/mail-server';
import { createTransport } from 'nodemailer';
import { describe, expect, it } from 'vitest';
import { findMessages, imapAs } from './support.js';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('the test mail server (@rapport/testkit/mail-server)', () => {
  it('runs two servers side by side, each with its own ports and mail, and stop() leaves nothing', async () => {
    const [a, b] = await Promise.all([startTestMailServer(), startTestMailServer({ domain: 'other.test' })]);
    try {
      const ports = [a.imap.port, a.smtp.port, a.lmtp.port, b.imap.port, b.smtp.port, b.lmtp.port];
      expect(new Set(ports).size).toBe(6);
      expect(b.users.support.address).toBe('support@other.test');

      const { messageId } = await a.send({ subject: 'Only in A', text: 'hello' });
      const inA = await imapAs(a, a.users.support);
      const inB = await imapAs(b, b.users.support);
      try {
        expect(await findMessages(inA, 'INBOX', messageId)).toHaveLength(1);
        expect(await findMessages(inB, 'INBOX', messageId)).toHaveLength(0);
        expect((await inA.list()).map((box) => box.path)).toContain('Sent');
      } finally {
        await inA.logout();
        await inB.logout();
      }
      expect(a.deliveries).toHaveLength(1);
      expect(a.deliveries[0]).toMatchObject({
        from: 'customer@example.test',
        to: ['support@example.test'],
        messageId,
        user: 'customer@example.test',
      });
    } finally {
      const pid = Number(readFileSync(join(dirname(a.configFile), 'run', 'master.pid'), 'utf8'));
      await Promise.all([a.stop(), b.stop()]);
      expect(alive(pid)).toBe(false);
      expect(existsSync(dirname(a.configFile))).toBe(false);
      expect(existsSync(dirname(b.configFile))).toBe(false);
    }
  });

  it('requires SMTP authentication and refuses unknown recipients', async () => {
    const server = await startTestMailServer();
    try {
      const anonymous = createTransport({ host: server.smtp.host, port: server.smtp.port, secure: false });
      await expect(
        anonymous.sendMail({ from: 'x@example.test', to: server.users.support.address, text: 'x' }),
      ).rejects.toMatchObject({ responseCode: 530 });
      await expect(server.send({ to: 'nobody@example.test', text: 'x' })).rejects.toMatchObject({
        responseCode: 550,
      });
      server.rejectNext(452, '4.3.1 out of space');
      await expect(server.send({ text: 'x' })).rejects.toMatchObject({ responseCode: 452 });
      await server.send({ text: 'the rejection applied once' });
      expect(server.deliveries).toHaveLength(1);
    } finally {
      await server.stop();
    }
  });
});
