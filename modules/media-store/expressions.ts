/*
 * Note: cdktf drops a falsy right operand of an operator (`x == ""` renders as
 * `x == undefined`), so comparisons below put the literal on the left.
 */

/**
 * Props of the MediaStore constructs are either plain values (a test stack, a CDKTF user) or
 * Terraform variables (the module stack). These helpers decide in TypeScript when they can
 * and write a Terraform expression when only Terraform can.
 */
import { Fn, Op, TerraformDataSource, Token, ref, type TerraformResource } from 'cdktf';

export function isUnresolved(value: unknown): boolean {
  return Token.isUnresolved(value);
}

/** `condition ? whenTrue : whenFalse`, evaluated now when the condition is known. */
export function pickString(condition: boolean, whenTrue: string, whenFalse: string): string {
  if (!isUnresolved(condition)) return condition ? whenTrue : whenFalse;
  return Token.asString(Fn.conditional(condition, whenTrue, whenFalse));
}

/** The value, or `null` (attribute left unset) when it is empty. */
export function unlessEmpty(value: string): string | undefined {
  if (!isUnresolved(value)) return value === '' ? undefined : value;
  return Token.asString(Fn.conditional(Op.eq('', value), ref('null'), value));
}

/** `whenEmpty` when the value is empty, else unset (`null`). */
export function ifEmpty(value: string, whenEmpty: string): string | undefined {
  if (!isUnresolved(value)) return value === '' ? whenEmpty : undefined;
  return Token.asString(Fn.conditional(Op.eq('', value), whenEmpty, ref('null')));
}

/**
 * Whether an optional part exists: `undefined` when it certainly does not, `{}` when it
 * certainly does, `{ count }` when Terraform decides (then references need `[0]`).
 */
export interface Presence {
  readonly count?: number;
  /** The Terraform condition behind `count`. */
  readonly condition?: boolean;
}

export function presenceOf(condition: boolean): Presence | undefined {
  if (!isUnresolved(condition)) return condition ? {} : undefined;
  return { count: Token.asNumber(Fn.conditional(condition, 1, 0)), condition };
}

/** `whenPresent` if the part exists, else `whenAbsent`. */
export function ifPresent(presence: Presence | undefined, whenPresent: string, whenAbsent: string): string {
  if (!presence) return whenAbsent;
  if (presence.condition === undefined) return whenPresent;
  return Token.asString(Fn.conditional(presence.condition, whenPresent, whenAbsent));
}

/** An attribute of a resource or data source that may be counted (`type.name[0].attr` when it is). */
export function attributeOf(element: TerraformResource | TerraformDataSource, presence: Presence, attribute: string): string {
  if (presence.count === undefined) return element.getStringAttribute(attribute);
  const address = `${element.terraformResourceType}.${element.friendlyUniqueId}`;
  const kind = TerraformDataSource.isTerraformDataSource(element) ? 'data.' : '';
  return Token.asString(ref(`${kind}${address}[0].${attribute}`));
}

/** A number as an environment-variable string (`${var.x}` when it is a variable). */
export function numberText(value: number): string {
  return isUnresolved(value) ? Token.asString(value) : String(value);
}

/** "true" or "false" (`${var.x}` when it is a variable: Terraform renders a bool as that text). */
export function booleanText(value: boolean): string {
  return isUnresolved(value) ? Token.asString(value) : String(value);
}

/** A list joined with commas, or `separator` (`${join(",", var.x)}` when it is a variable). */
export function joinedText(values: readonly string[], separator = ','): string {
  return isUnresolved(values) ? Fn.join(separator, values as string[]) : values.join(separator);
}

/** A value as JSON text (`${jsonencode(var.x)}` when it is a variable). */
export function jsonText(value: unknown): string {
  return isUnresolved(value) ? Fn.jsonencode(value) : JSON.stringify(value);
}

/** `value != ""` as a Terraform condition, or a plain boolean when the value is known. */
export function isNonEmpty(value: string): boolean {
  if (!isUnresolved(value)) return value !== '';
  return Token.asAny(Op.neq('', value)) as unknown as boolean;
}

/** `length(list) > 0`, or a plain boolean when the list is known. */
export function hasItems(list: readonly string[]): boolean {
  if (!isUnresolved(list)) return list.length > 0;
  return Token.asAny(Op.lt(0, Fn.lengthOf(list))) as unknown as boolean;
}

/** `a && b`, folded when both are known. */
export function both(a: boolean, b: boolean): boolean {
  if (!isUnresolved(a) && !isUnresolved(b)) return a && b;
  if (!isUnresolved(a)) return a ? b : false;
  if (!isUnresolved(b)) return b ? a : false;
  return Token.asAny(Op.and(a, b)) as unknown as boolean;
}

/** `n > 0`, or a plain boolean when the number is known. */
export function isPositive(n: number): boolean {
  if (!isUnresolved(n)) return n > 0;
  return Token.asAny(Op.lt(0, n)) as unknown as boolean;
}

/** `!condition`, folded when it is known. */
export function not(condition: boolean): boolean {
  if (!isUnresolved(condition)) return !condition;
  return Token.asAny(Op.not(condition)) as unknown as boolean;
}

/** The value when the condition holds, else unset (`null`). */
export function valueWhen<T extends string>(condition: boolean, value: T): T | undefined {
  if (!isUnresolved(condition)) return condition ? value : undefined;
  return Token.asString(Fn.conditional(condition, value, ref('null'))) as T;
}

/** `[value]` when the condition holds, else `[]`. */
export function listWhen(condition: boolean, value: string): string[] {
  if (!isUnresolved(condition)) return condition ? [value] : [];
  return Token.asList(Fn.conditional(condition, [value], []));
}

/** The lists one after the other (`concat(…)` when Terraform decides a list's length). */
export function concatLists(...lists: string[][]): string[] {
  if (!lists.some((list) => isUnresolved(list))) return lists.flat();
  return Token.asList(Fn.concat(lists));
}

/** The element with its stable Terraform address (`<type>.<logicalId>`), set before anything refers to it. */
export function named<T extends { overrideLogicalId(id: string): void }>(element: T, logicalId: string): T {
  element.overrideLogicalId(logicalId);
  return element;
}
