/**
 * `@rapport/testkit/mail-server`: a real mail system on loopback for channel tests.
 * {@link startTestMailServer} runs a private Dovecot (IMAP and LMTP) with two users, a support
 * mailbox and a customer, plus an SMTP submission server (the npm `smtp-server`) that delivers
 * every accepted message into the recipient's mailbox through Dovecot's LMTP. A reply a plugin
 * sends by SMTP really lands in the customer's INBOX, and the customer's answer in support's.
 *
 * ```ts
 * const mail = await startTestMailServer();
 * await mail.send({ subject: 'Help', text: 'My order is late' }); // customer → support
 * // connect an IMAP client to mail.imap as mail.users.support ...
 * await mail.stop();
 * ```
 *
 * Dovecot comes from Debian's `dovecot-imapd` and `dovecot-lmtpd` packages, installed with
 * apt-get on first use when `/usr/sbin/dovecot` is missing (that needs root). Each server has its
 * own configuration, ports, mail and state in a temporary directory, so test files may run servers
 * side by side. Nothing here imports vitest.
 *
 * @packageDocumentation
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  unlinkSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createTransport } from 'nodemailer';
import { SMTPServer, type SMTPServerAddress } from 'smtp-server';

const run = promisify(execFile);

/** Where Debian installs the Dovecot master binary. */
export const DOVECOT_BINARY = '/usr/sbin/dovecot';

/** The Debian packages that give Dovecot with IMAP and LMTP. */
export const DOVECOT_PACKAGES = ['dovecot-imapd', 'dovecot-lmtpd'] as const;

/** A mailbox user of the test server. */
export interface TestMailUser {
  /** The email address, also the IMAP and SMTP user name. */
  readonly address: string;
  readonly password: string;
}

/** A host and port on loopback. */
export interface TestMailEndpoint {
  readonly host: string;
  readonly port: number;
}

/** A message for {@link TestMailServer.send}. */
export interface TestMailMessage {
  /** Defaults to the customer. */
  from?: string | { name: string; address: string };
  /** Defaults to the support mailbox. */
  to?: string | string[];
  cc?: string | string[];
  subject?: string;
  text?: string;
  html?: string;
  /** Defaults to a fresh `<…@domain>`. */
  messageId?: string;
  inReplyTo?: string;
  references?: string | string[];
  /** The Date header; defaults to now. */
  date?: Date;
  attachments?: ReadonlyArray<{ filename: string; content: string | Uint8Array; contentType?: string }>;
  /** Extra headers, such as `Auto-Submitted`. */
  headers?: Record<string, string>;
}

/** One message the SMTP server accepted and delivered. */
export interface TestMailDelivery {
  /** Envelope sender. */
  readonly from: string;
  /** Envelope recipients. */
  readonly to: readonly string[];
  /** The Message-ID header (with angle brackets), or null when the message had none. */
  readonly messageId: string | null;
  /** The user who authenticated the submission. */
  readonly user: string;
  readonly raw: Buffer;
}

/** Options of {@link startTestMailServer}. */
export interface TestMailServerOptions {
  /** The mail domain of the users. Default `example.test`. */
  domain?: string;
}

/** A running test mail server; call `stop()` when done. */
export interface TestMailServer {
  /** Dovecot's IMAP (plaintext, `LOGIN`/`AUTHENTICATE PLAIN` allowed). */
  readonly imap: TestMailEndpoint;
  /** SMTP submission: authentication required, no TLS, local recipients only. */
  readonly smtp: TestMailEndpoint;
  /** Dovecot's LMTP, for delivering without authentication. */
  readonly lmtp: TestMailEndpoint;
  readonly domain: string;
  /** The support mailbox (has a `Sent` mailbox) and a customer. */
  readonly users: { readonly support: TestMailUser; readonly customer: TestMailUser };
  /** Everything the SMTP server delivered so far, oldest first. */
  readonly deliveries: readonly TestMailDelivery[];
  /**
   * Sends a message as the customer would: by SMTP submission, authenticated as the customer, to
   * the support mailbox unless `to` says otherwise. It resolves once the message is in the
   * recipients' mailboxes.
   */
  send(mail: TestMailMessage): Promise<{ messageId: string }>;
  /**
   * Makes the SMTP server answer the next message's DATA with this reply (`451` for a transient
   * failure, `554` for a permanent one) instead of delivering it.
   */
  rejectNext(code: number, message?: string): void;
  /** The Dovecot configuration file (for `doveadm -c`). */
  readonly configFile: string;
  /** Stops Dovecot and the SMTP server and removes every file of this server. */
  stop(): Promise<void>;
}

