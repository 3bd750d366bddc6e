import { ScenarioError } from "../../../workloads/scenario/errors.js";
import { type LoadOptions, loadScenario } from "../../../workloads/scenario/load.js";

/** The ScenarioError that loading `text` throws (fails the test when it loads, or throws anything else). */
export function loadError(text: string, options?: LoadOptions): ScenarioError {
  try {
    loadScenario(text, options);
  } catch (error) {
    if (error instanceof ScenarioError) return error;
    throw error;
  }
  throw new Error(`expected a ScenarioError, but the scenario loaded:\n${text}`);
}

/** The message of the ScenarioError that loading `text` throws. */
export function loadErrorMessage(text: string, options?: LoadOptions): string {
  return loadError(text, options).message;
}
