/** A real SMTP server on loopback for mail tests (smtp-server), parsing what arrives with mailparser. */
import { type AddressInfo } from 'node:net';
import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface Received {
  envelopeTo: string[];
  raw: string;
  parsed: ParsedMail;
}

export class TestSmtpServer {
  readonly received: Received[] = [];
  private server: SMTPServer | null = null;
  port = 0;

  /**
   * `refuse`: addresses answered with `550 5.1.1` at RCPT TO. `refuseData`: messages (by their envelope recipients)
   * answered with `554 5.6.0` once their content arrived, at the end of DATA.
   */
  constructor(
    private readonly refuse: (address: string) => boolean = (a) => a.startsWith('refused'),
    private readonly refuseData: (rcptTo: string[]) => boolean = () => false,
  ) {}

  /** Listens on 127.0.0.1 (the given port, or a free one the first time). */
  async start(port = this.port): Promise<void> {
    const server = new SMTPServer({
      // Plain on loopback only: the transport allows it solely for a loopback host off the submission ports.
      secure: false,
      disabledCommands: ['AUTH', 'STARTTLS'],
      authOptional: true,
      logger: false,
      onRcptTo: (address, _session, callback) => {
        if (this.refuse(address.address)) {
          const err = Object.assign(new Error('5.1.1 mailbox unavailable'), { responseCode: 550 });
          return callback(err);
        }
        callback();
      },
      onData: (stream, session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          const rcptTo = session.envelope.rcptTo.map((r) => r.address);
          if (this.refuseData(rcptTo)) {
            const err = Object.assign(new Error('5.6.0 message content rejected'), { responseCode: 554 });
            return callback(err);
          }
          const raw = Buffer.concat(chunks).toString('utf8');
          simpleParser(raw)
            .then((parsed) => {
              this.received.push({ envelopeTo: rcptTo, raw, parsed });
              callback();
            })
            .catch(callback);
        });
      },
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    this.server = server;
    this.port = (server.server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  get url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  /** Waits until `n` messages arrived (or fails after `timeoutMs`). */
  async waitFor(n: number, timeoutMs = 10_000): Promise<Received[]> {
    const until = Date.now() + timeoutMs;
    while (this.received.length < n) {
      if (Date.now() > until) throw new Error(`expected ${n} messages, got ${this.received.length}`);
      await new Promise((r) => setTimeout(r, 25));
    }
    return this.received;
  }
}

/** Collects log lines for assertions. */
export function memoryLogger() {
  const lines: { level: string; message: string; meta?: Record<string, unknown> }[] = [];
  const at = (level: string) => (message: string, meta?: Record<string, unknown>) =>
    void lines.push({ level, message, meta });
  return { lines, logger: { info: at('info'), warn: at('warn'), error: at('error') } };
}
