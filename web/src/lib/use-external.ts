// Reading a module-level store from a component (the session, the stack feed, the location):
// subscribe as soon as the component is committed, and catch a change that happened between
// rendering and subscribing (a fast answer from a local daemon can land in between).

import { useLayoutEffect, useState } from 'preact/hooks';

export function useExternal<T>(subscribe: (listener: () => void) => () => void, snapshot: () => T): T {
  const [, force] = useState(0);
  const value = snapshot();
  useLayoutEffect(() => {
    const update = () => force((n) => n + 1);
    const unsubscribe = subscribe(update);
    if (snapshot() !== value) update();
    return unsubscribe;
  }, []);
  return value;
}
