/**
 * Loaded with `--import` into every job process the worker forks (see
 * job-bundle.ts): the framework forks its own job main from node_modules, and
 * this hook hands Node the bundled copy beside it instead, so the job process
 * loads the framework, the plugins and the agent from a few files rather than
 * from some two thousand. It must import nothing but Node built-ins: it is
 * the bundle's own entry and runs before anything else in the process.
 */
import { registerHooks } from 'node:module';

/** The framework's job main, as its process pool forks it. */
const frameworkJobMain = new URL(
  './ipc/job_proc_lazy_main.js',
  import.meta.resolve('@livekit/agents'),
).href;
/** The bundled job main, built beside this file. */
const bundledJobMain = new URL('./job_proc_lazy_main.js', import.meta.url).href;

registerHooks({
  resolve(specifier, context, nextResolve) {
    const resolved = nextResolve(specifier, context);
    return resolved.url === frameworkJobMain ? { ...resolved, url: bundledJobMain } : resolved;
  },
});
