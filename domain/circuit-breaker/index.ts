/**
 * The circuit breaker: a pure state machine per dependency (state-machine.ts), the rules that open it
 * (opening-rules.ts, and their arithmetic for admission in failures-to-open.ts), the sliding window it
 * judges at volume (window.ts), its settings and their validation (settings.ts), its state and events
 * (state.ts) and the check of a state read back from storage (stored-state.ts). Which services have a
 * breaker, and with which settings, is configuration: application/config/breaker-defaults.ts.
 */
export * from './failures-to-open.js';
export * from './settings.js';
export * from './state.js';
export * from './state-machine.js';
export * from './stored-state.js';
export * from './window.js';
