// The handler bench/isolation.mjs runs: a module handler (only those can be isolated) that does
// nothing, so what is measured is what running it in the worker's thread, a thread or a process costs.
export default function handle() {
  return { success: true };
}
