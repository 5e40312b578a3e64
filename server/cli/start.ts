import { afterLaunch, buildWebApp, launch, needsBuild, parseListenArg } from "@/server/cli/launch";
import { ensureFirstAdmin } from "@/server/repo/users";
import { backfillCompliance } from "@/server/services/compliance/backfill-compliance";

// `npm start`: production start on the embedded PostgreSQL default (or DATABASE_URL), no demo data.
// `npm start -- --listen 0.0.0.0` for agents on other hosts; loopback by default
const listen = parseListenArg(process.argv.slice(2));
if (needsBuild()) buildWebApp();
// a signal or a child that cannot stay up stops everything launched (server/cli/launch.ts)
const app = await launch({ listen });
await afterLaunch(app, async () => {
  // Built-in profiles were seeded by the migrate step; hosts that reported before an upgrade get a result now.
  await backfillCompliance();
  const admin = await ensureFirstAdmin();
  console.log(`\nnfvdeck is up: ${app.webUrl}   (agent API: ${app.ingestUrl})`);
  if (admin) console.log(`first admin: ${admin.email}`);
  else console.log("no admin configured: set NFVDECK_ADMIN_EMAIL and NFVDECK_ADMIN_PASSWORD, or use `npm run demo`");
});
