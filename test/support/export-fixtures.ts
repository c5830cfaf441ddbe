/**
 * One store's customers twice: as a Tmall/Taobao CRM export opened in Excel on Chinese
 * Windows writes them (Chinese headers, masked phones, the value forms of the exports,
 * GB18030), and as the same customers in the product's canonical columns. Read, imported
 * or planned, both must give the same customers.
 */
import iconv from 'iconv-lite';

export const EXPORT_HEADER =
  '客户ID,买家昵称,手机号,邮箱,最近下单时间,购买次数,累计消费金额（元）,会员等级,是否下单未付款,下单终端,双11购买年份,拒收短信,邮件退订,人群,备注';

/** Every row of the export, each with the canonical row it means. */
export const EXPORT_ROWS: ReadonlyArray<{ export: string; canonical: string }> = [
  {
    export:
      'T001,王芳,138****8000,wang.fang@qq.com,2025年11月11日 10:00,5,"¥1,299.00",VIP3,否,无线端,"2024,2025",否,否,双11老客,老客户',
    canonical: 'T001,王芳,,wang.fang@qq.com,2025-11-11 10:00,5,1299,VIP3,false,mobile,2024;2025,false,false,双11老客',
  },
  {
    export: 'T002,李**,+86 139-0013-9000,,2025.11.11,1,89元,VIP1,是,PC端,2025年,,,,',
    canonical: 'T002,,+8613900139000,,2025-11-11,1,89,VIP1,true,pc,2025,,,',
  },
  {
    export:
      'T003,张三,13700137000,zhang@163.com,45972.5,12次,"1,000,000.50元",钻石会员,N,电脑,2023、2024、2025,Y,N,高价值,',
    canonical:
      'T003,张三,+8613700137000,zhang@163.com,2025-11-11T12:00:00,12,1000000.5,钻石会员,false,pc,2023;2024;2025,true,false,高价值',
  },
  {
    export: 'T004,赵六,0086 136 0013 6000,z***@qq.com,2025/10/1 9:30,3,￥300,vip2,无,全部,,是,否,,',
    canonical: 'T004,赵六,+8613600136000,,2025-10-01 09:30,3,300,VIP2,false,both,,true,false,',
  },
  {
    export: 'T005,钱七,13500135000,qian@qq.com,2024.06.18 08:00:00,-,-,-,-,APP,2024 2025,否,是,,',
    canonical: 'T005,钱七,13500135000,qian@qq.com,2024-06-18T08:00,,,,,mobile,2024;2025,false,true,',
  },
  {
    export: 'T006,周九,138xxxx8001,zhou@qq.com,2026年10月1日,2,"1,500",VIP2,否,手机,2025,否,否,,',
    canonical: 'T006,周九,,zhou@qq.com,2026-10-01,2,1500,VIP2,false,mobile,2025,false,false,',
  },
  {
    // Bad in both: a device neither file can read.
    export: 'T007,孙八,13300133000,,2025-11-11,1,10,,否,平板,,,,,',
    canonical: 'T007,孙八,13300133000,,2025-11-11,1,10,,false,平板,,,,',
  },
];

export const CANONICAL_HEADER =
  'customer_id,name,phone,email,last_order_at,order_count,total_spend,member_tier,unpaid_order,device,d11_years,opt_out_sms,opt_out_email,segment';

/** The export as Excel on Chinese Windows saves it: CRLF, GB18030. */
export function exportCsvBytes(): Buffer {
  const text = `${[EXPORT_HEADER, ...EXPORT_ROWS.map((row) => row.export)].join('\r\n')}\r\n`;
  return iconv.encode(text, 'gb18030');
}

/** The same customers in the canonical columns, UTF-8. */
export function canonicalCsvBytes(): Buffer {
  return Buffer.from(`${[CANONICAL_HEADER, ...EXPORT_ROWS.map((row) => row.canonical)].join('\n')}\n`, 'utf8');
}

/** What the export's header becomes, as the summary and the import record say it. */
export const EXPORT_COLUMNS = [
  { header: '客户ID', column: 'customer_id', by: 'alias' },
  { header: '买家昵称', column: 'name', by: 'alias' },
  { header: '手机号', column: 'phone', by: 'alias' },
  { header: '邮箱', column: 'email', by: 'alias' },
  { header: '最近下单时间', column: 'last_order_at', by: 'alias' },
  { header: '购买次数', column: 'order_count', by: 'alias' },
  { header: '累计消费金额（元）', column: 'total_spend', by: 'alias' },
  { header: '会员等级', column: 'member_tier', by: 'alias' },
  { header: '是否下单未付款', column: 'unpaid_order', by: 'alias' },
  { header: '下单终端', column: 'device', by: 'alias' },
  { header: '双11购买年份', column: 'd11_years', by: 'alias' },
  { header: '拒收短信', column: 'opt_out_sms', by: 'alias' },
  { header: '邮件退订', column: 'opt_out_email', by: 'alias' },
  { header: '人群', column: 'segment', by: 'alias' },
] as const;
