import type { CliActions } from './run-cli.js';

/**
 * CLI actions whose implementation (config schema, Redis client, engine) is imported on the first
 * call. `--help`, `--version` and usage errors then never load it, and start several times faster.
 */
export function lazyCliActions(load: () => Promise<CliActions>): CliActions {
  let loading: Promise<CliActions> | undefined;
  const actions = (): Promise<CliActions> => (loading ??= load());
  return {
    run: async (command) => (await actions()).run(command),
    dispatch: async (command, readPayload) => (await actions()).dispatch(command, readPayload),
    stats: async (command) => (await actions()).stats(command),
    jobs: async (command) => (await actions()).jobs(command),
    schedules: async (command) => (await actions()).schedules(command),
    show: async (command) => (await actions()).show(command),
    cancel: async (command) => (await actions()).cancel(command),
    retry: async (command) => (await actions()).retry(command),
    retryAll: async (command) => (await actions()).retryAll(command),
    cancelAll: async (command) => (await actions()).cancelAll(command),
    clean: async (command) => (await actions()).clean(command),
    drain: async (command) => (await actions()).drain(command),
    setPriority: async (command) => (await actions()).setPriority(command),
    pause: async (command) => (await actions()).pause(command),
    resume: async (command) => (await actions()).resume(command),
    demo: async (command) => (await actions()).demo(command),
    doctor: async (command) => (await actions()).doctor(command),
  };
}