function hint(text: string): string {
  return `\n  hint: ${text}`;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function lastLines(text: string, count = 25): string {
  return text.trim().split('\n').slice(-count).join('\n');
}

/** The lock that keeps two test processes from running apt-get at once. */
const INSTALL_LOCK = join(tmpdir(), 'rapport-dovecot-install.lock');

/**
 * Takes the install lock: a file created exclusively, holding the owner's PID. A lock whose owner
 * died is taken over, so a killed test run does not block the next one.
 */
async function acquireInstallLock(timeoutMs: number): Promise<() => void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const fd = openSync(INSTALL_LOCK, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => rmSync(INSTALL_LOCK, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    let owner = Number.NaN;
    try {
      owner = Number.parseInt(readFileSync(INSTALL_LOCK, 'utf8'), 10);
    } catch {
      // Released between our open and read: try again at once.
      continue;
    }
    // An empty file is a lock being written right now; only a dead owner's lock is stale.
    if (Number.isInteger(owner) && !isAlive(owner)) {
      try {
        unlinkSync(INSTALL_LOCK);
      } catch {}
      continue;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `Timed out waiting for another process (PID ${owner}) to finish installing Dovecot.` +
          hint(`if no install is running, remove ${INSTALL_LOCK}`),
      );
    }
    await sleep(250);
  }
}

async function aptGet(args: string[]): Promise<void> {
  try {
    await run('apt-get', ['-o', 'DPkg::Lock::Timeout=300', '-o', 'Acquire::Retries=3', ...args], {
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
      maxBuffer: 64 * 1024 * 1024,
    });
  } catch (error) {
    const failure = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(
      `apt-get ${args.join(' ')} failed while installing Dovecot for the mail tests:\n` +
        lastLines(`${failure.stdout ?? ''}\n${failure.stderr ?? failure.message}`) +
        hint(
          `install it yourself with \`apt-get install --no-install-recommends ${DOVECOT_PACKAGES.join(' ')}\` ` +
            '(the tests need the Debian package archive reachable)',
        ),
    );
  }
}

/** The install under way in this process, shared by concurrent callers. */
let installing: Promise<void> | undefined;

/**
 * Makes sure Dovecot is installed: when `/usr/sbin/dovecot` is missing, installs Debian's
 * `dovecot-imapd` and `dovecot-lmtpd` with apt-get (as root; it throws with a hint otherwise).
 * Concurrent callers, in this process or others, install once.
 */
export async function ensureDovecot(): Promise<void> {
  if (existsSync(DOVECOT_BINARY)) return;
  if (process.getuid?.() !== 0) {
    throw new Error(
      `Dovecot is not installed (${DOVECOT_BINARY} is missing) and only root can install it.` +
        hint(
          `run \`sudo apt-get install --no-install-recommends ${DOVECOT_PACKAGES.join(' ')}\`, or run the tests as root`,
        ),
    );
  }
  installing ??= (async () => {
    const release = await acquireInstallLock(10 * 60_000);
    try {
      if (existsSync(DOVECOT_BINARY)) return;
      await aptGet(['update']);
      await aptGet(['install', '-y', '--no-install-recommends', ...DOVECOT_PACKAGES]);
      if (!existsSync(DOVECOT_BINARY)) {
        throw new Error(
          `apt-get installed ${DOVECOT_PACKAGES.join(' ')} but ${DOVECOT_BINARY} is still missing.` +
            hint('check that the packages come from Debian or Ubuntu'),
        );
      }
    } finally {
      release();
    }
  })().finally(() => {
    installing = undefined;
  });
  await installing;
}

