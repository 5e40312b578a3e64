// Preloaded into the Prisma CLI: its WebAssembly engine leaves 10 s / 60 s timers running, which
// keeps `migrate deploy` alive ~11 s after it is done. Unref long timers so the process exits.
const origSetTimeout = global.setTimeout;
const origSetInterval = global.setInterval;
global.setTimeout = function (fn, ms, ...args) {
  const t = origSetTimeout(fn, ms, ...args);
  if (typeof ms === "number" && ms >= 5000 && t && typeof t.unref === "function") t.unref();
  return t;
};
global.setInterval = function (fn, ms, ...args) {
  const t = origSetInterval(fn, ms, ...args);
  if (typeof ms === "number" && ms >= 5000 && t && typeof t.unref === "function") t.unref();
  return t;
};
