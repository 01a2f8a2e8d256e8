import { InvalidAccountIdError, isAccountId, parseAccountId } from '../../domain/accountId';

describe('parseAccountId', () => {
  it.each(['1234567_SB1', '1234567-sb1', '1234567-SB1', '1234567_sb1', '1234567-sb1.app.netsuite.com', '1234567-sb1.suitetalk.api.netsuite.com', '  1234567-sb1  '])(
    'normalises the sandbox spelling %p to the account and host forms',
    (input) => {
      expect(parseAccountId(input)).toEqual({ account: '1234567_SB1', host: '1234567-sb1' });
    },
  );

  it('accepts a production account id as is', () => {
    expect(parseAccountId('1234567')).toEqual({ account: '1234567', host: '1234567' });
    expect(parseAccountId('1234567.app.netsuite.com')).toEqual({ account: '1234567', host: '1234567' });
  });

  it('accepts an alphanumeric account id, normalising its case', () => {
    expect(parseAccountId('tstdrv123')).toEqual({ account: 'TSTDRV123', host: 'tstdrv123' });
  });

  it.each([
    ['empty', ''],
    ['only spaces', '   '],
    ['a space inside', '1234 567'],
    ['a slash', '12/34'],
    ['a double separator', '1234567__SB1'],
    ['a trailing separator', '1234567-'],
    ['two suffixes', '1234567_SB1_X'],
    ['very long', '1'.repeat(65)],
    ['very, very long', '9'.repeat(10_000)],
  ])('rejects %s input with InvalidAccountIdError', (_label, input) => {
    expect(() => parseAccountId(input)).toThrow(InvalidAccountIdError);
    expect(isAccountId(input)).toBe(false);
  });

  it('accepts the longest allowed id (64 characters)', () => {
    expect(parseAccountId('1'.repeat(64)).account).toHaveLength(64);
  });

  it('explains the error: names accountId, repeats the input and shows an example', () => {
    let error: unknown;
    try {
      parseAccountId('12/34');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InvalidAccountIdError);
    expect(error).toBeInstanceOf(Error);
    const message = (error as Error).message;
    expect(message).toContain('accountId');
    expect(message).toContain('"12/34"');
    expect(message).toContain('1234567_SB1');
    expect(message).toMatch(/e\.g\. 1234567/);
    expect((error as Error).name).toBe('InvalidAccountIdError');
    expect((error as InvalidAccountIdError).input).toBe('12/34');
  });

  it('isAccountId is true for valid ids', () => {
    expect(isAccountId('1234567')).toBe(true);
    expect(isAccountId('1234567-sb1')).toBe(true);
  });
});

describe('pasted URLs', () => {
  it('keep only the account part of the host', () => {
    expect(parseAccountId('https://1234567-sb1.app.netsuite.com/app/center/card.nl')).toEqual({ account: '1234567_SB1', host: '1234567-sb1' });
  });
});