/** A TCP port nobody listens on right now, on loopback. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject()));
    });
  });
}

/** Resolves once a server on `port` greets with a line starting with `expected`. */
function greets(port: number, expected: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    let data = '';
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(2_000, () => done(false));
    socket.on('error', () => done(false));
    socket.on('data', (chunk) => {
      data += chunk.toString('latin1');
      if (data.includes('\n')) done(data.startsWith(expected));
    });
  });
}

interface DovecotLayout {
  work: string;
  configFile: string;
  usersFile: string;
  logFile: string;
  pidFile: string;
  imapPort: number;
  lmtpPort: number;
}

/** The name of a group id, from /etc/group. */
function groupName(gid: number): string {
  try {
    for (const line of readFileSync('/etc/group', 'utf8').split('\n')) {
      const [name, , id] = line.split(':');
      if (name && Number(id) === gid) return name;
    }
  } catch {}
  return 'nogroup';
}

/** Dovecot 2.3 configuration: everything under `work`, loopback only, no TLS, plaintext auth. */
function dovecotConfig(layout: DovecotLayout, domain: string, instance: string): string {
  const { work } = layout;
  const root = process.getuid?.() === 0;
  // As root Dovecot drops to `nobody` for mail access; run by another user, it can only act as
  // that user, so every service runs as it.
  const account = root ? 'uid=nobody gid=nogroup' : `uid=${process.getuid?.()} gid=${process.getgid?.()}`;
  const user = userInfo().username;
  const unprivileged = root
    ? []
    : [
        `default_login_user = ${user}`,
        `default_internal_user = ${user}`,
        `default_internal_group = ${groupName(process.getgid?.() ?? -1)}`,
        'service imap-login {',
        '  chroot =',
        '}',
        'service anvil {',
        '  chroot =',
        '}',
      ];
  return [
    '# A private Dovecot for one test mail server (written by @rapport/testkit/mail-server).',
    `instance_name = ${instance}`,
    `base_dir = ${work}/run`,
    `state_dir = ${work}/state`,
    `log_path = ${layout.logFile}`,
    `info_log_path = ${layout.logFile}`,
    'listen = 127.0.0.1',
    'protocols = imap lmtp',
    'ssl = no',
    'disable_plaintext_auth = no',
    'auth_mechanisms = plain login',
    // A test of a wrong password must not slow the next tests: no delay before the failure reply
    // (and, below, no auth penalty, which delays the next login from the address for seconds).
    'auth_failure_delay = 0',
    'first_valid_uid = 1',
    'first_valid_gid = 1',
    'mail_fsync = never',
    `mail_location = maildir:${work}/mail/%u/Maildir`,
    `postmaster_address = postmaster@${domain}`,
    'lda_mailbox_autocreate = yes',
    'passdb {',
    '  driver = passwd-file',
    `  args = scheme=PLAIN username_format=%u ${layout.usersFile}`,
    '}',
    'userdb {',
    '  driver = static',
    `  args = ${account} home=${work}/mail/%u`,
    '}',
    'namespace inbox {',
    '  inbox = yes',
    '  separator = /',
    '  mailbox Sent {',
    '    special_use = \\Sent',
    '    auto = subscribe',
    '  }',
    '}',
    'service imap-login {',
    '  inet_listener imap {',
    '    address = 127.0.0.1',
    `    port = ${layout.imapPort}`,
    '  }',
    '  inet_listener imaps {',
    '    port = 0',
    '  }',
    '}',
    // The auth process cannot open a socket it has no permission on, and then keeps no penalties.
    'service anvil {',
    '  unix_listener anvil-auth-penalty {',
    '    mode = 0',
    '  }',
    '}',
    'service lmtp {',
    '  inet_listener lmtp {',
    '    address = 127.0.0.1',
    `    port = ${layout.lmtpPort}`,
    '  }',
    '}',
    ...unprivileged,
    '',
  ].join('\n');
}

