import { benchFootprint } from "@/agent/bench/footprint";
await benchFootprint({ cycles: 20, variants: [
  { label: "A plain all/cycle", node: [], run: ["--slow-refresh-s", "0"] },
  { label: "B plain refresh", node: [], run: [] },
  { label: "C semi1 refresh", node: ["--max-semi-space-size=1", "--max-old-space-size=64"], run: [] },
  { label: "D lite+semi1 refresh", node: ["--lite-mode", "--max-semi-space-size=1", "--max-old-space-size=64"], run: [] },
  { label: "E lite+semi1 all/cycle", node: ["--lite-mode", "--max-semi-space-size=1", "--max-old-space-size=64"], run: ["--slow-refresh-s", "0"] },
]});
process.exit(0);
