import fc from 'fast-check';
import type { AccountView } from '../../domain/account';
import { AccountFilterSyntaxError, MAX_FILTER_LENGTH, compileAccountFilter, parseAccountFilter } from '../../domain/accountFilter';

function account(overrides: Partial<AccountView> = {}): AccountView {
  return {
    id: 'a1b2c3',
    code: 'ACME',
    name: 'Acme Ltd',
    emailAddress: 'billing@acme.example',
    currency: 'GBP',
    parentAccountId: null,
    customFields: {},
    address: null,
    ...overrides,
  };
}

const matches = (filter: string, acc: AccountView) => compileAccountFilter(filter)(acc);

function syntaxError(filter: string): AccountFilterSyntaxError {
  try {
    compileAccountFilter(filter);
  } catch (error) {
    if (error instanceof AccountFilterSyntaxError) return error;
    throw new Error(`expected AccountFilterSyntaxError for ${JSON.stringify(filter)}, got ${String(error)}`);
  }
  throw new Error(`expected ${JSON.stringify(filter)} to be refused`);
}

describe('the guide example', () => {
  const guide = 'customFields != null AND customFields.country = = UK';

  it('is accepted verbatim, "= =" meaning "=="', () => {
    expect(() => compileAccountFilter(guide)).not.toThrow();
    expect(matches(guide, account({ customFields: { country: 'UK' } }))).toBe(true);
    expect(matches(guide, account({ customFields: { country: 'US' } }))).toBe(false);
    expect(matches(guide, account({ customFields: {} }))).toBe(false);
  });

  it('parses to the same tree as the == spelling', () => {
    expect(parseAccountFilter(guide)).toEqual(parseAccountFilter('customFields != null AND customFields.country == UK'));
  });
});

describe('operators', () => {
  const uk = account({ customFields: { country: 'UK', seats: 12 } });

  it('== and = are equality; != is inequality', () => {
    expect(matches('customFields.country == UK', uk)).toBe(true);
    expect(matches('customFields.country = UK', uk)).toBe(true);
    expect(matches('customFields.country==UK', uk)).toBe(true);
    expect(matches('customFields.country != UK', uk)).toBe(false);
    expect(matches('customFields.country != US', uk)).toBe(true);
    expect(matches('customFields.country == US', uk)).toBe(false);
  });

  it('string comparison is exact (case-sensitive) and ordered lexicographically', () => {
    expect(matches('customFields.country == uk', uk)).toBe(false);
    expect(matches('name == "Acme Ltd"', uk)).toBe(true);
    expect(matches("name == 'Acme Ltd'", uk)).toBe(true);
    expect(matches('name == Acme', uk)).toBe(false);
    expect(matches('code < B', uk)).toBe(true);
    expect(matches('code > B', uk)).toBe(false);
    expect(matches('code >= ACME', uk)).toBe(true);
    expect(matches('code <= ACMD', uk)).toBe(false);
  });

  it.each([
    ['numeric 12', 12],
    ['string "12"', '12'],
  ])('compares numerically with a %s custom field', (_label, seats) => {
    const acc = account({ customFields: { seats } });
    expect(matches('customFields.seats > 10', acc)).toBe(true);
    expect(matches('customFields.seats >= 12', acc)).toBe(true);
    expect(matches('customFields.seats < 10', acc)).toBe(false);
    expect(matches('customFields.seats <= 11.5', acc)).toBe(false);
    expect(matches('customFields.seats == 12', acc)).toBe(true);
    expect(matches('customFields.seats == 12.0', acc)).toBe(true);
    expect(matches('customFields.seats != 12', acc)).toBe(false);
    // numeric, not lexicographic: "12" > "9" is false as strings but 12 > 9 is true
    expect(matches('customFields.seats > 9', acc)).toBe(true);
    expect(matches('customFields.seats > 100', acc)).toBe(false);
    expect(matches('customFields.seats > -5', acc)).toBe(true);
  });

  it('null tests whether a field is present', () => {
    expect(matches('parentAccountId == null', account())).toBe(true);
    expect(matches('parentAccountId != null', account())).toBe(false);
    expect(matches('parentAccountId != null', account({ parentAccountId: 'p1' }))).toBe(true);
    expect(matches('customFields.country == NULL', account())).toBe(true);
    expect(matches('customFields.country != null', uk)).toBe(true);
    expect(matches('address == null', account())).toBe(true);
    expect(matches('address != null', account({ address: { country: 'GB' } }))).toBe(true);
    expect(matches('customFields.seats > null', uk)).toBe(false);
  });

  it('a quoted "null" is the string, not null', () => {
    expect(matches('customFields.x == "null"', account({ customFields: { x: 'null' } }))).toBe(true);
    expect(matches('customFields.x == "null"', account())).toBe(false);
  });
});

