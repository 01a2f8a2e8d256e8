import fc from 'fast-check';

// Property tests run the same cases on every machine, so CI is reproducible; set FC_SEED to explore
// other cases locally (a failure prints its seed and counterexample).
fc.configureGlobal({ seed: Number(process.env.FC_SEED ?? 20261124) });
