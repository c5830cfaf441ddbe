import type { CampaignInput } from '../../functions/domain/campaign.ts';

/** The smallest campaign with an order rule: one midnight wave and the 30-minute pay reminder open on 10 and 11 November. */
export const payReminderCampaign = (id: string, extra: Partial<CampaignInput> = {}): CampaignInput => ({
  id,
  midnight: '2026-11-11T00:00',
  smsRules: 'none',
  waves: [{ id: 'midnight', sms: 'midnight', audience: ['*'] }],
  triggers: [
    {
      id: 'pay-reminder',
      on: 'order.created',
      after: 'PT30M',
      window: { from: '2026-11-10T00:00', to: '2026-11-12T00:00' },
    },
  ],
  ...extra,
});
