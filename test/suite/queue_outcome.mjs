// The made-up per-point outcome the queue tests' worker (queue_worker.mjs) computes and the test expects:
// which "attacks" fooled point i, a fixed function of i.
export const pointOutcome = (i) => ({ point: i, fooled: ['fgsm', 'pgd', 'apgd-ce'].filter((_, k) => (i * 7919 + k * 104729) % (k + 3) === 0) });
