import nodemailer from 'nodemailer';

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
}

export interface Mailer {
  send(message: MailMessage): Promise<{ messageId: string }>;
}

/** Real SMTP through nodemailer: SMTP_URL (e.g. smtps://user:pass@smtp.example.com) and MAIL_FROM. */
export function createSmtpMailer(options: { smtpUrl: string; from: string }): Mailer & { close(): void } {
  const transport = nodemailer.createTransport(options.smtpUrl);
  return {
    async send(message) {
      const info = await transport.sendMail({ from: options.from, to: message.to, subject: message.subject, text: message.text });
      return { messageId: String(info.messageId) };
    },
    close: () => transport.close(),
  };
}
