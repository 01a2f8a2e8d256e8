import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ensurePrivateDir } from '../stack/dataDir';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  file: string;
  date: string;
  from: string;
  to: string[];
  subject: string;
  text: string;
}

/**
 * A local SMTP server that keeps every message as an .eml file in `dir`. Started with the stack when
 * SMTP_URL is unset, so notification emails are real SMTP and still readable (`cli mail list`); tests
 * run one in-process and read what it received.
 */
export interface MailSink {
  url: string;
  port: number;
  /** Refuse the n-th message from now (1 = the next) with a temporary SMTP error, once: tests of retries. */
  rejectNth(n: number): void;
  stop(): Promise<void>;
}

export async function startMailSink(options: { port: number; dir: string; host?: string }): Promise<MailSink> {
  // Notification emails name integrations and their errors: the service user's alone.
  ensurePrivateDir(options.dir);
  let received = 0;
  const rejectAt = new Set<number>();
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, _session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        received++;
        if (rejectAt.delete(received)) {
          callback(Object.assign(new Error('Temporary failure, try again later'), { responseCode: 451 }));
          return;
        }
        const name = `${new Date().toISOString().replace(/[:.]/g, '-')}-${crypto.randomBytes(4).toString('hex')}.eml`;
        fs.writeFile(path.join(options.dir, name), Buffer.concat(chunks), { mode: 0o600 }, (error) => callback(error ?? null));
      });
    },
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => resolve());
  });
  const address = server.server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  return {
    url: `smtp://${host}:${port}`,
    port,
    rejectNth: (n) => rejectAt.add(received + n),
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export async function readSinkMessages(dir: string): Promise<ReceivedMail[]> {
  if (!fs.existsSync(dir)) return [];
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.eml')).sort();
  const out: ReceivedMail[] = [];
  for (const file of files) {
    const parsed = await simpleParser(fs.readFileSync(path.join(dir, file)));
    const to = Array.isArray(parsed.to) ? parsed.to : parsed.to ? [parsed.to] : [];
    out.push({
      file,
      date: (parsed.date ?? new Date(0)).toISOString(),
      from: parsed.from?.text ?? '',
      to: to.flatMap((a) => a.value.map((v) => v.address ?? '')),
      subject: parsed.subject ?? '',
      text: parsed.text ?? '',
    });
  }
  return out;
}
