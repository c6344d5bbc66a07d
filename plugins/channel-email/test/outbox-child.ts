/**
 * A Rapport process that sends the queued replies of a support desk and stops dead at one point
 * of the attempt, announcing it on stdout, so the test can SIGKILL it exactly there:
 *
 * - `before-send`: the message is claimed (`sending`), the channel has not been called;
 * - `after-send`: the channel accepted the reply, the outbox has not recorded it `sent`.
 *
 * Arguments: the SQLite file, the stop point, and the email options as JSON.
 */
import {
  type ChannelConnection,
  type ChannelPlugin,
  createRapport,
  type OutboxMessage,
  type StoragePlugin,
  type UnitOfWork,
} from '@rapport/core';
import { sqliteStorage } from '@rapport/storage-sqlite';
import { type EmailChannelOptions, emailChannel } from '../src/index.js';

const [filename, stopAt, json] = process.argv.slice(2) as [string, 'before-send' | 'after-send', string];
const forever = () => new Promise<never>(() => {});

function stopBeforeSend(plugin: ChannelPlugin): ChannelPlugin {
  return new Proxy(plugin, {
    get(target, prop, receiver) {
      if (prop !== 'init') return Reflect.get(target, prop, receiver);
      return async (...args: Parameters<ChannelPlugin['init']>) => {
        const connection = await target.init(...args);
        return new Proxy(connection, {
          get(c, p, r) {
            if (p !== 'send') return Reflect.get(c, p, r);
            return async () => {
              console.log('stopped before-send');
              return forever();
            };
          },
        }) as ChannelConnection;
      };
    },
  });
}

function stopAfterSend(storage: StoragePlugin): StoragePlugin {
  return new Proxy(storage, {
    get(target, prop, receiver) {
      if (prop !== 'unitOfWork') return Reflect.get(target, prop, receiver);
      return <T>(tenantId: string, work: (uow: UnitOfWork) => Promise<T>) =>
        target.unitOfWork(tenantId, (uow) =>
          work(
            new Proxy(uow, {
              get(u, p, r) {
                if (p !== 'updateOutbox') return Reflect.get(u, p, r);
                return async (messages: readonly OutboxMessage[]) => {
                  if (messages.some((m) => m.state === 'sent')) {
                    console.log('stopped after-send');
                    return forever();
                  }
                  return u.updateOutbox(messages);
                };
              },
            }),
          ),
        );
    },
  });
}

const options = JSON.parse(json) as EmailChannelOptions;
const base = sqliteStorage({ filename });
const channel = emailChannel(options);
const rapport = createRapport({
  storage: stopAt === 'after-send' ? stopAfterSend(base) : base,
  channels: [stopAt === 'before-send' ? stopBeforeSend(channel) : channel],
  cases: {},
  channelHost: { pollMs: 0 },
  outbox: { pollMs: 0, leaseMs: 1500 },
});
await rapport.start();
await rapport.outbox.run();
console.log('finished without stopping');
