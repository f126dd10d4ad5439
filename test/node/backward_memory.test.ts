// The backward pass's early release (src/platform/backward_memory.ts) on Dawn: the cases of
// test/suite/backward_release_suite.ts with ADVERSARIAL_RELEASE_GRADIENTS off and on give the same gradients
// bit for bit, leave nothing over, keep the inputs and a user's dy, and lower the peak of deep graphs.
import { beforeAll, describe, test } from 'vitest';
import * as lib from '../../dist/index.js';
import { expectBackwardReleaseOk } from '../suite/backward_release_check';
import { backwardReleaseCases, runBackwardReleaseCase } from '../suite/backward_release_suite';
import { runSeed } from '../suite/run_seed';

beforeAll(async () => {
  await lib.initWebGPU();
  await lib.ensureGradients();
});

describe('backward release: the same gradients, freed as the walk goes', () => {
  test.each(backwardReleaseCases.map((c) => [c.name, c] as const))('%s', async (name, c) => {
    expectBackwardReleaseOk(await runBackwardReleaseCase(name, runSeed), c.lowerPeak, runSeed);
  }, 120_000);
});
