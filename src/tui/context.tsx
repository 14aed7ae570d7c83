/** The console's React plumbing: the store and key context through context, narrow selectors, key hooks. */
import { createContext, useCallback, useContext, useEffect, useState, type ReactNode } from 'react';
import { useInput, useStdout, type Key } from 'ink';
import { useStore } from 'zustand';
import { useShallow } from 'zustand/react/shallow';
import { dispatchKey, keyName, type KeyContext, type KeyScope } from './keymap.js';
import type { ConsoleStore, ConsoleStoreState } from './store.js';
import { typeIntoInput } from './typing.js';

/** What every console component can reach. */
export interface ConsoleContextValue {
  store: ConsoleStore;
  keys: KeyContext;
  /** Payload paths masked in the job detail (dot paths, `*` for any key). */
  redact: readonly string[];
  /** NO_COLOR: draw without colours (bold and inverse stay). */
  noColor: boolean;
}

const ConsoleContext = createContext<ConsoleContextValue | null>(null);

/** Provides the console context to its children. */
export function ConsoleProvider({ value, children }: { value: ConsoleContextValue; children: ReactNode }) {
  return <ConsoleContext.Provider value={value}>{children}</ConsoleContext.Provider>;
}

/** The console context; throws outside a provider. */
export function useConsole(): ConsoleContextValue {
  const value = useContext(ConsoleContext);
  if (!value) throw new Error('console components must be rendered inside <ConsoleProvider>');
  return value;
}

/** A narrow slice of the store; re-renders only when it changes (shallowly). */
export function useConsoleState<T>(selector: (state: ConsoleStoreState) => T): T {
  return useStore(useConsole().store, useShallow(selector));
}

/** A colour name, or nothing under NO_COLOR. */
export function useColor(): (color: string) => string | undefined {
  const { noColor } = useConsole();
  return useCallback((color: string) => (noColor ? undefined : color), [noColor]);
}

/**
 * Hands this scope's key presses to the key map, only while `isActive` (only the focused view
 * listens). `fallback` gets keys the map does not bind.
 */
export function useKeys(scope: KeyScope, isActive: boolean, fallback?: (name: string, input: string, key: Key) => void): void {
  const { keys, store } = useConsole();
  const handler = useCallback((input: string, key: Key) => {
    const name = keyName(input, key);
    if (scope === 'input' || name !== input || key.meta || input.length < 2) {
      if (!dispatchKey(scope, name, keys)) fallback?.(name, input, key);
      return;
    }
    // Keys typed faster than the console reads arrive as one chunk (`1 ` for 1 then Space, `cy`
    // for c then y): each character is a key of its own, for the scope the one before left focused.
    const characters = [...input];
    for (const [i, character] of characters.entries()) {
      const state = store.getState();
      const now = i === 0 ? scope : focusedScope(state);
      if (now === 'input') return typeIntoInput(state, characters.slice(i).join(''));
      dispatchKey(now, character, keys);
    }
  }, [scope, keys, store, fallback]);
  useInput(handler, { isActive });
}

/** The scope whose keys are live: a quit in progress, a y/n prompt, a line being typed, or the view. */
function focusedScope(s: ConsoleStoreState): KeyScope {
  if (s.quitting) return 'quitting';
  if (s.prompt) return 'prompt';
  if (s.input) return 'input';
  return s.view;
}

/** Whether the keys of `scope` are live: it has the focus and nothing modal is open. */
export function useFocused(scope: KeyScope): boolean {
  return useConsoleState((s) => focusedScope(s) === scope);
}

/** The terminal size, following resizes (80×24 when the stream does not say). */
export function useTerminalSize(): { columns: number; rows: number } {
  const { stdout } = useStdout();
  const read = () => ({ columns: stdout.columns || 80, rows: stdout.rows || 24 });
  const [size, setSize] = useState(read);
  useEffect(() => {
    const onResize = () => setSize(read());
    stdout.on('resize', onResize);
    return () => {
      stdout.off('resize', onResize);
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [stdout]);
  return size;
}

/** The time of this render; re-renders at least every `everyMs` so ages on screen move on. */
export function useNow(everyMs = 1_000): number {
  const [, setTick] = useState(0);
  useEffect(() => {
    const timer = setInterval(() => setTick((n) => n + 1), everyMs);
    return () => clearInterval(timer);
  }, [everyMs]);
  return Date.now();
}
