/** Sending one email (SES v2 on AWS; aws-ses-v2-local here). */

export interface EmailMessage {
  to: string;
  subject: string;
  text: string;
  html: string;
  /** One-click unsubscribe (RFC 8058): goes into List-Unsubscribe and List-Unsubscribe-Post. */
  unsubscribeUrl: string;
  tags: { campaignId: string; waveId: string; sendId: string; customerId: string };
}

export interface EmailSender {
  send(message: EmailMessage): Promise<{ messageId: string }>;
}
