/** `campaign plan` on a store's export as it is: aliases, the campaign's `columns`, `--columns FILE`. */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli-run.ts';
import { canonicalCsvBytes, exportCsvBytes } from '../support/export-fixtures.ts';

const NOW = '2026-10-20T12:00:00+08:00';
const SAMPLE_CAMPAIGN = 'functions/sample/d11-2026.campaign.json';
let work: string;

/** The sample campaign with `extra` fields, written to the work folder. */
async function campaignWith(name: string, extra: Record<string, unknown>): Promise<string> {
  const campaign = { ...JSON.parse(await readFile(SAMPLE_CAMPAIGN, 'utf8')), ...extra };
  const path = join(work, name);
  await writeFile(path, JSON.stringify(campaign));
  return path;
}

function planArgs(campaign: string, customers: string, out: string, ...more: string[]): string[] {
  return ['plan', '--campaign', campaign, '--customers', customers, '--now', NOW, '--out', out, ...more];
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'campaign-columns-'));
});

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('campaign plan on a store export', () => {
  it('plans the Chinese GB18030 export as the canonical file, saying which header became which column', async () => {
    // Prepare
    const exported = join(work, 'export-a', 'customers.csv');
    const canonical = join(work, 'canonical-a', 'customers.csv');
    // One file name for both: the file name is the rows' default segment label.
    await mkdir(join(work, 'export-a'));
    await mkdir(join(work, 'canonical-a'));
    await writeFile(exported, exportCsvBytes());
    await writeFile(canonical, canonicalCsvBytes());

    // Act
    const fromExport = await runCli(planArgs(SAMPLE_CAMPAIGN, exported, join(work, 'plan-export')));
    const fromCanonical = await runCli(planArgs(SAMPLE_CAMPAIGN, canonical, join(work, 'plan-canonical')));

    // Assess
    expect(fromExport.code, fromExport.stderr).toBe(0);
    expect(fromCanonical.code, fromCanonical.stderr).toBe(0);
    for (const file of ['timeline.json', 'touches.jsonl']) {
      const a = await readFile(join(work, 'plan-export', file), 'utf8');
      const b = await readFile(join(work, 'plan-canonical', file), 'utf8');
      expect(a, `${file} differs between the export and the canonical file`).toBe(b);
    }
    expect(fromExport.stdout).toContain('read customers.csv (csv, gb18030): 7 rows, 6 accepted, 1 rejected');
    expect(fromExport.stdout).toContain(
      '  columns: 客户ID -> customer_id, 买家昵称 -> name, 手机号 -> phone, 邮箱 -> email, 最近下单时间 -> last_order_at, ' +
        '购买次数 -> order_count, 累计消费金额（元） -> total_spend, 会员等级 -> member_tier, 是否下单未付款 -> unpaid_order, ' +
        '下单终端 -> device, 双11购买年份 -> d11_years, 拒收短信 -> opt_out_sms, 邮件退订 -> opt_out_email, 人群 -> segment',
    );
    expect(fromExport.stdout).toContain('  ignored columns: 备注');
    expect(fromExport.stdout).toContain(
      '  masked by the platform: 2 phones (kept without a phone), 1 emails (kept without an email), 1 names (addressed without a name)',
    );
    expect(fromCanonical.stdout).not.toContain('->');
    const rejects = (await readFile(join(work, 'plan-export', 'rejects.jsonl'), 'utf8')).trim().split('\n');
    expect(rejects.map((line) => JSON.parse(line))).toEqual([
      {
        file: 'customers.csv',
        line: 8,
        customerId: 'T007',
        problems: [{ column: 'device', header: '下单终端', reason: expect.stringContaining('"平板" is not a device') }],
      },
    ]);
  });
});

describe('campaign plan with a column mapping', () => {
  const header = 'VIP卡号,Handy,Letzte Bestellung,备注';
  const row = 'K1,13800138000,2026-10-01,x';

  it("maps headers no alias knows by the campaign file's columns, and --columns wins over them", async () => {
    // Prepare
    const customers = join(work, 'mapped.csv');
    await writeFile(customers, `${header}\n${row}\n`);
    const campaign = await campaignWith('mapped.campaign.json', {
      columns: { VIP卡号: 'customer_id', Handy: 'phone', 'Letzte Bestellung': 'last_order_at' },
    });
    const columns = join(work, 'columns.json');
    await writeFile(columns, JSON.stringify({ handy: null, 备注: 'segment' }));

    // Act
    const byCampaign = await runCli(planArgs(campaign, customers, join(work, 'plan-mapped')));
    const overridden = await runCli(planArgs(campaign, customers, join(work, 'plan-overridden'), '--columns', columns));

    // Assess
    expect(byCampaign.code, byCampaign.stderr).toBe(0);
    expect(byCampaign.stdout).toContain(
      '  columns: VIP卡号 -> customer_id (your mapping), Handy -> phone (your mapping), Letzte Bestellung -> last_order_at (your mapping)',
    );
    expect(byCampaign.stdout).toContain('  ignored columns: 备注');
    expect(overridden.code, overridden.stderr).toBe(0);
    expect(overridden.stdout).toContain(
      '  columns: VIP卡号 -> customer_id (your mapping), Letzte Bestellung -> last_order_at (your mapping), 备注 -> segment (your mapping)',
    );
    expect(overridden.stdout).toContain('  ignored columns: Handy');
  });

  it('exits 2 on a --columns file naming a column that does not exist, naming the header', async () => {
    // Prepare
    const customers = join(work, 'mapped-bad.csv');
    await writeFile(customers, `${header}\n${row}\n`);
    const columns = join(work, 'bad-columns.json');
    await writeFile(columns, JSON.stringify({ VIP卡号: 'customer_id', Handy: 'mobile' }));

    // Act
    const result = await runCli(planArgs(SAMPLE_CAMPAIGN, customers, join(work, 'plan-bad'), '--columns', columns));

    // Assess
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`--columns: ${columns}: not a column mapping:`);
    expect(result.stderr).toMatch(
      /"Handy": must be one of customer_id, phone, email, .*, or null to ignore the header/,
    );
  });

  it('exits 2 on a campaign file whose columns are wrong, naming each by its JSON path', async () => {
    // Prepare
    const customers = join(work, 'mapped-bad-campaign.csv');
    await writeFile(customers, `${header}\n${row}\n`);
    const campaign = await campaignWith('bad-columns.campaign.json', {
      columns: { VIP卡号: 'customer_id', 'Letzte Bestellung': 'last_order', 'VIP 卡号': 'phone' },
    });

    // Act
    const result = await runCli(planArgs(campaign, customers, join(work, 'plan-bad-campaign')));

    // Assess
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/columns\["Letzte Bestellung"\]: must be one of customer_id, /);
    expect(result.stderr).toMatch(/columns\["VIP 卡号"\]: is the same header as "VIP卡号"/);
  });
});
