/**
 * CPU placement end to end: an admin defines a VNF, previews it on the seeded HT host (ht-on-rdt:
 * 2 × 20 cores × 2 threads, isolcpus 4-19,44-59 on node 0), places it, sees the CPUs tab change and
 * copies the libvirt XML; a viewer sees the map and VNFs but no place/unassign/create controls.
 */
import { expect, test } from "@/e2e/support/test";
import { loginAs } from "@/e2e/support/login";
import { readSeededHosts } from "@/e2e/support/seeded";

function hostId(hostname: string): string {
  const h = readSeededHosts().find((x) => x.hostname === hostname);
  if (!h) throw new Error(`seeded host ${hostname} missing`);
  return h.id;
}

const HT_HOST = "pod1-node03-ht";
const VNF = `e2e-vrouter-${Date.now().toString(36)}`;

// one flow of many steps on a shared 2-core machine: the default 30 s is too tight for it
test.describe.configure({ mode: "serial", timeout: 150_000 });

test.describe("VNF placement", () => {
  test("an admin creates a VNF, previews it on the map, places it, sees the map change and copies the XML", async ({ page, context }) => {
    await context.grantPermissions(["clipboard-read", "clipboard-write"]);
    const id = hostId(HT_HOST);
    await loginAs(page, "admin", "/vnfs");
    await page.goto("/fleet");
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "VNFs" }).click();
    await expect(page).toHaveURL(/\/vnfs$/);
    await page.locator("html[data-hydrated]").waitFor({ state: "attached" });

    await page.getByTestId("vnf-new").click();
    const form = page.getByTestId("vnf-form");
    await form.getByLabel("Name").fill(VNF);
    await form.getByLabel("vCPUs").fill("4");
    await form.getByLabel("Memory (MiB)").fill("4096");
    await form.getByLabel("Page size").selectOption("1G");
    await form.getByLabel("Thread policy").selectOption("isolate");
    await form.getByLabel("Labels").fill("tier=edge");
    await form.getByTestId("vnf-save").click();
    const row = page.getByTestId(`vnf-row-${VNF}`);
    await expect(row).toContainText("4 vCPU · 4096 MiB 1G pages");
    await expect(row.getByTestId("vnf-placement")).toHaveText("not placed");

    await row.getByTestId("vnf-place").click();
    const panel = page.getByTestId("place-panel");
    await panel.getByLabel("Host").selectOption({ label: HT_HOST });
    await panel.getByTestId("place-preview").click();
    const chosen = panel.getByTestId("place-preview-result");
    await expect(chosen).toContainText(`node 0 on ${HT_HOST}`);
    // the fixture has rcu_nocbs but no nohz_full on its isolated CPUs: the preview warns before saving
    await expect(panel.getByTestId("place-warnings")).toContainText("nohz_full");
    // isolate: four vCPUs on four whole cores, their siblings reserved — drawn over the map
    const map = panel.getByTestId("cpu-map");
    await expect(map.locator('[data-state="preview-vcpu"]')).toHaveCount(4);
    await expect(map.locator('[data-state="preview-reserved"]')).toHaveCount(4);
    const previewCpus = await map.locator('[data-state="preview-vcpu"]').evaluateAll((els) => els.map((e) => Number(e.textContent?.replace(/\D+$/, ""))));

    await page.screenshot({ path: test.info().outputPath("vnfs-preview.png"), fullPage: true });
    await panel.getByTestId("place-confirm").click();
    await expect(panel.getByTestId("place-done")).toContainText(`${VNF} is placed on ${HT_HOST}`);
    await panel.getByTestId("out-libvirt-copy").click();
    await expect(panel.getByTestId("out-libvirt")).toContainText("Copied");
    const clip = await page.evaluate(() => navigator.clipboard.readText());
    expect(clip).toContain("<domain type='kvm'>");
    for (const cpu of previewCpus) expect(clip).toContain(`cpuset='${cpu}'`);
    await expect(row.getByTestId("vnf-placement")).toContainText(HT_HOST);

    // the host's CPUs tab now shows the VNF's CPUs
    await page.goto(`/hosts/${id}/cpus`);
    const hostMap = page.getByTestId("cpu-map");
    for (const cpu of previewCpus) await expect(hostMap.getByTestId(`cpu-${cpu}`)).toHaveAttribute("data-vnf", VNF);
    await expect(hostMap.locator(`[data-state="vcpu"][data-vnf="${VNF}"]`)).toHaveCount(4);
    await expect(hostMap.locator(`[data-state="reserved-sibling"][data-vnf="${VNF}"]`)).toHaveCount(4);
    await expect(page.getByTestId(`map-vnf-${VNF}`)).toContainText("not running");
    // node 0's 1G pages: the VNF's 4 are placed, not yet taken from the kernel (it does not run): fewer left than free
    const pagesText = await page.getByTestId("node-hugepages-0").innerText();
    const m = /1G: (\d+) left \((\d+) free on the host, (\d+) placed\)/.exec(pagesText);
    expect(m, pagesText).not.toBeNull();
    const [left, free, placedPages] = [Number(m![1]), Number(m![2]), Number(m![3])];
    expect(placedPages).toBeGreaterThanOrEqual(4);
    expect(left).toBe(Math.max(0, free - placedPages));
    // keyboard: focus a CPU and read its details; Enter on a VNF's CPU highlights all of its CPUs
    const first = hostMap.getByTestId(`cpu-${previewCpus[0]}`);
    await first.focus();
    await expect(page.getByTestId("cpu-detail")).toContainText(`${VNF} · vCPU 0`);
    await expect(page.getByTestId("cpu-detail")).toContainText("L3");
    await page.keyboard.press("Enter");
    await expect(first).toHaveAttribute("aria-pressed", "true");
    // every other CPU is dimmed (the VNF's shared emulator CPUs stay lit: they are part of it)
    await expect(hostMap.locator('[data-state="isolated-free"]').first()).toHaveClass(/opacity-25/);
    await page.screenshot({ path: test.info().outputPath("cpus-tab-light.png"), fullPage: true });
    await page.emulateMedia({ colorScheme: "dark" });
    await page.goto(`/hosts/${id}/cpus`);
    await expect(page.locator("html.dark")).toHaveCount(1);
    await page.screenshot({ path: test.info().outputPath("cpus-tab-dark.png"), fullPage: true });
  });

  test("a viewer sees the CPU map and VNFs but no place, unassign or create controls", async ({ page }) => {
    const id = hostId(HT_HOST);
    await loginAs(page, "viewer", `/hosts/${id}/cpus`);
    await page.goto(`/hosts/${id}/cpus`);
    await expect(page.getByTestId("cpu-map")).toBeVisible();
    await expect(page.getByTestId("cpu-map").locator("[data-testid^='cpu-'][data-state]")).toHaveCount(80);
    await page.goto("/vnfs");
    await expect(page.getByTestId("vnf-table")).toBeVisible();
    await expect(page.getByTestId(`vnf-row-${VNF}`)).toContainText(HT_HOST);
    await expect(page.getByTestId("vnf-new")).toHaveCount(0);
    await expect(page.getByTestId("vnf-place")).toHaveCount(0);
    await expect(page.getByTestId("vnf-unassign")).toHaveCount(0);
    await expect(page.getByRole("button", { name: "Delete" })).toHaveCount(0);
    // the outputs stay readable for viewers
    await page.getByTestId(`vnf-row-${VNF}`).getByRole("button", { name: "libvirt / Nova" }).click();
    await expect(page.getByTestId("vnf-outputs").getByTestId("out-nova")).toContainText("hw:cpu_thread_policy=isolate");
  });
});
