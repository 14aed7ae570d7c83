import { readFileSync } from 'node:fs';
import { dirname, relative } from 'node:path';
import type { Handler } from '../engine/types.js';
import { builtinHandler } from '../handlers/builtin.js';
import { loadHandlerModule } from '../handlers/loader.js';
import { DEFAULTS } from '../engine/defaults.js';
import { IsolatedHandler } from '../engine/isolation/isolated-handler.js';
import { moduleHandler } from '../engine/isolation/module-handler.js';
import type { HandlerSettings, HostConfig } from '../config/config-types.js';
import { HOST_DEFAULTS } from '../config/defaults.js';
import { formatIssue, lineLocator } from '../config/config-errors.js';

/** The handlers of `[handlers]`, ready to register, and how to release what they hold. */
export interface LoadedHandlers {
  handlers: Map<string, Handler>;
  /** Closes pooled connections (the email built-in's SMTP pool). */
  close(): void;
}

/** Which mode the host runs in; some defaults differ (see `HOST_DEFAULTS.webhookBlockPrivateAddresses`). */
export type HostMode = 'headless' | 'console';

/** Options a built-in gets from `[smtp]` / `[webhook]`; the handler's own `options` win over them. */
export function sharedOptions(config: HostConfig, settings: Extract<HandlerSettings, { kind: 'builtin' }>, mode: HostMode): Record<string, unknown> {
  switch (settings.builtin) {
    case 'email': {
      const { host, port, secure, username, password, from } = config.smtp;
      return {
        host, port, secure,
        ...(username === undefined ? {} : { auth: { user: username, pass: password ?? '' } }),
        ...(from === undefined ? {} : { from }),
      };
    }
    case 'webhook': {
      const { timeout, signingSecret, blockPrivateAddresses, allowAddresses } = config.webhook;
      return {
        timeout,
        blockPrivateAddresses: blockPrivateAddresses ?? HOST_DEFAULTS.webhookBlockPrivateAddresses[mode],
        ...(signingSecret === undefined ? {} : { signingSecret }),
        ...(allowAddresses === undefined ? {} : { allowAddresses }),
      };
    }
    case 'sleep':
      return {};
  }
}

async function loadOne(type: string, settings: HandlerSettings, config: HostConfig, mode: HostMode): Promise<Handler> {
  if (settings.kind === 'builtin') return builtinHandler(settings.builtin, { ...sharedOptions(config, settings, mode), ...settings.options });
  const baseDir = config.configFile === null ? process.cwd() : dirname(config.configFile);
  if (settings.isolation === undefined || settings.isolation === 'none') {
    return loadHandlerModule(type, settings.module, settings.options, baseDir, settings.exportName);
  }
  const { module, options, exportName, isolation, killAfter } = settings;
  const handler = moduleHandler(type, { module, options, export: exportName, baseDir, isolation, ...(killAfter === undefined ? {} : { killAfter }) }, {
    isolation: 'none', killAfter: DEFAULTS.killAfter,
  });
  // Its first thread or process loads the module now, so a broken module stops the start.
  if (handler instanceof IsolatedHandler) await handler.ready();
  return handler;
}

/** `message` placed at the line of flexq.toml that defines `path` (`flexq.toml:12: …`), as a config error is. */
function placedInConfig(configFile: string | null, path: readonly string[], message: string): string {
  if (configFile === null) return message;
  let line: number | undefined;
  try {
    line = lineLocator(readFileSync(configFile, 'utf8'))(path);
  } catch {
    // The file went away since it was read: the error names the job type all the same.
  }
  if (line === undefined) return message;
  const shown = relative(process.cwd(), configFile);
  return formatIssue({ source: shown.startsWith('..') || shown === '' ? configFile : shown, path: '', line, message });
}

/** Builds every handler of `[handlers]`; rejects naming the first job type whose handler cannot be made. */
export async function loadHandlers(config: HostConfig, mode: HostMode): Promise<LoadedHandlers> {
  const handlers = new Map<string, Handler>();
  for (const [type, settings] of Object.entries(config.handlers)) {
    try {
      handlers.set(type, await loadOne(type, settings, config, mode));
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const named = message.includes(`"${type}"`) ? message : `handler for job type "${type}": ${message}`;
      throw new Error(placedInConfig(config.configFile, ['handlers', type, settings.kind === 'builtin' ? 'options' : 'module'], named), { cause: error });
    }
  }
  return {
    handlers,
    close: () => {
      for (const handler of handlers.values()) {
        const closable = handler as Handler & { close?: unknown };
        if (typeof closable.close === 'function') (closable.close as () => void).call(handler);
      }
    },
  };
}
