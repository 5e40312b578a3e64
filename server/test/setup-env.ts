import { inject } from "vitest";

// Every test file talks to the run's scratch database (see global-setup.ts).
process.env.DATABASE_URL = inject("databaseUrl");
// Agent-API processes a test starts would run housekeeping on the shared test database with the real clock,
// dropping other tests' fixed-date rows: off unless a test asks (housekeeping's own tests inject a clock).
process.env.NFVDECK_HOUSEKEEPING_MINUTES ??= "0";
