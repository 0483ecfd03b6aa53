/**
 * `netgrade doctor`: what grading on this machine gets (see doctor/). Exit 0 when full
 * isolation is available, 1 otherwise.
 */
import { diagnose, renderDiagnosis } from '../doctor/diagnose.ts';
import { gatherFacts } from '../doctor/machine.ts';

export async function doctorCommand(options: { json?: boolean } = {}): Promise<number> {
  const facts = await gatherFacts();
  const diagnosis = diagnose(facts);
  process.stdout.write(options.json ? JSON.stringify({ facts, ...diagnosis }, (_k, v: unknown) => (v === Infinity ? 'unlimited' : v), 2) + '\n' : renderDiagnosis(diagnosis));
  return diagnosis.exitCode;
}
