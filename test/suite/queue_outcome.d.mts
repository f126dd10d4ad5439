// Types of queue_outcome.mjs.
export declare const pointOutcome: (i: number) => { point: number; fooled: string[] };
