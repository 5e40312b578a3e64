import Link from "next/link";

export default function HostNotFound() {
  return (
    <div className="mx-auto max-w-lg py-16 text-center">
      <p className="text-sm font-semibold text-sky-600 dark:text-sky-400">404</p>
      <h1 className="mt-2 text-2xl font-semibold tracking-tight">Host not found</h1>
      <p className="mt-2 text-slate-600 dark:text-slate-400">There is no host with this id. It may have been removed, or the link is wrong.</p>
      <Link href="/fleet" className="mt-6 inline-block rounded-md bg-slate-900 px-3 py-1.5 text-sm font-medium text-white hover:bg-slate-700 dark:bg-slate-100 dark:text-slate-900">
        Back to the fleet
      </Link>
    </div>
  );
}
