/**
 * Reads the synthesized Terraform JSON of the module stack — the same plan a platform
 * engineer deploys — and resolves the expressions the local stack needs: variable
 * defaults, locals, a few pure functions, and resource references mapped to local values.
 * Anything it cannot resolve is an error naming the expression, never a silent guess.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

const MODULE_STACK = 'media-store-module';

export type PlanValue = string | number | boolean | null | PlanValue[] | { [key: string]: PlanValue };
type Block = Record<string, PlanValue>;

export interface PlanDocument {
  readonly variable?: Record<string, { default?: PlanValue; type?: string; description?: string }>;
  readonly locals?: Record<string, PlanValue>;
  readonly resource?: Record<string, Record<string, Block>>;
  readonly output?: Record<string, Block>;
}

/** Resolves `${aws_x.name.attr}` to a local value, or throws when the reference has no local meaning. */
export type ReferenceResolver = (type: string, name: string, attribute: string, expression: string) => PlanValue;

export class PlanError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PlanError';
  }
}

export function stackDir(projectRoot: string, stack = MODULE_STACK): string {
  return path.join(projectRoot, 'cdktf.out', 'stacks', stack);
}

export class SynthesizedPlan {
  /** Loads `cdk.tf.json` from a stack directory, failing with a hint when it was not synthesized. */
  static load(dir: string, overrides: Readonly<Record<string, PlanValue>> = {}): SynthesizedPlan {
    const file = path.join(dir, 'cdk.tf.json');
    if (!existsSync(file)) {
      throw new PlanError(`${file} does not exist: run \`npm run synth\` first`);
    }
    return new SynthesizedPlan(dir, JSON.parse(readFileSync(file, 'utf8')) as PlanDocument, overrides);
  }

  constructor(
    /** Directory of the stack: `${path.module}` resolves to it. */
    readonly dir: string,
    readonly document: PlanDocument,
    /** Variable values replacing defaults, as `-var` / `TF_VAR_name` would. */
    readonly overrides: Readonly<Record<string, PlanValue>> = {},
  ) {
    for (const name of Object.keys(overrides)) {
      if (!document.variable?.[name]) throw new PlanError(`variable "${name}" is set but the plan does not declare it`);
    }
  }

  /**
   * Variable values from `TF_VAR_<name>` entries, parsed like Terraform parses them: raw text
   * for `string` variables, JSON (`["https://a.example"]`, `10`, `true`) for the others.
   */
  static variablesFromEnv(dir: string, env: NodeJS.ProcessEnv): Record<string, PlanValue> {
    const { document } = SynthesizedPlan.load(dir);
    const values: Record<string, PlanValue> = {};
    for (const [key, raw] of Object.entries(env)) {
      if (!key.startsWith('TF_VAR_') || raw === undefined) continue;
      const name = key.slice('TF_VAR_'.length);
      const type = document.variable?.[name]?.type ?? 'string';
      if (type === 'string') {
        values[name] = raw;
        continue;
      }
      try {
        values[name] = JSON.parse(raw) as PlanValue;
      } catch {
        throw new PlanError(`${key} must be JSON for a ${type} variable, got ${raw}`);
      }
    }
    return values;
  }

  /** Every resource of a type as `[logicalName, block]` pairs, in declaration order. */
  resources(type: string): [string, Block][] {
    return Object.entries(this.document.resource?.[type] ?? {});
  }

  /** A resource of a type that must exist exactly once. */
  single(type: string): [string, Block] {
    const all = this.resources(type);
    if (all.length !== 1) {
      throw new PlanError(`expected exactly one ${type} in the plan, found ${all.length}`);
    }
    return all[0];
  }

  /** A variable's value: the override given to the local stack (like `TF_VAR_x`), else its default. */
  variableValue(name: string): PlanValue {
    const variable = this.document.variable?.[name];
    if (!variable) throw new PlanError(`variable "${name}" is not declared in the plan`);
    if (name in this.overrides) return this.overrides[name];
    if (variable.default === undefined) throw new PlanError(`variable "${name}" has no default`);
    return variable.default;
  }

