// A page loaded on first visit (its own chunk): the pages behind the overview, and with them
// uPlot and elkjs, are not part of the first load.

import type { ComponentType, JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { Notice } from './bits';

export function lazy<P extends object>(load: () => Promise<{ default: ComponentType<P> }>): (props: P) => JSX.Element {
  let loaded: ComponentType<P> | undefined;
  let failed: unknown;
  return function Lazy(props: P) {
    const [, setTick] = useState(0);
    useEffect(() => {
      if (loaded) return;
      load().then(
        (m) => {
          loaded = m.default;
          setTick((n) => n + 1);
        },
        (err) => {
          failed = err;
          setTick((n) => n + 1);
        },
      );
    }, []);
    if (loaded) {
      const C = loaded;
      return <C {...props} />;
    }
    if (failed) return <Notice tone="bad">This page failed to load ({String(failed)}); reload to try again.</Notice>;
    return <div class="page-loading" aria-busy="true" />;
  };
}