/** A started Dovecot master, run in the foreground under a watchdog shell. */
interface DovecotProcess {
  child: ChildProcess;
  exited: Promise<number | null>;
  output: () => string;
}

/**
 * Starts `dovecot -F` under `sh`, which kills it when our end of its stdin closes: when this
 * process exits, even by a signal that skips every cleanup hook, Dovecot does not outlive it.
 */
function spawnDovecot(configFile: string): DovecotProcess {
  // A background job's stdin is /dev/null unless redirected, hence the copy of stdin on fd 3.
  const script =
    'exec 3<&0; "$0" -F -c "$1" </dev/null & master=$!; ' +
    '(cat <&3 >/dev/null; kill -TERM $master 2>/dev/null) & wait $master';
  const child = spawn('/bin/sh', ['-c', script, DOVECOT_BINARY, configFile], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk) => {
    output += chunk;
  });
  child.stderr?.on('data', (chunk) => {
    output += chunk;
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, exited, output: () => output };
}

function readLog(file: string): string {
  try {
    return lastLines(readFileSync(file, 'utf8'));
  } catch {
    return '(no log)';
  }
}

async function checkConfig(configFile: string): Promise<void> {
  try {
    await run(DOVECOT_BINARY, ['-c', configFile, '-n']);
  } catch (error) {
    const failure = error as { stderr?: string; message: string };
    throw new Error(
      `Dovecot rejected the test configuration ${configFile}:\n${lastLines(failure.stderr ?? failure.message)}` +
        hint('the mail server is written for Dovecot 2.3 (Debian 12); check `dovecot --version`'),
    );
  }
}

/**
 * Starts Dovecot on two fresh ports and waits until both greet. Another process can take a port
 * between the check and Dovecot's bind, so a failed start is retried on new ports.
 */
async function startDovecot(
  work: string,
  domain: string,
  usersFile: string,
): Promise<{ layout: DovecotLayout; process: DovecotProcess }> {
  let lastError: Error | undefined;
  for (let attempt = 0; attempt < 3; attempt++) {
    const layout: DovecotLayout = {
      work,
      configFile: join(work, 'dovecot.conf'),
      usersFile,
      logFile: join(work, 'log', 'dovecot.log'),
      pidFile: join(work, 'run', 'master.pid'),
      imapPort: await freePort(),
      lmtpPort: await freePort(),
    };
    const instance = `rapport-test-${randomBytes(4).toString('hex')}`;
    writeFileSync(layout.configFile, dovecotConfig(layout, domain, instance));
    await checkConfig(layout.configFile);
    const dovecot = spawnDovecot(layout.configFile);
    let exited = false;
    void dovecot.exited.then(() => {
      exited = true;
    });
    const deadline = Date.now() + 20_000;
    while (!exited && Date.now() < deadline) {
      if ((await greets(layout.imapPort, '* OK')) && (await greets(layout.lmtpPort, '220'))) {
        return { layout, process: dovecot };
      }
      await sleep(50);
    }
    await stopDovecot(dovecot, layout.pidFile);
    lastError = new Error(
      `Dovecot did not start (config ${layout.configFile}, IMAP port ${layout.imapPort}, LMTP port ${layout.lmtpPort}).\n` +
        `${lastLines(dovecot.output())}\n${readLog(layout.logFile)}`,
    );
  }
  throw lastError;
}

