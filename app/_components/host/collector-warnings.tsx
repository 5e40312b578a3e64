import { SubHeading } from "@/app/_components/panel";

/** The collector's warnings for a section (nothing when there are none). */
export function CollectorWarnings({ warnings }: { warnings: readonly string[] }) {
  if (warnings.length === 0) return null;
  return (
    <div>
      <SubHeading>Collector warnings</SubHeading>
      <ul className="list-inside list-disc text-sm text-amber-800 dark:text-amber-300">
        {warnings.map((w, i) => (
          <li key={i}>{w}</li>
        ))}
      </ul>
    </div>
  );
}
