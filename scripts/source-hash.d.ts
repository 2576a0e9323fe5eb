export function recordInputs(root: string, metafiles: { inputs: Record<string, unknown> }[], extra?: string[]): Record<string, string>;
export function inputsChanged(root: string, recordFile: string): boolean;