async function stopDovecot(dovecot: DovecotProcess, pidFile: string): Promise<void> {
  let pid: number | undefined;
  try {
    pid = Number.parseInt(readFileSync(pidFile, 'utf8'), 10);
  } catch {}
  if (pid !== undefined && Number.isInteger(pid) && isAlive(pid)) {
    try {
      process.kill(pid, 'SIGTERM');
    } catch {}
  }
  dovecot.child.stdin?.end();
  let timer: NodeJS.Timeout | undefined;
  const stopped = await Promise.race([
    dovecot.exited.then(() => true),
    new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), 10_000);
    }),
  ]);
  clearTimeout(timer);
  if (!stopped) {
    if (pid !== undefined && isAlive(pid)) process.kill(pid, 'SIGKILL');
    dovecot.child.kill('SIGKILL');
    await dovecot.exited;
  }
}

function messageIdOf(raw: Buffer): string | null {
  const end = raw.indexOf('\r\n\r\n');
  const head = raw.subarray(0, end < 0 ? raw.length : end).toString('latin1');
  const match = /^message-id:\s*(<[^>\r\n]+>)/im.exec(head.replace(/\r\n[ \t]+/g, ' '));
  return match?.[1] ?? null;
}

function smtpError(code: number, message: string): Error {
  return Object.assign(new Error(message), { responseCode: code });
}

function address(value: SMTPServerAddress | false): string {
  return value ? value.address.toLowerCase() : '';
}

/**
 * Starts a Dovecot and an SMTP submission server on loopback (installing Dovecot first when it is
 * missing, see {@link ensureDovecot}), with a support mailbox and a customer, each with a fresh
 * password. Stop it with `stop()`.
 */
