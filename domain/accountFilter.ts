import type { AccountView } from './account';

/**
 * The account-filter language of the guide, e.g. `customFields != null AND customFields.country == UK`.
 * Parsed into a tree once (when a config is saved) and evaluated without eval. The guide's own example
 * writes `= =`; that is accepted as `==`.
 *
 *   expr       := or
 *   or         := and ( OR and )*
 *   and        := not ( AND not )*
 *   not        := NOT not | '(' expr ')' | comparison
 *   comparison := path op value        op := == | = | != | < | <= | > | >=
 *   value      := null | number | "string" | 'string' | bareword
 */
export const MAX_FILTER_LENGTH = 4096;
const MAX_DEPTH = 32;

const TOP_LEVEL_FIELDS = ['id', 'code', 'name', 'currency', 'parentAccountId', 'emailAddress'] as const;
/** m3ter's multiple-destinations guide writes the account's name and code as accountName and accountCode. */
const FIELD_ALIASES: Readonly<Record<string, (typeof TOP_LEVEL_FIELDS)[number]>> = { accountName: 'name', accountCode: 'code' };
const OBJECT_FIELDS = ['address', 'customFields'] as const;
const ADDRESS_FIELDS = ['addressLine1', 'addressLine2', 'addressLine3', 'addressLine4', 'locality', 'region', 'postCode', 'country'];

export class AccountFilterSyntaxError extends Error {
  constructor(
    readonly position: number,
    readonly expected: string,
    found: string,
  ) {
    super(`accountFilter: at position ${position + 1}, expected ${expected} but found ${found}. Example: customFields.country == UK AND address.country != US`);
    this.name = 'AccountFilterSyntaxError';
  }
}

type Op = '==' | '!=' | '<' | '<=' | '>' | '>=';
type Value = { kind: 'null' } | { kind: 'number'; value: number } | { kind: 'string'; value: string };
export type FilterNode =
  | { kind: 'and' | 'or'; left: FilterNode; right: FilterNode }
  | { kind: 'not'; operand: FilterNode }
  | { kind: 'compare'; path: string[]; op: Op; value: Value };

type Token = { type: 'word' | 'string' | 'op' | 'paren'; text: string; pos: number };

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const ch = source[i] as string;
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    if (ch === '(' || ch === ')') {
      tokens.push({ type: 'paren', text: ch, pos: i++ });
      continue;
    }
    if (ch === '"' || ch === "'") {
      const end = source.indexOf(ch, i + 1);
      if (end < 0) throw new AccountFilterSyntaxError(i, `a closing ${ch}`, 'the end of the filter');
      tokens.push({ type: 'string', text: source.slice(i + 1, end), pos: i });
      i = end + 1;
      continue;
    }
    if ('=!<>'.includes(ch)) {
      const start = i;
      let op: string;
      // `= =` (with a space) is the guide's own spelling of `==`.
      const spaced = /^=\s+=/.exec(source.slice(i));
      if (spaced) {
        op = '==';
        i += spaced[0].length;
      } else if (source.startsWith('==', i) || source.startsWith('!=', i) || source.startsWith('<=', i) || source.startsWith('>=', i)) {
        op = source.slice(i, i + 2);
        i += 2;
      } else if (ch === '=' || ch === '<' || ch === '>') {
        op = ch === '=' ? '==' : ch;
        i += 1;
      } else {
        throw new AccountFilterSyntaxError(i, 'a comparison operator (==, !=, <, <=, >, >=)', `"${ch}"`);
      }
      tokens.push({ type: 'op', text: op, pos: start });
      continue;
    }
    const start = i;
    while (i < source.length && !/[\s()=!<>"']/.test(source[i] as string)) i++;
    tokens.push({ type: 'word', text: source.slice(start, i), pos: start });
  }
  return tokens;
}

class Parser {
  private index = 0;
  private depth = 0;
  constructor(
    private readonly tokens: Token[],
    private readonly length: number,
  ) {}

  parse(): FilterNode {
    const node = this.or();
    const extra = this.peek();
    if (extra) throw new AccountFilterSyntaxError(extra.pos, 'AND, OR or the end of the filter', `"${extra.text}"`);
    return node;
  }

  private peek(): Token | undefined {
    return this.tokens[this.index];
  }

  private keyword(word: string): boolean {
    const t = this.peek();
    if (t?.type === 'word' && t.text.toUpperCase() === word) {
      this.index++;
      return true;
    }
    return false;
  }

  private or(): FilterNode {
    let left = this.and();
    while (this.keyword('OR')) left = { kind: 'or', left, right: this.and() };
    return left;
  }

  private and(): FilterNode {
    let left = this.not();
    while (this.keyword('AND')) left = { kind: 'and', left, right: this.not() };
    return left;
  }

  private not(): FilterNode {
    if (++this.depth > MAX_DEPTH) throw new AccountFilterSyntaxError(this.peek()?.pos ?? this.length, `at most ${MAX_DEPTH} levels of nesting`, 'deeper nesting');
    try {
      if (this.keyword('NOT')) return { kind: 'not', operand: this.not() };
      const t = this.peek();
      if (t?.type === 'paren' && t.text === '(') {
        this.index++;
        const inner = this.or();
        const close = this.peek();
        if (close?.type !== 'paren' || close.text !== ')') throw new AccountFilterSyntaxError(close?.pos ?? this.length, '")"', describe(close));
        this.index++;
        return inner;
      }
      return this.comparison();
    } finally {
      this.depth--;
    }
  }