  /** Resolves every `${…}` inside a value (deeply), using `references` for resource attributes. */
  resolve(value: PlanValue | undefined, references: ReferenceResolver = rejectReference): PlanValue {
    if (value === undefined) return null;
    if (typeof value === 'string') return this.resolveString(value, references);
    if (Array.isArray(value)) return value.map((v) => this.resolve(v, references));
    if (value !== null && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, this.resolve(v, references)]));
    }
    return value;
  }

  /** Resolves a value that must come out as a string (env vars, names). */
  resolveString(value: string, references: ReferenceResolver = rejectReference): PlanValue {
    const whole = /^\$\{([\s\S]*)\}$/.exec(value);
    if (whole && findTemplateEnd(value, 0) === value.length) {
      return evaluate(whole[1], this, references, value);
    }
    let out = '';
    let i = 0;
    while (i < value.length) {
      const start = value.indexOf('${', i);
      if (start < 0) {
        out += value.slice(i);
        break;
      }
      if (value[start - 1] === '$') {
        // `$${` is Terraform's escape for a literal `${`.
        out += value.slice(i, start - 1) + '${';
        i = start + 2;
        continue;
      }
      const end = findTemplateEnd(value, start);
      const inner = value.slice(start + 2, end - 1);
      out += value.slice(i, start) + stringify(evaluate(inner, this, references, value), value);
      i = end;
    }
    return out;
  }

  /** `${path.module}/assets/x.zip` or a path relative to the stack → absolute path. */
  resolvePath(value: PlanValue | undefined): string {
    if (typeof value !== 'string') throw new PlanError(`expected a file path, got ${JSON.stringify(value)}`);
    const withModule = value.replace(/^\$\{path\.(module|root|cwd)\}/, '.');
    if (withModule.includes('${')) throw new PlanError(`cannot resolve path ${value}`);
    return path.resolve(this.dir, withModule);
  }
}

export function rejectReference(type: string, name: string, attribute: string, expression: string): never {
  throw new PlanError(`no local value for ${type}.${name}.${attribute} (in ${expression})`);
}

function stringify(value: PlanValue, expression: string): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw new PlanError(`${expression} interpolates a non-scalar value`);
}

/** Index just past the `}` closing the `${` at `start`, honouring nested braces and strings. */
function findTemplateEnd(text: string, start: number): number {
  let depth = 0;
  let inString = false;
  for (let i = start + 1; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{') depth++;
    else if (c === '}') {
      depth--;
      if (depth === 0) return i + 1;
    }
  }
  throw new PlanError(`unterminated template in ${text}`);
}

// --- A small evaluator for the Terraform expressions cdktf emits in plain values ---------

type Token = { kind: 'ident' | 'string' | 'number' | 'punct'; text: string };

const OPERATORS = ['==', '!=', '<=', '>=', '&&', '||', '<', '>', '!', '?', ':', '.', ',', '(', ')', '[', ']', '{', '}', '='];

function tokenize(source: string, expression: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const c = source[i];
    if (/\s/.test(c)) {
      i++;
    } else if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_-]*/.exec(source.slice(i))!;
      tokens.push({ kind: 'ident', text: m[0] });
      i += m[0].length;
    } else if (/[0-9]/.test(c)) {
      const m = /^[0-9]+(\.[0-9]+)?/.exec(source.slice(i))!;
      tokens.push({ kind: 'number', text: m[0] });
      i += m[0].length;
    } else if (c === '"') {
      // A quoted template: escapes decoded, nested `${…}` kept for resolveString.
      let j = i + 1;
      let text = '';
      while (j < source.length && source[j] !== '"') {
        if (source[j] === '\\') {
          const next = source[j + 1];
          text += next === 'n' ? '\n' : next === 't' ? '\t' : next;
          j += 2;
        } else if (source.startsWith('${', j)) {
          const end = findTemplateEnd(source, j);
          text += source.slice(j, end);
          j = end;
        } else {
          text += source[j++];
        }
      }
      if (source[j] !== '"') throw new PlanError(`unterminated string in ${expression}`);
      tokens.push({ kind: 'string', text });
      i = j + 1;
    } else {
      const op = OPERATORS.find((o) => source.startsWith(o, i));
      if (!op) throw new PlanError(`unsupported syntax "${c}" in ${expression}`);
      tokens.push({ kind: 'punct', text: op });
      i += op.length;
    }
  }
  return tokens;
}