export async function startTestMailServer(options: TestMailServerOptions = {}): Promise<TestMailServer> {
  await ensureDovecot();
  const domain = options.domain ?? 'example.test';
  const users = {
    support: { address: `support@${domain}`, password: randomBytes(9).toString('hex') },
    customer: { address: `customer@${domain}`, password: randomBytes(9).toString('hex') },
  };
  const passwords = new Map(Object.values(users).map((user) => [user.address, user.password]));

  const work = mkdtempSync(join(tmpdir(), 'rapport-mail-'));
  // Dovecot's mail processes run as `nobody` and must reach the mail folders through `work`.
  chmodSync(work, 0o755);
  for (const dir of ['run', 'state', 'log']) mkdirSync(join(work, dir));
  mkdirSync(join(work, 'mail'), { mode: 0o1777 });
  chmodSync(join(work, 'mail'), 0o1777);
  const usersFile = join(work, 'users');
  writeFileSync(usersFile, [...passwords].map(([user, password]) => `${user}:{PLAIN}${password}\n`).join(''));
  chmodSync(usersFile, 0o644);

  let dovecot: { layout: DovecotLayout; process: DovecotProcess };
  try {
    dovecot = await startDovecot(work, domain, usersFile);
  } catch (error) {
    rmSync(work, { recursive: true, force: true });
    throw error;
  }
  const { layout } = dovecot;
  // A test process that exits without stop() (a failed hook) still takes its Dovecot down.
  const killOnExit = () => {
    try {
      const pid = Number.parseInt(readFileSync(layout.pidFile, 'utf8'), 10);
      if (Number.isInteger(pid)) process.kill(pid, 'SIGTERM');
    } catch {}
  };
  process.once('exit', killOnExit);

  const lmtp = createTransport({
    host: '127.0.0.1',
    port: layout.lmtpPort,
    lmtp: true,
    secure: false,
    ignoreTLS: true,
    name: 'localhost',
  });
  const deliveries: TestMailDelivery[] = [];
  let rejection: { code: number; message: string } | null = null;

  const smtp = new SMTPServer({
    name: 'localhost',
    banner: 'Rapport test mail server',
    authMethods: ['PLAIN', 'LOGIN'],
    allowInsecureAuth: true,
    disabledCommands: ['STARTTLS'],
    disableReverseLookup: true,
    // stop() should not wait long for a client that left its connection open.
    closeTimeout: 1_000,
    logger: false,
    size: 25 * 1024 * 1024,
    onAuth(auth, _session, callback) {
      const user = (auth.username ?? '').toLowerCase();
      if (passwords.get(user) !== undefined && passwords.get(user) === auth.password) {
        callback(null, { user });
      } else {
        callback(smtpError(535, '5.7.8 Authentication credentials invalid'));
      }
    },
    onRcptTo(rcpt, _session, callback) {
      if (passwords.has(address(rcpt))) callback();
      else callback(smtpError(550, `5.1.1 <${rcpt.address}>: no such mailbox here`));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('error', (error) => callback(error));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks);
        if (rejection) {
          const { code, message } = rejection;
          rejection = null;
          callback(smtpError(code, message));
          return;
        }
        const from = address(session.envelope.mailFrom);
        const to = session.envelope.rcptTo.map(address);
        lmtp.sendMail({ envelope: { from, to }, raw }).then(
          (info) => {
            if (info.rejected.length > 0) {
              callback(smtpError(451, `4.3.0 Dovecot refused ${info.rejected.join(', ')}`));
              return;
            }
            deliveries.push({ from, to, messageId: messageIdOf(raw), user: String(session.user), raw });
            callback(null, 'delivered');
          },
          (error: Error) => callback(smtpError(451, `4.3.0 delivery to Dovecot failed: ${error.message}`)),
        );
      });
    },
  });
  let smtpPort: number;
  try {
    smtpPort = await new Promise<number>((resolve, reject) => {
      smtp.once('error', reject);
      smtp.listen(0, '127.0.0.1', () => {
        smtp.off('error', reject);
        const bound = smtp.server.address();
        if (typeof bound === 'object' && bound) resolve(bound.port);
        else reject(new Error('the SMTP server has no port'));
      });
    });
  } catch (error) {
    await stopDovecot(dovecot.process, layout.pidFile);
    rmSync(work, { recursive: true, force: true });
    throw error;
  }
  // An error after start (a client resetting the connection) must not crash the test process.
  smtp.on('error', () => {});

  const submission = createTransport({
    host: '127.0.0.1',
    port: smtpPort,
    secure: false,
    ignoreTLS: true,
    auth: { user: users.customer.address, pass: users.customer.password },
  });

  let stopped: Promise<void> | undefined;
  return {
    imap: { host: '127.0.0.1', port: layout.imapPort },
    smtp: { host: '127.0.0.1', port: smtpPort },
    lmtp: { host: '127.0.0.1', port: layout.lmtpPort },
    domain,
    users,
    deliveries,
    configFile: layout.configFile,
    async send(mail) {
      const messageId = mail.messageId ?? `<${randomBytes(8).toString('hex')}@${domain}>`;
      await submission.sendMail({
        from: mail.from ?? users.customer.address,
        to: mail.to ?? users.support.address,
        cc: mail.cc,
        subject: mail.subject ?? '(no subject)',
        text: mail.text,
        html: mail.html,
        messageId,
        inReplyTo: mail.inReplyTo,
        references: mail.references,
        date: mail.date ?? new Date(),
        headers: mail.headers,
        attachments: mail.attachments?.map((attachment) => ({
          filename: attachment.filename,
          content:
            typeof attachment.content === 'string' ? attachment.content : Buffer.from(attachment.content),
          contentType: attachment.contentType,
        })),
      });
      return { messageId };
    },
    rejectNext(code, message) {
      rejection = { code, message: message ?? `${code >= 500 ? '5' : '4'}.0.0 rejected by the test server` };
    },
    stop() {
      stopped ??= (async () => {
        process.off('exit', killOnExit);
        submission.close();
        lmtp.close();
        await new Promise<void>((resolve) => smtp.close(() => resolve()));
        await stopDovecot(dovecot.process, layout.pidFile);
        rmSync(work, { recursive: true, force: true });
      })();
      return stopped;
    },
  };
}
