/**
 * Email channel over SMTP with nodemailer (loaded on first use). The password
 * comes from the secret store, never from config or argv.
 */
import type { EmailSettings, Notification } from './types.js';

export async function sendEmail(s: EmailSettings, password: string | undefined, n: Notification, timeoutMs = 10_000): Promise<void> {
  const { createTransport } = await import('nodemailer');
  const transport = createTransport({
    host: s.host,
    port: s.port,
    secure: s.secure ?? s.port === 465,
    ...(s.user ? { auth: { user: s.user, pass: password ?? '' } } : {}),
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
  });
  try {
    await transport.sendMail({ from: s.from, to: s.to, subject: n.subject, text: n.body });
  } finally {
    transport.close();
  }
}