const FUNCTIONS: Record<string, (args: PlanValue[], expression: string) => PlanValue> = {
  join: ([sep, list], expression) => {
    if (typeof sep !== 'string' || !Array.isArray(list)) throw new PlanError(`join() expects (string, list) in ${expression}`);
    return list.map((v) => stringify(v, expression)).join(sep);
  },
  length: ([v], expression) => {
    if (typeof v === 'string' || Array.isArray(v)) return v.length;
    if (v !== null && typeof v === 'object') return Object.keys(v).length;
    throw new PlanError(`length() of ${JSON.stringify(v)} in ${expression}`);
  },
  tostring: ([v], expression) => stringify(v, expression),
  tonumber: ([v], expression) => {
    const n = Number(v);
    if (Number.isNaN(n)) throw new PlanError(`tonumber() of ${JSON.stringify(v)} in ${expression}`);
    return n;
  },
  lower: ([v], expression) => stringify(v, expression).toLowerCase(),
  upper: ([v], expression) => stringify(v, expression).toUpperCase(),
  concat: (lists, expression) => {
    if (!lists.every(Array.isArray)) throw new PlanError(`concat() expects lists in ${expression}`);
    return (lists as PlanValue[][]).flat();
  },
  jsonencode: ([v]) => JSON.stringify(v),
  tolist: ([v]) => v,
  toset: ([v]) => v,
  tomap: ([v]) => v,
  // The module's `tags` variable under a resource's own tags (modules/media-store/governance.ts).
  merge: (maps, expression) => {
    if (!maps.every((m) => m === null || (typeof m === 'object' && !Array.isArray(m)))) throw new PlanError(`merge() expects maps in ${expression}`);
    return Object.assign({}, ...maps) as PlanValue;
  },
};