describe('missing fields', () => {
  it.each(['customFields.country == UK', 'customFields.country != UK', 'customFields.seats > 1', 'customFields.seats <= 1', 'address.country == GB', 'currency == GBP', 'address.country != GB'])(
    '%s is false, not an error, when the field is missing',
    (filter) => {
      expect(matches(filter, account({ currency: null }))).toBe(false);
    },
  );

  it('NOT of a comparison with a missing field is true', () => {
    expect(matches('NOT customFields.country == UK', account())).toBe(true);
  });

  it('does not read inherited properties through customFields', () => {
    expect(matches('customFields.constructor != null', account())).toBe(false);
    expect(matches('customFields.toString != null', account())).toBe(false);
    expect(matches('customFields.__proto__ != null', account())).toBe(false);
  });
});

describe('paths', () => {
  const full = account({
    id: 'id-1',
    code: 'C1',
    name: 'N1',
    currency: 'USD',
    parentAccountId: 'parent-1',
    emailAddress: 'e@x.example',
    customFields: { tier: 'gold' },
    address: { addressLine1: '1 High St', locality: 'London', region: 'LDN', postCode: 'N1', country: 'GB' },
  });

  it.each([
    'id == id-1',
    'code == C1',
    'name == N1',
    'currency == USD',
    'parentAccountId == parent-1',
    'emailAddress == e@x.example',
    'customFields.tier == gold',
    'address.addressLine1 == "1 High St"',
    'address.locality == London',
    'address.region == LDN',
    'address.postCode == N1',
    'address.country == GB',
  ])('reads %s', (filter) => {
    expect(matches(filter, full)).toBe(true);
  });

  it("reads m3ter's own names accountName and accountCode (its multiple-destinations guide uses them) as name and code", () => {
    expect(matches('accountName == N1 AND accountCode == C1', full)).toBe(true);
    expect(matches('accountCode == C2', full)).toBe(false);
    expect(parseAccountFilter('accountCode == C1')).toEqual(parseAccountFilter('code == C1'));
  });

  it.each(['country == UK', 'accountCode.x == 1', 'customfields.country == UK', 'address.city == London', 'customFields.a.b == 1', 'customFields. == 1', 'id.x == 1', 'foo == bar', 'AND == 1'])(
    'refuses the unknown field in %s as a syntax error',
    (filter) => {
      const error = syntaxError(filter);
      expect(error.position).toBe(0);
      expect(error.message).toContain('at position 1');
      expect(error.message).toMatch(/expected an? (account|address) field/);
    },
  );
});

describe('logic', () => {
  const acc = account({ code: 'A', customFields: { country: 'UK' } });

  it('AND, OR and NOT, with case-insensitive keywords', () => {
    expect(matches('code == A AND customFields.country == UK', acc)).toBe(true);
    expect(matches('code == A and customFields.country == US', acc)).toBe(false);
    expect(matches('code == B Or customFields.country == UK', acc)).toBe(true);
    expect(matches('code == B or customFields.country == US', acc)).toBe(false);
    expect(matches('NOT code == B', acc)).toBe(true);
    expect(matches('not code == A', acc)).toBe(false);
    expect(matches('NOT NOT code == A', acc)).toBe(true);
  });

  it('AND binds tighter than OR', () => {
    // true OR (false AND false) = true; (true OR false) AND false would be false
    expect(matches('code == A OR code == B AND code == C', acc)).toBe(true);
    // (false AND false) OR true = true
    expect(matches('code == B AND code == C OR code == A', acc)).toBe(true);
    // (false AND true) OR false = false
    expect(matches('code == B AND code == A OR code == C', acc)).toBe(false);
  });

  it('parentheses override precedence', () => {
    expect(matches('(code == A OR code == B) AND code == C', acc)).toBe(false);
    expect(matches('code == A OR (code == B AND code == C)', acc)).toBe(true);
    expect(matches('NOT (code == A AND code == B)', acc)).toBe(true);
    expect(matches('NOT (code == A OR code == B)', acc)).toBe(false);
    expect(matches('((code == A))', acc)).toBe(true);
  });

  it('NOT applies to the next term only', () => {
    // (NOT code == A) OR code == A
    expect(matches('NOT code == A OR code == A', acc)).toBe(true);
    // (NOT code == B) AND code == B
    expect(matches('NOT code == B AND code == B', acc)).toBe(false);
  });

  it('a keyword inside a quoted string or as a value is a literal', () => {
    expect(matches('name == "A AND B"', account({ name: 'A AND B' }))).toBe(true);
    expect(matches('customFields.op == OR', account({ customFields: { op: 'OR' } }))).toBe(true);
  });

  it('an empty or blank filter lets every account through', () => {
    expect(parseAccountFilter('')).toBeUndefined();
    expect(parseAccountFilter('  \n\t')).toBeUndefined();
    expect(matches('', acc)).toBe(true);
    expect(matches('   ', acc)).toBe(true);
  });
});