  private comparison(): FilterNode {
    const field = this.peek();
    if (field?.type !== 'word') throw new AccountFilterSyntaxError(field?.pos ?? this.length, 'an account field such as customFields.country', describe(field));
    const path = parsePath(field);
    this.index++;
    const op = this.peek();
    if (op?.type !== 'op') throw new AccountFilterSyntaxError(op?.pos ?? this.length, 'a comparison operator (==, !=, <, <=, >, >=)', describe(op));
    this.index++;
    const v = this.peek();
    if (!v || v.type === 'paren' || v.type === 'op') throw new AccountFilterSyntaxError(v?.pos ?? this.length, 'a value (null, a number, a word or a quoted string)', describe(v));
    this.index++;
    return { kind: 'compare', path, op: op.text as Op, value: toValue(v) };
  }
}

function describe(token: Token | undefined): string {
  return token ? `"${token.text}"` : 'the end of the filter';
}

function parsePath(token: Token): string[] {
  const parts = token.text.split('.');
  const [head, ...rest] = parts;
  const fields = `${TOP_LEVEL_FIELDS.join(', ')} (or ${Object.keys(FIELD_ALIASES).join(', ')}), address.<field>, customFields.<name>`;
  if ((TOP_LEVEL_FIELDS as readonly string[]).includes(head ?? '') && rest.length === 0) return parts;
  const alias = Object.hasOwn(FIELD_ALIASES, head ?? '') ? FIELD_ALIASES[head!] : undefined;
  if (alias && rest.length === 0) return [alias];
  if ((OBJECT_FIELDS as readonly string[]).includes(head ?? '') && rest.length <= 1 && rest.every((p) => p.length > 0)) {
    if (head === 'address' && rest[0] && !ADDRESS_FIELDS.includes(rest[0])) throw new AccountFilterSyntaxError(token.pos, `an address field (${ADDRESS_FIELDS.join(', ')})`, `"${token.text}"`);
    return parts;
  }
  throw new AccountFilterSyntaxError(token.pos, `an account field (${fields})`, `"${token.text}"`);
}

function toValue(token: Token): Value {
  if (token.type === 'string') return { kind: 'string', value: token.text };
  if (token.text.toLowerCase() === 'null') return { kind: 'null' };
  if (/^-?\d+(\.\d+)?$/.test(token.text)) return { kind: 'number', value: Number(token.text) };
  return { kind: 'string', value: token.text };
}

export function parseAccountFilter(source: string): FilterNode | undefined {
  if (source.length > MAX_FILTER_LENGTH) throw new AccountFilterSyntaxError(MAX_FILTER_LENGTH, `at most ${MAX_FILTER_LENGTH} characters`, `${source.length} characters`);
  const tokens = tokenize(source);
  if (tokens.length === 0) return undefined;
  return new Parser(tokens, source.length).parse();
}

function lookup(account: AccountView, path: string[]): unknown {
  let current: unknown = account;
  for (const part of path) {
    if (current === null || typeof current !== 'object' || !Object.prototype.hasOwnProperty.call(current, part)) return undefined;
    current = (current as Record<string, unknown>)[part];
  }
  return current;
}

function compare(actual: unknown, op: Op, value: Value): boolean {
  const missing = actual === undefined || actual === null || actual === '';
  if (value.kind === 'null') {
    if (op === '==') return missing;
    if (op === '!=') return !missing;
    return false;
  }
  // A comparison with a field the account doesn't have is false, never an error.
  if (missing || typeof actual === 'object') return false;
  const left = typeof actual === 'number' ? actual : String(actual);
  if (value.kind === 'number' && (typeof left === 'number' || /^-?\d+(\.\d+)?$/.test(left))) {
    return order(Number(left), value.value, op);
  }
  return order(String(left), String(value.kind === 'number' ? value.value : value.value), op);
}

function order<T extends number | string>(a: T, b: T, op: Op): boolean {
  switch (op) {
    case '==':
      return a === b;
    case '!=':
      return a !== b;
    case '<':
      return a < b;
    case '<=':
      return a <= b;
    case '>':
      return a > b;
    case '>=':
      return a >= b;
  }
}

export function evaluateAccountFilter(node: FilterNode, account: AccountView): boolean {
  switch (node.kind) {
    case 'and':
      return evaluateAccountFilter(node.left, account) && evaluateAccountFilter(node.right, account);
    case 'or':
      return evaluateAccountFilter(node.left, account) || evaluateAccountFilter(node.right, account);
    case 'not':
      return !evaluateAccountFilter(node.operand, account);
    case 'compare':
      return compare(lookup(account, node.path), node.op, node.value);
  }
}

/** A predicate for the filter text; an empty filter lets every account through. */
export function compileAccountFilter(source: string): (account: AccountView) => boolean {
  const tree = parseAccountFilter(source);
  return tree ? (account) => evaluateAccountFilter(tree, account) : () => true;
}

/** Every field a filter compares, as dotted paths (`customFields.country`), each once. */
export function filterFields(node: FilterNode | undefined): string[] {
  const fields = new Set<string>();
  const walk = (n: FilterNode): void => {
    if (n.kind === 'compare') fields.add(n.path.join('.'));
    else if (n.kind === 'not') walk(n.operand);
    else {
      walk(n.left);
      walk(n.right);
    }
  };
  if (node) walk(node);
  return [...fields];
}
