#!/usr/bin/env node
// The `campaign` command (package.json bin): runs the TypeScript CLI through tsx's loader,
// so the same sources run here, in tests and in Lambda bundles, with no build step.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
// The handlers' per-message logs would drown the command's own progress; warnings still show.
process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';
const { register } = await import('tsx/esm/api');
register();
const { main } = await import('./main.ts');
process.exitCode = await main(process.argv.slice(2));
