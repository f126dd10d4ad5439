// The seed of this test run's random inputs: fresh each run, fixed by ADVERSARIAL_TEST_SEED to replay one.
const fromEnv = typeof process !== 'undefined' ? process.env.ADVERSARIAL_TEST_SEED : undefined;
export const runSeed = fromEnv ? Number(fromEnv) >>> 0 : Math.floor(Math.random() * 0x100000000);