describe('syntax errors', () => {
  it.each([
    ['customFields.country == UK AND', 'an account field', 'the end of the filter', 31],
    ['customFields.country UK', 'a comparison operator', '"UK"', 22],
    ['customFields.country ==', 'a value', 'the end of the filter', 24],
    ['(code == A', '")"', 'the end of the filter', 11],
    ['code == A)', 'AND, OR or the end of the filter', '")"', 10],
    ['code == A code == B', 'AND, OR or the end of the filter', '"code"', 11],
    ['code == "A', 'a closing "', 'the end of the filter', 9],
    ["code == 'A", "a closing '", 'the end of the filter', 9],
    ['code ! A', 'a comparison operator', '"!"', 6],
    ['code == == A', 'a value', '"=="', 9],
    ['code == (A)', 'a value', '"("', 9],
    ['()', 'an account field', '")"', 2],
    ['code == A && code == B', 'AND, OR or the end of the filter', '"&&"', 11],
    ['NOT', 'an account field', 'the end of the filter', 4],
  ])('%p names the position and what was expected', (filter, expected, found, position) => {
    const error = syntaxError(filter);
    expect(error.name).toBe('AccountFilterSyntaxError');
    expect(error.message).toContain(`at position ${position},`);
    expect(error.message).toContain(`expected ${expected}`);
    expect(error.message).toContain(`but found ${found}`);
    expect(error.message).toContain('Example:');
    expect(error.position).toBe(position - 1);
  });

  it(`refuses filters longer than ${MAX_FILTER_LENGTH} characters`, () => {
    const error = syntaxError('code == A'.padEnd(MAX_FILTER_LENGTH + 1, ' '));
    expect(error.message).toContain(`at most ${MAX_FILTER_LENGTH} characters`);
    expect(() => compileAccountFilter('code == A'.padEnd(MAX_FILTER_LENGTH, ' '))).not.toThrow();
  });

  it('refuses nesting deeper than the limit, for parentheses and for NOT', () => {
    expect(syntaxError(`${'('.repeat(100)}code == A${')'.repeat(100)}`).message).toMatch(/levels of nesting/);
    expect(syntaxError(`${'NOT '.repeat(100)}code == A`).message).toMatch(/levels of nesting/);
    expect(syntaxError('('.repeat(MAX_FILTER_LENGTH)).message).toMatch(/levels of nesting/);
    expect(syntaxError('NOT '.repeat(MAX_FILTER_LENGTH / 4)).message).toMatch(/levels of nesting/);
    expect(syntaxError(`${'(NOT '.repeat(50)}code == A${')'.repeat(50)}`).message).toMatch(/levels of nesting/);
  });

  it('accepts reasonable nesting', () => {
    const acc = account({ code: 'A' });
    expect(matches(`${'('.repeat(10)}code == A${')'.repeat(10)}`, acc)).toBe(true);
    expect(matches(`${'NOT '.repeat(10)}code == A`, acc)).toBe(true);
    expect(matches(`${'NOT '.repeat(11)}code == A`, acc)).toBe(false);
  });
});

