import { inject } from "vitest";

// Every test file talks to the run's scratch database (see global-setup.ts).
process.env.DATABASE_URL = inject("databaseUrl");
