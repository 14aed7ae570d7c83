/**
 * The worker host as a console sees it: the console's own contract (`src/tui/host-view.ts`) plus
 * what the host knows besides. The import is type-only, so the host never loads the console's UI
 * stack (headless runs and one-shot commands stay light).
 */
import type { ConnectionState, HostView as ConsoleHostView } from '../tui/host-view.js';

export type { ConnectionState, LogLine, LogSource, PoolSlot } from '../tui/host-view.js';

/** The executable host: everything the console consumes, plus the host's own facts. */
export interface HostView extends ConsoleHostView {
  /** True when flexq started its own redis-server (data under ./.flexq/) for this run. */
  readonly embeddedRedis: boolean;
  /** Payload paths to mask before showing a payload (`redactPayload` in src/shared/redact.ts). */
  readonly redact: readonly string[];
  /** Push of connection changes (the host's monitor always has them); returns the unsubscribe function. */
  onConnectionChange(listener: (state: ConnectionState) => void): () => void;
}