describe('long chains', () => {
  it('accepts and evaluates the longest AND/OR chains that fit in the length limit', () => {
    const term = '(code==A)';
    const count = Math.floor((MAX_FILTER_LENGTH + 3) / (term.length + 3));
    const and = Array.from({ length: count }, () => term).join('AND');
    const or = [...Array.from({ length: count - 1 }, () => term.replace('A', 'B')), term].join('OR');
    expect(and.length).toBeLessThanOrEqual(MAX_FILTER_LENGTH);
    expect(or.length).toBeLessThanOrEqual(MAX_FILTER_LENGTH);
    expect(count).toBeGreaterThan(300);
    expect(matches(and, account({ code: 'A' }))).toBe(true);
    expect(matches(and, account({ code: 'B' }))).toBe(false);
    expect(matches(or, account({ code: 'A' }))).toBe(true);
    expect(matches(or, account({ code: 'C' }))).toBe(false);
  });

  it('a 1000-term AND chain is refused as too long, not a crash', () => {
    const chain = Array.from({ length: 1000 }, (_, i) => `customFields.f${i} == ${i}`).join(' AND ');
    const error = syntaxError(chain);
    expect(error.message).toContain(`at most ${MAX_FILTER_LENGTH} characters`);
  });
});

// ---- property tests ----

const TOKENS = ['(', ')', '((', '))', ' ', ' ', ' ', 'AND', 'OR', 'NOT', 'and', 'or', 'not', '==', '=', '= =', '!=', '<', '<=', '>', '>=', '!', 'null', 'NULL', '0', '12', '-3.5', '1.', '"UK"', "'a b'", '"', "'", 'UK', 'id', 'code', 'name', 'currency', 'parentAccountId', 'emailAddress', 'address', 'address.country', 'address.city', 'customFields', 'customFields.country', 'customFields.seats', 'customFields.', 'customFields.a.b', 'foo', '.', '\t', '\n', 'é', '\u{1F600}'];
const tokenString = fc.array(fc.constantFrom(...TOKENS), { maxLength: 200 }).map((parts) => parts.join(''));
const spacedTokenString = fc.array(fc.constantFrom(...TOKENS), { maxLength: 200 }).map((parts) => parts.join(' '));

const fieldValue = fc.oneof(fc.string({ maxLength: 8 }), fc.integer({ min: -1000, max: 1000 }), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.constantFrom('UK', 'US', '12', '10', '', 'null'));
const accountArb: fc.Arbitrary<AccountView> = fc.record({
  id: fc.constantFrom('id-1', '1', '12', ''),
  code: fc.constantFrom('ACME', 'A', 'B', 'UK', '12'),
  name: fc.string({ maxLength: 8 }),
  emailAddress: fc.constantFrom('a@b.example', ''),
  currency: fc.option(fc.constantFrom('GBP', 'USD'), { nil: null }),
  parentAccountId: fc.option(fc.string({ maxLength: 4 }), { nil: null }),
  customFields: fc.dictionary(fc.constantFrom('country', 'seats', 'a', '__proto__', 'constructor', 'toString'), fieldValue),
  address: fc.option(
    fc.record({ country: fc.constantFrom('UK', 'GB', 'US'), locality: fc.string({ maxLength: 5 }) }, { requiredKeys: [] }),
    { nil: null },
  ),
});

/** compileAccountFilter either returns a predicate or throws AccountFilterSyntaxError, quickly. */
function compileOrSyntaxError(source: string): ((a: AccountView) => boolean) | undefined {
  const started = Date.now();
  try {
    return compileAccountFilter(source);
  } catch (error) {
    if (!(error instanceof AccountFilterSyntaxError)) throw error;
    expect(error.message).toMatch(/^accountFilter: at position \d+, expected .+ but found .+\. Example: /s);
    return undefined;
  } finally {
    expect(Date.now() - started).toBeLessThan(1000);
  }
}

