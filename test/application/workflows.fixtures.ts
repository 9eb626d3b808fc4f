import { successorsOf, type TaskStep, type WorkflowDefinition, type WorkflowStep } from '../../application/workflows/index.js';

/** Every step reachable from `from`, `from` included. */
export function reachableFrom(definition: WorkflowDefinition, from: string): Set<string> {
  const seen = new Set<string>();
  const pending = [from];
  while (pending.length > 0) {
    const name = pending.pop() as string;
    const step = definition.steps[name];
    if (seen.has(name) || step === undefined) continue;
    seen.add(name);
    pending.push(...successorsOf(step));
  }
  return seen;
}

/** The functions invoked along the success path (each task's `next`, each choice's first case). */
export function happyPathFunctions(definition: WorkflowDefinition): string[] {
  const functions: string[] = [];
  let name: string | undefined = definition.startAt;
  for (let hops = 0; name !== undefined && hops < 50; hops += 1) {
    const step: WorkflowStep | undefined = definition.steps[name];
    if (step === undefined || step.type === 'succeed' || step.type === 'fail' || step.type === 'park') break;
    if (step.type === 'task') {
      functions.push(step.function);
      name = step.next;
    } else if (step.type === 'hold-back' || step.type === 'requeue') {
      name = step.next;
    } else {
      name = step.cases.find((choice) => choice.equals === 'PROCEED')?.next ?? step.cases[0]?.next;
    }
  }
  return functions;
}

export function tasksOf(definition: WorkflowDefinition): [string, TaskStep][] {
  return Object.entries(definition.steps).filter((entry): entry is [string, TaskStep] => entry[1].type === 'task');
}

export function withStep(definition: WorkflowDefinition, name: string, step: WorkflowStep): WorkflowDefinition {
  return { ...definition, steps: { ...definition.steps, [name]: step } };
}
