import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { HostFs } from "@/agent/hostfs";
import { parseKeyval, parseVms, read, type RawVmProcess } from "@/agent/collectors/vms";
import { vmsSection } from "@/server/contract/sections/vms";

const status = (list: string) => `Name:\tqemu-system-x86\nState:\tS (sleeping)\nCpus_allowed:\tff\nCpus_allowed_list:\t${list}\nMems_allowed_list:\t0\n`;
const argv = (...args: string[]) => `${args.join("\0")}\0`;

/** What libvirt 9 starts for a pinned domain (monitor as an inherited fd, debug-threads on). */
const LIBVIRT_VM: RawVmProcess = {
  pid: 4242,
  cmdline: argv(
    "/usr/bin/qemu-system-x86_64",
    "-name", "guest=vnf-a,debug-threads=on",
    "-S",
    "-object", '{"qom-type":"secret","id":"masterKey0","format":"raw","file":"/var/lib/libvirt/qemu/domain-3-vnf-a/master-key.aes"}',
    "-machine", "pc-q35-7.2,usb=off,dump-guest-core=off,memory-backend=pc.ram",
    "-accel", "kvm",
    "-smp", "4,sockets=1,dies=1,cores=2,threads=2",
    "-uuid", "1b4e28ba-2fa1-11d2-883f-0016d3cca427",
    "-chardev", "socket,id=charmonitor,fd=31,server=on,wait=off",
    "-mon", "chardev=charmonitor,id=monitor,mode=control",
  ),
  tasks: [
    { tid: 4242, comm: "qemu-system-x86\n", status: status("0-1") },
    { tid: 4250, comm: "CPU 0/KVM\n", status: status("12") },
    { tid: 4251, comm: "CPU 1/KVM\n", status: status("40") },
    { tid: 4244, comm: "call_rcu\n", status: status("0-1") },
    { tid: 4252, comm: "CPU 2/KVM\n", status: status("13") },
    { tid: 4253, comm: "CPU 3/KVM\n", status: status("41") },
    { tid: 4260, comm: null, status: null },
  ],
};

describe("parseKeyval", () => {
  it.each([
    ["guest=t1,debug-threads=on", [["guest", "t1"], ["debug-threads", "on"]]],
    ["t1", [["", "t1"]]],
    ["unix:/tmp/a,,b.sock,server,nowait", [["", "unix:/tmp/a,b.sock"], ["", "server"], ["", "nowait"]]],
    ["", [["", ""]]],
  ])("%s", (text, expected) => {
    expect(parseKeyval(text)).toEqual(expected);
  });
});

describe("parseVms", () => {
  it("a libvirt domain: name, uuid, accel, smp, monitor socket from its domain directory, vCPU pins, emulator affinity", () => {
    const s = parseVms([LIBVIRT_VM]);
    expect(vmsSection.safeParse(s).success).toBe(true);
    expect(s.warnings).toEqual([]);
    expect(s.vms).toHaveLength(1);
    const vm = s.vms[0]!;
    expect(vm).toMatchObject({ pid: 4242, binary: "qemu-system-x86_64", name: "vnf-a", uuid: "1b4e28ba-2fa1-11d2-883f-0016d3cca427", accel: "kvm", smpCpus: 4, threadsNamed: true });
    expect(vm.monitors).toEqual([{ protocol: "qmp", transport: "unix", address: "/var/lib/libvirt/qemu/domain-3-vnf-a/monitor.sock", source: "libvirt-domain-dir" }]);
    expect(vm.vcpuThreads.map((t) => [t.vcpu, t.tid, t.cpusAllowed])).toEqual([[0, 4250, [12]], [1, 4251, [40]], [2, 4252, [13]], [3, 4253, [41]]]);
    expect(vm.emulatorThreads.map((t) => [t.tid, t.comm])).toEqual([[4242, "qemu-system-x86"], [4244, "call_rcu"]]);
    expect(vm.emulatorCpus).toEqual([0, 1]);
  });

  it("-qmp, -monitor, -chardev path with -mon, -name X, -machine accel=, -enable-kvm", () => {
    const s = parseVms([
      {
        pid: 10,
        cmdline: argv("qemu-system-x86_64", "-name", "plain", "-machine", "pc,accel=tcg", "-qmp", "unix:/run/q,,1.sock,server=on,wait=off", "-monitor", "tcp:127.0.0.1:4444,server,nowait", "-chardev", "socket,id=m2,path=/run/m2.sock,server=on,wait=off", "-mon", "chardev=m2,mode=control", "-chardev", "socket,id=h,host=127.0.0.1,port=5555,server=on", "-mon", "chardev=h"),
        tasks: [{ tid: 10, comm: "qemu-system-x86", status: status("0-3") }],
      },
      { pid: 11, cmdline: argv("/usr/libexec/qemu-kvm", "-enable-kvm", "-smp", "cpus=8"), tasks: [] },
    ]);
    expect(s.vms[0]).toMatchObject({ name: "plain", accel: "tcg", smpCpus: null, threadsNamed: false, vcpuThreads: [], emulatorCpus: [0, 1, 2, 3] });
    expect(s.vms[0]!.monitors).toEqual([
      { protocol: "qmp", transport: "unix", address: "/run/q,1.sock", source: "qmp-option" },
      { protocol: "hmp", transport: "tcp", address: "127.0.0.1:4444", source: "monitor-option" },
      { protocol: "qmp", transport: "unix", address: "/run/m2.sock", source: "chardev" },
      { protocol: "hmp", transport: "tcp", address: "127.0.0.1:5555", source: "chardev" },
    ]);
    expect(s.vms[1]).toMatchObject({ binary: "qemu-kvm", name: null, accel: "kvm", smpCpus: 8 });
    // unnamed threads are said out loud: the CPUs tab cannot compare vCPU pins for that VM
    expect(s.warnings).toEqual([expect.stringContaining("pid 10 (plain): threads are unnamed")]);
  });

  it("ignores everything that is not a QEMU system emulator; tolerates empty and garbage cmdlines", () => {
    const s = parseVms([
      { pid: 1, cmdline: argv("/sbin/init"), tasks: [] },
      { pid: 2, cmdline: "", tasks: [] },
      { pid: 3, cmdline: argv("qemu-img", "info", "x"), tasks: [] },
      { pid: 4, cmdline: argv("qemu-system-aarch64", "-name", "", "-smp", "zero"), tasks: [{ tid: 4, comm: "ALL CPUs/TCG", status: "garbage" }] },
    ]);
    expect(s.vms.map((v) => v.pid)).toEqual([4]);
    expect(s.vms[0]).toMatchObject({ name: null, smpCpus: null, threadsNamed: true, vcpuThreads: [{ tid: 4, comm: "ALL CPUs/TCG", vcpu: null, cpusAllowed: null }] });
    expect(vmsSection.safeParse(s).success).toBe(true);
  });
});