describe('properties', () => {
  it('any string up to 4 KB compiles or throws AccountFilterSyntaxError, never anything else', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: MAX_FILTER_LENGTH, unit: 'binary' }), (source) => {
        compileOrSyntaxError(source);
      }),
      { numRuns: 500 },
    );
    fc.assert(
      fc.property(fc.string({ maxLength: MAX_FILTER_LENGTH, unit: fc.constantFrom('(', ')', ' ', '=', '!', '<', '>', '"', "'", 'a', '.', 'N', 'O', 'T') }), (source) => {
        compileOrSyntaxError(source);
      }),
      { numRuns: 300 },
    );
  });

  it('strings built from the language tokens compile or throw AccountFilterSyntaxError; parsed filters never throw on evaluation', () => {
    let compiled = 0;
    fc.assert(
      fc.property(fc.oneof(tokenString, spacedTokenString), fc.array(accountArb, { minLength: 1, maxLength: 5 }), (source, accounts) => {
        const predicate = compileOrSyntaxError(source);
        if (!predicate) return;
        compiled++;
        for (const acc of accounts) expect(typeof predicate(acc)).toBe('boolean');
      }),
      { numRuns: 2000 },
    );
    expect(compiled).toBeGreaterThan(0);
  });

  it('well-formed random filters always compile and evaluate to a boolean', () => {
    const path = fc.constantFrom('id', 'code', 'name', 'currency', 'parentAccountId', 'emailAddress', 'address', 'address.country', 'address.locality', 'customFields', 'customFields.country', 'customFields.seats', 'customFields.__proto__');
    const op = fc.constantFrom('==', '=', '= =', '!=', '<', '<=', '>', '>=');
    const value = fc.constantFrom('null', '12', '-1.5', 'UK', '"United Kingdom"', "'x'", 'OR', 'NOT');
    const comparison = fc.tuple(path, op, value).map(([p, o, v]) => `${p} ${o} ${v}`);
    const { expr } = fc.letrec<{ expr: string }>((tie) => ({
      expr: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        comparison,
        fc.tuple(tie('expr'), fc.constantFrom('AND', 'OR', 'and', 'or'), tie('expr')).map(([a, k, b]) => `${a} ${k} ${b}`),
        tie('expr').map((e) => `NOT ${e}`),
        tie('expr').map((e) => `(${e})`),
      ),
    }));
    fc.assert(
      fc.property(expr, accountArb, (source, acc) => {
        fc.pre(source.length <= MAX_FILTER_LENGTH);
        let predicate: ((a: AccountView) => boolean) | undefined;
        try {
          predicate = compileAccountFilter(source);
        } catch (error) {
          // Only the nesting limit may refuse a well-formed filter.
          expect(error).toBeInstanceOf(AccountFilterSyntaxError);
          expect((error as Error).message).toMatch(/levels of nesting/);
          return;
        }
        expect(typeof predicate(acc)).toBe('boolean');
      }),
      { numRuns: 1000 },
    );
  });

  it('deeply nested parentheses and NOT chains of any depth are bounded by the depth limit', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2000 }), fc.constantFrom('(', 'NOT ', '(NOT ', 'not('), fc.boolean(), (depth, opener, closed) => {
        const closers = closed ? ')'.repeat(opener.includes('(') ? depth : 0) : '';
        const source = `${opener.repeat(depth)}code == A${closers}`;
        fc.pre(source.length <= MAX_FILTER_LENGTH);
        compileOrSyntaxError(source);
      }),
      { numRuns: 300 },
    );
  });

  it('NOT NOT ... NOT flips the result once per NOT (within the depth limit)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 30 }), accountArb, (n, acc) => {
        const base = compileAccountFilter('code == ACME')(acc);
        expect(compileAccountFilter(`${'NOT '.repeat(n)}code == ACME`)(acc)).toBe(n % 2 === 0 ? base : !base);
      }),
    );
  });

  it('long AND chains (up to 1000 terms) never overflow: too long is a syntax error, otherwise AND of all terms', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom('code==A', 'code!=B', 'id=1', '(code=A)', 'NOT code==B'), { minLength: 1, maxLength: 1000 }), fc.constantFrom(' AND ', ' and ', ' OR '), (terms, keyword) => {
        const source = terms.join(keyword);
        const predicate = compileOrSyntaxError(source);
        if (source.length > MAX_FILTER_LENGTH) {
          expect(predicate).toBeUndefined();
          return;
        }
        expect(predicate).toBeDefined();
        const acc = account({ code: 'A', id: '1' });
        expect(predicate?.(acc)).toBe(true);
      }),
      { numRuns: 200 },
    );
  });
});
