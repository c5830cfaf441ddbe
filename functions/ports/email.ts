/** Sending one email (SES v2 on AWS; aws-ses-v2-local here). */
import type { MessageTags } from './sms.ts';

export interface EmailMessage {
  to: string;
  subject: string;
  text: string;
  html: string;
  /** One-click unsubscribe (RFC 8058): goes into List-Unsubscribe and List-Unsubscribe-Post. */
  unsubscribeUrl: string;
  tags: MessageTags;
}

export interface EmailSender {
  send(message: EmailMessage): Promise<{ messageId: string }>;
}
