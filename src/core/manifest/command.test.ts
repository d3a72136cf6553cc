import { describe, expect, it } from 'vitest';
import { toArgv } from './command.js';

describe('toArgv', () => {
  it.each([
    ['node services/orders.js', ['node', 'services/orders.js']],
    ['  node   a.js  --flag  ', ['node', 'a.js', '--flag']],
    ['node -e "console.log(1 + 1)"', ['node', '-e', 'console.log(1 + 1)']],
    ["echo 'it''s' \"a b\"", ['echo', 'its', 'a b']],
    ['echo a\\ b', ['echo', 'a b']],
    ['echo "$HOME"', ['/bin/sh', '-c', 'echo "$HOME"']],
    ["echo '$HOME'", ['echo', '$HOME']],
    ['node a.js && node b.js', ['/bin/sh', '-c', 'node a.js && node b.js']],
    ['node a.js | tee out.log', ['/bin/sh', '-c', 'node a.js | tee out.log']],
    ['node a.js > out.log', ['/bin/sh', '-c', 'node a.js > out.log']],
    ['node a.js; echo done', ['/bin/sh', '-c', 'node a.js; echo done']],
    ['ls *.js', ['/bin/sh', '-c', 'ls *.js']],
    ['echo $(date)', ['/bin/sh', '-c', 'echo $(date)']],
    ['echo `date`', ['/bin/sh', '-c', 'echo `date`']],
    ['node a.js # the api', ['/bin/sh', '-c', 'node a.js # the api']],
    ['node ~/a.js', ['/bin/sh', '-c', 'node ~/a.js']],
  ])('%s', (command, argv) => {
    expect(toArgv(command)).toEqual(argv);
  });

  it('keeps a list as it is, shell syntax included', () => {
    expect(toArgv(['sh', '-c', 'a && b'])).toEqual(['sh', '-c', 'a && b']);
  });
});
