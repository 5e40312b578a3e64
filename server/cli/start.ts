import { buildWebApp, launch, needsBuild, onShutdown } from "@/server/cli/launch";
import { ensureFirstAdmin } from "@/server/repo/users";
import { seedBuiltinProfiles } from "@/server/repo/compliance";

// `npm start`: production start on the embedded PostgreSQL default (or DATABASE_URL), no demo data.
if (needsBuild()) buildWebApp();
const app = await launch();
onShutdown(app.stopAll);
await seedBuiltinProfiles();
const admin = await ensureFirstAdmin();
console.log(`\nnfvdeck is up: ${app.webUrl}   (agent API: ${app.ingestUrl})`);
if (admin) console.log(`first admin: ${admin.email}`);
else console.log("no admin configured: set NFVDECK_ADMIN_EMAIL and NFVDECK_ADMIN_PASSWORD, or use `npm run demo`");