describe("read from a tree", () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  it("a fixture /proc with one libvirt VM and an unrelated process", async () => {
    const root = mkdtempSync(path.join(tmpdir(), "vms-tree-"));
    dirs.push(root);
    const put = (rel: string, text: string) => {
      mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
      writeFileSync(path.join(root, rel), text);
    };
    put("proc/1/cmdline", argv("/sbin/init"));
    put(`proc/${LIBVIRT_VM.pid}/cmdline`, LIBVIRT_VM.cmdline);
    for (const t of LIBVIRT_VM.tasks) {
      if (t.comm !== null) put(`proc/${LIBVIRT_VM.pid}/task/${t.tid}/comm`, t.comm);
      if (t.status !== null) put(`proc/${LIBVIRT_VM.pid}/task/${t.tid}/status`, t.status);
    }
    put("proc/self", "not a pid");
    const s = await read(new HostFs(root));
    expect(s).toEqual(parseVms([LIBVIRT_VM]));
  });

  it("no proc/ at all: not available", async () => {
    const root = mkdtempSync(path.join(tmpdir(), "vms-empty-"));
    dirs.push(root);
    expect(await read(new HostFs(root))).toBeNull();
  });
});

/** Start a real QEMU (TCG, no disk) pinned with taskset; resolves once its vCPU threads exist. */
async function startQemu(args: string[], socket: string): Promise<ChildProcess> {
  const child = spawn("taskset", ["-c", "0", "qemu-system-x86_64", "-machine", "pc,accel=tcg", "-m", "64", "-nodefaults", "-no-user-config", "-display", "none", "-smp", "2", "-qmp", `unix:${socket},server=on,wait=off`, ...args], { stdio: "ignore" });
  const deadline = Date.now() + 15_000;
  while (!existsSync(socket)) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`qemu did not start (exit ${child.exitCode})`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return child;
}

describe("a real qemu-system-x86_64 under taskset -c 0", () => {
  const children: ChildProcess[] = [];
  const dir = mkdtempSync(path.join(tmpdir(), "vms-qemu-"));
  afterAll(() => {
    for (const c of children) c.kill("SIGKILL");
    rmSync(dir, { recursive: true, force: true });
  });

  it("is found in /proc with its name, QMP socket, two TCG vCPU threads and their real affinity", async () => {
    const socket = path.join(dir, "t1.qmp");
    // taskset runs exec: the QEMU process keeps the child's pid
    const child = await startQemu(["-name", "guest=t1,debug-threads=on"], socket);
    children.push(child);
    let vm: ReturnType<typeof parseVms>["vms"][number] | undefined;
    for (let i = 0; i < 100; i++) {
      const s = await read(new HostFs("/"));
      expect(vmsSection.safeParse(s).success).toBe(true);
      vm = s?.vms.find((v) => v.pid === child.pid);
      if (vm && vm.vcpuThreads.length === 2) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(vm).toMatchObject({ binary: "qemu-system-x86_64", name: "t1", accel: "tcg", smpCpus: 2, threadsNamed: true });
    expect(vm!.monitors).toEqual([{ protocol: "qmp", transport: "unix", address: socket, source: "qmp-option" }]);
    expect(vm!.vcpuThreads.map((t) => [t.vcpu, t.comm, t.cpusAllowed])).toEqual([[0, "CPU 0/TCG", [0]], [1, "CPU 1/TCG", [0]]]);
    expect(vm!.emulatorThreads.length).toBeGreaterThan(0);
    expect(vm!.emulatorThreads.some((t) => t.tid === child.pid)).toBe(true);
    expect(vm!.emulatorCpus).toEqual([0]);
  });

  it("without debug-threads=on: listed, every thread as emulator, and warned about", async () => {
    const socket = path.join(dir, "t2.qmp");
    const child = await startQemu(["-name", "t2"], socket);
    children.push(child);
    const s = await read(new HostFs("/"));
    const vm = s?.vms.find((v) => v.pid === child.pid);
    expect(vm).toMatchObject({ name: "t2", threadsNamed: false, vcpuThreads: [], emulatorCpus: [0] });
    expect(s?.warnings).toContainEqual(expect.stringContaining(`pid ${child.pid} (t2): threads are unnamed`));
  });
});
