/** A real SMTP server (smtp-server) on 127.0.0.1, port 0, keeping each message's decoded text. */
import { SMTPServer } from 'smtp-server';

export interface Mail {
  raw: string;
  subject: string;
  /** The body, quoted-printable soft breaks and escapes undone. */
  text: string;
}

export interface SmtpReceiver {
  port: number;
  mails: Mail[];
  /** Reply codes to answer the next messages with instead of taking them (e.g. [451]). */
  script: number[];
  close(): Promise<void>;
}

function decode(raw: string): Mail {
  const [head = '', ...rest] = raw.split(/\r?\n\r?\n/);
  const unfolded = head.replace(/\r?\n[ \t]+/g, ' ');
  const subject = /^Subject: (.*)$/im.exec(unfolded)?.[1] ?? '';
  let body = rest.join('\n\n');
  if (/Content-Transfer-Encoding: quoted-printable/i.test(unfolded)) {
    const bytes = body.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16)));
    body = Buffer.from(bytes, 'latin1').toString('utf8');
  }
  const decodedSubject = subject.replace(/=\?utf-8\?Q\?(.*?)\?=/gi, (_m, q: string) => Buffer.from(q.replace(/_/g, ' ').replace(/=([0-9A-F]{2})/g, (_x, h: string) => String.fromCharCode(parseInt(h, 16))), 'latin1').toString('utf8')).replace(/\?=\s+=\?/g, '');
  return { raw, subject: decodedSubject, text: body.replace(/\r\n/g, '\n') };
}

export async function startSmtpReceiver(): Promise<SmtpReceiver> {
  const mails: Mail[] = [];
  const script: number[] = [];
  const srv = new SMTPServer({
    disabledCommands: ['STARTTLS', 'AUTH'],
    onData(stream, _s, cb) {
      let raw = '';
      stream.on('data', (d: Buffer) => (raw += d.toString('latin1')));
      stream.on('end', () => {
        const code = script.shift();
        if (code) return cb(Object.assign(new Error(`scripted ${code}`), { responseCode: code }));
        mails.push(decode(raw));
        cb();
      });
    },
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  return { port: (srv.server.address() as { port: number }).port, mails, script, close: () => new Promise<void>((r) => srv.close(() => r())) };
}
