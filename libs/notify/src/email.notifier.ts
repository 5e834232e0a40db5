import nodemailer from 'nodemailer';
import type { Transporter } from 'nodemailer';
import { secretScrubber } from '../../common/src/secrets';
import { NotifyError, type NotificationPayload, type Notifier } from './notification';
import { renderEmail } from './email-render';

export interface SmtpSettings {
  url: string;
  from: string;
  starttls: 'auto' | 'required' | 'off';
  tlsVerify: boolean;
  username?: string;
  password?: string;
}

/** SMTP delivery with nodemailer; connection errors and 4xx SMTP replies are retryable, 5xx not. */
export class EmailNotifier implements Notifier {
  private readonly transport: Transporter;

  constructor(
    private readonly smtp: SmtpSettings,
    private readonly to: string[],
    private readonly opts: { from?: string; subjectPrefix?: string; timeoutMs?: number } = {},
  ) {
    const u = new URL(smtp.url);
    const user = smtp.username ?? (decodeURIComponent(u.username) || undefined);
    const pass = smtp.password ?? (decodeURIComponent(u.password) || undefined);
    this.transport = nodemailer.createTransport({
      host: u.hostname.replace(/^\[|\]$/g, ''),
      port: Number(u.port || (u.protocol === 'smtps:' ? 465 : 25)),
      secure: u.protocol === 'smtps:',
      requireTLS: smtp.starttls === 'required',
      ignoreTLS: smtp.starttls === 'off',
      tls: { rejectUnauthorized: smtp.tlsVerify },
      auth: user ? { user, pass } : undefined,
      connectionTimeout: opts.timeoutMs ?? 10_000,
      greetingTimeout: opts.timeoutMs ?? 10_000,
      socketTimeout: opts.timeoutMs ?? 10_000,
    });
  }

  async send(p: NotificationPayload, signal: AbortSignal): Promise<void> {
    const mail = p.kind === 'report' && p.report ? { subject: p.report.subject, html: p.report.html, text: p.report.text } : renderEmail(p, this.opts.subjectPrefix);
    const attachments = p.report?.attachments?.map((a) => ({ filename: a.filename, cid: a.cid, contentType: a.contentType, content: Buffer.from(a.contentBase64, 'base64') }));
    if (signal.aborted) throw new NotifyError('timeout before sending', true);
    try {
      await this.transport.sendMail({
        from: this.opts.from ?? this.smtp.from,
        to: this.to,
        subject: mail.subject,
        text: mail.text,
        html: mail.html,
        attachments,
        messageId: `<${p.id}@nines>`,
        headers: { 'X-Nines-Notification': p.id },
      });
    } catch (err) {
      const e = err as { responseCode?: number; code?: string; message?: string };
      const permanent = e.responseCode !== undefined && e.responseCode >= 500;
      throw new NotifyError(secretScrubber.scrub(`SMTP ${e.responseCode ?? e.code ?? ''}: ${e.message ?? 'send failed'}`), !permanent, undefined, e.responseCode);
    }
  }

  close(): void {
    this.transport.close();
  }
}
