/** One number's opt-out at SNS (CheckIfPhoneNumberIsOptedOut): a triggered reminder asks for its one number. */
import { CheckIfPhoneNumberIsOptedOutCommand, type SNSClient } from '@aws-sdk/client-sns';
import type { SmsOptOutCheck } from '../ports/opt-outs.ts';

export class SnsOptOutCheck implements SmsOptOutCheck {
  constructor(private readonly sns: SNSClient) {}

  async isOptedOut(phone: string): Promise<boolean> {
    const result = await this.sns.send(new CheckIfPhoneNumberIsOptedOutCommand({ phoneNumber: phone }));
    return result.isOptedOut === true;
  }
}
