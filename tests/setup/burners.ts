/**
 * vitest global setup: the machine-wide CPU burners (tests/helpers/burners.ts), when
 * NETGRADE_TEST_BURNERS asks for them (`npm run test:busy`). The reference describes lease them.
 */
import type { TestProject } from 'vitest/node';
import { burnerCount, startBurnerCoordinator } from '../helpers/burners.ts';

declare module 'vitest' {
  interface ProvidedContext {
    /** The burner coordinator's socket, or '' when the suite runs without burners. */
    burners: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const count = burnerCount();
  if (count === 0) {
    project.provide('burners', '');
    return async () => {};
  }
  const coordinator = await startBurnerCoordinator(count);
  project.provide('burners', coordinator.address);
  return () => coordinator.close();
}
