/**
 * One plan measurement, run in its own process so peak memory belongs to it alone:
 * parse = stream, decode, split and validate the segment file into the customer set;
 * plan = segmentation, caps and timeline; write = the plan files. Prints one JSON line.
 */
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { writePlanFiles } from '../cli/plan-files.ts';
import { parseCampaign } from '../domain/campaign.ts';
import { planCampaign } from '../domain/planner.ts';
import { loadCustomers } from '../usecases/plan-offline.ts';

const [customersFile, campaignFile, outDir, nowText] = process.argv.slice(2) as [string, string, string, string];
const campaign = parseCampaign(await readFile(campaignFile, 'utf8'));
const now = Date.parse(nowText);

let started = performance.now();
let rejected = 0;
const { customers } = await loadCustomers({
  sources: [
    { name: basename(customersFile), open: () => createReadStream(customersFile, { highWaterMark: 256 * 1024 }) },
  ],
  timeZone: campaign.timezone,
  onRejected: () => {
    rejected += 1;
  },
});
const parseSeconds = (performance.now() - started) / 1000;

started = performance.now();
const plan = planCampaign({ campaign, customers, now });
const planSeconds = (performance.now() - started) / 1000;

started = performance.now();
await writePlanFiles(join(outDir), plan, customers);
const writeSeconds = (performance.now() - started) / 1000;

process.stdout.write(
  `${JSON.stringify({
    customers: customers.size,
    rejected,
    sends: plan.timeline.sends.length,
    touches: plan.timeline.summary.touches.sms + plan.timeline.summary.touches.email,
    parseSeconds,
    planSeconds,
    writeSeconds,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
  })}\n`,
);