function evaluate(source: string, plan: SynthesizedPlan, references: ReferenceResolver, expression: string): PlanValue {
  const tokens = tokenize(source, expression);
  let pos = 0;
  const peek = (): string | undefined => (tokens[pos]?.kind === 'punct' ? tokens[pos].text : undefined);
  const expect = (text: string): void => {
    if (peek() !== text) throw new PlanError(`expected "${text}" in ${expression}`);
    pos++;
  };

  // The branch a conditional does not take is parsed but not evaluated, as in Terraform
  // (`var.site ? [aws_x.y[0].z] : []` must not resolve aws_x.y when the site is off).
  let skipping = 0;

  const parseTraversal = (root: string): PlanValue => {
    const parts = [root];
    let indexed = false;
    for (;;) {
      if (peek() === '.') {
        pos++;
        const next = tokens[pos++];
        if (!next || (next.kind !== 'ident' && next.kind !== 'number')) throw new PlanError(`bad traversal in ${expression}`);
        parts.push(next.text);
      } else if (peek() === '[' && parts.length === 2 && !['var', 'local', 'path', 'data'].includes(root) && !indexed) {
        // `type.name[0]`: the instance of a counted resource, which resolves like the resource.
        pos++;
        if (tokens[pos]?.kind !== 'number') throw new PlanError(`only a resource's count index is supported: ${expression}`);
        pos++;
        expect(']');
        indexed = true;
      } else break;
    }
    if (peek() === '[') throw new PlanError(`index expressions are not supported: ${expression}`);
    if (skipping > 0) return null;
    const [head, ...rest] = parts;
    if (head === 'var') {
      if (rest.length !== 1) throw new PlanError(`attribute access on a variable is not supported: ${expression}`);
      return plan.resolve(plan.variableValue(rest[0]), references);
    }
    if (head === 'local') {
      const local = plan.document.locals?.[rest[0]];
      if (local === undefined || rest.length !== 1) throw new PlanError(`unknown local in ${expression}`);
      return plan.resolve(local, references);
    }
    if (head === 'path') throw new PlanError(`path references are only supported at the start of file paths: ${expression}`);
    if (head === 'data') throw new PlanError(`data sources have no local value: ${expression}`);
    if (rest.length < 2) throw new PlanError(`unsupported reference ${parts.join('.')} in ${expression}`);
    if (!plan.document.resource?.[head]?.[rest[0]]) {
      throw new PlanError(`${expression} references ${head}.${rest[0]}, which the plan does not declare`);
    }
    return references(head, rest[0], rest.slice(1).join('.'), expression);
  };

  const parsePrimary = (): PlanValue => {
    const token = tokens[pos++];
    if (!token) throw new PlanError(`unexpected end of ${expression}`);
    if (token.kind === 'string') return token.text.includes('${') && skipping === 0 ? plan.resolveString(token.text, references) : token.text;
    if (token.kind === 'number') return Number(token.text);
    if (token.kind === 'punct') {
      if (token.text === '(') {
        const value = parseExpression();
        expect(')');
        return value;
      }
      if (token.text === '[') {
        const items: PlanValue[] = [];
        while (peek() !== ']') {
          items.push(parseExpression());
          if (peek() === ',') pos++;
          else if (peek() !== ']') throw new PlanError(`expected "," or "]" in ${expression}`);
        }
        expect(']');
        return items;
      }
      if (token.text === '{') {
        // An object literal: `{ "key" = value, … }` (keys quoted or bare).
        const entries: [string, PlanValue][] = [];
        while (peek() !== '}') {
          const key = tokens[pos++];
          if (!key || (key.kind !== 'string' && key.kind !== 'ident')) throw new PlanError(`expected a key in ${expression}`);
          expect('=');
          entries.push([key.text, parseExpression()]);
          if (peek() === ',') pos++;
        }
        expect('}');
        return Object.fromEntries(entries) as PlanValue;
      }
      if (token.text === '!') {
        const operand = parsePrimary();
        return skipping > 0 ? null : !truthy(operand, expression);
      }
      throw new PlanError(`unexpected "${token.text}" in ${expression}`);
    }
    if (token.text === 'true' || token.text === 'false') return token.text === 'true';
    if (token.text === 'null') return null;
    if (peek() === '(') {
      const fn = FUNCTIONS[token.text];
      if (!fn) throw new PlanError(`function ${token.text}() is not supported locally: ${expression}`);
      pos++;
      const args: PlanValue[] = [];
      while (peek() !== ')') {
        args.push(parseExpression());
        if (peek() === ',') pos++;
        else if (peek() !== ')') throw new PlanError(`expected "," or ")" in ${expression}`);
      }
      expect(')');
      return skipping > 0 ? null : fn(args, expression);
    }
    return parseTraversal(token.text);
  };

  const parseComparison = (): PlanValue => {
    const left = parsePrimary();
    const op = peek();
    if (!op || !['==', '!=', '<', '>', '<=', '>='].includes(op)) return left;
    pos++;
    const right = parsePrimary();
    if (skipping > 0) return null;
    if (op === '==') return JSON.stringify(left) === JSON.stringify(right);
    if (op === '!=') return JSON.stringify(left) !== JSON.stringify(right);
    const [a, b] = [Number(left), Number(right)];
    if (Number.isNaN(a) || Number.isNaN(b)) throw new PlanError(`"${op}" needs numbers in ${expression}`);
    return op === '<' ? a < b : op === '>' ? a > b : op === '<=' ? a <= b : a >= b;
  };

  const parseLogical = (): PlanValue => {
    let left = parseComparison();
    while (peek() === '&&' || peek() === '||') {
      const op = tokens[pos++].text;
      const right = parseComparison();
      if (skipping > 0) continue;
      left = op === '&&' ? truthy(left, expression) && truthy(right, expression) : truthy(left, expression) || truthy(right, expression);
    }
    return left;
  };

  const parseExpression = (): PlanValue => {
    const condition = parseLogical();
    if (peek() !== '?') return condition;
    pos++;
    const taken = skipping > 0 || truthy(condition, expression);
    if (!taken) skipping++;
    const whenTrue = parseExpression();
    if (!taken) skipping--;
    expect(':');
    if (taken) skipping++;
    const whenFalse = parseExpression();
    if (taken) skipping--;
    return skipping > 0 ? null : taken ? whenTrue : whenFalse;
  };

  const value = parseExpression();
  if (pos !== tokens.length) throw new PlanError(`unsupported expression ${expression}`);
  return value;
}

function truthy(value: PlanValue, expression: string): boolean {
  if (typeof value !== 'boolean') throw new PlanError(`expected a bool, got ${JSON.stringify(value)} in ${expression}`);
  return value;
}
