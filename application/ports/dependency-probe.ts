import type { ServiceName } from '../config/breaker-defaults.js';

/** One cheap call to a dependency, to learn whether it answers again: resolves when it does, throws when it does not. */
export interface DependencyProbe {
  probe(service: ServiceName): Promise<void>;
}
