/** The workflow code generation, on its own: clients that start workflows read it without the workflow runtime. */

/**
 * The generation of duban's workflow code, handed to every run it starts (and to every continued run). A run started
 * with generation n was started by code that has every patch of generation n or older, so `patched` would say yes to
 * each of them; asking costs a marker event and a `TemporalChangeVersion` search-attribute upsert (a visibility write)
 * per patch, two of each in every obligation's first workflow task. Runs without a generation ask `patched` as they
 * always did and replay unchanged. A new patch gets the next generation and is asked about by runs of older ones.
 * Rolling back to code from before generations would not replay runs started with one: roll forward.
 */
export const WORKFLOW_GENERATION = 1;
