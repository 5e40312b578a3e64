/**
 * This registry answers 404 for some platform-specific optional packages (darwin/win32/android
 * builds of next's SWC, tailwind's oxide …), so `npm install` leaves them out of package-lock.json
 * and a later `npm ci` fails with "Missing: … from lock file". This adds a stub entry (version,
 * optional, os/cpu) for each such package; npm ci then skips them as platform-incompatible.
 * Run after changing dependencies: `npx tsx server/cli/complete-lockfile.ts`.
 */
import fs from "node:fs";

type LockPackage = {
  version?: string;
  optional?: boolean;
  os?: string[];
  cpu?: string[];
  libc?: string[];
  optionalDependencies?: Record<string, string>;
};
const lockPath = new URL("../../package-lock.json", import.meta.url);
const lock = JSON.parse(fs.readFileSync(lockPath, "utf8")) as { packages: Record<string, LockPackage> };

const OS = ["darwin", "win32", "linux", "android", "freebsd", "openbsd", "netbsd", "sunos", "aix", "openharmony"];
const CPU = ["arm64", "x64", "arm", "ia32", "wasm32", "ppc64", "riscv64", "s390x", "loong64", "mips64el"];

let added = 0;
for (const [, pkg] of Object.entries(lock.packages)) {
  for (const [name, range] of Object.entries(pkg.optionalDependencies ?? {})) {
    const key = `node_modules/${name}`;
    if (lock.packages[key]) continue;
    const parts = name.split(/[-/]/);
    const os = OS.filter((o) => parts.includes(o));
    const cpu = CPU.filter((c) => parts.includes(c));
    if (os.length === 0 && cpu.length === 0) continue; // not a platform package: leave it to npm
    const stub: LockPackage = { version: range.replace(/^[\^~]/, ""), optional: true };
    if (os.length) stub.os = os;
    if (cpu.length) stub.cpu = cpu;
    if (parts.includes("musl")) stub.libc = ["musl"];
    else if (parts.includes("gnu")) stub.libc = ["glibc"];
    lock.packages[key] = stub;
    added++;
  }
}
fs.writeFileSync(lockPath, `${JSON.stringify(lock, null, 2)}\n`);
console.log(`complete-lockfile: added ${added} platform stub entries`);
