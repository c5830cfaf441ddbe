import { randomUUID } from 'node:crypto';
import { ensureTables } from '../../functions/adapters/dynamo/ensure-tables.ts';
import { localConfigFor } from '../../functions/adapters/local/local-config.ts';
import type { LocalServers } from '../../functions/adapters/local/servers.ts';
import { clientsFor } from '../../functions/composition.ts';
import type { LocalConfig } from '../../functions/config.ts';

/**
 * Its own tables (a unique suffix, so tests never see each other's rows), and the import
 * handlers' environment pointing at them: the handlers build their config from the environment.
 */
export async function freshImportConfig(servers: LocalServers, dataBucket: string): Promise<LocalConfig> {
  const config = localConfigFor(servers.endpoints, { dataBucket, suffix: randomUUID().slice(0, 8) });
  Object.assign(process.env, {
    CAMPAIGN_RUNTIME: 'local',
    AWS_ENDPOINT_URL_DYNAMODB: servers.endpoints.dynamodb,
    AWS_ENDPOINT_URL_S3: servers.endpoints.s3,
    AWS_ENDPOINT_URL_SESV2: servers.endpoints.ses,
    CUSTOMERS_TABLE: config.tables.customers,
    IMPORTS_TABLE: config.tables.imports,
    DATA_BUCKET: dataBucket,
  });
  await ensureTables(clientsFor(config).dynamodb, Object.values(config.tables));
  return config;
}
