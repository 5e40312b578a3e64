import { z } from "zod";
import { cpuArray, shortText, warningsList } from "../common";

const pid = z.number().int().min(1).max(4_194_304);

/** A monitor endpoint found on the QEMU command line (the migration issue connects to these). */
export const vmMonitorSocket = z
  .object({
    /** qmp = machine protocol (JSON); hmp = human monitor */
    protocol: z.enum(["qmp", "hmp"]),
    transport: z.enum(["unix", "tcp", "fd"]),
    /** socket path (unix), host:port (tcp), or the fd number libvirt passed */
    address: z.string().max(4096),
    /**
     * where it came from: -qmp/-monitor, -chardev+-mon, or derived from libvirt's per-domain directory
     * (libvirt passes the monitor as an inherited fd; its socket lives at …/domain-N-NAME/monitor.sock)
     */
    source: z.enum(["qmp-option", "monitor-option", "chardev", "libvirt-domain-dir"]),
  })
  .strict();

/** One thread of a QEMU process with its real affinity (/proc/PID/task/TID/status Cpus_allowed_list). */
export const vmThread = z
  .object({
    tid: pid,
    /** thread name: "CPU 3/KVM", "CPU 0/TCG", "IO mon_iothread", "qemu-system-x86" … */
    comm: z.string().max(64),
    /** the vCPU index for "CPU N/KVM" / "CPU N/TCG" threads, null for every other thread */
    vcpu: z.number().int().min(0).max(65535).nullable(),
    /** null when the status file could not be read (the thread exited between listing and reading) */
    cpusAllowed: cpuArray.nullable(),
  })
  .strict();

export const vmEntry = z
  .object({
    pid,
    /** basename of argv[0]: qemu-system-x86_64, qemu-kvm */
    binary: shortText,
    /** -name guest=NAME,… or -name NAME; null without -name */
    name: shortText.nullable(),
    /** -uuid, as libvirt passes it */
    uuid: z.string().max(64).nullable(),
    /** accelerator from -accel / -machine accel= / -enable-kvm; null when the command line does not say */
    accel: shortText.nullable(),
    /** -smp's CPU count (first number or cpus=); null when absent (QEMU's default is 1) */
    smpCpus: z.number().int().min(1).max(65535).nullable(),
    monitors: z.array(vmMonitorSocket).max(64),
    /**
     * QEMU names its threads only with -name …,debug-threads=on (libvirt always sets it). Without it every
     * thread is "qemu-system-…": vCPU threads cannot be told apart and all threads are listed as emulator.
     */
    threadsNamed: z.boolean(),
    vcpuThreads: z.array(vmThread).max(8192),
    /** every other thread (main loop, I/O, RCU, workers): "emulator threads" in libvirt's terms */
    emulatorThreads: z.array(vmThread).max(8192),
    /** union of the emulator threads' Cpus_allowed_list (what libvirt's <emulatorpin> sets) */
    emulatorCpus: cpuArray,
  })
  .strict();

export const vmsSection = z
  .object({
    /** QEMU processes found in /proc, by pid */
    vms: z.array(vmEntry).max(1024),
    warnings: warningsList,
  })
  .strict();
export type VmsSection = z.infer<typeof vmsSection>;
export type VmEntry = z.infer<typeof vmEntry>;
export type VmThread = z.infer<typeof vmThread>;
export type VmMonitorSocket = z.infer<typeof vmMonitorSocket>;
