/**
 * A config for the embedded servers of one run (simulation, bench, a test): its own
 * endpoints and, with a suffix, its own tables, so runs never see each other's data.
 */
import { DEFAULT_MAX_ORDER_AMOUNT, LOCAL_LINK_SECRET, type LocalConfig, TABLES } from '../../config.ts';

export function localConfigFor(
  endpoints: LocalConfig['endpoints'],
  options: { dataBucket: string; suffix?: string; dataDir?: string; httpPort?: number },
): LocalConfig {
  const tableName = (table: string) => (options.suffix ? `${table}-${options.suffix}` : table);
  return {
    runtime: 'local',
    region: 'ap-northeast-1',
    tables: Object.fromEntries(TABLES.map((table) => [table, tableName(table)])) as LocalConfig['tables'],
    dataBucket: options.dataBucket,
    endpoints,
    httpPort: options.httpPort ?? 0,
    linkSecret: LOCAL_LINK_SECRET,
    dataDir: options.dataDir ?? '.local-data',
    maxOrderAmount: DEFAULT_MAX_ORDER_AMOUNT,
    // Simulations and benches play the whole campaign: the built-in user may approve.
    localUserRole: 'approver',
  };
}
