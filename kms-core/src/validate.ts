// Request-shape validation with the texts AWS sends: all violations of one request are
// collected and reported together as "N validation error(s) detected: a; b".

import { KmsError } from './errors.js';

export class Violations {
  readonly #items: string[] = [];

  /** `value` is omitted from the text for sensitive members (plaintext), as AWS does. */
  length(member: string, value: string | Buffer | undefined, min: number, max: number, sensitive = false): void {
    if (value === undefined) return;
    const shown = sensitive || Buffer.isBuffer(value) ? 'Value' : `Value '${value}'`;
    if (value.length < min) {
      this.#items.push(`${shown} at '${member}' failed to satisfy constraint: Member must have length greater than or equal to ${min}`);
    } else if (value.length > max) {
      this.#items.push(`${shown} at '${member}' failed to satisfy constraint: Member must have length less than or equal to ${max}`);
    }
  }

  range(member: string, value: number | undefined, min: number, max: number): void {
    if (value === undefined) return;
    if (value < min) {
      this.#items.push(`Value '${value}' at '${member}' failed to satisfy constraint: Member must have value greater than or equal to ${min}`);
    } else if (value > max) {
      this.#items.push(`Value '${value}' at '${member}' failed to satisfy constraint: Member must have value less than or equal to ${max}`);
    }
  }

  oneOf(member: string, value: string | undefined, allowed: readonly string[]): void {
    if (value === undefined || allowed.includes(value)) return;
    this.#items.push(`Value '${value}' at '${member}' failed to satisfy constraint: Member must satisfy enum value set: [${allowed.join(', ')}]`);
  }

  pattern(member: string, value: string | undefined, pattern: RegExp): void {
    if (value === undefined || pattern.test(value)) return;
    this.#items.push(`Value '${value}' at '${member}' failed to satisfy constraint: Member must satisfy regular expression pattern: ${pattern.source}`);
  }

  required(member: string, value: unknown): void {
    if (value === undefined || value === null) {
      this.#items.push(`Value null at '${member}' failed to satisfy constraint: Member must not be null`);
    }
  }

  add(message: string): void {
    this.#items.push(message);
  }

  throwIfAny(): void {
    const n = this.#items.length;
    if (n === 0) return;
    throw new KmsError('ValidationException', `${n} validation error${n === 1 ? '' : 's'} detected: ${this.#items.join('; ')}`);
  }
}
