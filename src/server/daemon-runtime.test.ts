// The daemon's runtime choice: asked for, else remembered, else process; never switched under an applied stack.

import { describe, expect, it } from 'vitest';
import { chooseRuntime, rememberedRuntime, rememberRuntime } from './daemon-runtime.js';

function memoryMeta(initial: Record<string, string> = {}) {
  const values = new Map(Object.entries(initial));
  return { get: async (k: string) => values.get(k), set: async (k: string, v: string) => void values.set(k, v) };
}

describe('chooseRuntime', () => {
  it('defaults to process, and takes what is asked for on a project without a stack', async () => {
    expect(await chooseRuntime({}, memoryMeta(), false)).toEqual({ runtime: 'process' });
    const meta = memoryMeta();
    await rememberRuntime(meta, { runtime: 'kubernetes', namespace: 'shop' });
    expect(await chooseRuntime({ runtime: 'process' }, meta, false)).toEqual({ runtime: 'process' });
    expect(await chooseRuntime({ runtime: 'kubernetes', namespace: 'other' }, meta, false)).toEqual({ runtime: 'kubernetes', namespace: 'other' });
  });

  it('keeps the remembered runtime, context and namespace when nothing is asked for', async () => {
    const meta = memoryMeta();
    await rememberRuntime(meta, { runtime: 'kubernetes', context: 'kind', namespace: 'shop' });
    expect(await chooseRuntime({}, meta, true)).toEqual({ runtime: 'kubernetes', context: 'kind', namespace: 'shop' });
    expect(await chooseRuntime({ runtime: 'kubernetes' }, meta, true)).toEqual({ runtime: 'kubernetes', context: 'kind', namespace: 'shop' });
  });

  it('refuses to switch runtime or namespace under an applied stack', async () => {
    const meta = memoryMeta();
    await rememberRuntime(meta, { runtime: 'kubernetes', namespace: 'shop' });
    await expect(chooseRuntime({ runtime: 'process' }, meta, true)).rejects.toMatchObject({
      code: 'TUTTI_E_CONFLICT',
      message: "this project's stack runs on the kubernetes runtime (namespace shop), not the process runtime",
    });
    await expect(chooseRuntime({ runtime: 'kubernetes', namespace: 'other' }, meta, true)).rejects.toMatchObject({ hint: expect.stringContaining('tutti down') });
    // a stack applied before the choice was remembered runs as local processes
    await expect(chooseRuntime({ runtime: 'kubernetes' }, memoryMeta(), true)).rejects.toThrow("this project's stack runs on the process runtime");
  });

  it('ignores a remembered value it cannot read', async () => {
    expect(await rememberedRuntime(memoryMeta({ runtime: '{oops' }))).toBeUndefined();
  });
});
